"""Operations with no safe form are reported when the revision is written (issue 19).

``alembic revision --autogenerate`` on a real PostgreSQL: each operation that destroys data
or locks a table in use for long (dropping or renaming a column or table, narrowing or
rewriting a column's type, dropping an enum value) gets one ``warning:`` line on the
terminal and a ``# WARNING:`` / ``# Safe way:`` comment just above it in the revision;
what is safe gets neither. One project, at head, tries each change on its models, reads
what autogenerate says, then takes the revision and the model edit back.
"""

import re
import sys
from contextlib import contextmanager

import pytest

from tests.helpers import (
    ITEM_MODELS,
    PACKAGE,
    add_resource,
    alembic,
    assert_all_passed,
    autogenerate,
    bake_for_postgres,
    baked_tests,
    edit,
    hand_written_revision,
    new_revision,
    revision_files,
    run,
)

LEDGER_MODELS = f"""\
from decimal import Decimal

from sqlalchemy import Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from {PACKAGE}.database.base import Base


class Ledger(Base):
    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    entries: Mapped[int] = mapped_column(Integer)
    balance: Mapped[Decimal] = mapped_column(Numeric(10, 2))
"""
LEDGER = f"{PACKAGE}/resources/ledger/models.py"
DESCRIPTION = "    description: Mapped[str | None] = mapped_column(Text)\n"
# One finding as the baked review test reports it.
SQUAWK_RULE = re.compile(r"([\w-]+\.py): ([a-z-]+) at SQL line \d+: ")


@pytest.fixture(scope="module")
def project(tmp_path_factory, postgres_server):
    """(project, env): a PostgreSQL bake with a ledger resource beside the example, at head."""
    project = bake_for_postgres(tmp_path_factory.mktemp("unsafe-changes"))
    env = {"DATABASE_URL": postgres_server.create_database("unsafe_changes")}
    add_resource(project, PACKAGE, "ledger", LEDGER_MODELS)
    alembic(project, "upgrade", "head", env=env)
    autogenerate(project, "ledger", env=env)
    alembic(project, "upgrade", "head", env=env)
    return project, env


@contextmanager
def models_edited(project, edits):
    """The models with ``edits`` ((file, old, new) each), then as they were, with any
    revision written meanwhile removed."""
    before = revision_files(project)
    originals = {}
    try:
        for path, old, new in edits:
            models = project / path
            text = originals.setdefault(models, models.read_text())
            current = models.read_text()
            assert old in current, f"{old!r} not in {models}"
            models.write_text(current.replace(old, new))
        yield
    finally:
        for models, text in originals.items():
            models.write_text(text)
        for path in set(revision_files(project)) - set(before):
            path.unlink()


def autogenerate_with(project, env, edits):
    """(terminal output, revision text or None) of autogenerate on the edited models."""
    with models_edited(project, edits):
        before = revision_files(project)
        result = alembic(project, "revision", "--autogenerate", "-m", "change", env=env)
        (written,) = set(revision_files(project)) - set(before) or {None}
        return result.stdout + result.stderr, written.read_text() if written else None


def warnings_of(output):
    return [line for line in output.splitlines() if line.startswith("warning:")]


def revision_id(text):
    return re.search(r"Revision ID: (\w+)", text)[1]


def warning_comments(text):
    """(message, safe way, the operation's first line) of each warning in the upgrade."""
    upgrade = text[text.index("def upgrade") : text.index("def downgrade")]
    return re.findall(r"# WARNING: (.*)\n\s*# Safe way: (.*)\n\s*(.*)", upgrade)


