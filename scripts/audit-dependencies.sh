#!/usr/bin/env bash
# Audit of the locked bundle (packaging/requirements-lock.txt) against a vulnerability database
# (OSV, through pip-audit). Runs where pip-audit and the database are reachable and fails on a known
# vulnerability; where they are not (an offline CI), says so plainly and does not fail the build.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
lock=packaging/requirements-lock.txt
if ! "$PY" -m pip_audit --version >/dev/null 2>&1; then
  echo "Audit des dépendances NON exécuté : pip-audit n'est pas installé (pip install pip-audit)."
  exit 0
fi
if ! "$PY" - <<'PYEOF'
import sys
import urllib.error
import urllib.request

try:
    urllib.request.urlopen("https://api.osv.dev/v1/query", data=b"{}", timeout=5)
except urllib.error.HTTPError:
    pass  # the service answered: it is reachable
except Exception:
    sys.exit(1)
PYEOF
then
  echo "Audit des dépendances NON exécuté : la base de vulnérabilités (api.osv.dev) est injoignable d'ici."
  exit 0
fi
echo "Audit des dépendances ($lock) contre la base OSV :"
exec "$PY" -m pip_audit --vulnerability-service osv --disable-pip --require-hashes -r "$lock"
