"""benchmarks/run.py --quick (bake.py's and migrations.py's rows in one table) runs to the end
and prints its table; each of the two modules also runs alone, and baked_suite.py --quick
prints its two rows and ratios, and live_traffic.py --quick a row per case. Times are never
asserted.
Every module refuses a run count below one (and the wrk ones a duration outside 1-60 s)."""

import re
import subprocess
import sys

import pytest

from tests.helpers import TEMPLATE_DIR, quick_benchmark
from tests.live_traffic import CASES

# Rows the quick run always prints, each with a median and a ratio.
EXPECTED_ROWS = [
    "bake, hooks on, in-process hook path",
    "upgrade head + downgrade base, 2 alembic processes",
    "one alembic process (upgrade or downgrade)",
    "upgrade + downgrade in-process (alembic.command)",
    "env.py model imports, 10 models (discovery)",
    "discovery scan alone (model_modules), 10 models",
    "alembic revision --autogenerate, 10 models",
    "env.py model imports, 30 models (discovery)",
    "alembic revision --autogenerate, 30 models",
]
POETRY_ROW = "bake, hooks on, Poetry hook path (warm env)"
NUMBER = r"\d+\.\d+"
MEASURED_ROW = re.compile(
    rf"^\| (?P<label>[^|]+?) \| (?P<median>{NUMBER}) \| [^|]+"
    rf" \| (?P<baseline>{NUMBER}) \| (?P<ratio>{NUMBER})x \|"
)


def test_quick_benchmark_prints_the_table():
    out = quick_benchmark("run.py")

    measured = measured_rows(out)
    for label in EXPECTED_ROWS:
        assert label in measured, f"no row with a median and a ratio for {label!r}:\n{out}"
        assert float(measured[label]["median"]) > 0
        assert float(measured[label]["baseline"]) > 0
    assert POETRY_ROW in measured, f"the Poetry hook path was not measured:\n{out}"

    assert "| Benchmark | Median (s) | Baseline | Baseline median (s) | Ratio |" in out
    assert re.search(r"^- CPU: .+, \d+ logical cores$", out, re.MULTILINE)
    assert re.search(
        r"^- Packages: cookiecutter \S+, alembic \S+, sqlalchemy \S+", out, re.MULTILINE
    )
    assert "skipped; pass --with-tests" in out


def measured_rows(out: str) -> dict[str, re.Match]:
    return {
        match["label"]: match for line in out.splitlines() if (match := MEASURED_ROW.match(line))
    }


def test_bake_module_runs_alone():
    out = quick_benchmark("bake.py", "--runs", "1", "--no-poetry")

    assert set(measured_rows(out)) == {"bake, hooks on, in-process hook path"}, out
    assert f"Note: {POETRY_ROW}: skipped (--no-poetry)" in out


def test_migrations_module_runs_alone():
    out = quick_benchmark("migrations.py", "--runs", "1", "--sizes", "10")

    rows = measured_rows(out)
    assert [label for label in EXPECTED_ROWS if label in rows] == EXPECTED_ROWS[1:7], out
    assert not any("bake" in label for label in rows), out


def test_baked_suite_module_prints_both_suites_with_their_ratio():
    out = quick_benchmark("baked_suite.py")

    rows = measured_rows(out)
    suites = ["whole baked suite, pytest", "baked API and model tests (shared database)"]
    assert set(rows) == {f"{suite}, 50 revisions" for suite in suites}, out
    for suite in suites:
        row = rows[f"{suite}, 50 revisions"]
        assert float(row["median"]) > 0 and float(row["baseline"]) > 0
        assert re.search(
            rf"^{re.escape(suite)}, 50 revisions: {NUMBER}x the 1-revision time"
            r" \(goal <= 1\.5x: (holds|missed)\)$",
            out,
            re.MULTILINE,
        ), out


def test_live_traffic_module_prints_both_forms_of_each_case():
    out = quick_benchmark("live_traffic.py")

    for case in CASES:
        row = re.search(
            rf"^\| {re.escape(case.name)} \| (?P<online>{NUMBER}) \| \d+ \| \d+ of \d+"
            rf" \| (?P<online_s>{NUMBER}) \| (?P<default>{NUMBER}) \| \d+ \| \d+ of \d+"
            rf" \| (?P<default_s>{NUMBER}) \| {NUMBER}x \| 1 \|$",
            out,
            re.MULTILINE,
        )
        assert row, f"no row for {case.name!r}:\n{out}"
        assert all(float(figure) > 0 for figure in row.groupdict().values()), row[0]
    assert re.search(rf"^Note: the project's migration lock_timeout: {NUMBER} s$", out, re.M), out


def test_rolling_deploy_module_prints_the_deploy_beside_the_baseline():
    out = quick_benchmark("rolling_deploy.py")

    for phase in ("rolling deploy", "no deploy (baseline)"):
        row = re.search(
            rf"^\| {re.escape(phase)} \| (?P<requests>\d+) \| (?P<rate>{NUMBER})"
            rf" \| (?P<p50>{NUMBER}) \| (?P<p99>{NUMBER}) \| \d+ \| (?P<seconds>{NUMBER}) \| 1 \|$",
            out,
            re.MULTILINE,
        )
        assert row, f"no row for {phase!r}:\n{out}"
        assert all(float(figure) > 0 for figure in row.groupdict().values()), row[0]
    assert re.search(rf"^p99 ratio \(deploy/baseline\): {NUMBER}x$", out, re.MULTILINE), out


def refusal(script: str, *options: str) -> str:
    """What ``benchmarks/<script> options`` says on stderr, having exited as argparse does
    on a bad option (status 2) and printed nothing else."""
    result = subprocess.run(
        [sys.executable, f"benchmarks/{script}", *options],
        check=False,
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout == ""
    return result.stderr


@pytest.mark.parametrize(
    "script",
    [
        "run.py",
        "bake.py",
        "migrations.py",
        "review.py",
        "service.py",
        "async_service.py",
        "baked_suite.py",
        "live_traffic.py",
        "squash.py",
        "rolling_deploy.py",
    ],
)
@pytest.mark.parametrize("runs", ["0", "-1", "two"])
def test_a_run_count_below_one_is_refused_not_read_as_the_default(script, runs):
    assert f"error: argument --runs: '{runs}'" in refusal(script, "--runs", runs)


@pytest.mark.parametrize("script", ["service.py", "async_service.py"])
@pytest.mark.parametrize("duration", ["0", "61"])
def test_a_wrk_duration_outside_1_to_60_seconds_is_refused(script, duration):
    assert f"error: argument --duration: '{duration}'" in refusal(script, "--duration", duration)


def test_squash_module_prints_the_baseline_beside_the_history():
    out = quick_benchmark("squash.py", "--revisions", "10")

    row = measured_rows(out)["upgrade head, empty SQLite, squashed baseline"]
    assert float(row["median"]) > 0 and float(row["baseline"]) > 0
    assert "| same, 10 revisions |" in out
