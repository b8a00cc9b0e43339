"""One package per resource; a ``models`` module in it is found by Alembic on its own."""
