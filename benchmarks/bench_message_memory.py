"""Peak memory of the message readers (HL7 v2, FHIR) on files of a few megabytes (issue 19, item 12).

Each file is read through `open_source` in its own process (no database: the reader alone), its
Python allocations traced (tracemalloc peak) and its peak RSS measured; the ratio to the file's size
says how much memory a megabyte of file costs. Files (generated in a temporary folder):
- hl7-normal: 4.7 MB of ADT^A28 messages, one patient each;
- hl7-repetitions: one PID-3 repeated 4.7 million times (`~`): the shape that made a reader allocate
  per repetition;
- fhir-bundle: a 4.7 MB Bundle of Patient resources;
- fhir-deep: the same Bundle with one resource nested 100,000 levels deep.

    PYTHONPATH=. python benchmarks/bench_message_memory.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import run_measured

SIZE = 4_700_000
MSH = "MSH|^~\\&|X|Y|||20250101||ADT^A28^ADT_A05|{n}|P|2.5|||||FRA|UNICODE UTF-8\r"
PID = "PID|1||{n}^^^CH&1.2&ISO^PI||NOM{n}^JEANNE^JEANNE^^^^L||19120106|F\r\n"


def patient(n: int) -> dict[str, object]:
    return {
        "resourceType": "Patient",
        "identifier": [{"type": {"coding": [{"code": "PI"}]}, "system": "urn:oid:1.2", "value": str(n)}],
        "name": [{"use": "official", "family": f"NOM{n}", "given": ["JEANNE"]}],
        "birthDate": "1912-01-06",
        "gender": "female",
    }


def write_files(folder: Path) -> dict[str, Path]:
    files = {name: folder / name for name in ("hl7-normal.hl7", "hl7-repetitions.hl7", "fhir-bundle.json")}
    with open(files["hl7-normal.hl7"], "w", encoding="utf-8") as out:
        n = 0
        while out.tell() < SIZE:
            out.write(MSH.format(n=n) + PID.format(n=n))
            n += 1
    files["hl7-repetitions.hl7"].write_text(
        MSH.format(n=0) + "PID|1||1^^^CH&1.2&ISO^PI" + "~" * SIZE + "||NOM^JEANNE||19120106|F\r",
        encoding="utf-8",
    )
    entries, size, n = [], 0, 0
    while size < SIZE:
        entry = {"resource": patient(n)}
        size += len(json.dumps(entry)) + 2
        entries.append(entry)
        n += 1
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    files["fhir-bundle.json"].write_text(json.dumps(bundle), encoding="utf-8")
    deep = folder / "fhir-deep.json"
    text = json.dumps(bundle)
    nested = (
        json.dumps({"resource": patient(10**9)})[:-2]
        + ', "extension": '
        + "[" * 100_000
        + "]" * 100_000
        + "}}"
    )
    deep.write_text(text[:-2] + ", " + nested + "]}", encoding="utf-8")
    files["fhir-deep.json"] = deep
    return files


READ = """
import sys, tracemalloc
from pathlib import Path
from ivo_app.io.sources import RawRecord, open_source
path = Path(sys.argv[1])
tracemalloc.start()
start()
source = open_source(path)
records = rejected = 0
for item in source:
    if isinstance(item, RawRecord):
        records += 1
    else:
        rejected += 1
stop()
print("TRACE", tracemalloc.get_traced_memory()[1], records, rejected)
"""


def main() -> None:
    print(f"{'fichier':<22}{'taille':>9}{'pic Python':>12}{'ratio':>8}{'RSS':>9}{'durée':>8}  lus / refusés")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in write_files(Path(tmp)).items():
            try:
                run = run_measured(READ, str(path))
            except SystemExit as failed:  # the reader failed on the whole file: say so, go on
                print(f"{name:<22}échec : {str(failed).strip().splitlines()[-1][:80]}")
                continue
            _, peak, records, rejected = next(
                x for x in run.stdout.splitlines() if x.startswith("TRACE")
            ).split()
            size = path.stat().st_size / 1e6
            print(
                f"{name:<22}{size:>7.1f} Mo{int(peak) / 1e6:>9.0f} Mo{int(peak) / 1e6 / size:>7.1f}×"
                f"{run.peak_rss_mb:>6.0f} Mo{run.seconds:>7.1f} s  {records} / {rejected}"
            )


if __name__ == "__main__":
    main()
