"""telemetry=opentelemetry for real: a baked service under uvicorn sends its traces and
metrics over OTLP/HTTP to a receiver this test runs (tests/otlp_receiver.py), and sends
nothing while OTEL_EXPORTER_OTLP_ENDPOINT is unset."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from tests.helpers import BIN_DIR, TEMPLATE_DIR, alembic, cookiecutter_cli, run, serving
from tests.otlp_receiver import attribute, otlp_receiver

PACKAGE = "my_service"
URLS = {"sync": "sqlite:///{}", "async": "sqlite+aiosqlite:///{}"}
# Exports every tenth of a second, so that a test waits for what it sent only briefly.
QUICK_EXPORTS = {"OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_METRIC_EXPORT_INTERVAL": "200"}
# OTEL_SERVICE_NAME as given, and the service name the spans then carry: the project's
# slug when it is empty, the name given otherwise.
SERVICE_NAMES = {"sync": ("", "my-service"), "async": ("orders-api", "orders-api")}
# How long a test waits for an export before it gives up (never asserted as a duration).
EXPORT_LIMIT = 30
# Records as opentelemetry-instrumentation-logging leaves them: IDs inside a span, "0"
# outside one.
LOG_WITH_TRACE_IDS = f"""
import logging
from {PACKAGE}.logging_config import configure_logging

configure_logging()
logger = logging.getLogger("traced")
logger.info("in a span", extra={{"otelTraceID": "4bf92f3577b34da6", "otelSpanID": "00f067aa"}})
logger.info("outside", extra={{"otelTraceID": "0", "otelSpanID": "0"}})
"""


@pytest.fixture(scope="module")
def telemetry_projects(tmp_path_factory) -> Callable[[str], Path]:
    """``project(database_api)``: a fastapi project baked with telemetry=opentelemetry,
    migrated on a SQLite file of its own, once per module."""
    baked: dict[str, Path] = {}

    def project(database_api: str) -> Path:
        if database_api not in baked:
            output = tmp_path_factory.mktemp(f"telemetry-{database_api}")
            baked[database_api] = Path(
                cookiecutter(
                    str(TEMPLATE_DIR),
                    no_input=True,
                    extra_context={"telemetry": "opentelemetry", "database_api": database_api},
                    output_dir=str(output),
                )
            )
        return baked[database_api]

    return project


def migrated_database(project: Path, directory: Path, database_api: str) -> str:
    url = URLS[database_api].format(directory / "service.db")
    alembic(project, "upgrade", "head", env={"DATABASE_URL": url})
    return url


def checked_out(receiver) -> list[float]:
    """The pool gauge's values, in the order they arrived."""
    points = receiver.metric_points("db.client.connection.checked_out")
    return [point.as_int or point.as_double for point in points]


