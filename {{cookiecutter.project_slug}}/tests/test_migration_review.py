"""Every revision's SQL is reviewed by squawk, the PostgreSQL migration linter, as it will
run: the whole history rendered offline in one command (``alembic upgrade heads --sql``),
cut into one script per revision, each behind the script's opening (the timeouts), so a
finding names the revision that causes it. One squawk run reviews them all: the review
costs the same few processes however long the history.

To accept a finding after review, acknowledge it in that revision's file, just above the
operation: the rule, what the statement changes (a table, or table.column) and why:

    # squawk-ignore: ban-drop-column: item.legacy_code: nothing has read it since release 42

It excuses one statement: the first in that revision's SQL that squawk flags for the rule
and that names the table (and the column). Autogenerate writes one above each operation
that only makes a VARCHAR longer. (Squawk's own ``-- squawk-ignore`` comments live in the
SQL, which a revision does not write.) Rules excluded for every revision are listed in
``.squawk.toml``, each with its reason.
"""

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory

from {{ cookiecutter.package_name }}.settings import PROJECT_ROOT

ACKNOWLEDGEMENT = re.compile(r"^\s*#\s*squawk-ignore:(.*)$", re.MULTILINE)
# rule: table or table.column: reason
ACKNOWLEDGEMENT_PARTS = re.compile(r"\s*([a-z-]+):\s*(\w+(?:\.\w+)?):\s*\S")
# Where each revision's step begins in an offline script: "-- Running upgrade 0002 -> 0003".
STEP = re.compile(r"^-- Running upgrade .* -> (\S+)$", re.MULTILINE)
CONFIG = PROJECT_ROOT / ".squawk.toml"


def alembic_config(output: io.StringIO | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"), output_buffer=output)
    # Offline SQL needs the dialect only, never a server.
    config.set_main_option("sqlalchemy.url", "postgresql+psycopg://")
    return config


def revisions() -> list[Script]:
    """Every revision, oldest first."""
    return list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())))


def revision_scripts() -> dict[str, str]:
    """Each revision's SQL, by revision id: its own step of the whole history's script
    (a merge's too, without its branches' revisions), behind the script's opening."""
    output = io.StringIO()
    command.upgrade(alembic_config(output), "heads", sql=True)
    sql = output.getvalue()
    steps = list(STEP.finditer(sql))
    starts = []
    searched_from = 0
    for step in steps:
        # Each revision runs in a transaction of its own: its part begins at its BEGIN.
        begin = sql.rfind("\nBEGIN;\n", searched_from, step.start())
        starts.append(step.start() if begin == -1 else begin + 1)
        searched_from = step.end()
    ends = [*starts[1:], len(sql)]
    opening = sql[: starts[0]] if starts else ""
    return {
        step[1]: opening + sql[start:end]
        for step, start, end in zip(steps, starts, ends, strict=True)
    }


def acknowledgements(revision: Script) -> list[tuple[str, list[str]]]:
    """(rule, [table, column]) of each acknowledgement in the revision's file."""
    found = []
    for text in ACKNOWLEDGEMENT.findall(Path(revision.path).read_text()):
        parts = ACKNOWLEDGEMENT_PARTS.match(text)
        if parts is None:
            pytest.fail(
                f"{Path(revision.path).name}: '# squawk-ignore:{text}' does not say what it"
                " excuses: write '# squawk-ignore: <rule>: <table>[.<column>]: <why>'"
            )
        found.append((parts[1], parts[2].split(".")))
    return found


def statement_at(lines: list[str], line: int) -> tuple[int, str]:
    """The first line and the text of the SQL statement (up to its ';') holding ``line``."""
    start = line
    while start > 0 and not lines[start - 1].rstrip().endswith(";"):
        start -= 1
    end = line
    while end + 1 < len(lines) and not lines[end].rstrip().endswith(";"):
        end += 1
    return start, "\n".join(lines[start : end + 1])


def squawk() -> str:
    found = shutil.which("squawk") or str(Path(sys.executable).with_name("squawk"))
    if not Path(found).exists():
        pytest.fail("squawk is not installed: run 'poetry install' (it is a dev dependency)")
    return found


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> dict[str, tuple[str, list[dict]]]:
    """Each revision's SQL and squawk's findings in it, by revision id: one file per
    revision, one squawk run over them all (its findings name their file)."""
    folder = tmp_path_factory.mktemp("revision-sql")
    scripts = revision_scripts()
    files = {}
    for number, (revision_id, sql) in enumerate(scripts.items()):
        path = folder / f"{number:04d}.sql"
        path.write_text(sql)
        files[str(path)] = revision_id
    result = subprocess.run(
        [squawk(), "--config", str(CONFIG), "--reporter", "json", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip(), result.stderr
    findings = {revision_id: [] for revision_id in scripts}
    for finding in json.loads(result.stdout):
        findings[files[finding["file"]]].append(finding)
    return {revision_id: (sql, findings[revision_id]) for revision_id, sql in scripts.items()}


@pytest.mark.parametrize("revision", revisions(), ids=lambda revision: revision.revision)
def test_revision_passes_squawk(revision: Script, reviewed) -> None:
    sql, found_by_squawk = reviewed[revision.revision]
    lines = sql.splitlines()
    acknowledged = acknowledgements(revision)
    excused = {}  # acknowledgement -> the first line of the statement it excuses
    findings = []
    for finding in found_by_squawk:
        start, statement = statement_at(lines, finding["line"])
        words = set(re.findall(r"\w+", statement))
        for number, (rule, names) in enumerate(acknowledged):
            if (
                rule == finding["rule_name"]
                and excused.get(number, start) == start
                and set(names) <= words
            ):
                excused[number] = start
                break
        else:
            findings.append(
                f"{Path(revision.path).name}: {finding['rule_name']} at SQL line"
                f" {finding['line'] + 1}: {lines[finding['line']].strip()}\n"
                f"    {finding['message']} {finding.get('help') or ''}"
            )
    assert not findings, (
        "squawk found risky SQL (fix it, or acknowledge a finding with"
        " '# squawk-ignore: <rule>: <table>[.<column>]: <why>' above the operation):\n"
        + "\n".join(findings)
    )
