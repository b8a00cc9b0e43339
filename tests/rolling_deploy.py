"""A rolling deploy acted out with real processes: uvicorn replicas of baked builds behind
one entry point, a load of reads and writes through it, replicas replaced one at a time.
Shared by tests/test_rolling_deploy.py and benchmarks/rolling_deploy.py.

``Balancer`` stands in for a Kubernetes Service: an asyncio TCP proxy that hands each new
connection to the next replica in rotation. A replica enters the rotation once its
``/ready`` answers 200 and leaves it as soon as it answers anything else (a readiness
probe polled every ``PROBE_INTERVAL`` s). ``retire`` takes a replica out of the rotation
*before* it gets SIGTERM, then waits ``PRE_STOP_PAUSE``: Kubernetes removes a terminating
pod's endpoint while its preStop hook (a sleep) runs, and the pause must outlast the
time every proxy takes to stop sending to it. The grace period after SIGTERM must outlast
the longest request: uvicorn finishes the requests in flight, then exits.

The load clients open one connection per request (no keep-alive): with an L4 proxy a
kept-alive connection stays on its replica, and a replica that closes an idle one as it
stops would fail a client that reuses it at that instant, which is the client's retry
policy rather than the deploy under test.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import shutil
import signal
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.helpers import (
    ITEM_MODELS,
    PACKAGE,
    Service,
    alembic,
    autogenerate,
    edit,
    run,
    unused_port,
)

# How often the balancer asks each replica's /ready (a readiness probe's periodSeconds).
PROBE_INTERVAL = 0.2
# The preStop sleep: the balancer has stopped sending to a replica well before this ends.
PRE_STOP_PAUSE = 1.0
# How long a probe waits for its answer, and how many unanswered probes in a row take a
# replica out of the rotation (Kubernetes' timeoutSeconds and failureThreshold; a probe
# that times out on a busy machine is not the replica saying it is not ready). An answer
# other than 200 takes it out at once.
PROBE_TIMEOUT = 2.0
FAILURE_THRESHOLD = 3
# A replica that has not become ready in this long fails the deploy (not asserted on speed).
READY_LIMIT = 60


def image_command(project: Path) -> list[str]:
    """The command of the project's image (its Dockerfile's CMD): what each replica runs."""
    dockerfile = (project / "Dockerfile").read_text()
    command = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)[1])
    assert command[0] == "uvicorn", command
    return command


class Replica:
    """One uvicorn process of one build, run by its image's command."""

    def __init__(self, name: str, project: Path, url: str, logs: Path) -> None:
        self.name = name
        self.service = Service(project, url, logs / f"{name}.log", command=image_command(project))
        self.exit_code: int | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.service.base_url.removeprefix("http://").split(":")
        return host, int(port)

    def start(self) -> None:
        self.service.start()

    def stop(self) -> None:
        self.exit_code = self.service.stop()

    def output(self) -> str:
        return self.service.output()


@dataclass
class Probe:
    replica: str
    status: int | str  # an HTTP status, or the error's name
    in_rotation: bool  # whether the replica was in the rotation when it was asked


@dataclass
class Connection:
    """One client connection the balancer handed to a replica: the first line of the
    replica's answer, if one came."""

    replica: str
    opened: float
    status_line: str = ""
    closed: float = 0.0
    # Bytes each way, and how each direction ended ("eof" or the error).
    sent: int = 0
    received: int = 0
    ends: list[str] = field(default_factory=list)


