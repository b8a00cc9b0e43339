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

    engine = create_engine("sqlite://")
    with engine.connect() as empty_database:
        comparison = MigrationContext.configure(empty_database, opts={"compare_type": True})
        planned = produce_migrations(comparison, metadata)
    engine.dispose()
    migrations.drop_enum_types_with_their_tables(planned, metadata)

    def use_planned_ops(context, revision, directives) -> None:
        directives[0].upgrade_ops = planned.upgrade_ops
        directives[0].downgrade_ops = planned.downgrade_ops

    with tempfile.TemporaryDirectory(prefix="initial-revision-") as script_dir:
        shutil.copyfile(RENDERING_ENV, Path(script_dir, "env.py"))
        shutil.copyfile(
            project_dir / "alembic" / "script.py.mako", Path(script_dir, "script.py.mako")
        )
        # The project's own alembic.ini, so its post-write hooks format this revision
        # as they will format every later one.
        config = Config(str(project_dir / "alembic.ini"))
        _run_ruff_hooks_directly(config)
        config.set_main_option("script_location", script_dir)
        config.set_main_option("version_locations", str(project_dir / "alembic" / "versions"))
        config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
        config.set_main_option("revision_environment", "true")
        config.attributes.update(
            dialect_name=dialect_name,
            target_metadata=metadata,
            process_revision_directives=use_planned_ops,
        )
        script = command.revision(
            config, message=INITIAL_MESSAGE, rev_id=INITIAL_REVISION_ID, sql=True
        )
    return Path(script.path)


def _run_ruff_hooks_directly(config) -> None:
    """Run the project's ``module = ruff`` post-write hooks as the ruff binary itself.

    ``type = module`` starts ``python -m ruff``, a whole interpreter that only looks up
    the binary and execs it: one extra process start per hook, on every bake. The
    options, and so the formatting, stay exactly those of the project's alembic.ini.
    Without ruff here the hooks are dropped (the revision is valid, just unformatted).
    """
    try:
        from ruff import find_ruff_bin

        ruff = find_ruff_bin()
    except (ImportError, FileNotFoundError):
        config.set_section_option("post_write_hooks", "hooks", "")
        return
    section = "post_write_hooks"
    for name in (config.get_section_option(section, "hooks") or "").replace(",", " ").split():
        runs_ruff_module = config.get_section_option(section, f"{name}.module") == "ruff"
        if runs_ruff_module and config.get_section_option(section, f"{name}.type") == "module":
            config.set_section_option(section, f"{name}.type", "exec")
            config.set_section_option(section, f"{name}.executable", ruff)


if __name__ == "__main__":
    project, package, dialect = sys.argv[1:]
    print(write_initial_revision(Path(project).resolve(), package, dialect))
