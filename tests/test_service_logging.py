"""The baked service's logs, request IDs and error answers, from a real uvicorn process:
JSON lines (LOG_FORMAT=json) or text, one ID per request in its answer and in every line
logged while serving it, one traceback per unexpected error and none in the answer, no
password in any line, and invalid logging settings stopping startup with one line.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cookiecutter.main import cookiecutter

from tests.helpers import TEMPLATE_DIR, Service, alembic, python, refused_start, run, serving
from tests.postgres import free_port

PACKAGE = "my_service"
# A resource of the test's own project whose route logs, then fails as a bug would: from a
# worker thread (a sync route), so its line shows the request ID reaches threads too.
FAILING_ROUTER = """\
import logging
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

router = APIRouter(prefix="/failing")
logger = logging.getLogger(__name__)


@router.get("")
def fail() -> None:
    logger.warning("about to fail")
    raise RuntimeError("a bug with a secret detail")


@router.get("/midway")
def fail_midway() -> StreamingResponse:
    def lines() -> Iterator[bytes]:
        yield b"first line\\n"
        raise RuntimeError("a bug after the answer started")

    return StreamingResponse(lines(), media_type="text/plain")
"""
TRACEBACK = "Traceback (most recent call last)"
RANDOM_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def failing_project(tmp_path_factory) -> Path:
    """A default bake with a resource whose route raises; other tests' projects stay as baked."""
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path_factory.mktemp("failing"))
        )
    )
    resource = project / PACKAGE / "resources" / "failing"
    resource.mkdir()
    (resource / "__init__.py").write_text("")
    (resource / "router.py").write_text(FAILING_ROUTER)
    return project


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'service.db'}"


def records(log: Path) -> list[dict]:
    """Every line of the log as JSON: any line that is not fails the test."""
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}\n{log.read_text()}")
    return parsed