class Balancer:
    """The entry point: a TCP proxy on a loopback port, and its readiness prober."""

    def __init__(self) -> None:
        self.port = unused_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.replicas: dict[str, Replica] = {}
        self.rotation: list[str] = []
        self.probes: list[Probe] = []
        self.connections: list[Connection] = []
        # Connections that found no replica in the rotation.
        self.refused = 0
        # What happened when (monotonic time, text): read beside a failed request's times.
        self.events: list[tuple[float, str]] = []
        self._turn = itertools.count()
        self._handlers: set[asyncio.Task] = set()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._prober = threading.Thread(target=self._probe_forever, daemon=True)

    def __enter__(self) -> Balancer:
        self._thread.start()
        self._ready.wait(10)
        self._prober.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._prober.join(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # --- the proxy ---------------------------------------------------------------------

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            # Connections still open (a replica stopped under them) end with the loop.
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    def _pick(self) -> Replica | None:
        with self._lock:
            if not self.rotation:
                return None
            return self.replicas[self.rotation[next(self._turn) % len(self.rotation)]]

    async def _handle(self, client_reader, client_writer) -> None:
        # Held until it ends: asyncio keeps only a weak reference to a connection's task
        # once its client has gone, and would collect it while it still reads the replica.
        task = asyncio.current_task()
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)
        replica = self._pick()
        if replica is None:
            self.refused += 1
            client_writer.close()
            return
        record = Connection(replica.name, time.monotonic())
        self.connections.append(record)
        try:
            backend_reader, backend_writer = await asyncio.open_connection(*replica.address)
        except OSError as error:
            self.note(f"{replica.name} refused a connection: {error!r}")
            client_writer.close()
            record.closed = time.monotonic()
            return

        async def pipe(reader, writer, first_line: bool) -> None:
            try:
                while data := await reader.read(65536):
                    if first_line:
                        record.received += len(data)
                        if not record.status_line:
                            line = data.split(b"\r\n", 1)[0]
                            record.status_line = line.decode(errors="replace")
                    else:
                        record.sent += len(data)
                    writer.write(data)
                    await writer.drain()
                record.ends.append(f"{'replica' if first_line else 'client'} eof")
            except OSError as error:
                record.ends.append(f"{'replica' if first_line else 'client'} {error!r}")
            finally:
                if writer.can_write_eof():
                    try:
                        writer.write_eof()
                    except OSError:
                        pass

        await asyncio.gather(
            pipe(client_reader, backend_writer, False), pipe(backend_reader, client_writer, True)
        )
        for writer in (client_writer, backend_writer):
            writer.close()
        record.closed = time.monotonic()

    # --- the readiness probe -----------------------------------------------------------

    def _probe_forever(self) -> None:
        with httpx.Client(timeout=PROBE_TIMEOUT) as client:
            while not self._stopping.is_set():
                for name, replica in list(self.replicas.items()):
                    self._probe(client, name, replica)
                time.sleep(PROBE_INTERVAL)

    def _probe(self, client: httpx.Client, name: str, replica: Replica) -> None:
        try:
            status: int | str = client.get(f"{replica.service.base_url}/ready").status_code
        except httpx.HTTPError as error:
            status = type(error).__name__
        with self._lock:
            if name not in self.replicas:  # retired while the probe ran
                return
            self.probes.append(Probe(name, status, name in self.rotation))
            recent = [probe.status for probe in self.probes if probe.replica == name]
            unanswered = recent[-FAILURE_THRESHOLD:]
            said_not_ready = isinstance(status, int) and status != 200
            timed_out = len(unanswered) == FAILURE_THRESHOLD and not any(
                isinstance(old, int) for old in unanswered
            )
            if status == 200 and name not in self.rotation:
                self.rotation.append(name)
                self.note(f"{name} in rotation")
            elif name in self.rotation and (said_not_ready or timed_out):
                self.rotation.remove(name)
                self.note(f"{name} out of rotation: /ready {status}")

    def note(self, event: str) -> None:
        self.events.append((time.monotonic(), event))

    # --- replicas in and out -----------------------------------------------------------

    def add(self, replica: Replica) -> None:
        """Start ``replica`` and let the prober decide when it takes traffic."""
        replica.start()
        with self._lock:
            self.replicas[replica.name] = replica

    def serve(self, replicas: list[Replica]) -> None:
        """Start ``replicas`` and wait until each takes traffic: the build already serving
        when a test begins."""
        for replica in replicas:
            self.add(replica)
            self.wait_in_rotation(replica)

    def wait_in_rotation(self, replica: Replica) -> None:
        deadline = time.monotonic() + READY_LIMIT
        while replica.name not in self.rotation:
            assert time.monotonic() < deadline, f"{replica.name} never became ready"
            time.sleep(0.05)

    def retire(self, replica: Replica) -> None:
        """Out of the rotation, the preStop pause, then SIGTERM; uvicorn drains and exits."""
        with self._lock:
            del self.replicas[replica.name]
            if replica.name in self.rotation:
                self.rotation.remove(replica.name)
        self.note(f"{replica.name} retired: out of rotation")
        time.sleep(PRE_STOP_PAUSE)
        self.note(f"{replica.name} SIGTERM")
        replica.stop()
        self.note(f"{replica.name} exited {replica.exit_code}")

    def flaps(self) -> list[Probe]:
        """Probes answered with anything but 200 while their replica was in the rotation."""
        return [
            probe
            for probe in self.probes
            if probe.in_rotation and isinstance(probe.status, int) and probe.status != 200
        ]


@dataclass
class Outcome:
    kind: str
    status: int | str
    started: float
    ended: float


EXPECTED = {"create": 201, "get": 200, "list": 200}


