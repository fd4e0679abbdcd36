"""The PySide6 window: a thin face over ivo_app.services (no ORM here)."""
