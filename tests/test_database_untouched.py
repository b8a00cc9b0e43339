"""Baking never opens, creates or connects to the user's database."""

import socket
import threading

from tests.helpers import cookiecutter_cli


def test_existing_sqlite_file_is_not_touched(tmp_path):
    database = tmp_path / "data" / "live.db"
    database.parent.mkdir()
    database.write_bytes(b"SQLite format 3\x00 precious bytes " * 100)
    before = database.stat()
    contents = database.read_bytes()

    result = cookiecutter_cli(tmp_path / "out", f"database_url=sqlite:///{database}")

    assert result.returncode == 0, result.stdout + result.stderr
    assert database.read_bytes() == contents
    after = database.stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    assert sorted(path.name for path in database.parent.iterdir()) == ["live.db"]


def test_missing_sqlite_file_is_not_created(tmp_path):
    database = tmp_path / "data" / "new.db"
    database.parent.mkdir()
    result = cookiecutter_cli(tmp_path / "out", f"database_url=sqlite:///{database}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(database.parent.iterdir()) == []
    assert [path.name for path in (tmp_path / "out" / "my-service").glob("*.db")] == []


def test_reachable_server_gets_no_connection(tmp_path):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted = []
    stop = threading.Event()

    def accept_all():
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(address)
            connection.close()

    listener = threading.Thread(target=accept_all, daemon=True)
    listener.start()
    try:
        # The listener works: a probe connection is seen.
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        for _ in range(50):
            if accepted:
                break
            stop.wait(0.05)
        assert len(accepted) == 1
        accepted.clear()

        result = cookiecutter_cli(
            tmp_path,
            f"database_url=postgresql+psycopg://app:secret@127.0.0.1:{port}/app",
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert (tmp_path / "my-service" / "alembic" / "versions" / "0001_initial.py").is_file()
        stop.wait(0.5)
        assert accepted == []
    finally:
        stop.set()
        listener.join(timeout=5)
        server.close()
