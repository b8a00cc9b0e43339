"""Which template files belong to which answer: the one place that says so.

Each (prompt, value), or (derived value, value) for what follows from an answer, such as
the database URL's backend, lists the paths, relative to the project folder and written
as in the template (with their Jinja names), that only that choice keeps. After the files are
written, the post-generation hook removes the paths of every value that was not chosen.
A path listed for no choice is always kept; a folder listed goes with all it holds.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from .database_url import DATABASE_APIS, DRIVER_REQUIREMENTS

# Choices of each optional prompt, the default first (as in cookiecutter.json).
CHOICES: dict[str, tuple[str, ...]] = {
    "web_framework": ("fastapi", "none"),
    "database_api": DATABASE_APIS,
    "telemetry": ("none", "opentelemetry"),
}
# Values derived from the answers (cookiecutter.json's private variables) that decide files.
DERIVED_CHOICES: dict[str, tuple[str, ...]] = {
    "__database_backend": tuple(DRIVER_REQUIREMENTS),
}

_PACKAGE = "{{cookiecutter.package_name}}"
# A resource is a package under resources/ in every project; api/ is the web layer alone.
_RESOURCE = f"{_PACKAGE}/resources/{{{{cookiecutter.resource_name}}}}"
# What add-resource writes into a new resource (and its tests).
_SCAFFOLD = f"{_PACKAGE}/scaffold/templates"

OPTION_PATHS: dict[tuple[str, str], tuple[str, ...]] = {
    ("web_framework", "fastapi"): (
        f"{_PACKAGE}/main.py",
        f"{_PACKAGE}/api",
        f"{_RESOURCE}/router.py",
        f"{_RESOURCE}/schemas.py",
        f"{_SCAFFOLD}/resource/router.py.tmpl",
        f"{_SCAFFOLD}/resource/schemas.py.tmpl",
        f"{_SCAFFOLD}/tests/test_api.py.tmpl",
        "tests/test_api.py",
        # The Kubernetes Deployment, Service, PodDisruptionBudget and NetworkPolicy; without
        # a web layer k8s/ holds the migration Job alone.
        "k8s/app",
    ),
    ("web_framework", "none"): (f"{_SCAFFOLD}/tests/test_models.py.tmpl",),
    # Sync and async projects have the same files; the few that differ say so inside.
    ("database_api", "sync"): (),
    ("database_api", "async"): (),
    # squawk lints PostgreSQL's SQL only.
    ("__database_backend", "postgresql"): (".squawk.toml", "tests/test_migration_review.py"),
    ("__database_backend", "sqlite"): (),
    ("__database_backend", "mysql"): (),
    ("telemetry", "none"): (),
    ("telemetry", "opentelemetry"): (f"{_PACKAGE}/telemetry.py", "otel-collector.yaml"),
}

_VARIABLE = re.compile(r"{{\s*cookiecutter\.(\w+)\s*}}")


def render_path(path: str, answers: Mapping[str, object]) -> str:
    """``path`` with each ``{{cookiecutter.<name>}}`` replaced by that answer."""
    return _VARIABLE.sub(lambda match: str(answers[match.group(1)]), path)


def excluded_paths(answers: Mapping[str, object]) -> list[str]:
    """The rendered paths the answers do not keep, in a stable order."""
    excluded = [
        render_path(path, answers)
        for (prompt, value), paths in OPTION_PATHS.items()
        if answers.get(prompt) != value
        for path in paths
    ]
    return sorted(set(excluded))


def remove_excluded(project_dir: Path, paths: list[str]) -> None:
    """Delete ``paths`` (relative to ``project_dir``) where they exist."""
    for relative in paths:
        path = project_dir / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
