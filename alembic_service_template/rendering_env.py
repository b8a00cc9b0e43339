"""Alembic environment used while baking: renders planned ops for the project's dialect.

Runs offline (no connection); ``initial_revision.py`` puts what it needs in
``config.attributes``.
"""

import io

from alembic import context

attributes = context.config.attributes
context.configure(
    dialect_name=attributes["dialect_name"],
    target_metadata=attributes["target_metadata"],
    render_as_batch=attributes["dialect_name"] == "sqlite",
    process_revision_directives=attributes["process_revision_directives"],
    render_item=attributes["render_item"],
    # Offline mode would print the version table's DDL; nobody needs it here.
    output_buffer=io.StringIO(),
)
with context.begin_transaction():
    context.run_migrations()
