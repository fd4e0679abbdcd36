"""`ivo supprimer-extraction` leaves nothing of the extraction's patients behind: no identity, and none
of what detection derived from their names (pairs, search keys, the name frequencies of its runs)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from ivo_app.store.db import open_database
from ivo_app.store.models import Identity
from ivo_app.store.models.duplicates import DetectionFrequency, DetectionRun, DuplicatePair, MatchKey
from ivo_app.store.uow import UnitOfWork
from tests.cli import ivo_runner


def test_deleting_an_extraction_removes_what_detection_kept_of_its_names(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'base.sqlite'}"

    run = ivo_runner(url)

    def ivo(*args: str) -> str:
        return run(*args).stdout

    ivo("demo", "--taille", "1500", "--graine", "3")
    ivo("doublons")
    tables = (Identity, DuplicatePair, MatchKey, DetectionRun, DetectionFrequency)

    def counts() -> dict[str, int]:
        with UnitOfWork(open_database(url)) as uow:
            return {
                t.__tablename__: uow.session.scalar(select(func.count()).select_from(t)) or 0 for t in tables
            }

    before = counts()
    assert all(before.values()), before  # each table held something of this extraction
    with UnitOfWork(open_database(url)) as uow:
        extraction = uow.extractions.latest().id
    ivo("supprimer-extraction", str(extraction), "--oui")
    assert counts() == dict.fromkeys(before, 0)
