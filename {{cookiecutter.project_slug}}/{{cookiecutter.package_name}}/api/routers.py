"""Finds the routes: the ``router`` of each resource's ``router`` module, the way
``database/discovery.py`` finds its ``models``.

A new resource is served once its package under ``resources/`` holds a ``router.py``
defining ``router = APIRouter(...)``; there is no list to update.
"""

import importlib

from fastapi import APIRouter, FastAPI

from {{ cookiecutter.package_name }}.api.errors import DATABASE_UNAVAILABLE
from {{ cookiecutter.package_name }}.database.discovery import resource_modules


def resource_routers() -> list[APIRouter]:
    routers = []
    for name in resource_modules("router"):
        router = getattr(importlib.import_module(name), "router", None)
        if not isinstance(router, APIRouter):
            raise TypeError(f"{name} must define router = APIRouter(...)")
        routers.append(router)
    return routers


def include_resource_routers(app: FastAPI) -> None:
    for router in resource_routers():
        app.include_router(router, responses=DATABASE_UNAVAILABLE)