UNSAFE = {
    "dropped column": (
        [(ITEM_MODELS, DESCRIPTION, "")],
        "drops column item.description and its values.",
        "release code that no longer reads or writes description first",
        "op.drop_column(",
    ),
    # The same type, nullability and default: autogenerate renames it (issue 22), which
    # running code still reading description does not survive.
    "renamed column": (
        [(ITEM_MODELS, "    description:", "    summary:")],
        "renames column item.description to summary: autogenerate found description dropped"
        " and summary added, of the same type, nullability and server default, and reads that"
        " as a rename. Code still reading description fails once it runs.",
        'for a database in use, follow the README\'s "Rename a column without downtime":'
        " expand: put description back in the models beside summary",
        "# Not a rename? Replace the next operation with:",
    ),
    # Another type: no rename is guessed, the warning tells how to make one.
    "dropped column beside a new one": (
        [
            (
                ITEM_MODELS,
                "    description: Mapped[str | None] = mapped_column(Text)",
                "    summary: Mapped[str | None] = mapped_column(String(80))",
            )
        ],
        "drops column item.description and its values while adding item.summary: if it is"
        " a rename, the values are lost and code still reading description fails.",
        "expand: put description back in the models beside summary and autogenerate again"
        ' (only summary is added); backfill: alembic revision -m "backfill item.summary",'
        ' with op.execute("UPDATE item SET summary = description"); switch: release code'
        " that reads summary and writes both; contract: stop using description in a later"
        " release (unmapped_column), drop it in the next."
        " With the application stopped, replace both with op.alter_column('item',"
        " 'description', new_column_name='summary', existing_type=sa.Text(),"
        " existing_nullable=True).",
        "op.drop_column(",
    ),
    "narrowed type": (
        [(ITEM_MODELS, "String(200)", "String(20)")],
        "changes the type of item.name from VARCHAR(200) to VARCHAR(20), which can cut or"
        " refuse existing values.",
        "expand: keep name as VARCHAR(200) in the models, add a column of type VARCHAR(20)"
        " beside it and autogenerate again; backfill it from name",
        "op.alter_column(",
    ),
    "rewritten type": (
        [
            (LEDGER, "mapped_column(Integer)", "mapped_column(BigInteger)"),
            (LEDGER, "import Integer,", "import BigInteger,"),
        ],
        "changes the type of ledger.entries from INTEGER to BIGINT, which rewrites every row"
        " of ledger while blocking its reads and writes.",
        "expand: keep entries as INTEGER in the models, add a column of type BIGINT",
        "op.alter_column(",
    ),
    "dropped enum value": (
        [(ITEM_MODELS, '    ARCHIVED = "archived"\n', "")],
        "removes 'archived' from the values of enum type item_status, which fails on the rows"
        " holding them.",
        "release code that no longer writes 'archived' first; then, in a revision of its own",
        "op.sync_enum_values(",
    ),
    # The same columns under another name: a rename (issue 22).
    "renamed table": (
        [(LEDGER, '__tablename__ = "ledger"', '__tablename__ = "account"')],
        "renames table ledger to account: autogenerate found ledger dropped and account"
        " created, with the same columns, and reads that as a rename. Code still using ledger"
        " fails once it runs.",
        "for a database in use, create account beside ledger, copy the rows in a revision of"
        " its own, switch the code to account, then drop ledger in a later release",
        "# Not a rename? Replace the next 2 operations with:",
    ),
    "dropped table": (
        [(LEDGER, "class Ledger(Base):", "class Ledger:")],
        "drops table ledger and every row in it.",
        "release code that no longer uses ledger first, then apply this revision. To rename"
        " it instead: create the new table, copy the rows",
        "op.drop_table(",
    ),
}


@pytest.mark.parametrize("kind", UNSAFE)
def test_an_unsafe_change_is_reported(project, kind):
    """On the terminal, and in the revision just above its operation."""
    edits, message, safe_way, operation = UNSAFE[kind]
    output, text = autogenerate_with(*project, edits)
    assert text is not None, output
    ((comment_message, comment_safe_way, next_line),) = warning_comments(text)
    assert comment_message == message, text
    assert comment_safe_way.startswith(safe_way), text
    assert next_line.startswith(operation), text
    # The same, on one line of the terminal.
    assert warnings_of(output) == [
        f"warning: revision {revision_id(text)} {message} Safe way: {comment_safe_way}"
    ], output


SAFE = {
    "new table": [
        (
            LEDGER,
            "class Ledger(Base):",
            "class Tag(Base):\n    __tablename__ = 'tag'\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n\n\n"
            "class Ledger(Base):",
        )
    ],
    "nullable column": [
        (
            LEDGER,
            "    balance:",
            "    note: Mapped[str | None]\n    balance:",
        )
    ],
    "constant default": [
        (
            LEDGER,
            "    balance:",
            "    open: Mapped[bool] = mapped_column(server_default='true')\n    balance:",
        )
    ],
    "longer varchar": [(ITEM_MODELS, "String(200)", "String(300)")],
    "varchar to text": [
        (
            LEDGER,
            "code: Mapped[str] = mapped_column(String(20))",
            "code: Mapped[str] = mapped_column(Text)",
        ),
        (LEDGER, "import Integer, Numeric, String", "import Integer, Numeric, String, Text"),
    ],
    "wider numeric": [(LEDGER, "Numeric(10, 2)", "Numeric(14, 2)")],
    "index": [(LEDGER, "mapped_column(String(20))", "mapped_column(String(20), index=True)")],
}


