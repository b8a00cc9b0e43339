"""The service's own commands, a console script (``[project.scripts]`` in pyproject.toml):
``poetry run {{ cookiecutter.project_slug }} add-resource NAME``."""

import argparse
import sys
from pathlib import Path

from {{ cookiecutter.package_name }}.logging_config import configure_logging
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
    return commands


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    configure_logging()
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


if __name__ == "__main__":
    sys.exit(main())
