"""Writes the baked project's initial revision with Alembic's own autogenerate.

The models are compared against an empty throwaway SQLite database, never the user's,
and the revision is rendered for the dialect of the project's URL, so a PostgreSQL
project gets PostgreSQL code without a server. Runs in any interpreter where the
project, Alembic and SQLAlchemy import: the hook's own, or the project's through
``poetry run python initial_revision.py PROJECT_DIR PACKAGE DIALECT``.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path

INITIAL_REVISION_ID = "0001"
INITIAL_MESSAGE = "initial"
# An Alembic environment that only renders: the ops are planned before it runs.
RENDERING_ENV = Path(__file__).with_name("rendering_env.py")


def write_initial_revision(project_dir: Path, package_name: str, dialect_name: str) -> Path:
    from alembic import command
    from alembic.autogenerate import produce_migrations
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    # Importing the models and the new revision must leave no __pycache__ in the project.
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(project_dir))
    metadata = importlib.import_module(f"{package_name}.database.discovery").import_models()
    migrations = importlib.import_module(f"{package_name}.database.migrations")
    formatter = importlib.import_module(f"{package_name}.database.format_revision")

    engine = create_engine("sqlite://")
    with engine.connect() as empty_database:
        comparison = MigrationContext.configure(empty_database, opts={"compare_type": True})
        planned = produce_migrations(comparison, metadata)
    engine.dispose()
    if dialect_name == "postgresql":
        plan_postgresql_enum_types(planned, metadata)

    def use_planned_ops(context, revision, directives) -> None:
        directives[0].upgrade_ops = planned.upgrade_ops
        directives[0].downgrade_ops = planned.downgrade_ops

    with tempfile.TemporaryDirectory(prefix="initial-revision-") as script_dir:
        shutil.copyfile(RENDERING_ENV, Path(script_dir, "env.py"))
        shutil.copyfile(
            project_dir / "alembic" / "script.py.mako", Path(script_dir, "script.py.mako")
        )
        config = Config(str(project_dir / "alembic.ini"))
        # The project's formatter runs below, in this process rather than as a hook.
        config.set_section_option("post_write_hooks", "hooks", "")
        config.set_main_option("script_location", script_dir)
        config.set_main_option("version_locations", str(project_dir / "alembic" / "versions"))
        config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
        config.set_main_option("revision_environment", "true")
        config.attributes.update(
            dialect_name=dialect_name,
            target_metadata=metadata,
            process_revision_directives=use_planned_ops,
            render_item=migrations.render_item,
        )
        script = command.revision(
            config, message=INITIAL_MESSAGE, rev_id=INITIAL_REVISION_ID, sql=True
        )
    path = Path(script.path)
    # The package's name is the user's: with a long one, the baked lines importing from it
    # may be longer than ruff allows. The project's formatter wraps them, as it does the
    # revision's, so the bake passes its own lint whatever the name.
    formatter.format_revision(
        path, project_dir / package_name, project_dir / "tests", project_dir / "alembic" / "env.py"
    )
    return path


def plan_postgresql_enum_types(planned, metadata) -> None:
    """Plan the enum types as alembic-postgresql-enum does against an empty PostgreSQL.

    The project's env.py uses that library; it needs a PostgreSQL connection, and the
    bake has none. With no type in the database yet, its plan is: create each declared
    type first, tables that use it with ``create_type=False``, and the reverse to
    downgrade. Its own functions do each step; only the database's answer is given.
    """
    from alembic_postgresql_enum.add_create_type_false import add_create_type_false
    from alembic_postgresql_enum.detection_of_changes import create_new_enums
    from alembic_postgresql_enum.get_enum_data.declared_enums import (
        column_type_is_enum,
        get_enum_values,
    )

    declared = {
        column.type.name: get_enum_values(column.type)
        for table in metadata.sorted_tables
        for column in table.columns
        if column_type_is_enum(column.type) and column.type.name
    }
    add_create_type_false(planned.upgrade_ops)
    # No schema: the types go to the default one, as the tables do.
    create_new_enums({}, declared, None, planned.upgrade_ops)
    planned.downgrade_ops = planned.upgrade_ops.reverse()


if __name__ == "__main__":
    project, package, dialect = sys.argv[1:]
    print(write_initial_revision(Path(project).resolve(), package, dialect))
