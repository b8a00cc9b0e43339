#!/usr/bin/env python3
"""Benchmarks of the template: baking, migrating, autogenerate as models grow, the test suite.

Run from a checkout with the dev requirements installed (``requirements-dev.txt``):

    python benchmarks/run.py            # full run (a few minutes)
    python benchmarks/run.py --quick    # fewer runs and sizes, for CI smoke use
    python benchmarks/run.py --with-tests   # also time the template's own test suite

Every figure is the median wall time of whole processes (or of a measured block inside a
fresh process, where a row says so) over several runs, next to a baseline measured in the
same run with the cases interleaved. Nothing here asserts a time; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE_DIR))
from tests.helpers import package_index_url  # noqa: E402  (the tests' own choice of index)

# Git-ignored (.gitignore lists benchmarks/results/): the cookiecutter-only venv and
# Poetry's download cache survive between runs here.
CACHE_DIR = TEMPLATE_DIR / "benchmarks" / "results" / "cache"
PYTHON = sys.executable
BIN_DIR = Path(PYTHON).parent
COOKIECUTTER_VERSION = "2.7.1"
PACKAGE = "my_service"
SLUG = "my-service"
MODELS_PER_PACKAGE = 10
PACKAGES_SHOWN = ("cookiecutter", "alembic", "sqlalchemy", "pydantic-settings", "poetry", "ruff")
# Variables that would make Poetry or Python use another environment than the one meant.
FOREIGN_ENVIRONMENT = ("VIRTUAL_ENV", "POETRY_ACTIVE", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX")


class BenchmarkError(Exception):
    pass


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


def machine_lines() -> list[str]:
    versions = []
    for name in PACKAGES_SHOWN:
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


# ---------------------------------------------------------------- baking


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
    row = Row(
        "bake, hooks on, in-process hook path",
        median,
        "same bake, --accept-hooks no",
        baseline,
        runs,
    )
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
    label = "bake, hooks on, Poetry hook path (warm env)"
    baseline_label = "same bake, --accept-hooks no"
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


# ---------------------------------------------------------------- projects to measure


def model_module_names(project: Path) -> list[str]:
    names = set()
    package_dir = project / PACKAGE
    for path in [*package_dir.rglob("models.py"), *package_dir.rglob("models/__init__.py")]:
        parts = path.relative_to(project).with_suffix("").parts
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(names)


def explicit_imports(project: Path) -> str:
    lines = [f"import {name}  # noqa: F401" for name in model_module_names(project)]
    return "\n".join([*lines, f"from {PACKAGE}.database.base import Base"]) + "\n"


def with_hand_written_env(project: Path, copy: Path) -> Path:
    """A copy of ``project`` whose env.py imports each models module by name: no discovery."""
    shutil.copytree(project, copy, symlinks=True)
    env_py = copy / "alembic" / "env.py"
    text = env_py.read_text()
    discovery_import = f"from {PACKAGE}.database.discovery import import_models\n"
    discovery_call = "target_metadata = import_models()\n"
    if discovery_import not in text or discovery_call not in text:
        raise BenchmarkError(
            "alembic/env.py no longer has the lines the hand-written variant replaces"
        )
    text = text.replace(discovery_import, explicit_imports(copy))
    text = text.replace(discovery_call, "target_metadata = Base.metadata\n")
    env_py.write_text(text)
    return copy


def models_module(package_index: int) -> str:
    prefix = f"r{package_index:03d}"
    lines = [
        f'"""Benchmark resource {prefix}: {MODELS_PER_PACKAGE} tables, each pointing at the last."""',  # noqa: E501
        "",
        "from datetime import datetime",
        "",
        "from sqlalchemy import DateTime, ForeignKey, String, func",
        "from sqlalchemy.orm import Mapped, mapped_column",
        "",
        f"from {PACKAGE}.database.base import Base",
    ]
    for model in range(MODELS_PER_PACKAGE):
        table = f"{prefix}_m{model}"
        lines += [
            "",
            "",
            f"class {prefix.upper()}M{model}(Base):",
            f'    __tablename__ = "{table}"',
            "",
            "    id: Mapped[int] = mapped_column(primary_key=True)",
            "    name: Mapped[str] = mapped_column(String(100), index=True)",
            "    note: Mapped[str | None] = mapped_column(String(500))",
            "    created_at: Mapped[datetime] = mapped_column(",
            "        DateTime(timezone=True), server_default=func.now()",
            "    )",
        ]
        if model:
            lines.append(
                f"    parent_id: Mapped[int | None] = mapped_column("
                f'ForeignKey("{prefix}_m{model - 1}.id"))'
            )
    return "\n".join(lines) + "\n"


def add_models(project: Path, count: int) -> None:
    resources = project / PACKAGE / "api" / "resources"
    for index in range(count // MODELS_PER_PACKAGE):
        package = resources / f"r_{index:03d}"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "models.py").write_text(models_module(index))


def database_env(work: Path, name: str) -> dict[str, str]:
    database = work / f"{name}.db"
    database.unlink(missing_ok=True)
    env = clean_environment([BIN_DIR])
    env["DATABASE_URL"] = f"sqlite:///{database}"
    return env


# ---------------------------------------------------------------- migrations


def bench_upgrade_downgrade(work: Path, baked: Path, runs: int) -> list[Row]:
    progress("alembic upgrade head + downgrade base (SQLite)")
    project = work / "migrate" / SLUG
    shutil.copytree(baked, project)
    plain = with_hand_written_env(project, work / "migrate-plain" / SLUG)

    processes: list[float] = []

    def migrate(directory: Path) -> float:
        env = database_env(work, "migrate")
        up, _ = timed([PYTHON, "-m", "alembic", "upgrade", "head"], directory, env)
        down, _ = timed([PYTHON, "-m", "alembic", "downgrade", "base"], directory, env)
        if directory == project:
            processes.extend((up, down))
        return up + down

    median, baseline = compare(runs, lambda: migrate(project), lambda: migrate(plain))
    rows = [
        Row(
            "upgrade head + downgrade base, 2 alembic processes",
            median,
            "same, hand-written env.py",
            baseline,
            runs,
        )
    ]

    import_floor = [PYTHON, "-c", "import alembic.command, sqlalchemy"]
    floor = statistics.median(
        timed(import_floor, work, clean_environment())[0] for _ in range(runs)
    )
    rows.append(
        Row(
            "one alembic process (upgrade or downgrade)",
            statistics.median(processes[2:]),  # the warm-up's two left out
            "python -c 'import alembic.command, sqlalchemy'",
            floor,
            len(processes) - 2,
        )
    )

    # One fresh interpreter per env.py; the first round (model imports) is left out.
    in_process = IN_PROCESS_MIGRATIONS.replace("RUNS", str(runs + 1))

    def steady_state(directory: Path) -> float:
        env = database_env(work, "migrate-in-process")
        result = run([PYTHON, "-c", in_process], directory, env)
        return statistics.median(json.loads(result.stdout.strip().splitlines()[-1])[1:])

    rows.append(
        Row(
            "upgrade + downgrade in-process (alembic.command)",
            steady_state(project),
            "same, hand-written env.py",
            steady_state(plain),
            runs,
        )
    )
    return rows


# Run in the project folder by a fresh interpreter: upgrade and downgrade RUNS times through
# alembic.command and print each round's seconds; the first round also imports the models.
IN_PROCESS_MIGRATIONS = """
import json, logging, time
from alembic import command
from alembic.config import Config
config = Config("alembic.ini")
logging.disable(logging.INFO)
rounds = []
for _ in range(RUNS):
    start = time.perf_counter()
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    rounds.append(time.perf_counter() - start)
print(json.dumps(rounds))
"""


# ---------------------------------------------------------------- growing the models

# Run in the project folder by a fresh interpreter: the libraries are imported first, then
# only what env.py adds is timed: discovery (scan + imports) or the hand-written imports.
MODEL_IMPORT_TIMER = """
import json, sys, time
sys.path.insert(0, ".")
import alembic.context, sqlalchemy.orm  # noqa: F401  (the libraries, not measured)
start = time.perf_counter()
if MODE == "discovery":
    from PACKAGE.database.discovery import import_models, model_modules
    metadata = import_models()
    imported = time.perf_counter()
    scan_start = time.perf_counter()
    model_modules()
    scan = time.perf_counter() - scan_start
