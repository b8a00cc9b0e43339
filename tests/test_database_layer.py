"""The baked database layer past the happy path, on real SQLite files with the real CLI.

Each test bakes its own project (about a second) because each changes its models.
"""

import sys

import pytest

from tests.helpers import (
    DEFAULT_BAKE_TESTS,
    ITEM_MODELS,
    PACKAGE,
    ROUND_TRIP,
    TEMPLATE_DIR,
    add_resource,
    alembic,
    assert_all_passed,
    autogenerate,
    baked_tests,
    edit,
    hand_written_revision,
    new_revision,
    python,
    revision_files,
    run,
)

# --- times ------------------------------------------------------------------------


def test_times_round_trip_as_aware_utc_and_sort_by_instant(baked):
    alembic(baked, "upgrade", "head")
    assert python(baked, ROUND_TRIP).stdout.strip() == "ok"


# --- discovery --------------------------------------------------------------------

SHOP_ORDER = f"""\
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from {PACKAGE}.database.base import Base


class ShopOrder(Base):
    __tablename__ = "shop_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    # Named by string: resolves only once the customer resource is imported too.
    customer: Mapped["Customer"] = relationship(back_populates="orders")  # noqa: F821
"""
CUSTOMER = f"""\
from sqlalchemy.orm import Mapped, mapped_column, relationship

from {PACKAGE}.database.base import Base


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    orders: Mapped[list["ShopOrder"]] = relationship(back_populates="customer")  # noqa: F821
"""


def test_models_package_submodules_are_found_without_imports_in_init(baked):
    """A ``models/`` package whose ``__init__`` imports nothing still has its tables."""
    alembic(baked, "upgrade", "head")
    models = baked / PACKAGE / "resources" / "shop" / "models"
    models.mkdir(parents=True)
    (models.parent / "__init__.py").write_text("")
    (models / "__init__.py").write_text('"""The shop\'s tables, one module each."""\n')
    (models / "order.py").write_text(SHOP_ORDER)
    (models / "customer.py").write_text(CUSTOMER)

    text = autogenerate(baked, "add shop").read_text()
    assert '"shop_order"' in text and '"customer"' in text
    assert "drop_table" not in text.split("def downgrade")[0]
    alembic(baked, "upgrade", "head")
    alembic(baked, "check")


def test_string_relationships_resolve_in_the_application(baked):
    """The application imports every model before its first session, not only Alembic."""
    alembic(baked, "upgrade", "head")
    add_resource(baked, PACKAGE, "customer", CUSTOMER)
    add_resource(baked, PACKAGE, "shop", SHOP_ORDER)
    alembic(baked, "revision", "--autogenerate", "-m", "add shop")
    alembic(baked, "upgrade", "head")
    # Only the shop's module is imported here; "Customer" must resolve all the same.
    code = """
    from sqlalchemy import select

    from my_service.database.session import get_sessionmaker
    from my_service.resources.shop.models import ShopOrder

    with get_sessionmaker()() as session:
        print(session.scalars(select(ShopOrder)).all())
        print(ShopOrder.customer.property.mapper.class_.__name__)
    """
    assert python(baked, code).stdout.split() == ["[]", "Customer"]


def test_models_modules_outside_the_resources_are_not_imported(baked):
    scripts = baked / PACKAGE / "scripts"
    scripts.mkdir()
    (scripts / "__init__.py").write_text("")
    marker = baked / "imported.txt"
    (scripts / "models.py").write_text(
        f"from pathlib import Path\n\nPath({str(marker)!r}).write_text('side effect')\n"
    )
    alembic(baked, "upgrade", "head")
    result = alembic(baked, "revision", "--autogenerate", "-m", "nothing new")
    assert "no revision written" in result.stdout
    assert not marker.exists(), "a models.py outside resources/ was imported"
    listed = python(
        baked,
        "from my_service.database.discovery import model_modules; print(model_modules())",
    ).stdout
    assert listed.strip() == "['my_service.resources.item.models']"


# --- server defaults --------------------------------------------------------------


def test_server_default_changes_are_detected(baked):
    alembic(baked, "upgrade", "head")
    alembic(baked, "check")  # a fresh bake: no false positive
    edit(
        baked / ITEM_MODELS,
        "description: Mapped[str | None] = mapped_column(Text)",
        'description: Mapped[str | None] = mapped_column(Text, server_default="none yet")',
    )
    failed = alembic(baked, "check", check=False)
    assert failed.returncode != 0
    assert "modify_default" in failed.stdout + failed.stderr
    text = autogenerate(baked, "description default").read_text()
    assert 'server_default="none yet"' in text.split("def downgrade")[0]
    alembic(baked, "upgrade", "head")
    alembic(baked, "check")


# --- SQLite foreign keys ----------------------------------------------------------

LINE_MODELS = f"""\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from {PACKAGE}.database.base import Base


class Line(Base):
    __tablename__ = "line"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(String(50))
"""


