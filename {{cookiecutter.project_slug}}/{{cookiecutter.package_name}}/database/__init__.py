"""Declarative base, sessions, and the glue Alembic uses to find every model."""