def test_json_logs_carry_each_requests_id_and_one_traceback_per_error(failing_project, tmp_path):
    url = sqlite_url(tmp_path)
    alembic(failing_project, "upgrade", "head", env={"DATABASE_URL": url})
    log = tmp_path / "uvicorn.log"
    # The README's command, `uvicorn my_service.main:app`.
    with serving(
        failing_project, url, log, env={"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    ) as client:
        kept = client.get("/items", headers={"X-Request-ID": "edge-7f.A_b"})
        replaced = client.get("/items", headers={"X-Request-ID": "two words"})
        too_long = client.get("/items", headers={"X-Request-ID": "x" * 129})
        generated = client.post("/items", json={"name": "logged"})
        failed = client.get("/failing", headers={"X-Request-ID": "failing-1"})
        missing = client.get("/no-such-path")
        wrong_method = client.put("/items")

    assert kept.headers["x-request-id"] == "edge-7f.A_b"
    for response in (replaced, too_long, generated, missing, wrong_method):
        assert RANDOM_ID.fullmatch(response.headers["x-request-id"]), response.headers
    ids = [response.headers["x-request-id"] for response in (replaced, too_long, generated)]
    assert len(set(ids)) == 3, ids

    # An unexpected error: a JSON 500 with the request's ID, nothing of the error itself.
    assert failed.status_code == 500
    assert failed.headers["x-request-id"] == "failing-1"
    assert failed.json() == {"detail": "Internal Server Error", "request_id": "failing-1"}
    assert "secret detail" not in failed.text and "Traceback" not in failed.text
    # The router's own errors have the same shape.
    for response, status, detail in ((missing, 404, "Not Found"), (wrong_method, 405, None)):
        assert response.status_code == status
        body = response.json()
        assert body["request_id"] == response.headers["x-request-id"], body
        if detail:
            assert body["detail"] == detail
    # The 405 still says which methods the path takes.
    assert "GET" in wrong_method.headers["allow"], wrong_method.headers

    logged = records(log)
    by_request: dict[str, list[dict]] = {}
    for record in logged:
        assert {"time", "level", "logger", "message", "request_id"} <= record.keys(), record
        # UTC, saying so: a collector reads the time without knowing the host's zone.
        assert record["time"].endswith("+00:00"), record
        by_request.setdefault(record["request_id"], []).append(record)
    # Each request has its access line, with its ID, instead of uvicorn's.
    for response in (kept, replaced, too_long, generated, failed, missing, wrong_method):
        lines = by_request.get(response.headers["x-request-id"], [])
        access = [line for line in lines if line["logger"] == f"{PACKAGE}.access"]
        assert len(access) == 1, (response.request.url, lines)
        assert access[0]["method"] == response.request.method
        assert access[0]["path"] == response.request.url.path
        assert access[0]["status"] == response.status_code
        assert access[0]["duration_ms"] >= 0
    assert not [record for record in logged if record["logger"] == "uvicorn.access"]
    # uvicorn's own lines come out as JSON too.
    assert "Application startup complete." in [record["message"] for record in logged]

    # The failing request's lines: the route's own (logged from a worker thread) and the
    # error's, whose traceback is logged once, and only there.
    failing = {record["message"]: record for record in by_request["failing-1"]}
    assert "about to fail" in failing, by_request["failing-1"]
    errors = [record for record in logged if "exception" in record]
    assert len(errors) == 1, errors
    assert errors[0]["request_id"] == "failing-1"
    assert "RuntimeError: a bug with a secret detail" in errors[0]["exception"]
    assert log.read_text().count(TRACEBACK) == 1, log.read_text()


def test_text_logs_are_lines_for_people_from_the_images_command(failing_project, tmp_path):
    url = sqlite_url(tmp_path)
    alembic(failing_project, "upgrade", "head", env={"DATABASE_URL": url})
    command = json.loads(
        re.search(r"^CMD (\[.*\])$", (failing_project / "Dockerfile").read_text(), re.M)[1]
    )
    log = tmp_path / "uvicorn.log"
    with serving(
        failing_project, url, log, env={"LOG_FORMAT": "text", "LOG_LEVEL": "INFO"}, command=command
    ) as client:
        assert client.get("/health", headers={"X-Request-ID": "text-1"}).status_code == 200
        assert client.get("/failing", headers={"X-Request-ID": "text-2"}).status_code == 500
        # A path whose %0A, decoded, would start a line of its own.
        forging = client.get("/items%0Aforged-line", headers={"X-Request-ID": "text-3"})
        assert forging.status_code == 404
    output = log.read_text()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    assert re.search(
        rf"^{stamp} INFO uvicorn\.error \[-\] Application startup complete\.$", output, re.M
    ), output
    assert re.search(
        rf"^{stamp} INFO {PACKAGE}\.access \[text-1\] GET /health 200 [0-9.]+ms$", output, re.M
    ), output
    assert re.search(
        rf"^{stamp} ERROR {PACKAGE}\.api\.request_context \[text-2\]"
        rf" Unhandled error: GET /failing\n{re.escape(TRACEBACK)}",
        output,
        re.M,
    ), output
    assert output.count(TRACEBACK) == 1, output
    assert '"GET /health HTTP/1.1" 200' not in output  # uvicorn's access line
    assert re.search(
        rf"^{stamp} INFO {PACKAGE}\.access \[text-3\] GET /items%0Aforged-line 404 [0-9.]+ms$",
        output,
        re.M,
    ), output
    assert "\nforged-line" not in output, output


def test_an_error_after_the_answer_started_is_logged_once_and_cuts_it(failing_project, tmp_path):
    log = tmp_path / "uvicorn.log"
    with serving(
        failing_project, sqlite_url(tmp_path), log, env={"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    ) as client:
        # The status line and the first chunk are sent: the client can only be told by
        # the answer being cut short, not by a second answer.
        with pytest.raises(httpx.RemoteProtocolError):
            with client.stream(
                "GET", "/failing/midway", headers={"X-Request-ID": "midway-1"}
            ) as response:
                assert response.status_code == 200
                assert response.headers["x-request-id"] == "midway-1"
                response.read()
        assert client.get("/health").status_code == 200
    logged = records(log)
    errors = [record for record in logged if "exception" in record]
    assert len(errors) == 1, errors
    assert errors[0]["request_id"] == "midway-1"
    assert "RuntimeError: a bug after the answer started" in errors[0]["exception"]
    assert log.read_text().count(TRACEBACK) == 1, log.read_text()
    [access] = [
        record
        for record in logged
        if record["logger"] == f"{PACKAGE}.access" and record["request_id"] == "midway-1"
    ]
    assert access["status"] == 200, access


def test_log_level_warning_leaves_out_uvicorns_info_lines_and_access_lines(
    failing_project, tmp_path
):
    log = tmp_path / "uvicorn.log"
    service = Service(
        failing_project,
        sqlite_url(tmp_path),
        log,
        env={"LOG_FORMAT": "json", "LOG_LEVEL": "WARNING"},
    )
    service.start()
    try:
        with httpx.Client(base_url=service.base_url, timeout=30) as client:
            assert client.get("/failing", headers={"X-Request-ID": "quiet-1"}).status_code == 500
    finally:
        exit_code = service.stop()
    assert exit_code == -signal.SIGTERM, service.output()
    # Only the failing route's warning and its error: none of uvicorn's startup and
    # shutdown lines, no access line (all at INFO).
    logged = [(record["level"], record["logger"], record["request_id"]) for record in records(log)]
    assert logged == [
        ("WARNING", f"{PACKAGE}.resources.failing.router", "quiet-1"),
        ("ERROR", f"{PACKAGE}.api.request_context", "quiet-1"),
    ], logged


def test_no_log_line_shows_the_database_password(failing_project, tmp_path):
    password = "s3cr3t-Pa55"
    # Nothing listens there: each request that needs the database logs the outage.
    url = f"postgresql+psycopg://app:{password}@127.0.0.1:{free_port()}/app"
    log = tmp_path / "uvicorn.log"
    with serving(
        failing_project, url, log, env={"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}
    ) as client:
        assert client.get("/items").status_code == 503
        assert client.post("/items", json={"name": "while down"}).status_code == 503
    logged = records(log)
    messages = [record["message"] for record in logged]
    assert any(
        message.startswith("Database: postgresql+psycopg://app:***@") for message in messages
    )
    outages = [record for record in logged if record["message"].startswith("Database unavailable")]
    assert len(outages) == 2 and all("exception" in record for record in outages), messages
    assert password not in log.read_text()


def start(project: Path, tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {
        "DATABASE_URL": sqlite_url(tmp_path),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "text",
        **settings,
    }
    return refused_start(project, env)


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("LOG_LEVEL", "LOUD", "'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'"),
        ("LOG_FORMAT", "xml", "'text' or 'json'"),
        ("CORS_ORIGINS", "*", "CORS_ORIGINS takes origins such as https://example.com"),
    ],
)
def test_an_invalid_setting_read_at_import_stops_startup_with_one_line(
    failing_project, tmp_path, name, value, accepted
):
    result = start(failing_project, tmp_path, **{name: value})
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: invalid setting {name}={value!r}: "), result.stderr
    assert accepted in lines[0], result.stderr


# Two records from application code, one below the default level.
LOG_AT_TWO_LEVELS = f"""
import logging
from {PACKAGE}.logging_config import configure_logging

configure_logging()
logger = logging.getLogger("records")
logger.info("at info")
logger.debug("below the level")
"""


@pytest.fixture(scope="module")
def project_without_web_layer(tmp_path_factory) -> Path:
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"web_framework": "none"},
            output_dir=str(tmp_path_factory.mktemp("no-web")),
        )
    )


def test_log_level_and_format_apply_without_a_web_layer(project_without_web_layer):
    result = python(project_without_web_layer, LOG_AT_TWO_LEVELS, env={"LOG_FORMAT": "json"})
    [record] = [json.loads(line) for line in result.stderr.splitlines()]
    assert (record["level"], record["logger"], record["message"]) == ("INFO", "records", "at info")
    assert record["request_id"] == "-"
    # No telemetry in this project: no trace fields.
    assert "trace_id" not in record

    text = python(project_without_web_layer, LOG_AT_TWO_LEVELS, env={"LOG_LEVEL": "debug"})
    lines = text.stderr.splitlines()
    assert len(lines) == 2, text.stderr
    assert lines[0].endswith(" INFO records [-] at info"), lines
    assert lines[1].endswith(" DEBUG records [-] below the level"), lines


def test_the_projects_command_stops_on_an_invalid_log_setting_with_one_line(
    project_without_web_layer,
):
    result = run(
        [sys.executable, "-m", f"{PACKAGE}.cli", "add-resource", "order_line"],
        cwd=project_without_web_layer,
        env={"LOG_FORMAT": "yaml"},
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr == (
        "error: invalid setting LOG_FORMAT='yaml': Input should be 'text' or 'json'\n"
    )
    assert not (project_without_web_layer / PACKAGE / "resources" / "order_line").exists()
