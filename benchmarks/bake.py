#!/usr/bin/env python3
"""Baking: cookiecutter with the post-generation hook (both of its paths) beside the same
bake without hooks, interleaved, in the same run.

    python benchmarks/bake.py [--quick] [--runs N] [--no-poetry]

Every figure is the median wall time of whole processes; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import (
    BIN_DIR,
    DEV_MODULES,
    PYTHON,
    TEMPLATE_DIR,
    BenchmarkError,
    Row,
    at_least_one,
    clean_environment,
    compare,
    missing_modules,
    print_report,
    progress,
    run,
    run_as_script,
    table,
    timed,
)

from tests.helpers import package_index_url  # the tests' own choice of index

# Git-ignored (.gitignore lists benchmarks/results/): the cookiecutter-only venv and
# Poetry's download cache survive between runs here.
CACHE_DIR = TEMPLATE_DIR / "benchmarks" / "results" / "cache"
COOKIECUTTER_VERSION = "2.7.1"
PACKAGE = "my_service"
SLUG = "my-service"
PACKAGES_SHOWN = ("cookiecutter", "alembic", "sqlalchemy", "pydantic-settings", "poetry", "ruff")
POETRY_LABEL = "bake, hooks on, Poetry hook path (warm env)"
NO_HOOKS_LABEL = "same bake, --accept-hooks no"


def cookiecutter_config(work: Path) -> Path:
    """A config file keeping cookiecutter's replay files in the work folder, not in ~."""
    config = work / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {work / 'cookiecutters'}\nreplay_dir: {work / 'replay'}\n"
    )
    return config


def bake_command(python: str, config: Path, output: Path, *extra: str) -> list[str]:
    return [
        python,
        "-m",
        "cookiecutter",
        "--no-input",
        "--config-file",
        str(config),
        *extra,
        str(TEMPLATE_DIR),
        "-o",
        str(output),
    ]


def bench_bake_in_process(work: Path, runs: int) -> tuple[Row, Path]:
    progress("bake through the in-process hook path")
    config = cookiecutter_config(work)
    env = clean_environment([BIN_DIR])
    hooked, plain = work / "bake-hooks", work / "bake-no-hooks"

    def bake(output: Path, *extra: str) -> float:
        shutil.rmtree(output, ignore_errors=True)
        elapsed, result = timed(bake_command(PYTHON, config, output, *extra), work, env)
        if not extra and "Created the initial revision" not in result.stdout:
            raise BenchmarkError(f"the in-process hook path made no revision:\n{result.stdout}")
        return elapsed

    median, baseline = compare(
        runs, lambda: bake(hooked), lambda: bake(plain, "--accept-hooks", "no")
    )
    row = Row("bake, hooks on, in-process hook path", median, NO_HOOKS_LABEL, baseline, runs)
    return row, hooked / SLUG


def cookiecutter_only_python() -> Path:
    """A venv holding cookiecutter alone (as pipx gives), made once under the cache folder."""
    venv = CACHE_DIR / f"cookiecutter-only-py{sys.version_info.major}{sys.version_info.minor}"
    python = venv / "bin" / "python"
    marker = venv / f".cookiecutter-{COOKIECUTTER_VERSION}"
    if not marker.exists():
        progress(f"creating {venv} (once)")
        shutil.rmtree(venv, ignore_errors=True)
        run([PYTHON, "-m", "venv", str(venv)], TEMPLATE_DIR, clean_environment())
        run(
            [str(python), "-m", "pip", "install", "-q", f"cookiecutter=={COOKIECUTTER_VERSION}"],
            TEMPLATE_DIR,
            clean_environment(),
        )
        marker.touch()
    probe = subprocess.run([str(python), "-c", "import alembic"], check=False, capture_output=True)
    if probe.returncode == 0:
        raise BenchmarkError(f"{venv} has alembic: it would not take the Poetry hook path")
    return python


