Profile: FRCorePatientProfile
Parent: Patient
Id: fr-core-patient
* identifier contains
    NSS 0..1 and
    INS-C 0..* and
    NDP 0..1 and
    PI 0..* and
    RRI 0..*


* identifier[NSS] ^short = "National Health Plan Identifier | Le Numéro d'Inscription au Répertoire (NIR) de facturation permet de faire transiter le numéro de sécurité social de l’ayant droit ou du bénéfiaire (patient) / le numéro de sécurité sociale de l’ouvrant droit (assuré)."
* identifier[NSS].use 1..
* identifier[NSS].use = #official
* identifier[NSS].type 1..
* identifier[NSS].type = http://terminology.hl7.org/CodeSystem/v2-0203#NH
* identifier[NSS].system 1..
* identifier[NSS].system = "urn:oid:1.2.250.1.213.1.4.8"
* identifier[NSS].value 1..

* identifier[INS-C] ^short = "Computed National Health Identifier | Identifiant National de Santé Calculé à partir des éléments de la carte vitale"
* identifier[INS-C].use 1..
* identifier[INS-C].use = #secondary
* identifier[INS-C].type 1..
* identifier[INS-C].type = $fr-core-v2-0203#INS-C "Identifiant National de Santé Calculé"
* identifier[INS-C].system 1..
* identifier[INS-C].system = "urn:oid:1.2.250.1.213.1.4.2"
* identifier[INS-C].value 1..

* identifier[PI] ^short = "Hospital assigned patient identifier | IPP"
* identifier[PI].use 1..
* identifier[PI].use = #usual
* identifier[PI].type 1..
* identifier[PI].type = http://terminology.hl7.org/CodeSystem/v2-0203#PI "Patient internal identifier"
* identifier[PI].system 1..
* identifier[PI].value 1..

* identifier[PI_OLD] ^short = "Inactived Hospital assigned patient identifier | Identifiant Patient Permanent (IPP) désactivée"
* identifier[PI_OLD] ^comment  = "Des IPP peuvent être désactivé en cas de fusion d'identité pour résoudre des problèmes de doublonnage."
* identifier[PI_OLD].use 1..
* identifier[PI_OLD].use = #old
* identifier[PI_OLD].type 1..
* identifier[PI_OLD].type = http://terminology.hl7.org/CodeSystem/v2-0203#PI "Patient internal identifier"
* identifier[PI_OLD].system 1..
* identifier[PI_OLD].value 1..

* name[officialName].use 1..1
* name[officialName].use = #official
* name[officialName].family 1..
* name[officialName].given 1..

* name[officialName].extension contains fr-core-patient-birth-list-given-name named birth-list-given-name 0..1
