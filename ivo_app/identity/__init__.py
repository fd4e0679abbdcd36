"""The identity's fields, one table (pure Python: no Qt, no SQLAlchemy). See `fields`."""

from ivo_app.identity.fields import (
    BY_HEADER,
    BY_NAME,
    FIELDS,
    FILE_FIELDS,
    NORMALISED,
    STRICT_TRAITS,
    Field,
    field_label,
    inline_label,
    labelled,
    stored_columns,
)

__all__ = [
    "BY_HEADER",
    "BY_NAME",
    "FIELDS",
    "FILE_FIELDS",
    "NORMALISED",
    "STRICT_TRAITS",
    "Field",
    "field_label",
    "inline_label",
    "labelled",
    "stored_columns",
]
