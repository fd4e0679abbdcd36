"""Readers and writers: delimited text, XLSX, HL7 v2, FHIR, reference tables."""