@pytest.fixture
def with_lines(baked):
    """The default bake plus a ``line`` table whose rows cascade from ``item``."""
    alembic(baked, "upgrade", "head")
    add_resource(baked, PACKAGE, "line", LINE_MODELS)
    alembic(baked, "revision", "--autogenerate", "-m", "add line")
    alembic(baked, "upgrade", "head")
    return baked


def test_the_application_enforces_sqlite_foreign_keys(with_lines):
    code = """
    from sqlalchemy.exc import IntegrityError

    from my_service.database.session import get_sessionmaker
    from my_service.resources.line.models import Line

    with get_sessionmaker()() as session:
        session.add(Line(item_id=999, note="orphan"))
        try:
            session.commit()
        except IntegrityError as error:
            print("refused:", error.orig)
    """
    assert "refused: FOREIGN KEY constraint failed" in python(with_lines, code).stdout


def test_a_revision_that_breaks_a_foreign_key_fails(with_lines):
    hand_written_revision(
        with_lines,
        "bad data fix",
        "op.execute(\"INSERT INTO line (item_id, note) VALUES (999, 'orphan')\")",
    )
    head_before = alembic(with_lines, "current").stdout.strip()
    failed = alembic(with_lines, "upgrade", "head", check=False)
    assert failed.returncode != 0
    assert "foreign keys point nowhere: line -> item" in failed.stderr
    assert alembic(with_lines, "current").stdout.strip() == head_before


UPGRADE_WITH_THE_APPLICATIONS_ENGINE = """
from alembic import command
from alembic.config import Config

from my_service.database.session import get_engine

# As pytest-alembic does: the application's engine, whose connections turn foreign keys on.
config = Config("alembic.ini")
config.attributes["connection"] = get_engine()
command.upgrade(config, "head")
"""


def test_batch_mode_on_a_referenced_table_keeps_the_rows_pointing_at_it(with_lines):
    python(
        with_lines,
        """
        from my_service.database.session import get_sessionmaker
        from my_service.resources.item.models import Item
        from my_service.resources.line.models import Line

        with get_sessionmaker()() as session:
            session.add(Item(id=1, name="parent"))
            session.add_all([Line(item_id=1, note="a"), Line(item_id=1, note="b")])
            session.commit()
        """,
    )
    edit(with_lines / ITEM_MODELS, "String(200)", "String(300)")
    text = autogenerate(with_lines, "longer names").read_text()
    assert 'with op.batch_alter_table("item"' in text
    python(with_lines, UPGRADE_WITH_THE_APPLICATIONS_ENGINE)
    alembic(with_lines, "downgrade", "-1")
    alembic(with_lines, "upgrade", "head")
    count = python(
        with_lines,
        """
        from sqlalchemy import func, select

        from my_service.database.session import get_sessionmaker
        from my_service.resources.line.models import Line

        with get_sessionmaker()() as session:
            print(session.scalar(select(func.count()).select_from(Line)))
        """,
    )
    assert count.stdout.strip() == "2"


# --- working directory ------------------------------------------------------------


def test_commands_work_from_any_directory(baked, tmp_path):
    ini = str(baked / "alembic.ini")
    alembic(tmp_path, "-c", ini, "upgrade", "head")
    assert "0001 (head)" in alembic(tmp_path, "-c", ini, "current").stdout
    # The relative SQLite path of .env is relative to the project root, wherever we are.
    assert (baked / "my_service.db").exists()
    assert not (tmp_path / "my_service.db").exists()
    subfolder = baked / PACKAGE
    assert "0001 (head)" in alembic(subfolder, "-c", "../alembic.ini", "current").stdout
    assert not (subfolder / "my_service.db").exists()

    result = baked_tests(baked, cwd=baked / "tests")
    assert assert_all_passed(result) == DEFAULT_BAKE_TESTS


# --- programmatic use -------------------------------------------------------------

PROGRAMMATIC = """
import sys
from argparse import Namespace
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util import AutogenerateDiffsDetected

config = Config(str(Path("alembic.ini").resolve()))
config.set_main_option("sqlalchemy.url", "sqlite:///" + sys.argv[1])
if sys.argv[2] == "first":
    command.upgrade(config, "head")
    command.check(config)
    # As `alembic revision --autogenerate` says it (the project's README shows this).
    writing = Config(str(Path("alembic.ini").resolve()), cmd_opts=Namespace(autogenerate=True))
    writing.set_main_option("sqlalchemy.url", "sqlite:///" + sys.argv[1])
    assert not command.revision(writing, message="nothing", autogenerate=True)
else:
    try:
        command.check(config)
    except AutogenerateDiffsDetected:
        print("diffs detected")
"""


def test_programmatic_use_honours_the_config_url_and_writes_no_empty_revision(baked, tmp_path):
    other = tmp_path / "other.db"
    first = run([sys.executable, "-c", PROGRAMMATIC, str(other), "first"], cwd=baked)
    assert "no revision written" in first.stdout
    assert other.exists(), "sqlalchemy.url on the Config was ignored"
    assert not (baked / "my_service.db").exists(), "DATABASE_URL won over sqlalchemy.url"
    assert [path.name for path in revision_files(baked)] == ["0001_initial.py"]
    # command.check from Python still reports differences.
    edit(baked / ITEM_MODELS, "String(200)", "String(9)")
    second = run([sys.executable, "-c", PROGRAMMATIC, str(other), "second"], cwd=baked)
    assert second.stdout.strip() == "diffs detected"


