"""The transaction style on an in-memory base (no file): a use case opens its one unit of work on the
database it is given; a step takes the caller's `uow`, writes nothing by itself and composes inside
the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ivo_app.errors import NotFoundError
from ivo_app.services import settings
from ivo_app.store.db import Database, memory_database
from ivo_app.store.uow import UnitOfWork


@pytest.fixture
def memory() -> Iterator[Database]:
    database = memory_database()
    yield database
    database.dispose()


def test_a_use_case_runs_on_a_base_in_memory(memory: Database) -> None:
    assert memory.url == "sqlite://"  # no file behind it
    with UnitOfWork(memory) as uow:
        uow.facilities.get_or_create("CH Mémoire")
        uow.commit()
    settings.save_facility_settings(memory, "CH Mémoire", statuses={"vali": "qual"}, years=2)
    settings.set_ipp_authority(memory, "urn:oid:1.2.250.1.999", None)  # shared by every facility

    own = settings.facility_settings(memory, "CH Mémoire")
    assert own.statuses == {"VALI": "QUAL"} and own.active_years == 2
    assert own.ipp_authority == "1.2.250.1.999" and own.thresholds == settings.model_thresholds()
    shared = settings.facility_settings(memory, None)
    assert shared.statuses == {} and shared.active_years == settings.DEFAULT_ACTIVE_YEARS

    with pytest.raises(NotFoundError):
        settings.facility_settings(memory, "CH Inconnu")
    # An import about to create the facility reads the shared settings.
    new = settings.facility_settings(memory, "CH Inconnu", new_facility_ok=True)
    assert new.ipp_authority == "1.2.250.1.999" and new.statuses == {}


def test_steps_compose_in_the_callers_transaction(memory: Database) -> None:
    with UnitOfWork(memory) as uow:
        facility_id = uow.facilities.get_or_create("CH Mémoire").id
        settings.save_in(uow, facility_id, statuses={"ancien": "recup"}, thresholds=(18.0, 11.0))
        # Read back by the steps inside the same, still open, transaction...
        assert settings.status_mapping(uow, facility_id) == {"ANCIEN": "RECUP"}
        assert settings.duplicate_threshold_overrides(uow, facility_id) == {
            "probable": 18.0,
            "a_examiner": 11.0,
        }
        # ...and nothing is written until the use case commits: here it does not.
    with pytest.raises(NotFoundError):  # the facility went with the transaction
        settings.facility_settings(memory, "CH Mémoire")
    assert settings.facility_settings(memory, None).statuses == {}
