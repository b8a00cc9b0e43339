"""The service's logging, set up once at startup from LOG_LEVEL and LOG_FORMAT.

``text`` is for people; ``json`` is for a log collector: one object per line with the
time, level, logger, message and the ID of the request being served (``request_id``, "-"
outside a request), and the traceback as ``exception``.{% if cookiecutter.web_framework == "fastapi" %} uvicorn's records go through the same
handler, whatever command started it; its access log is replaced by the service's own
(``api/request_context.py``), which carries the request ID and the duration.{% endif %}
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from {{ cookiecutter.package_name }}.settings import LoggingSettings, exit_on_invalid_settings

# The ID of the request being served; set for each request, so every record logged while
# serving it carries it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# What an access line's record carries besides its message, as JSON fields of their own.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")
# The name our handler goes by, so that setting up again replaces it instead of doubling it.
HANDLER_NAME = "{{ cookiecutter.package_name }}"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the ID of the request it was logged in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


{% if cookiecutter.telemetry == "opentelemetry" -%}
def trace_fields(record: logging.LogRecord) -> dict[str, str]:
    """The trace and span IDs opentelemetry-instrumentation-logging puts on a record
    (``otelTraceID``, "0" outside a span), if any."""
    trace_id = getattr(record, "otelTraceID", "0")
    if not trace_id or trace_id == "0":
        return {}
    return {"trace_id": trace_id, "span_id": getattr(record, "otelSpanID", "0")}


{% endif -%}
# Made once: json.dumps with an option builds a new encoder for every line.
JSON_ENCODER = json.JSONEncoder(default=str)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback's newlines are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
{%- if cookiecutter.telemetry == "opentelemetry" %}
            **trace_fields(record),
{%- endif %}
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return JSON_ENCODER.encode(entry)


class TextFormatter(logging.Formatter):
{%- if cookiecutter.telemetry == "opentelemetry" %}
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s%(trace)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        trace = trace_fields(record)
        record.trace = f" trace={trace['trace_id']}" if trace else ""
        return super().format(record)
{%- else %}
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
{%- endif %}


def configure_logging() -> None:
    """Send every record{% if cookiecutter.web_framework == "fastapi" %}, uvicorn's included,{% endif %} to stderr in LOG_FORMAT at LOG_LEVEL.

    Invalid settings stop the process with one ``error:`` line naming them.
    """
    with exit_on_invalid_settings():
        settings = LoggingSettings()
    handler = logging.StreamHandler()
    handler.name = HANDLER_NAME
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    # Handlers others put on the root (pytest's) stay; ours is replaced, not doubled.
    for existing in [each for each in root.handlers if each.name == HANDLER_NAME]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
{%- if cookiecutter.web_framework == "fastapi" %}
    # uvicorn sets up its loggers before it imports the app: they now hand their records
    # to ours, at our level.
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    # Without a handler uvicorn writes no access line at all: ours replaces it.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
{%- endif %}
