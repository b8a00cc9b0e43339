"""Finds the models of every resource, so no list of models is kept by hand.

The layout: each resource is a package under ``api/resources/``, and its tables live in
its ``models`` module (``models.py``) or ``models`` package (every module in it is
imported, whatever its ``__init__`` imports). Nothing else is imported: a ``models.py``
elsewhere (in a script, say) is not a resource's.
"""

import importlib
import pkgutil
from pathlib import Path

from sqlalchemy import MetaData

from {{ cookiecutter.package_name }}.database.base import Base

PACKAGE_NAME = __name__.partition(".")[0]
RESOURCES_DIR = Path(__file__).resolve().parent.parent / "api" / "resources"
RESOURCES_PACKAGE = f"{PACKAGE_NAME}.api.resources"


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


def import_models() -> MetaData:
    """Import every models module and return the metadata that now holds all tables."""
    for name in model_modules():
        importlib.import_module(name)
    return Base.metadata