@pytest.mark.parametrize("kind", SAFE)
def test_a_safe_change_is_not_reported(project, kind):
    output, text = autogenerate_with(*project, SAFE[kind])
    assert text is not None, output
    assert "WARNING" not in text and "Safe way" not in text, text
    assert warnings_of(output) == [], output


def test_a_mixed_revision_reports_the_unsafe_operation_only(project):
    project_path, env = project
    edits = [(ITEM_MODELS, "String(200)", "String(300)"), (ITEM_MODELS, DESCRIPTION, "")]
    with models_edited(project_path, edits):
        before = revision_files(project_path)
        result = alembic(project_path, "revision", "--autogenerate", "-m", "mixed", env=env)
        (revision,) = set(revision_files(project_path)) - set(before)
        text = revision.read_text()
        assert [comment[0] for comment in warning_comments(text)] == [
            "drops column item.description and its values."
        ], text
        (warning,) = warnings_of(result.stdout)
        assert "item.description" in warning and "item.name" not in warning, warning

        # Squawk's review flags the unsafe one (until it is acknowledged), not the other.
        review = baked_tests(project_path, "tests/test_migration_review.py", env=env, check=False)
        # (The ledger's INTEGER column has a finding of its own, in its own revision.)
        findings = {
            found for found in SQUAWK_RULE.findall(review.stdout) if found[0] == revision.name
        }
        assert findings == {(revision.name, "ban-drop-column")}, review.stdout


def test_alembic_check_prints_no_report(project):
    project_path, env = project
    clean = alembic(project_path, "check", env=env)
    assert "No new upgrade operations detected" in clean.stdout + clean.stderr
    before = revision_files(project_path)
    with models_edited(project_path, [(ITEM_MODELS, DESCRIPTION, "")]):
        check = alembic(project_path, "check", env=env, check=False)
        assert revision_files(project_path) == before
    output = check.stdout + check.stderr
    # Alembic's own failure for a pending change, nothing more.
    assert check.returncode == 255, output
    assert "New upgrade operations detected" in output
    assert "warning:" not in output and "Safe way" not in output, output


# --- the README's worked example: rename a column without downtime ----------------------

WRITE_SUMMARY_TOO = """
    @validates("description")
    def write_summary_too(self, key: str, value: str | None) -> str | None:
        self.summary = value
        return value
"""
WRITE_OLD_DESCRIPTION_TOO = """
    @validates("description")
    def write_old_description_too(self, key: str, value: str | None) -> str | None:
        self.old_description = value
        return value
"""
SUMMARY = "    summary: Mapped[str | None] = mapped_column(Text)\n"
SWITCHED = (
    '    description: Mapped[str | None] = mapped_column("summary", Text)\n'
    '    old_description: Mapped[str | None] = mapped_column("description", Text)\n'
)
BACKFILL = 'op.execute("UPDATE item SET summary = description WHERE summary IS NULL")'
STOPPED = '    old_description: Unmapped[str | None] = unmapped_column("description", Text)\n'
UNMAPPED_IMPORT = "from sqlalchemy.orm import Mapped, Unmapped, mapped_column, unmapped_column\n"
ACKNOWLEDGEMENT = (
    "# squawk-ignore: ban-drop-column: item.description: replaced by summary,"
    " unused since the release before"
)
# Application code of the release at hand: writes a row, reads every description back.
WRITE_AND_READ = f"""
import sys

from sqlalchemy import select

from {PACKAGE}.resources.item.models import Item
from {PACKAGE}.database.session import get_sessionmaker

with get_sessionmaker()() as session:
    session.add(Item(name=sys.argv[1], description=f"about {{sys.argv[1]}}"))
    session.commit()
    rows = session.execute(select(Item.name, Item.description).order_by(Item.id)).all()
    print(";".join(f"{{name}}={{description}}" for name, description in rows))
"""


def write_and_read(project, env, name):
    result = run([sys.executable, "-c", WRITE_AND_READ, name], cwd=project, env=env)
    return result.stdout.strip()


