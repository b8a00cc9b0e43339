"""Baking never opens, creates or connects to the user's database."""

import socket
import sqlite3
import threading

from tests.helpers import cookiecutter_cli, initial_revision

# A table the template's example model would conflict with: compared with this database,
# autogenerate would alter "item" instead of creating it.
CONFLICTING_SCHEMA = """
CREATE TABLE item (id INTEGER PRIMARY KEY, legacy_code TEXT NOT NULL, weight REAL);
INSERT INTO item (legacy_code, weight) VALUES ('precious', 1.5);
"""


def baked_initial_revision(output_dir, database):
    result = cookiecutter_cli(output_dir, f"database_url=sqlite:///{database}")
    assert result.returncode == 0, result.stdout + result.stderr
    return initial_revision(output_dir / "my-service").read_bytes()


def test_existing_sqlite_database_is_not_touched(tmp_path):
    database = tmp_path / "data" / "live.db"
    database.parent.mkdir()
    with sqlite3.connect(database) as connection:
        connection.executescript(CONFLICTING_SCHEMA)
    connection.close()
    before = database.stat()
    contents = database.read_bytes()

    revision = baked_initial_revision(tmp_path / "out", database)

    # The revision is what a bake for a database that does not exist yet gets: the live
    # database's own "item" table played no part.
    (tmp_path / "elsewhere").mkdir()
    assert revision == baked_initial_revision(tmp_path / "default", tmp_path / "elsewhere" / "x.db")
    assert database.read_bytes() == contents
    after = database.stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    assert sorted(path.name for path in database.parent.iterdir()) == ["live.db"]


def test_missing_sqlite_file_is_not_created(tmp_path):
    database = tmp_path / "data" / "new.db"
    database.parent.mkdir()
    baked_initial_revision(tmp_path / "out", database)
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
        initial_revision(tmp_path / "my-service")
        stop.wait(0.5)
        assert accepted == []
    finally:
        stop.set()
        listener.join(timeout=5)
        server.close()
