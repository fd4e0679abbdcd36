"""Splink's `historical_figures_with_errors_50k` (public, MIT, repository
moj-analytical-services/splink_datasets, data/historical_figures_with_errors_50k.parquet): 50,578
records of 5,156 persons from
Wikidata with errors Splink's authors added (nicknames, typos, dates and places missing or wrong).

For IVO: surname as birth name, first name, date of birth, sex; the fake postcode and the birthplace
(free text: "devon", "west devon") as complementary traits compared approximately (IVO's birthplace
trait is a COG code compared for equality). For Splink the columns its person settings read.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ivo_app.rules.record import IdentityRecord

# Not kept in the repository (a third party's file): give its path with IVO_HISTORICAL_50K, or place it
# among the shared reference files.
FILE = "historical_figures_with_errors_50k.parquet"
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "reference" / "external" / "splink" / FILE


def path() -> Path:
    return Path(os.environ.get("IVO_HISTORICAL_50K", DEFAULT))


def load() -> pd.DataFrame:
    source = path()
    if not source.exists():
        raise SystemExit(
            f"{FILE} introuvable ({source}) : téléchargez-le depuis le dépôt public "
            "moj-analytical-services/splink_datasets et donnez son chemin dans IVO_HISTORICAL_50K."
        )
    return pd.read_parquet(source)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> date | None:
    text = _text(value)
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def records(frame: pd.DataFrame) -> tuple[list[IdentityRecord], dict[str, list[str | None]]]:
    out = []
    extra: dict[str, list[str | None]] = {"postcode": [], "city": []}
    for k, row in enumerate(frame.itertuples(index=False), start=1):
        sex = {"male": "M", "female": "F"}.get(row.gender or "")
        first = _text(row.first_name)
        out.append(
            IdentityRecord(
                id=k,
                ipp=str(row.unique_id),
                birth_name=_text(row.surname),
                first_names=first,
                first_first_name=first,
                birth_date=_date(row.dob),
                sex=sex,
            )
        )
        extra["postcode"].append(_text(row.postcode_fake))
        extra["city"].append(_text(row.birth_place))
    return out, extra


def splink_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": frame["unique_id"].astype(str),
            "birth_name": frame["surname"].map(_text),
            "first_name": frame["first_name"].map(_text),
            "dob": frame["dob"].map(lambda v: d.isoformat() if (d := _date(v)) else None),
            "sex": frame["gender"].map(_text),
            "birthplace": frame["birth_place"].map(_text),
            "postcode": frame["postcode_fake"].map(_text),
        }
    )


def truth(frame: pd.DataFrame) -> dict[str, str]:
    """unique_id → the person (cluster)."""
    return dict(zip(frame["unique_id"].astype(str), frame["cluster"].astype(str), strict=True))