def columns(postgres_server, url):
    with postgres_server.admin_connection(url.rsplit("/", 1)[1]) as connection:
        return connection.execute(
            "SELECT name, description, summary FROM item ORDER BY id"
        ).fetchall()


def green(project, env):
    """The project's own tests pass, and the models match the database."""
    assert_all_passed(baked_tests(project, env=env, check=False))
    check = alembic(project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def assert_in_readme(project, *lines):
    """The README shows what the test does (each line, stripped, as the README writes it)."""
    readme = (project / "README.md").read_text()
    for line in lines:
        assert line.strip() in readme, f"{line.strip()!r} is not in the README's example"


def test_the_readme_renames_a_column_without_downtime(tmp_path, postgres_server):
    project = bake_for_postgres(tmp_path)
    url = postgres_server.create_database("rename_column")
    env = {"DATABASE_URL": url}
    models = project / ITEM_MODELS
    alembic(project, "upgrade", "head", env=env)
    assert write_and_read(project, env, "before") == "before=about before"

    # 1. Expand: the new column, written with the old one.
    edit(models, "import Mapped, mapped_column\n", "import Mapped, mapped_column, validates\n")
    edit(models, DESCRIPTION, DESCRIPTION + SUMMARY)
    models.write_text(models.read_text() + WRITE_SUMMARY_TOO)
    assert_in_readme(project, SUMMARY, *WRITE_SUMMARY_TOO.splitlines())
    before = revision_files(project)
    expand = alembic(project, "revision", "--autogenerate", "-m", "add item summary", env=env)
    assert warnings_of(expand.stdout) == [] and "WARNING" not in (
        new_revision(project, before).read_text()
    )
    alembic(project, "upgrade", "head", env=env)
    assert write_and_read(project, env, "expanded") == "before=about before;expanded=about expanded"
    green(project, env)

    # 2. Backfill, by hand: the rows from before the expand get their summary.
    assert_in_readme(project, BACKFILL)
    hand_written_revision(project, "backfill item summary", BACKFILL, env=env)
    alembic(project, "upgrade", "head", env=env)
    assert columns(postgres_server, url) == [
        ("before", "about before", "about before"),
        ("expanded", "about expanded", "about expanded"),
    ]
    green(project, env)

    # 3. Switch: the code reads summary, and still writes description for the release before.
    edit(models, DESCRIPTION + SUMMARY, SWITCHED)
    edit(models, WRITE_SUMMARY_TOO, WRITE_OLD_DESCRIPTION_TOO)
    assert_in_readme(project, *SWITCHED.splitlines(), *WRITE_OLD_DESCRIPTION_TOO.splitlines())
    green(project, env)
    write_and_read(project, env, "switched")
    assert columns(postgres_server, url)[-1] == ("switched", "about switched", "about switched")

    # 4. Contract, first release: the old column stays in the table (no revision) but out
    # of the mapping: rows written now leave it empty.
    old_description = SWITCHED.splitlines(keepends=True)[1]
    edit(models, old_description, STOPPED)
    edit(models, WRITE_OLD_DESCRIPTION_TOO, "")
    edit(models, "from sqlalchemy.orm import Mapped, mapped_column, validates\n", UNMAPPED_IMPORT)
    assert_in_readme(project, STOPPED, UNMAPPED_IMPORT)
    green(project, env)
    write_and_read(project, env, "stopped")
    assert columns(postgres_server, url)[-1] == ("stopped", None, "about stopped")

    # 5. Contract, second release: the old column goes, reported as the drop it is;
    # squawk's finding is acknowledged as the README says.
    edit(models, STOPPED, "")
    edit(models, UNMAPPED_IMPORT, "from sqlalchemy.orm import Mapped, mapped_column\n")
    before = revision_files(project)
    contract = alembic(
        project, "revision", "--autogenerate", "-m", "drop item description", env=env
    )
    revision = new_revision(project, before)
    (warning,) = warnings_of(contract.stdout)
    assert "drops column item.description and its values." in warning, warning
    assert_in_readme(project, ACKNOWLEDGEMENT)
    edit(
        revision,
        '    op.drop_column("item", "description")\n',
        f'    {ACKNOWLEDGEMENT}\n    op.drop_column("item", "description")\n',
    )
    alembic(project, "upgrade", "head", env=env)
    assert write_and_read(project, env, "contracted") == (
        "before=about before;expanded=about expanded;switched=about switched;"
        "stopped=about stopped;contracted=about contracted"
    )
    green(project, env)
