CodeSystem: FRCoreCodeSystemModeValidationIdentite
Id: fr-core-cs-mode-validation-identity
Title: "FR Core CodeSystem Mode Validation Identite"
Description: "Mode de validation de l'identité"
* insert SetCodesystem

* ^caseSensitive = true
* ^content = #complete
* #CN "Carte nationale d'identité" "Carte nationale d'identité"
* #PA "Passeport" "Passeport"
* #CS "Carte de séjour" "Carte de séjour ou titre de séjour"
* #eCN "e-carte d'identité" "e-carte d'identité"
* #IN "Identité Numérique La Poste" "Identité Numérique La Poste"
* #AV "Application Carte Vitale" "Application Carte Vitale"
* #LECV "Livret de famille, accompagné de la carte Vitale avec photographie" "Livret de famille, accompagné de la carte Vitale avec photographie"
* #AN "Extrait d'acte de naissance" "Extrait d'acte de naissance"
* #LEP "Livret de famille des parents" "Livret de famille des parents"
* #CC "Carnet de circulation" "Carnet de circulation pour étranger mineur"
* #ANCV "Acte de naissance, accompagné de la carte Vitale avec photographie" "Acte de naissance, accompagné de la carte Vitale avec photographie"
# #CIMS "Carte d'identité professionnelle multiservices (CIMS)" "Carte d'identité professionnelle multiservices (CIMS)"
* #ANCV "Extrait d'acte de naissance, accompagné de la carte Vitale avec photographie" "Extrait d'acte de naissance, accompagné de la carte Vitale avec photographie"




// SCS profile
* ^experimental = false
