"""Finds the models: every ``models`` module (or package) under the package is imported."""

import importlib
from pathlib import Path

from sqlalchemy import MetaData

from {{ cookiecutter.package_name }}.database.base import Base

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_NAME = __name__.partition(".")[0]


def model_modules() -> list[str]:
    """Dotted names of the models modules, sorted so imports happen in a stable order."""
    paths = [*PACKAGE_DIR.rglob("models.py"), *PACKAGE_DIR.rglob("models/__init__.py")]
    names = set()
    for path in paths:
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.add(".".join((PACKAGE_NAME, *parts)))
    return sorted(names)


def import_models() -> MetaData:
    """Import every models module and return the metadata that now holds all tables."""
    for name in model_modules():
        importlib.import_module(name)
    return Base.metadata
