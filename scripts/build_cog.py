"""Build resources/cog/ (the embedded COG reference) from public registry data.

    python scripts/build_cog.py [--package DIR] [--countries CSV]

Communes: the npm package @etalab/decoupage-administratif (MIT), `data/communes.json`: current
communes, delegated and associated communes, municipal arrondissements, and each commune's
`anciensCodes` (former codes of merged communes). Without --package the script runs
`npm pack @etalab/decoupage-administratif` in a temporary folder (the npm registry is reachable
from the build machine; the application itself never downloads anything).
Countries: INSEE "pays et territoires étrangers" (Licence Ouverte), given as a CSV
`code;libelle;date_debut;date_fin;code_rattachement`.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "cog"
KIND = {
    "commune-actuelle": "current",
    "commune-deleguee": "delegated",
    "commune-associee": "associated",
    "arrondissement-municipal": "arrondissement",
}


def fetch_package(tmp: Path) -> tuple[Path, str]:
    subprocess.run(["npm", "pack", "@etalab/decoupage-administratif", "--silent"], cwd=tmp, check=True)
    tgz = next(tmp.glob("etalab-decoupage-administratif-*.tgz"))
    with tarfile.open(tgz) as tar:
        tar.extractall(tmp, filter="data")
    return tmp / "package", tgz.stem.rsplit("-", 1)[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--package", type=Path, help="an extracted @etalab/decoupage-administratif package")
    parser.add_argument("--countries", type=Path, required=True, help="INSEE country list (CSV, ;)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.package:
            package = args.package
            version = json.loads((package / "package.json").read_text())["version"]
        else:
            package, version = fetch_package(Path(tmp))
        communes = json.loads((package / "data" / "communes.json").read_text(encoding="utf-8"))
    rows: dict[tuple[str, str], tuple[str, str, str, int, str]] = {}
    for c in communes:
        kind = KIND[c["type"]]
        rows[(c["code"], kind)] = (
            c["code"],
            c["nom"],
            kind,
            int(c.get("population") or 0),
            c.get("commune", ""),
        )
        for former in c.get("anciensCodes", ()):
            rows.setdefault((former, "former"), (former, c["nom"], "former", 0, c["code"]))
    OUT.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["code", "nom", "type", "population", "parent"])
    writer.writerows(sorted(rows.values()))
    with gzip.open(OUT / "communes.csv.gz", "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(buffer.getvalue())
    countries = args.countries.read_text(encoding="utf-8-sig")
    (OUT / "pays.csv").write_text(countries, encoding="utf-8")
    (OUT / "VERSION").write_text(
        f"communes: @etalab/decoupage-administratif {version} ({len(rows)} codes)\n"
        f"pays: INSEE, pays et territoires étrangers ({len(countries.splitlines()) - 1} codes)\n",
        encoding="utf-8",
    )
    print(f"{len(rows)} codes de communes, {len(countries.splitlines()) - 1} pays → {OUT}")


if __name__ == "__main__":
    main()
