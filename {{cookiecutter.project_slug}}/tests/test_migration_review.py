"""Every revision's SQL is reviewed by squawk, the PostgreSQL migration linter, as it will
run: rendered offline (``alembic upgrade <previous>:<revision> --sql``), one revision at
a time, so a finding names the revision that causes it.

To accept a finding after review, acknowledge it in that revision's file with a comment
naming the rule and why; it is excused for that revision only:

    # squawk-ignore: ban-drop-column: nothing has read the column since release 42

Rules excluded for every revision are listed in ``.squawk.toml``, each with its reason.
"""

import io
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory

from {{ cookiecutter.package_name }}.settings import PROJECT_ROOT

ACKNOWLEDGED = re.compile(r"^\s*#\s*squawk-ignore:\s*([a-z-]+):\s*\S", re.MULTILINE)
CONFIG = PROJECT_ROOT / ".squawk.toml"
EXCLUDED_RULES = tomllib.loads(CONFIG.read_text()).get("excluded_rules", [])


def alembic_config(output: io.StringIO | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"), output_buffer=output)
    # Offline SQL needs the dialect only, never a server.
    config.set_main_option("sqlalchemy.url", "postgresql+psycopg://")
    return config


def revisions() -> list[Script]:
    """Every revision, oldest first."""
    return list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())))


def offline_sql(revision: Script) -> str:
    output = io.StringIO()
    previous = revision.down_revision
    if isinstance(previous, tuple):  # a merge: review what this revision adds to the first
        previous = previous[0]
    target = revision.revision if previous is None else f"{previous}:{revision.revision}"
    command.upgrade(alembic_config(output), target, sql=True)
    return output.getvalue()


def squawk() -> str:
    found = shutil.which("squawk") or str(Path(sys.executable).with_name("squawk"))
    if not Path(found).exists():
        pytest.fail("squawk is not installed: run 'poetry install' (it is a dev dependency)")
    return found


@pytest.mark.parametrize("revision", revisions(), ids=lambda revision: revision.revision)
def test_revision_passes_squawk(revision: Script) -> None:
    sql = offline_sql(revision)
    # Rules given with --exclude replace the config's list, so both go there.
    excluded = [*EXCLUDED_RULES, *ACKNOWLEDGED.findall(Path(revision.path).read_text())]
    result = subprocess.run(
        [
            squawk(),
            "--config", str(CONFIG),
            "--reporter", "json",
            *([f"--exclude={','.join(excluded)}"] if excluded else []),
        ],
        input=sql,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.stdout.strip(), result.stderr
    lines = sql.splitlines()
    findings = [
        f"{Path(revision.path).name}: {finding['rule_name']} at SQL line {finding['line'] + 1}:"
        f" {lines[finding['line']].strip()}\n    {finding['message']} {finding.get('help') or ''}"
        for finding in json.loads(result.stdout)
    ]
    assert not findings, (
        "squawk found risky SQL (fix it, or acknowledge a finding with"
        " '# squawk-ignore: <rule>: <why>' in the revision):\n" + "\n".join(findings)
    )
