"""Pseudonymisation that resists linkage (issue 19, item 8): measured on a demo facility and on
rows written for the purpose."""

from __future__ import annotations

import csv
import os
import re
import stat
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from ivo_app.demo.names import first_names
from ivo_app.rules import nir
from ivo_app.services.demo import create_demo
from ivo_app.services.imports import import_file
from ivo_app.services.pseudonymise import Pseudonymiser, department_of, export_pseudonymised, k_anonymity

KEY = "k" * 64
REPO = Path(__file__).resolve().parents[2]


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def original_rows(db, extraction: int, tmp_path: Path) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    from ivo_app.services.extractions import export_extraction

    out = tmp_path / "original.csv"
    export_extraction(db, extraction, out)
    return read_rows(out)


@pytest.fixture
def demo(db, tmp_path: Path):  # type: ignore[no-untyped-def]
    extraction = create_demo(db, size=5_000, seed=7, extracted_on=date(2026, 6, 1)).extraction_id
    before = original_rows(db, extraction, tmp_path)
    out = tmp_path / "pseudo.csv"
    result = export_pseudonymised(db, extraction, out, KEY)
    after = read_rows(out)
    assert len(before) == len(after) == result.rows == 5_000
    return before, after, result


def test_names_do_not_keep_their_frequencies(demo) -> None:  # type: ignore[no-untyped-def]
    before, after, _ = demo
    persons_by_name: dict[str, set[tuple[str, str]]] = defaultdict(set)
    pseudonyms_by_name: dict[str, set[str]] = defaultdict(set)
    for b, a in zip(before, after, strict=True):
        persons_by_name[b["nom_naissance"]].add((b["premier_prenom"], b["date_naissance"]))
        pseudonyms_by_name[b["nom_naissance"]].add(a["nom_naissance"])
    frequent = sorted(persons_by_name, key=lambda n: -len(persons_by_name[n]))[:10]
    assert len(persons_by_name[frequent[0]]) >= 10  # the demo has frequent names, as France has
    for name in frequent:  # two different MARTIN become two different names
        assert len(pseudonyms_by_name[name]) >= 0.8 * len(persons_by_name[name]), name
    # Pseudonyms follow the national distribution, not the facility's: a frequent pseudonym comes
    # from many different real names, so its frequency says nothing of any of them.
    sources: dict[str, set[str]] = defaultdict(set)
    for b, a in zip(before, after, strict=True):
        sources[a["nom_naissance"]].add(b["nom_naissance"])
    for pseudonym, _ in Counter(a["nom_naissance"] for a in after).most_common(5):
        assert len(sources[pseudonym]) >= 5, pseudonym


def test_first_names_follow_the_sex_and_identical_rows_stay_identical(demo) -> None:  # type: ignore[no-untyped-def]
    before, after, _ = demo
    female = {n for d in range(1901, 2012, 10) for n in first_names("F", d).names}
    male = {n for d in range(1901, 2012, 10) for n in first_names("M", d).names}
    checked = 0
    for b, a in zip(before, after, strict=True):
        if b["sexe"] not in ("M", "F"):
            continue
        pool = female if b["sexe"] == "F" else male
        for token in re.split(r"[^A-Z']+", a["premier_prenom"].upper().replace("É", " ")):
            if token:  # each part of a compound, each word, drawn among the names of that sex
                assert token in pool, (b["sexe"], a["premier_prenom"])
                checked += 1
    assert checked > 3_000
    # Rows whose strict traits are identical (exact duplicates) get identical pseudonyms.
    groups: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for b, a in zip(before, after, strict=True):
        key = (b["nom_naissance"], b["premier_prenom"], b["date_naissance"], b["sexe"], b["matricule_ins"])
        groups[key].add((a["nom_naissance"], a["premier_prenom"], a["date_naissance"]))
    assert sum(1 for v in groups.values() if len(v) == 1) == len(groups)


def test_birthplace_kept_to_its_department_and_dates_shifted(demo) -> None:  # type: ignore[no-untyped-def]
    before, after, _ = demo
    places: dict[str, set[str]] = defaultdict(set)
    shifted = same = 0
    for b, a in zip(before, after, strict=True):
        if re.fullmatch(r"\d{5}|2[AB]\d{3}", b["lieu_naissance"] or "") and not b[
            "lieu_naissance"
        ].startswith("99"):
            assert department_of(a["lieu_naissance"]) == department_of(b["lieu_naissance"])
            places[department_of(b["lieu_naissance"]) or ""].add(a["lieu_naissance"])
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", b["date_naissance"]):
            if b["date_naissance"][:7] == a["date_naissance"][:7]:
                same += 1
            else:
                shifted += 1
        if b["date_derniere_venue"]:
            assert (
                a["date_derniere_venue"].endswith("-01")
                and a["date_derniere_venue"] != b["date_derniere_venue"]
            )
    # One commune stands for its department (an unknown code stays unknown: 75999).
    several = {d: codes for d, codes in places.items() if len({c for c in codes if not c.endswith("99")}) > 1}
    assert not several
    assert shifted > 0 and same == 0