@dataclass
class Load:
    """Clients sending list, get and create requests of the example resource through the
    balancer until stopped; every outcome recorded."""

    url: str
    clients: int = 3
    # In the names of the items it creates: loads one after another on the same database
    # create no duplicate (the example resource's name is unique).
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Load:
        for number in range(self.clients):
            thread = threading.Thread(target=self._run, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def _run(self, number: int) -> None:
        # No keep-alive: each request on a connection of its own (see the module's text).
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=self.url, timeout=30, limits=limits) as client:
            for count in itertools.count():
                if self._stop.is_set():
                    return
                name = f"load {self.tag} {number} {count}"
                created = self._send(client, "create", "POST", "/items", json={"name": name})
                if isinstance(created, dict):
                    self._send(client, "get", "GET", f"/items/{created['id']}")
                self._send(client, "list", "GET", "/items", params={"limit": 20})

    def _send(self, client: httpx.Client, kind: str, method: str, path: str, **options):
        started = time.monotonic()
        try:
            response = client.request(method, path, **options)
            status: int | str = response.status_code
        except httpx.HTTPError as error:
            response, status = None, type(error).__name__
        self.outcomes.append(Outcome(kind, status, started, time.monotonic()))
        if response is not None and status == EXPECTED[kind]:
            return response.json()
        return None

    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status != EXPECTED[outcome.kind]]

    def wait_for(self, count: int, limit: float = 60) -> None:
        """Until ``count`` more requests have been answered (or failed)."""
        target = len(self.outcomes) + count
        deadline = time.monotonic() + limit
        while len(self.outcomes) < target and time.monotonic() < deadline:
            time.sleep(0.02)