def bench_bake_through_poetry(work: Path, runs: int) -> Row:
    label, baseline_label = POETRY_LABEL, NO_HOOKS_LABEL
    poetry = shutil.which(
        "poetry", path=os.pathsep.join([str(BIN_DIR), os.environ.get("PATH", "")])
    )
    if poetry is None:
        return Row(label, None, baseline_label, None, 0, skipped="Poetry is not installed")
    progress("bake through the Poetry hook path (first bake installs the environment)")
    python = cookiecutter_only_python()
    # Only `poetry` from the dev environment goes on PATH, not its python or alembic.
    poetry_bin = work / "poetry-bin"
    poetry_bin.mkdir()
    (poetry_bin / "poetry").symlink_to(poetry)
    env = clean_environment([poetry_bin, python.parent], drop_dirs=(BIN_DIR,))
    env["POETRY_VIRTUALENVS_IN_PROJECT"] = "true"
    # Through a simple index (poetry-plugin-pypi-mirror, in requirements-dev.txt), which also
    # works behind proxies that do not serve PyPI's JSON API: the one the tests use.
    env["POETRY_PYPI_MIRROR_URL"] = package_index_url()
    env.setdefault("POETRY_CACHE_DIR", str(CACHE_DIR / "poetry"))
    config = cookiecutter_config(work)
    output = work / "bake-poetry"
    project = output / SLUG

    def fresh_project_keeping_venv() -> None:
        # Everything the bake writes goes; the project's .venv (Poetry's environment) stays.
        if project.exists():
            for path in project.iterdir():
                if path.name != ".venv":
                    shutil.rmtree(
                        path
                    ) if path.is_dir() and not path.is_symlink() else path.unlink()

    def bake(*extra: str) -> tuple[float, subprocess.CompletedProcess]:
        fresh_project_keeping_venv()
        return timed(bake_command(str(python), config, output, "-f", *extra), work, env)

    _, first = bake()
    if "Created the initial revision" not in first.stdout:
        reason = first.stdout.strip().splitlines()
        reason = next(
            (line for line in reason if "not created" in line), reason[-1] if reason else ""
        )
        return Row(
            label,
            None,
            baseline_label,
            None,
            0,
            skipped=f"Poetry could not install the project ({reason.strip()})",
        )

    def hooked() -> float:
        elapsed, result = bake()
        if "Created the initial revision" not in result.stdout:
            raise BenchmarkError(f"the Poetry hook path made no revision:\n{result.stdout}")
        return elapsed

    median, baseline = compare(runs, hooked, lambda: bake("--accept-hooks", "no")[0])
    return Row(label, median, baseline_label, baseline, runs)


def bake(work: Path, *answers: str) -> Path:
    """An untimed bake (hooks on, from this interpreter) of the default project into ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    config = cookiecutter_config(work)
    run([*bake_command(PYTHON, config, work), *answers], work, clean_environment([BIN_DIR]))
    return work / SLUG


def bake_rows(work: Path, runs: int, poetry_runs: int | None) -> tuple[list[Row], Path]:
    """Both hook paths (the Poetry one skipped when ``poetry_runs`` is None) and the project
    the in-process bake made."""
    in_process, baked = bench_bake_in_process(work, runs)
    if poetry_runs is None:
        poetry = Row(POETRY_LABEL, None, NO_HOOKS_LABEL, None, 0, skipped="--no-poetry")
    else:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        poetry = bench_bake_through_poetry(work, poetry_runs)
    return [in_process, poetry], baked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs, 1 through Poetry")
    parser.add_argument(
        "--runs", type=at_least_one, help="timed runs per case (default 7, 3 with --quick)"
    )
    parser.add_argument("--no-poetry", action="store_true", help="skip the Poetry hook path")
    args = parser.parse_args(argv)
    runs = args.runs if args.runs is not None else (3 if args.quick else 7)
    missing = missing_modules(DEV_MODULES)
    if missing:
        parser.error(f"{PYTHON} lacks {', '.join(missing)}: install requirements-dev.txt first")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bake-bench-") as tmp:
        poetry_runs = None if args.no_poetry else (1 if args.quick else runs)
        rows, _ = bake_rows(Path(tmp), runs, poetry_runs)
    print_report(
        f"Bake benchmarks ({'quick' if args.quick else 'full'}: {runs} runs per case)",
        PACKAGES_SHOWN,
        table(rows),
        [f"{row.label}: skipped ({row.skipped})" for row in rows if row.skipped],
    )
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    run_as_script(main)