def eventually(condition: Callable[[], object], what: str) -> None:
    give_up = time.monotonic() + EXPORT_LIMIT
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"never received: {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("database_api", ["sync", "async"])
def test_requests_send_their_spans_with_the_sql_and_metrics(
    tmp_path, telemetry_projects, database_api
):
    project = telemetry_projects(database_api)
    url = migrated_database(project, tmp_path, database_api)
    with otlp_receiver() as receiver:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_SERVICE_NAME": SERVICE_NAMES[database_api][0],
            **QUICK_EXPORTS,
        }
        log = tmp_path / "uvicorn.log"
        with serving(project, url, log, env=env) as api:
            created = api.post("/items", json={"name": "traced"})
            assert created.status_code == 201, created.text
            item = api.get(f"/items/{created.json()['id']}")
            assert item.status_code == 200, item.text

            def item_request_with_its_select():
                servers = [
                    span
                    for _, span in receiver.spans()
                    if attribute(span.attributes, "http.route") == "/items/{id}"
                    and span.kind == span.SPAN_KIND_SERVER
                ]
                selects = [
                    span
                    for _, span in receiver.spans()
                    if str(attribute(span.attributes, "db.statement") or "").startswith("SELECT")
                ]
                return [
                    (server, select)
                    for server in servers
                    for select in selects
                    if select.trace_id == server.trace_id
                ]

            eventually(item_request_with_its_select, "GET /items/{id} with its SELECT")
            # A request waiting on a lock another process holds keeps its connection
            # checked out: the gauge counts it, and drops back once the request is done.
            holder = sqlite3.connect(tmp_path / "service.db", isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            with ThreadPoolExecutor(1) as background:
                waiting = background.submit(api.post, "/items", json={"name": "waits"})
                try:
                    eventually(lambda: 1 in checked_out(receiver), "the pool gauge at 1")
                finally:
                    holder.execute("COMMIT")
                    holder.close()
                assert waiting.result().status_code == 201, waiting.result().text
            eventually(lambda: checked_out(receiver)[-1] == 0, "the pool gauge back at 0")
            eventually(
                lambda: (
                    receiver.metric_names()
                    & {"http.server.duration", "http.server.request.duration"}
                ),
                "the request duration histogram",
            )
        output = log.read_text()

    [(server, select), *_] = item_request_with_its_select()
    # The SQL span is the request's child, not merely in its trace.
    assert select.parent_span_id == server.span_id
    assert "FROM item" in attribute(select.attributes, "db.statement")
    assert {name for name, _ in receiver.spans()} == {SERVICE_NAMES[database_api][1]}
    # The service's access line of the request carries its trace id (logging
    # instrumentation).
    trace_id = server.trace_id.hex()
    [access_line] = [line for line in output.splitlines() if f"trace={trace_id}]" in line]
    assert ".access [" in access_line and "GET /items/" in access_line, output
    assert "Traceback" not in output, output


def test_without_an_endpoint_the_service_serves_and_sends_nothing(tmp_path, telemetry_projects):
    project = telemetry_projects("sync")
    url = migrated_database(project, tmp_path, "sync")
    with otlp_receiver() as receiver:
        # Each signal's own endpoint redirects that signal once telemetry is on; alone, it
        # does not turn it on.
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{receiver.endpoint}/v1/traces",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": f"{receiver.endpoint}/v1/metrics",
            **QUICK_EXPORTS,
        }
        log = tmp_path / "uvicorn.log"
        with serving(project, url, log, env=env) as api:
            created = api.post("/items", json={"name": "untraced"})
            assert created.status_code == 201, created.text
            assert api.get(f"/items/{created.json()['id']}").status_code == 200
            # Ten export intervals: an exporter that ran would have sent by now.
            time.sleep(2)
        assert not receiver.received_anything()
    output = log.read_text()
    assert "Traceback" not in output and "opentelemetry" not in output.lower(), output


def test_telemetry_without_the_web_layer_is_refused_leaving_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = cookiecutter_cli(out, "telemetry=opentelemetry", "web_framework=none")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: telemetry: 'opentelemetry' needs web_framework=fastapi (web_framework=none"
        " serves no requests to trace); with web_framework=none, telemetry must be none"
    ], result.stderr
    assert list(out.iterdir()) == []


def test_compose_runs_a_collector_the_app_sends_to(telemetry_projects):
    project = telemetry_projects("sync")
    result = run([str(BIN_DIR / "docker-compose"), "config", "--format", "json"], cwd=project)
    services = json.loads(result.stdout)["services"]
    assert services["app"]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == (
        "http://collector:4318"
    )
    assert services["app"]["environment"]["OTEL_SERVICE_NAME"] == "my-service"
    collector = services["collector"]
    assert collector["image"].startswith("otel/opentelemetry-collector:")
    [volume] = collector["volumes"]
    assert Path(volume["source"]) == project / "otel-collector.yaml"
    assert collector["command"] == [f"--config={volume['target']}"]
    config = yaml.safe_load((project / "otel-collector.yaml").read_text())
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"] == "0.0.0.0:4318"
    for pipeline in ("traces", "metrics"):
        assert config["service"]["pipelines"][pipeline]["receivers"] == ["otlp"]
        assert config["service"]["pipelines"][pipeline]["exporters"] == ["debug"]


def test_json_lines_carry_the_trace_ids_inside_a_span(telemetry_projects):
    project = telemetry_projects("sync")
    result = run(
        [sys.executable, "-c", LOG_WITH_TRACE_IDS], cwd=project, env={"LOG_FORMAT": "json"}
    )
    in_span, outside = [json.loads(line) for line in result.stderr.splitlines()]
    assert (in_span["trace_id"], in_span["span_id"]) == ("4bf92f3577b34da6", "00f067aa")
    assert "trace_id" not in outside and "span_id" not in outside
    text = run([sys.executable, "-c", LOG_WITH_TRACE_IDS], cwd=project).stderr.splitlines()
    assert text[0].endswith(" INFO traced [- trace=4bf92f3577b34da6] in a span"), text
    assert text[1].endswith(" INFO traced [-] outside"), text
