"""RNIV rules, pure Python: traits, INS matricule, statuses, duplicates engine, indicators."""
