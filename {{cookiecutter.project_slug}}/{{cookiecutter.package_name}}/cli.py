"""The service's own commands, a console script (``[project.scripts]`` in pyproject.toml):
``poetry run {{ cookiecutter.project_slug }} add-resource NAME``, ``... data-revision -m
MESSAGE`` (a revision that moves rows) and ``... squash``."""

import argparse
import sys
from pathlib import Path

from {{ cookiecutter.package_name }}.database.squash import SquashError, squash
from {{ cookiecutter.package_name }}.logging_config import configure_logging
from {{ cookiecutter.package_name }}.scaffold.data_revision import DataRevisionError, data_revision
from {{ cookiecutter.package_name }}.scaffold.resource import ResourceError, add_resource


def parser() -> argparse.ArgumentParser:
    # The program's name is the console script's, as it was run.
    commands = argparse.ArgumentParser(description="The service's own commands.")
    subcommands = commands.add_subparsers(dest="command", required=True)
    add = subcommands.add_parser(
        "add-resource",
        help="add a resource: its models, tests and revision",
        description=(
            "Add NAME under {{ cookiecutter.package_name }}/resources/ with a table NAME"
            " (an id and a unique name), its tests, and the revision that creates the table."
        ),
    )
    add.add_argument("name", metavar="NAME", help="a lowercase identifier, such as order_line")
    data = subcommands.add_parser(
        "data-revision",
        help="write a revision that moves rows in batches",
        description=(
            "Write a revision that pages through TABLE by its primary key, one UPDATE per"
            " batch, each committed on its own; you write what each batch does."
        ),
    )
    # Checked by data_revision, not argparse: a missing message is one error line.
    data.add_argument("-m", "--message", help="what the revision moves")
    data.add_argument(
        "--table", metavar="TABLE", help="the table whose rows move (needed with several tables)"
    )
    squashing = subcommands.add_parser(
        "squash",
        help="replace the revisions up to one with a single baseline revision",
        description=(
            "Replace every revision up to REVISION (head by default) with one baseline"
            " revision of the same id, which builds the same schema. The old files move to"
            " alembic/squashed/<id>/. Safe once every database is at or past REVISION."
        ),
    )
    squashing.add_argument("--to", metavar="REVISION", help="the last revision to squash")
    squashing.add_argument(
        "--drop-data-migrations",
        action="store_true",
        help="squash revisions that move data too (their data changes are not in the baseline)",
    )
    return commands


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    configure_logging()
    if arguments.command == "data-revision":
        return write_data_revision(arguments)
    if arguments.command == "squash":
        return run_squash(arguments)
    try:
        files, revision = add_resource(arguments.name, Path.cwd())
    except ResourceError as error:
        print(f"error: add-resource: {error}", file=sys.stderr)
        return 1
    project = Path.cwd()
    print(f"Added the {arguments.name} resource:")
    for path in files:
        print(f"  {path.relative_to(project)}")
    print(f"Review its revision, {revision.relative_to(project)}, then apply it:")
    print("  poetry run alembic upgrade head")
    return 0


def write_data_revision(arguments: argparse.Namespace) -> int:
    try:
        script = data_revision(arguments.message, arguments.table, Path.cwd())
    except DataRevisionError as error:
        print(f"error: data-revision: {error}", file=sys.stderr)
        return 1
    path = Path(script.path).relative_to(Path.cwd().resolve())
    print(f"Wrote {path}: fill in its loop body (what each batch moves), then apply it:")
    print("  poetry run alembic upgrade head")
    return 0


def run_squash(arguments: argparse.Namespace) -> int:
    try:
        squashed = squash(Path.cwd(), arguments.to, arguments.drop_data_migrations)
    except SquashError as error:
        print(f"error: squash: {error}", file=sys.stderr)
        return 1
    project = Path.cwd()
    for dropped in squashed.dropped_data_migrations:
        print(f"Dropped the data migration {dropped}.")
    baseline = squashed.baseline.relative_to(project)
    print(f"Squashed {len(squashed.revisions)} revisions into {baseline};")
    print(f"the old files are in {squashed.moved_to.relative_to(project)}/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
