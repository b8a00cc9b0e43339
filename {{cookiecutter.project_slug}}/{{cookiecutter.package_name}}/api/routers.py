"""Finds the routes: the ``router`` of every ``router`` module under ``api/resources``.

A new resource is served once its package holds a ``router.py`` defining
``router = APIRouter(...)``; there is no list to update.
"""

import importlib
from pathlib import Path

from fastapi import APIRouter, FastAPI

from {{ cookiecutter.package_name }}.api.errors import DATABASE_UNAVAILABLE

RESOURCES_DIR = Path(__file__).resolve().parent / "resources"
RESOURCES_PACKAGE = f"{__package__}.resources"


def router_modules() -> list[str]:
    """Dotted names of the router modules, sorted so routes are added in a stable order."""
    return sorted(
        ".".join((RESOURCES_PACKAGE, *path.relative_to(RESOURCES_DIR).with_suffix("").parts))
        for path in RESOURCES_DIR.rglob("router.py")
    )


def resource_routers() -> list[APIRouter]:
    routers = []
    for name in router_modules():
        module = importlib.import_module(name)
        router = getattr(module, "router", None)
        if not isinstance(router, APIRouter):
            raise TypeError(f"{name} must define router = APIRouter(...)")
        routers.append(router)
    return routers


def include_resource_routers(app: FastAPI) -> None:
    for router in resource_routers():
        app.include_router(router, responses=DATABASE_UNAVAILABLE)
