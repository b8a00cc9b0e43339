"""The migration history: a single head; every revision upgrades from an empty database,
downgrades back to base and upgrades again; and the models match the schema the
migrations build.

Each check is a few Alembic commands through the project's own config, each running the
whole history in one go (on SQLite, env.py checks the foreign keys after every revision),
so they cost the same however many revisions there are. A failure names its revision in
the traceback and in the captured log ("Running upgrade 0002 -> 0003").
"""

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from {{ cookiecutter.package_name }}.settings import PROJECT_ROOT


def test_single_head_revision() -> None:
    """Two branches that each added a revision leave two heads, and `alembic upgrade head`
    refuses to choose: a merge revision joins them."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, (
        f"alembic/versions has {len(heads)} heads ({', '.join(sorted(heads))}): branches each"
        " added a revision. Run `alembic merge heads -m merge` and commit the revision it writes."
    )


def test_upgrade_downgrade_and_upgrade_again(empty_database_alembic: Config) -> None:
    """Every upgrade runs on what the revisions before it built, every downgrade undoes
    its upgrade (down to an empty schema), and the history runs again on what the
    downgrades left."""
    command.upgrade(empty_database_alembic, "heads")
    command.downgrade(empty_database_alembic, "base")
    command.upgrade(empty_database_alembic, "heads")


def test_models_match_the_migrated_schema(empty_database_alembic: Config) -> None:
    """`alembic check` at the head: autogenerate finds nothing to write, so no model change
    is missing a revision (it raises, listing the operations a revision would need)."""
    command.upgrade(empty_database_alembic, "heads")
    command.check(empty_database_alembic)
