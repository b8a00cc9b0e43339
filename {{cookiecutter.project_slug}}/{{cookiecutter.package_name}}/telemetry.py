"""OpenTelemetry: a trace per request with its SQL statements under it, request and
connection-pool metrics, and the trace id on every log record, sent over OTLP/HTTP.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (http://collector:4318, say): without it no
provider is installed, nothing is exported and requests pay nothing. The SDK reads the other
standard variables itself: OTEL_SERVICE_NAME (by default {{ cookiecutter.project_slug }}),
OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_SCHEDULE_DELAY,
OTEL_METRIC_EXPORT_INTERVAL, OTEL_TRACES_SAMPLER, ...
"""

import os

from fastapi import FastAPI
from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.logging import LoggingInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy import Engine

DEFAULT_SERVICE_NAME = "{{ cookiecutter.project_slug }}"


def enabled() -> bool:
    """Whether there is somewhere to send telemetry to."""
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip())


def instrument_app(app: FastAPI) -> None:
    """Install the tracer and meter providers, then trace and measure ``app``'s requests."""
    if not enabled():
        return
    resource = Resource.create(
        {SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME") or DEFAULT_SERVICE_NAME}
    )
    # The exporters read the endpoint (adding /v1/traces, /v1/metrics) and headers from
    # the environment; batches leave from a background thread, never in a request.
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(tracer_provider)
    reader = PeriodicExportingMetricReader(OTLPMetricExporter())
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))
    # otelTraceID and otelSpanID on every log record ("0" outside a span); the log format
    # stays the project's, and records are not sent as OTLP logs (no handler is added).
    LoggingInstrumentor().instrument(
        set_logging_format=False,
        inject_trace_context=True,
        enable_log_auto_instrumentation=False,
    )
    # One span per request, without a child for each ASGI message it receives or sends
    # (three more per request, saying nothing the request's own span does not).
    FastAPIInstrumentor.instrument_app(app, exclude_spans=["receive", "send"])


def instrument_engine(engine: Engine) -> None:
    """A span for each SQL statement ``engine`` runs (under the request's span), and a
    gauge of the connections its pool has checked out. An async engine passes its
    ``sync_engine``, whose events it fires."""
    if not enabled():
        return
    # The instrumentation declares SQLAlchemy below 2.1 only and would otherwise skip
    # itself (silently); the engine events it uses are the same in 2.1.
    SQLAlchemyInstrumentor().instrument(engine=engine, skip_dep_check=True)

    def checked_out(_options: CallbackOptions) -> list[Observation]:
        return [Observation(engine.pool.checkedout())]

    metrics.get_meter(__name__).create_observable_gauge(
        "db.client.connection.checked_out",
        callbacks=[checked_out],
        unit="{connection}",
        description="Connections of the application's pool in use by a request",
    )