class SlowUpload:
    """A create request held in flight on ``replica``, as one the balancer sent it just
    before taking it out of the rotation: its headers and half its body sent, the rest
    only when ``finish`` is called."""

    def __init__(self, replica: Replica, name: str) -> None:
        body = json.dumps({"name": name}).encode()
        self.rest = body[len(body) // 2 :]
        self.socket = socket.create_connection(replica.address, timeout=30)
        self.socket.sendall(
            b"POST /items HTTP/1.1\r\nHost: balancer\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body[: len(body) // 2]
        )

    def finish(self) -> str:
        """Send the rest of the body; the status line of the answer ("" if none came)."""
        try:
            self.socket.sendall(self.rest)
            answer = b""
            while chunk := self.socket.recv(65536):
                answer += chunk
        except OSError:
            pass
        finally:
            self.socket.close()
        return answer.split(b"\r\n", 1)[0].decode(errors="replace")


def copy_build(project: Path, folder: Path) -> Path:
    """A copy of ``project`` (a build's source) under ``folder``, without bytecode."""
    copy = folder / project.name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    return copy


# The example model's import line, and the column build 2 adds and build 3 drops: mapped,
# then in the table only.
ORM_IMPORT = "from sqlalchemy.orm import Mapped, mapped_column\n"
NOTE = "    note: Mapped[str | None] = mapped_column(Text)\n"
UNMAPPED_IMPORT = "from sqlalchemy.orm import Mapped, Unmapped, mapped_column, unmapped_column\n"
UNMAPPED_NOTE = "    note: Unmapped[str | None] = unmapped_column(Text)\n"


def expand(build_1: Path, folder: Path, url: str) -> Path:
    """Build 2, an expand change made the way a user does on the development database
    ``url``: a new resource (``add-resource``), then a new nullable column on the example
    model and ``alembic revision --autogenerate``. Revisions unedited."""
    build_2 = copy_build(build_1, folder)
    env = {"DATABASE_URL": url}
    migrate(build_2, url)
    run([sys.executable, "-m", f"{PACKAGE}.cli", "add-resource", "tag"], build_2, env)
    edit(
        build_2 / ITEM_MODELS,
        "    description: Mapped[str | None] = mapped_column(Text)\n",
        "    description: Mapped[str | None] = mapped_column(Text)\n" + NOTE,
    )
    migrate(build_2, url)
    autogenerate(build_2, "item note", env=env)
    return build_2


def stop_using_note(build_2: Path, folder: Path, url: str) -> Path:
    """Build 3a, the first half of a contract: ``item.note`` stays in the table (so the
    models still match the database: no revision) but leaves the mapping, so the ORM no
    longer selects or inserts it (SQLAlchemy's ``Unmapped`` with ``unmapped_column``)."""
    build_3a = copy_build(build_2, folder)
    models = build_3a / ITEM_MODELS
    edit(models, ORM_IMPORT, UNMAPPED_IMPORT)
    edit(models, NOTE, UNMAPPED_NOTE)
    migrate(build_3a, url)
    check = alembic(build_3a, "check", env={"DATABASE_URL": url})
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    return build_3a


def drop_note(build_3a: Path, folder: Path, url: str) -> Path:
    """Build 3b, the second half: ``note`` leaves the models and autogenerate writes the
    drop (the revision unedited)."""
    build_3b = copy_build(build_3a, folder)
    models = build_3b / ITEM_MODELS
    edit(models, UNMAPPED_IMPORT, ORM_IMPORT)
    edit(models, UNMAPPED_NOTE, "")
    revision = autogenerate(build_3b, "drop item note", env={"DATABASE_URL": url})
    assert 'op.drop_column("item", "note")' in revision.read_text()
    return build_3b


def migrate(project: Path, url: str, check: bool = True):
    """The deploy's migrate step: ``alembic upgrade head`` as a process of its own."""
    return alembic(project, "upgrade", "head", env={"DATABASE_URL": url}, check=check)


def clean_exit(replica: Replica) -> bool:
    """Whether the replica exited on SIGTERM after shutting down cleanly."""
    output = replica.output()
    shutdown = output.partition("Shutting down")[2]
    return (
        replica.exit_code == -signal.SIGTERM
        and "Finished server process" in shutdown
        and "ERROR" not in shutdown
        and "Traceback" not in shutdown
    )


def retire_with_a_request_in_flight(balancer: Balancer, replica: Replica) -> str:
    """Retire ``replica`` while a create request it received is still being uploaded; the
    request's body is finished only after the replica got SIGTERM. The status line of its
    answer ("" if it was cut)."""
    upload = SlowUpload(replica, f"in flight on {replica.name}")
    retiring = threading.Thread(target=balancer.retire, args=(replica,))
    retiring.start()
    deadline = time.monotonic() + PRE_STOP_PAUSE + 30
    while "Shutting down" not in replica.output() and time.monotonic() < deadline:
        time.sleep(0.02)
    # uvicorn has stopped listening and told each connection to close when done.
    time.sleep(0.3)
    status = upload.finish()
    retiring.join(60)
    return status


# Requests answered between two steps of a deploy: each step happens under load.
BETWEEN_STEPS = 20


@dataclass
class Deploy:
    """What one rolling deploy saw."""

    # /ready of the new build's first replica while the database was behind it.
    kept_out: list[int | str]
    # The status line each retired replica gave the request in flight at its SIGTERM.
    in_flight: dict[str, str]
    seconds: float


def rolling_deploy(
    balancer: Balancer, load: Load, old: list[Replica], new: list[Replica], build: Path, url: str
) -> Deploy:
    """Replace the ``old`` replicas (in rotation, under ``load``) by ``new`` ones of
    ``build``: its first replica starts before the migration (a Deployment applied beside
    its migration Job) and must be kept out until the database reaches its head; the
    migration runs as a process of its own while ``old`` serves; then one replica out for
    each replica in, as Kubernetes' maxSurge=1, maxUnavailable=0."""
    started = time.monotonic()
    load.wait_for(BETWEEN_STEPS)
    balancer.add(new[0])
    while sum(probe.replica == new[0].name for probe in balancer.probes) < 3:
        load.wait_for(1)
    kept_out = [probe.status for probe in balancer.probes if probe.replica == new[0].name]
    balancer.note("migration starts")
    migrate(build, url)
    balancer.note("migration ends")
    load.wait_for(BETWEEN_STEPS)
    in_flight = {}
    for index, replica in enumerate(old):
        if index:
            balancer.add(new[index])
        balancer.wait_in_rotation(new[index])
        load.wait_for(BETWEEN_STEPS)
        in_flight[replica.name] = retire_with_a_request_in_flight(balancer, replica)
        load.wait_for(BETWEEN_STEPS)
    return Deploy(kept_out, in_flight, time.monotonic() - started)


def retire_all(balancer: Balancer) -> None:
    for replica in list(balancer.replicas.values()):
        balancer.retire(replica)


def story(load: Load, balancer: Balancer) -> str:
    """The failed requests, the deploy's events and the connections left unanswered, in
    the order they happened: a failing assertion's message."""
    unanswered = [c for c in balancer.connections if not c.status_line.startswith("HTTP/1.1 2")]
    lines = [(o.started, f"request {o.kind} -> {o.status}") for o in load.failures()]
    lines += balancer.events
    lines += [
        (
            c.opened,
            f"connection to {c.replica}: {c.status_line!r}, sent {c.sent} B,"
            f" received {c.received} B, {c.closed - c.opened:.3f} s, ends {c.ends}",
        )
        for c in unanswered
    ]
    return "\n".join(f"{moment:.3f} {text}" for moment, text in sorted(lines))
