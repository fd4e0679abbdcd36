"""Persistence: SQLAlchemy models, repositories, unit of work, migrations runner, bulk import."""
