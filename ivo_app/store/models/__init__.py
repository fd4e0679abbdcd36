"""All models, imported here so Alembic and `Base.metadata` see every table.

Each area owns one module and one migration (see docs/architecture.md).
"""

from ivo_app.store.models import audit, duplicates, journal, rules, training  # noqa: F401
from ivo_app.store.models.base import Base
from ivo_app.store.models.core import (
    DemoTruth,
    Extraction,
    Facility,
    Identity,
    ImportRejection,
    Setting,
)

__all__ = [
    "Base",
    "DemoTruth",
    "Extraction",
    "Facility",
    "Identity",
    "ImportRejection",
    "Setting",
]
