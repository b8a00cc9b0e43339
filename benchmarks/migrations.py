#!/usr/bin/env python3
"""Migrations: upgrade and downgrade on SQLite, and env.py's model imports and autogenerate
as the models grow, each beside a hand-written env.py (no discovery) in the same run.

    python benchmarks/migrations.py [--quick] [--runs N] [--sizes 10,100,500]

Every figure is the median wall time of whole processes (or of a measured block inside a
fresh process, where a row says so); see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bake import PACKAGE, PACKAGES_SHOWN, SLUG, bake
from timing import (
    BIN_DIR,
    DEV_MODULES,
    PYTHON,
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

MODELS_PER_PACKAGE = 10


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
    discovery_import = f"from {PACKAGE}.database.discovery import ModelsLeftOut, import_models\n"
    discovery_call = (
        "try:\n"
        "    target_metadata = import_models()\n"
        "except ModelsLeftOut as error:\n"
        "    # One line, no traceback, and no revision written.\n"
        '    sys.exit(f"error: {error}")\n'
    )
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
    resources = project / PACKAGE / "resources"
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


def migration_rows(work: Path, baked: Path, sizes: list[int], runs: int) -> list[Row]:
    """Every row of this module, measured on copies of ``baked`` (a default bake)."""
    return [
        *bench_upgrade_downgrade(work, baked, runs),
        *bench_model_scaling(work, baked, sizes, runs),
    ]


def sizes_argument(text: str) -> list[int]:
    sizes = [int(part) for part in text.split(",")]
    if any(size % MODELS_PER_PACKAGE or size <= 0 for size in sizes):
        raise argparse.ArgumentTypeError(
            f"sizes must be positive multiples of {MODELS_PER_PACKAGE}, got {text!r}"
        )
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs and sizes (CI smoke use, under a minute)"
    )
    parser.add_argument(
        "--runs", type=at_least_one, help="timed runs per case (default 7, 3 with --quick)"
    )
    parser.add_argument("--sizes", type=sizes_argument, help="model counts, e.g. 10,100,500")


def runs_and_sizes(args: argparse.Namespace) -> tuple[int, list[int]]:
    runs = args.runs if args.runs is not None else (3 if args.quick else 7)
    return runs, args.sizes or ([10, 30] if args.quick else [10, 100, 500])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    runs, sizes = runs_and_sizes(args)
    missing = missing_modules(DEV_MODULES)
    if missing:
        parser.error(f"{PYTHON} lacks {', '.join(missing)}: install requirements-dev.txt first")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="migrations-bench-") as tmp:
        work = Path(tmp)
        progress("baking the project to measure")
        baked = bake(work / "baked")
        rows = migration_rows(work, baked, sizes, runs)
    print_report(
        f"Migration benchmarks ({'quick' if args.quick else 'full'}: {runs} runs per case,"
        f" sizes {', '.join(map(str, sizes))})",
        PACKAGES_SHOWN,
        table(rows),
    )
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    run_as_script(main)
