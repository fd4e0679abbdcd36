#!/usr/bin/env bash
# Smoke test of the built bundle (make test-bundle): the programs start without the source tree or
# the virtualenv, find their resources and migrations, and do real work on a fresh database.
set -euo pipefail
bundle=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"  # away from the checkout: nothing may be found there by accident
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" QT_QPA_PLATFORM=offscreen
env -u PYTHONPATH -u VIRTUAL_ENV "$bundle/ivo" --version
"$bundle/ivo" demo --size 3000 --seed 7
"$bundle/ivo" check --format json --out "$work/anomalies.json"
python3 - "$work/anomalies.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
rows = data if isinstance(data, list) else data.get("findings", data)
assert rows, "the bundled ivo check found no anomaly on the demo facility"
print(f"ivo check (bundle) : {len(rows)} éléments dans le rapport JSON")
PY
# A file over 16 MB is read by a second process started from the bundle's own executable.
"$bundle/ivo" demo --size 180000 --seed 8 --csv "$work/grand.csv"
"$bundle/ivo" import "$work/grand.csv" --facility "CH Bundle"
"$bundle/ivo" extractions --format json | python3 -c '
import json, sys
rows = {e["facility"]: e["rows"] for e in json.load(sys.stdin)}
assert rows.get("CH Bundle") == 180000, rows
print("import par le processus de lecture (bundle) : 180000 identités")'
"$bundle/IVO" --screenshot "$work/pages"
count=$(ls "$work/pages"/*.png | wc -l)
[ "$count" -ge 8 ] || { echo "la fenêtre du bundle n'a rendu que $count pages" >&2; exit 1; }
# Encryption at rest works from the bundle (sqlcipher3 travels with it).
IVO_PHRASE_SECRETE="phrase du test du bundle" "$bundle/ivo" chiffrer </dev/null
if "$bundle/ivo" extractions </dev/null 2>/dev/null; then
  echo "la base chiffrée s'est ouverte sans phrase secrète" >&2; exit 1
fi
IVO_PHRASE_SECRETE="phrase du test du bundle" "$bundle/ivo" check --facility "CH Bundle" </dev/null >/dev/null
echo "bundle OK : ivo --version, demo, check, import en deux processus, fenêtre ($count pages), chiffrement, depuis $bundle"
