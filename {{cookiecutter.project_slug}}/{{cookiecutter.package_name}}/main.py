"""The web service: ``poetry run uvicorn {{ cookiecutter.package_name }}.main:app``."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from sqlalchemy.orm import configure_mappers

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.api import health
from {{ cookiecutter.package_name }}.api.errors import add_error_handlers
from {{ cookiecutter.package_name }}.api.request_context import RequestContextMiddleware
from {{ cookiecutter.package_name }}.api.routers import include_resource_routers
from {{ cookiecutter.package_name }}.database.discovery import import_models
from {{ cookiecutter.package_name }}.database.session import get_engine, get_sessionmaker
from {{ cookiecutter.package_name }}.logging_config import configure_logging
from {{ cookiecutter.package_name }}.settings import (
    HttpSettings,
    PoolSettings,
    exit_on_invalid_settings,
    get_settings,
)
{%- if cookiecutter.telemetry == "opentelemetry" %}
from {{ cookiecutter.package_name }}.telemetry import instrument_app, instrument_engine
{%- endif %}

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The engine and the session factory exist before the first request: requests served
    # at once (in threads) would otherwise each build their own, as lru_cache does not lock.
    # A missing or invalid DATABASE_URL stops the service here, before it takes traffic.
    get_sessionmaker()
    # The URL's text hides its password.
    logger.info("Database: %s", get_settings().database_url)
{%- if cookiecutter.telemetry == "opentelemetry" %}
    # The SQL statements show under the request that ran them (with OTEL_EXPORTER_OTLP_ENDPOINT).
    instrument_engine(get_engine(){{ ".sync_engine" if cookiecutter.database_api == "async" }})
{%- endif %}
    # The revisions this build ships, read once for /ready.
    health.build_revisions()
    # What exists now (modules, models, the engine) lives as long as the process. Frozen,
    # it is left out of every full garbage collection, which would otherwise scan it all
    # and double the latency of the slowest requests.
    gc.collect()
    gc.freeze()
    yield
    # Close the pooled connections instead of leaving them to the process's end.
    {{ "await " if cookiecutter.database_api == "async" }}get_engine().dispose()


def operation_id(route: APIRoute) -> str:
    """The route function's name (`list_items`, `create_item`): the method name a client
    generator makes of it, rather than FastAPI's `list_items_items_get`. Each resource's
    functions carry its own name, so the ids stay unique across resources."""
    return route.name


def create_app() -> FastAPI:
    # First, so that what follows logs in LOG_FORMAT; invalid settings stop here.
    configure_logging()
    # Every model is imported, and the mappers configured, before any router: routers are
    # imported one by one, and a relationship naming a model by string ("Category") only
    # resolves once that model's module has been imported too.
    import_models()
    configure_mappers()
    app = FastAPI(
        title={{ cookiecutter.project_name | tojson }},
        description={{ cookiecutter.package_name }}.__doc__,
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    add_error_handlers(app)
{%- if cookiecutter.telemetry == "opentelemetry" %}
    # A span and request metrics for each request (with OTEL_EXPORTER_OTLP_ENDPOINT).
    instrument_app(app)
{%- endif %}
    # Read now: middleware cannot be added once the app serves. An invalid CORS_ORIGINS,
    # pool size or timeout stops the import with one line naming it (the lifespan, which
    # reads them again with DATABASE_URL, could only fail with a traceback).
    with exit_on_invalid_settings():
        cors_origins = HttpSettings().cors_origins
        PoolSettings()
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            # A page reads where the row it created lives.
            expose_headers=["Location"],
        )
    # Added last, so outermost: it sees every request, answered by CORS or not.
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)
    include_resource_routers(app)
    return app


app = create_app()
