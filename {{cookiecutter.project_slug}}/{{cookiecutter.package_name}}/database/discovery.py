"""Finds the models of every resource, so no list of models is kept by hand.

The layout: each resource is a package under ``resources/``, and its tables live in
its ``models`` module (``models.py``) or ``models`` package (every module in it is
imported, whatever its ``__init__`` imports). Nothing else is imported: a ``models.py``
elsewhere (in a script, say) is not a resource's.

Alembic compares ``Base.metadata`` alone, so every table those modules define must be on
it: a model on a declarative base of its own, or a ``Table`` on another ``MetaData``, is
refused rather than left out (autogenerate would propose to drop its table). So are
models left in ``api/resources/``, where resources lived in older versions of the template.
"""

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

from sqlalchemy import MetaData, Table

from {{ cookiecutter.package_name }}.database.base import Base

PACKAGE_NAME = __name__.partition(".")[0]
RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
RESOURCES_PACKAGE = f"{PACKAGE_NAME}.resources"
# Where older versions of the template put resources; nothing there is imported any more.
OLD_RESOURCES_DIR = RESOURCES_DIR.parent / "api" / "resources"


def resource_names() -> list[str]:
    """The resource packages, sorted so imports happen in a stable order."""
    return sorted(
        path.parent.name
        for path in RESOURCES_DIR.glob("*/__init__.py")
        if path.parent.name.isidentifier()
    )


def resource_modules(module: str) -> list[str]:
    """Dotted names of each resource's ``module`` (a module, or a package and its modules)."""
    names = []
    for resource in resource_names():
        folder = RESOURCES_DIR / resource
        dotted = f"{RESOURCES_PACKAGE}.{resource}.{module}"
        if (folder / f"{module}.py").is_file():
            names.append(dotted)
        elif (folder / module / "__init__.py").is_file():
            names.append(dotted)
            submodules = pkgutil.walk_packages([str(folder / module)], prefix=f"{dotted}.")
            names.extend(sorted(info.name for info in submodules))
    return names


def model_modules() -> list[str]:
    return resource_modules("models")


class ModelsLeftOut(Exception):
    """Some models would be missing from ``Base.metadata``, and their tables dropped."""


class TablesOutsideBase(ModelsLeftOut):
    """A models module defines tables that are not on ``Base.metadata``."""


class ResourcesInOldPlace(ModelsLeftOut):
    """Resources still under ``api/resources/``, which is no longer searched."""


def check_old_place() -> None:
    """Refuse resources with models still in ``api/resources/``: left out, their tables
    would look dropped to Alembic."""
    left = sorted(
        {
            path.relative_to(OLD_RESOURCES_DIR).parts[0]
            for pattern in ("*/models.py", "*/models/__init__.py")
            for path in OLD_RESOURCES_DIR.glob(pattern)
        }
    )
    if left:
        raise ResourcesInOldPlace(
            f"resources in {PACKAGE_NAME}/api/resources/ ({', '.join(left)}) are no longer"
            f" found there: move them to {PACKAGE_NAME}/resources/ (README, Template"
            " updates), or Alembic would propose to drop their tables"
        )


def import_models() -> MetaData:
    """Import every models module and return the metadata that now holds all tables.

    Raises ``ModelsLeftOut`` when models sit in the old place (``ResourcesInOldPlace``),
    or, naming each, when a module defines a table elsewhere (``TablesOutsideBase``).
    """
    check_old_place()
    outside = {}
    for name in model_modules():
        outside |= tables_outside_base(importlib.import_module(name))
    if outside:
        raise TablesOutsideBase(
            "; ".join(outside.values())
            + ": Alembic compares Base.metadata alone and would drop such tables"
            f" (inherit from {Base.__module__}.Base, or pass Base.metadata to Table)"
        )
    return Base.metadata


def tables_outside_base(module: ModuleType) -> dict[Table, str]:
    """The tables ``module`` holds on another metadata than ``Base.metadata``, each with
    what defines it: a model (and the base it inherits from) or a ``Table``."""
    outside = {}
    for name, value in vars(module).items():
        table = getattr(value, "__table__", None) if isinstance(value, type) else value
        if not isinstance(table, Table) or table.metadata is Base.metadata:
            continue
        if isinstance(value, type):
            # The class that holds the metadata: the model's declarative base (none for a
            # class mapped imperatively).
            base = next((cls for cls in value.__mro__ if "metadata" in vars(cls)), None)
            where = (
                f"inherits from {base.__module__}.{base.__qualname__}, not from Base"
                if base
                else "is mapped on another metadata than Base.metadata"
            )
            outside[table] = (
                f"model {value.__module__}.{value.__qualname__} (table {table.name}) {where}"
            )
        else:
            outside.setdefault(
                table, f"table {table.name} ({module.__name__}.{name}) is not on Base.metadata"
            )
    return outside
