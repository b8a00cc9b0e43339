"""Migration tests run against a throwaway database, never the one in DATABASE_URL.

Set TEST_DATABASE_URL to an empty database of your production backend (for example a
PostgreSQL created for CI) to run them there; by default they use a temporary SQLite file.
"""

import os

import pytest
from sqlalchemy import create_engine


@pytest.fixture
def alembic_engine(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"
    engine = create_engine(url)
    yield engine
    engine.dispose()