# --- settings ---------------------------------------------------------------------


def test_settings_never_show_the_password(baked):
    url = "postgresql+psycopg://app:s3cr3t-pw@db.example:5432/app"
    shown = python(
        baked,
        "from my_service.settings import get_settings; print(repr(get_settings()))",
        env={"DATABASE_URL": url},
    ).stdout
    assert "s3cr3t-pw" not in shown and "app:***@db.example" in shown
    # A short URL: pydantic would shorten a long one in its message, password and all.
    failed = python(
        baked,
        "from my_service.settings import get_settings; get_settings()",
        env={"DATABASE_URL": "postgresql://u:Zq7x@h:port/d"},
        check=False,
    )
    assert failed.returncode != 0 and "database_url" in failed.stderr
    assert "invalid literal for int()" in failed.stderr
    assert "Zq7x" not in failed.stderr


def test_legacy_postgres_scheme_is_normalised_at_run_time(baked):
    shown = python(
        baked,
        "from my_service.settings import get_settings;"
        " print(get_settings().database_url.drivername)",
        env={"DATABASE_URL": "postgres://app:pw@db.example/app"},
    )
    assert shown.stdout.strip() == "postgresql+psycopg"


# --- revisions stand alone --------------------------------------------------------

AUDIT_MODELS = f"""\
import enum
from datetime import datetime

from sqlalchemy import Enum
from sqlalchemy.orm import Mapped, mapped_column

from {PACKAGE}.database.base import Base
from {PACKAGE}.database.types import UTCDateTime


class Level(enum.StrEnum):
    INFO = "info"
    ALERT = "alert"


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[Level] = mapped_column(Enum(Level, name="audit_level"))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime())
"""


def bare_alembic_environment(tmp_path, project):
    """Alembic's own generic environment holding copies of the project's revisions,
    with nothing of the project importable."""
    bare = tmp_path / "bare"
    bare.mkdir()
    run([sys.executable, "-m", "alembic", "init", "migrations"], cwd=bare)
    versions = bare / "migrations" / "versions"
    for revision in revision_files(project):
        (versions / revision.name).write_bytes(revision.read_bytes())
    return bare


def test_revisions_run_with_alembic_and_sqlalchemy_alone(baked, tmp_path):
    alembic(baked, "upgrade", "head")
    add_resource(baked, PACKAGE, "audit", AUDIT_MODELS)
    text = autogenerate(baked, "add audit").read_text()
    assert "sa.DateTime(timezone=True)" in text
    for revision in revision_files(baked):
        assert PACKAGE not in revision.read_text(), f"{revision.name} imports the application"

    bare = bare_alembic_environment(tmp_path, baked)
    set_ini_url(bare / "alembic.ini", f"sqlite:///{tmp_path / 'bare.db'}")
    for args in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
        alembic(bare, *args)


def set_ini_url(ini, url):
    lines = [
        f"sqlalchemy.url = {url}" if line.startswith("sqlalchemy.url") else line
        for line in ini.read_text().splitlines()
    ]
    ini.write_text("\n".join(lines) + "\n")


# --- without ruff -----------------------------------------------------------------


@pytest.fixture(scope="module")
def production_python(tmp_path_factory):
    """A virtualenv with the project's runtime dependencies and no ruff (a production install)."""
    venv = tmp_path_factory.mktemp("production") / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=venv.parent)
    pins = [
        line
        for line in (TEMPLATE_DIR / "requirements-dev.txt").read_text().splitlines()
        if line.startswith(("alembic[tz]==", "sqlalchemy==", "pydantic-settings=="))
    ]
    assert len(pins) == 3, pins
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *pins], cwd=venv.parent)
    probe = run([str(venv / "bin" / "python"), "-c", "import ruff"], cwd=venv.parent, check=False)
    assert probe.returncode != 0
    return venv / "bin" / "python"


def test_without_ruff_a_revision_is_written_unformatted_with_a_note(baked, production_python):
    before = revision_files(baked)
    result = run([str(production_python), "-m", "alembic", "revision", "-m", "data fix"], cwd=baked)
    revision = new_revision(baked, before)
    assert f"note: ruff is not installed; {revision} was left unformatted." in result.stdout
    compile(revision.read_text(), str(revision), "exec")


def test_with_ruff_a_revision_is_formatted(baked):
    before = revision_files(baked)
    result = alembic(baked, "revision", "-m", "data fix")
    revision = new_revision(baked, before)
    assert "ruff is not installed" not in result.stdout
    run([sys.executable, "-m", "ruff", "format", "--check", str(revision)], cwd=baked)
    # Empty, it passes the project's lint as written, with op and sa ready for its body.
    run([sys.executable, "-m", "ruff", "check", str(revision)], cwd=baked)
    assert "from alembic import op" in revision.read_text()
