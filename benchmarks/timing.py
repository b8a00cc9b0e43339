"""What every benchmark module shares: running and timing processes, interleaved medians
beside a baseline, the machine's description and the Markdown tables.

Nothing here asserts a time; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
if str(TEMPLATE_DIR) not in sys.path:
    sys.path.insert(0, str(TEMPLATE_DIR))  # the tests' helpers (tests/postgres.py, ...)

PYTHON = sys.executable
BIN_DIR = Path(PYTHON).parent
# What the benchmarks import or run from this interpreter (requirements-dev.txt).
DEV_MODULES = ("cookiecutter", "alembic", "sqlalchemy", "pydantic_settings", "ruff")
# Variables that would make Poetry or Python use another environment than the one meant.
FOREIGN_ENVIRONMENT = ("VIRTUAL_ENV", "POETRY_ACTIVE", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX")


class BenchmarkError(Exception):
    pass


def at_least_one(text: str) -> int:
    """argparse type of ``--runs``: a whole number of at least 1 (0 is refused, not read
    as "the default")."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is below 1")
    return value


def wrk_seconds(text: str) -> int:
    """argparse type of ``--duration``: whole seconds from 1 to 60."""
    value = at_least_one(text)
    if value > 60:
        raise argparse.ArgumentTypeError(f"{text!r} is above 60")
    return value


def add_load_arguments(parser: argparse.ArgumentParser, quick_help: str) -> None:
    """``--quick``, ``--runs`` and ``--duration`` of the modules that load a service with wrk."""
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument(
        "--runs", type=at_least_one, help="timed runs per case (default 5, 1 with --quick)"
    )
    parser.add_argument(
        "--duration",
        type=wrk_seconds,
        help="whole seconds per wrk run, at most 60 (default 3, 1 with --quick)",
    )


def load_settings(args: argparse.Namespace) -> tuple[int, int]:
    """The runs per case and the seconds per wrk run that ``add_load_arguments`` read."""
    runs = args.runs if args.runs is not None else (1 if args.quick else 5)
    duration = args.duration if args.duration is not None else (1 if args.quick else 3)
    return runs, duration


@dataclass
class Row:
    label: str
    median: float | None
    baseline_label: str
    baseline_median: float | None
    runs: int
    per_model_ms: float | None = None
    skipped: str = ""

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.baseline_median:
            return None
        return self.median / self.baseline_median


# ---------------------------------------------------------------- running things


def clean_environment(
    path_first: list[Path] | None = None, drop_dirs: tuple[Path, ...] = ()
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_ENVIRONMENT}
    path = [
        entry
        for entry in env.get("PATH", "").split(os.pathsep)
        if entry and Path(entry) not in drop_dirs
    ]
    env["PATH"] = os.pathsep.join([*(str(p) for p in path_first or []), *path])
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode caches as a user has them
    return env


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, check=False, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(map(str, command))} exited {result.returncode} in {cwd}\n"
            f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
        )
    return result


def timed(
    command: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess]:
    """Wall time of the whole process, start to exit."""
    start = time.perf_counter()
    result = subprocess.run(command, check=False, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(map(str, command))} exited {result.returncode} in {cwd}\n"
            f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
        )
    return elapsed, result


def compare(
    runs: int, case: Callable[[], float], baseline: Callable[[], float], warm_up: bool = True
) -> tuple[float, float]:
    """Medians of ``case`` and ``baseline`` (after an untimed warm-up each), runs interleaved.

    The order alternates every run so that drift (caches, thermal, neighbours) hits both.
    """
    if warm_up:
        case()
        baseline()
    case_times: list[float] = []
    baseline_times: list[float] = []
    for index in range(runs):
        if index % 2:
            baseline_times.append(baseline())
            case_times.append(case())
        else:
            case_times.append(case())
            baseline_times.append(baseline())
    return statistics.median(case_times), statistics.median(baseline_times)


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the machine


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines(packages: Iterable[str]) -> list[str]:
    versions = []
    for name in packages:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        f"CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"OS: {platform.platform()}",
        f"Python: {platform.python_version()} ({PYTHON})",
        f"Packages: {', '.join(versions)}",
    ]


# ---------------------------------------------------------------- the report


def number(value: float | None, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals, or with two significant digits where those
    decimals would print a positive value as zero."""
    if value is None:
        return "n/a"
    if 0 < value and round(value, digits) == 0:
        digits = 1 - math.floor(math.log10(value))
    return f"{value:.{digits}f}"


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| Benchmark | Median (s) | Baseline | Baseline median (s) | Ratio | Per model (ms) | Runs |",  # noqa: E501
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if row.skipped:
            lines.append(f"| {row.label} | skipped | {row.baseline_label} | skipped | n/a | | 0 |")
            continue
        ratio = times(row.ratio)
        per_model = "" if row.per_model_ms is None else number(row.per_model_ms, 2)
        lines.append(
            f"| {row.label} | {number(row.median)} | {row.baseline_label}"
            f" | {number(row.baseline_median)} | {ratio} | {per_model} | {row.runs} |"
        )
    return lines


def times(value: float | None) -> str:
    """A ratio as the tables print it: ``1.05x``."""
    return "n/a" if value is None else f"{number(value, 2)}x"


def print_report(title: str, packages: Iterable[str], table_lines: list[str], notes=()) -> None:
    """The title, the machine, the table and its notes, as benchmarks/README.md records them."""
    print()
    print(title)
    for line in machine_lines(packages):
        print(f"- {line}")
    print()
    print("\n".join(table_lines))
    print()
    for note in notes:
        print(f"Note: {note}")


def missing_modules(names: Iterable[str]) -> list[str]:
    """Those of ``names`` this interpreter cannot import (requirements-dev.txt not installed)."""
    import importlib.util

    return [name for name in names if importlib.util.find_spec(name) is None]


def run_as_script(main: Callable[[], int], *also_failures: type[BaseException]) -> None:
    """Exit with ``main()``'s status; a failure (a BenchmarkError, or one of
    ``also_failures``) is one line on stderr and status 1, not a traceback."""
    try:
        sys.exit(main())
    except (BenchmarkError, *also_failures) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        sys.exit(1)
