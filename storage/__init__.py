"""Persistence: SQLModel tables, repositories, engine setup and Alembic migrations."""