else:
    exec(compile(IMPORTS, "env.py", "exec"))
    metadata = Base.metadata
    imported = time.perf_counter()
    scan = 0.0
print(json.dumps({"import": imported - start, "scan": scan, "tables": len(metadata.tables)}))
"""


def bench_model_scaling(work: Path, base_project: Path, sizes: list[int], runs: int) -> list[Row]:
    rows: list[Row] = []
    previous: tuple[int, float] | None = None  # (size, autogenerate median) of the size before
    for size in sizes:
        progress(f"{size} models: env.py model imports and autogenerate")
        project = work / f"models-{size}" / SLUG
        shutil.copytree(base_project, project)
        for revision in (project / "alembic" / "versions").glob("*.py"):
            revision.unlink()
        add_models(project, size)
        plain = with_hand_written_env(project, work / f"models-{size}-plain" / SLUG)
        rows += bench_model_imports(project, plain, size, runs)
        autogenerate_row = bench_autogenerate(work, project, plain, size, runs)
        # Per model: the marginal cost from the size before, the fixed cost left out.
        if previous is not None:
            autogenerate_row.per_model_ms = (
                (autogenerate_row.median - previous[1]) / (size - previous[0]) * 1000
            )
        rows.append(autogenerate_row)
        previous = (size, autogenerate_row.median)
    return rows


def bench_model_imports(project: Path, plain: Path, size: int, runs: int) -> list[Row]:
    expected_tables = size + 1  # and the template's example model
    scans: list[float] = []

    def model_import(directory: Path, mode: str) -> float:
        code = (
            MODEL_IMPORT_TIMER.replace("PACKAGE", PACKAGE)
            .replace("MODE", repr(mode))
            .replace("IMPORTS", repr(explicit_imports(directory)))
        )
        output = run([PYTHON, "-c", code], directory, clean_environment()).stdout
        measured = json.loads(output.strip().splitlines()[-1])
        if measured["tables"] != expected_tables:
            raise BenchmarkError(f"{mode}: {measured['tables']} tables, expected {expected_tables}")
        if mode == "discovery":
            scans.append(measured["scan"])
        return measured["import"]

    median, baseline = compare(
        runs, lambda: model_import(project, "discovery"), lambda: model_import(plain, "plain")
    )
    scan = statistics.median(scans)
    return [
        Row(
            f"env.py model imports, {size} models (discovery)",
            median,
            "hand-written import lines",
            baseline,
            runs,
            per_model_ms=median / size * 1000,
        ),
        Row(
            f"discovery scan alone (model_modules), {size} models",
            scan,
            "discovery imports (row above)",
            median,
            len(scans),
            per_model_ms=scan / size * 1000,
        ),
    ]


def bench_autogenerate(work: Path, project: Path, plain: Path, size: int, runs: int) -> Row:
    def autogenerate(directory: Path) -> float:
        versions = directory / "alembic" / "versions"
        for revision in versions.glob("*.py"):
            revision.unlink()
        command = [PYTHON, "-m", "alembic", "revision", "--autogenerate", "-m", "bench"]
        elapsed, _ = timed(command, directory, database_env(work, "autogenerate"))
        if len(list(versions.glob("*.py"))) != 1:
            raise BenchmarkError(f"autogenerate wrote no revision in {directory}")
        return elapsed

    # The model imports already compiled the models' bytecode: no warm-up needed.
    median, baseline = compare(
        runs, lambda: autogenerate(project), lambda: autogenerate(plain), warm_up=False
    )
    return Row(
        f"alembic revision --autogenerate, {size} models",
        median,
        "same, hand-written env.py",
        baseline,
        runs,
    )


# ---------------------------------------------------------------- the test suite


def bench_test_suite() -> Row:
    progress("the template's test suite (minutes)")
    env = clean_environment([BIN_DIR])
    suite, _ = timed(
        [PYTHON, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"], TEMPLATE_DIR, env
    )
    collect, _ = timed(
        [PYTHON, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider"],
        TEMPLATE_DIR,
        env,
    )
    return Row("template test suite, pytest -n 2", suite, "pytest --collect-only", collect, 1)


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
        ratio = "n/a" if row.ratio is None else f"{number(row.ratio, 2)}x"
        per_model = "" if row.per_model_ms is None else number(row.per_model_ms, 2)
        lines.append(
            f"| {row.label} | {number(row.median)} | {row.baseline_label}"
            f" | {number(row.baseline_median)} | {ratio} | {per_model} | {row.runs} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs and sizes (CI smoke use, under a minute)"
    )
    parser.add_argument(
        "--runs", type=int, help="timed runs per case (default 7, or 3 with --quick)"
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",")],
        help="model counts, e.g. 10,100,500",
    )
    parser.add_argument(
        "--with-tests",
        action="store_true",
        help="also time the template's own test suite (takes minutes)",
    )
    parser.add_argument("--no-poetry", action="store_true", help="skip the Poetry hook path")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 7)
    sizes = args.sizes or ([10, 30] if args.quick else [10, 100, 500])
    if any(size % MODELS_PER_PACKAGE or size <= 0 for size in sizes):
        parser.error(f"sizes must be positive multiples of {MODELS_PER_PACKAGE}")
    missing = [
        name
        for name in ("cookiecutter", "alembic", "sqlalchemy", "pydantic_settings", "ruff")
        if not _importable(name)
    ]
    if missing:
        parser.error(f"{PYTHON} lacks {', '.join(missing)}: install requirements-dev.txt first")

    rows: list[Row] = []
    notes: list[str] = []
    started = time.perf_counter()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="template-bench-") as tmp:
        work = Path(tmp)
        bake_row, baked = bench_bake_in_process(work, runs)
        rows.append(bake_row)
        if args.no_poetry:
            rows.append(
                Row(
                    "bake, hooks on, Poetry hook path (warm env)",
                    None,
                    "same bake, --accept-hooks no",
                    None,
                    0,
                    skipped="--no-poetry",
                )
            )
        else:
            rows.append(bench_bake_through_poetry(work, 1 if args.quick else runs))
        rows += bench_upgrade_downgrade(work, baked, runs)
        rows += bench_model_scaling(work, baked, sizes, runs)
        if args.with_tests:
            rows.append(bench_test_suite())
        else:
            notes.append(
                "template test suite (python -m pytest -n 2 -q): skipped; "
                "pass --with-tests to time it (takes minutes)"
            )
    notes += [f"{row.label}: skipped ({row.skipped})" for row in rows if row.skipped]

    print()
    print(
        f"Template benchmarks ({'quick' if args.quick else 'full'}: {runs} runs per case, "
        f"sizes {', '.join(map(str, sizes))})"
    )
    for line in machine_lines():
        print(f"- {line}")
    print()
    print("\n".join(table(rows)))
    print()
    for note in notes:
        print(f"Note: {note}")
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        sys.exit(1)