def test_linkage_on_quasi_identifiers_falls_and_k_is_measured(demo) -> None:  # type: ignore[no-untyped-def]
    before, after, result = demo

    def unique_share(rows: list[dict[str, str]]) -> float:
        keys = Counter(
            (r["sexe"], r["date_naissance"][:7], r["lieu_naissance"], r["date_derniere_venue"]) for r in rows
        )
        return sum(
            1
            for r in rows
            if keys[(r["sexe"], r["date_naissance"][:7], r["lieu_naissance"], r["date_derniere_venue"])] == 1
        ) / len(rows)

    share_before, share_after = unique_share(before), unique_share(after)
    print(
        f"lignes uniques sur (sexe, mois de naissance, lieu, dernière venue) : {share_before:.1%} → {share_after:.1%}"
    )
    assert share_before > 0.9

    # Linkage: someone who knows a patient's true sex, birth month, birthplace and last visit looks
    # for rows with those values. In the original nearly everyone is found alone; in the export,
    # their own row no longer carries them (shifted dates, department-level place).
    def quasi(r: dict[str, str], place: str) -> tuple[str, ...]:
        return (r["sexe"], r["date_naissance"][:7], place, r["date_derniere_venue"][:7])

    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for n, a in enumerate(after):
        index[quasi(a, a["lieu_naissance"])].append(n)
    found = sum(
        1
        for n, b in enumerate(before)
        if index.get(quasi(b, Pseudonymiser.place(b["lieu_naissance"]) or "")) == [n]
    )
    print(f"lignes retrouvées seules par leurs vrais traits : {found} sur {len(before)}")
    assert found <= len(before) * 0.01
    measured = k_anonymity(
        [
            (
                a["sexe"],
                a["date_naissance"][:4] if re.match(r"\d{4}-", a["date_naissance"]) else "",
                department_of(a["lieu_naissance"]) or "",
            )
            for a in after
        ]
    )
    assert measured == result.anonymity  # what the command prints is what the file holds
    print(result.anonymity.describe())
    # Against the original file, the same measure: the export does not make linkage easier.
    original = k_anonymity(
        [(b["sexe"], b["date_naissance"][:4], department_of(b["lieu_naissance"]) or "") for b in before]
    )
    assert result.anonymity.below_target <= original.below_target * 1.2


def test_nir_rebuilt_from_the_pseudonymised_traits(demo) -> None:  # type: ignore[no-untyped-def]
    before, after, _ = demo
    checked = 0
    for b, a in zip(before, after, strict=True):
        original, pseudo = b["matricule_ins"], a["matricule_ins"]
        if not original or nir.parts(original) is None:
            continue
        checked += 1
        assert original[:10] != pseudo[:10]
        assert nir.key_is_valid(pseudo) == nir.key_is_valid(original)
        parts_b, parts_a = nir.parts(original), nir.parts(pseudo)
        assert parts_a is not None and parts_b is not None and parts_a.sex == parts_b.sex
        if b["date_naissance"][2:4] == original[1:3] and b["date_naissance"][5:7] == original[3:5]:
            # coherent before, coherent after: year and month follow the shifted birth date
            assert (a["date_naissance"][2:4], a["date_naissance"][5:7]) == (pseudo[1:3], pseudo[3:5])
        if parts_b.department != "99" and b["lieu_naissance"] == parts_b.place:
            assert parts_a.place == a["lieu_naissance"]
    assert checked > 1_000


def test_defects_survive_but_not_the_original_characters(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cas.csv"
    path.write_text(
        "ipp;nom_naissance;prenoms_naissance;premier_prenom;date_naissance;sexe;lieu_naissance\n"
        "1;BRONTË;JEAN-PIERRE MARIE;JEAN-PIERRE;31/02/1980;M;75056\n"
        "2;dupont2;Anne;Anne;01/01/1990;F;13055\n",
        encoding="utf-8",
    )
    extraction = import_file(db, path, "CH Cas").extraction_id
    out = tmp_path / "p.csv"
    export_pseudonymised(db, extraction, out, KEY)
    first, second = read_rows(out)
    assert "Ë" not in first["nom_naissance"] and first["nom_naissance"].endswith("É")
    assert first["premier_prenom"].count("-") == 1  # compound stays compound
    assert first["prenoms_naissance"].split(" ")[0] == first["premier_prenom"]
    assert len(first["prenoms_naissance"].split(" ")) == 2
    assert first["date_naissance"] != "31/02/1980" and re.fullmatch(
        r"\d\d/\d\d/\d{4}", first["date_naissance"]
    )
    assert second["nom_naissance"].endswith("0") and second["nom_naissance"][0].isupper()
    assert "2" not in second["nom_naissance"] and second["nom_naissance"][1:].rstrip("0").islower()


def run_ivo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivo_app", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )


def test_cli_requires_a_key_file_creates_it_private_and_never_prints_the_key(
    db_url: str, tmp_path: Path
) -> None:
    assert run_ivo("demo", "--size", "300", "--db", db_url).returncode == 0
    out = tmp_path / "p.csv"
    assert run_ivo("pseudonymise", "--out", str(out), "--db", db_url).returncode == 2  # no key file
    key_file = tmp_path / "cle.txt"
    done = run_ivo("pseudonymise", "--out", str(out), "--key-file", str(key_file), "--db", db_url)
    assert done.returncode == 0, done.stderr
    key = key_file.read_text(encoding="utf-8").strip()
    assert len(key) >= 32 and key not in done.stdout + done.stderr
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "k-anonymat sur (sexe, année de naissance, département) : k = " in done.stdout
    first = out.read_bytes()
    again = run_ivo("pseudonymise", "--out", str(out), "--key-file", str(key_file), "--db", db_url)
    assert again.returncode == 0 and out.read_bytes() == first  # same key, same file
    empty = tmp_path / "vide.txt"
    empty.write_text("", encoding="utf-8")
    refused = run_ivo(
        "pseudonymise", "--out", str(tmp_path / "q.csv"), "--key-file", str(empty), "--db", db_url
    )
    assert refused.returncode == 2 and "clé invalide" in refused.stderr
    assert not (tmp_path / "q.csv").exists()
