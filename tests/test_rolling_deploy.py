"""A rolling deploy acted out with real processes on a real PostgreSQL server
(tests/rolling_deploy.py): two uvicorn replicas of build 1 serve reads and writes through
one balancer while build 2's migration runs as a process of its own, build 2's replicas
become ready, and build 1's are retired one at a time. Not one request fails, the
requests in flight when a replica gets SIGTERM are answered, and every replica in the
rotation answered /ready 200 each time it was asked. The same holds for the two deploys of
a contract after it: build 3a stops using build 2's new column while the table keeps it
(out of the mapping, no migration), then build 3b drops it, its migration running while
3a serves.

A migration that fails leaves build 1 serving, without a failed request, and the
database at the revision it had.
"""

import itertools

import pytest
from sqlalchemy import create_engine, inspect, pool, text

from tests.helpers import (
    bake_for_absent_server,
    bake_for_postgres,
    current_revision,
    hand_written_revision,
    revision_id,
)
from tests.rolling_deploy import (
    BETWEEN_STEPS,
    Balancer,
    Load,
    Replica,
    clean_exit,
    copy_build,
    drop_note,
    expand,
    migrate,
    retire_all,
    rolling_deploy,
    stop_using_note,
    story,
)

ANSWERED = "HTTP/1.1 201 Created"


@pytest.fixture(scope="module")
def build_1(tmp_path_factory):
    """The baked PostgreSQL project, as released: build 1."""
    return bake_for_postgres(tmp_path_factory.mktemp("build-1"))


def item_columns(url):
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return {column["name"] for column in inspect(connection).get_columns("item")}
    finally:
        engine.dispose()


def served_by(balancer, prefix):
    return sum(connection.replica.startswith(prefix) for connection in balancer.connections)


def test_a_rolling_deploy_fails_no_request(build_1, tmp_path, postgres_server):
    """Three deploys under one load: build 2 expands (a new table, a new nullable
    column), build 3a stops using that column while the table keeps it (no migration),
    build 3b drops it (its migration runs while 3a serves)."""
    url = postgres_server.create_database("rolling_deploy")
    developer = postgres_server.create_database("developer")
    migrate(build_1, url)
    build_2 = expand(build_1, tmp_path / "build-2", developer)
    build_3a = stop_using_note(build_2, tmp_path / "build-3a", developer)
    build_3b = drop_note(build_3a, tmp_path / "build-3b", developer)
    releases = [("build-1", build_1), ("build-2", build_2), ("build-3a", build_3a)]
    releases.append(("build-3b", build_3b))
    replicas = {
        name: [Replica(f"{name}-{n}", build, url, tmp_path) for n in "ab"]
        for name, build in releases
    }
    deploys = {}
    with Balancer() as balancer:
        try:
            balancer.serve(replicas["build-1"])
            with Load(balancer.url) as load:
                for (old, _), (new, build) in itertools.pairwise(releases):
                    deploys[new] = rolling_deploy(
                        balancer, load, replicas[old], replicas[new], build, url
                    )
        finally:
            retire_all(balancer)

    # The builds with a migration were kept out until it ran; 3a, with none, was not.
    for name in ("build-2", "build-3b"):
        kept_out = deploys[name].kept_out
        assert kept_out == [503] * len(kept_out), (name, kept_out)
    assert deploys["build-3a"].kept_out == [200] * len(deploys["build-3a"].kept_out)
    assert load.failures() == [], story(load, balancer)
    assert balancer.refused == 0
    # Every build served through the balancer, and every connection it handed a replica
    # got that replica's answer (none cut mid-flight).
    for name, _ in releases:
        assert served_by(balancer, f"{name}-") > 0, name
    cut = [c for c in balancer.connections if not c.status_line.startswith("HTTP/1.1 2")]
    assert cut == [], story(load, balancer)
    for (old, _), (new, _) in itertools.pairwise(releases):
        retired = {replica.name: ANSWERED for replica in replicas[old]}
        assert deploys[new].in_flight == retired, deploys[new].in_flight
    for replica in itertools.chain(*replicas.values()):
        assert clean_exit(replica), replica.output()
    assert balancer.flaps() == [], balancer.flaps()
    assert current_revision(build_3b, {"DATABASE_URL": url}).endswith("(head)")
    assert "note" not in item_columns(url)


def test_a_failing_migration_leaves_build_1_serving(build_1, tmp_path, postgres_server):
    url = postgres_server.create_database("failing_deploy")
    env = {"DATABASE_URL": url}
    migrate(build_1, url)
    before = current_revision(build_1, env)
    build_2 = copy_build(build_1, tmp_path / "build-2")
    hand_written_revision(
        build_2,
        "backfill that fails",
        'op.add_column("item", sa.Column("half_done", sa.Text()))\n'
        '    raise RuntimeError("the backfill failed")',
        env=env,
    )
    replicas = [Replica(f"build-1-{n}", build_1, url, tmp_path) for n in "ab"]
    with Balancer() as balancer:
        try:
            balancer.serve(replicas)
            with Load(balancer.url) as load:
                load.wait_for(BETWEEN_STEPS)
                failed = migrate(build_2, url, check=False)
                load.wait_for(BETWEEN_STEPS)
        finally:
            retire_all(balancer)

    assert failed.returncode != 0
    assert "RuntimeError: the backfill failed" in failed.stderr, failed.stderr
    assert failed.stderr.strip().splitlines()[-1] == (
        "error: the migration stopped at the revision it had before this run; the failing"
        " revision was rolled back whole. Fix the revision, then run `alembic upgrade head`"
        " again."
    ), failed.stderr
    assert load.failures() == [], load.failures()[:10]
    assert balancer.refused == 0
    assert balancer.flaps() == [], balancer.flaps()
    assert current_revision(build_1, env) == before
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert [version for (version,) in versions] == [before.split()[0]]
    assert "half_done" not in item_columns(url)


def test_a_failing_revision_on_mariadb_stops_at_a_revision_boundary(bake, mariadb_server):
    """MySQL commits DDL as it runs: the revisions before the failing one stay applied, the
    version table names the last of them, what the failing one created stays too, and
    the last line says so."""
    project = bake_for_absent_server(bake, "mysql+pymysql")
    url = mariadb_server.create_database("failing_revision")
    env = {"DATABASE_URL": url}
    migrate(project, url)
    lookup = hand_written_revision(
        project,
        "lookup table",
        'op.create_table("lookup", sa.Column("id", sa.Integer(), primary_key=True))',
        'op.drop_table("lookup")',
        env=env,
    )
    hand_written_revision(
        project,
        "backfill that fails",
        'op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))\n'
        '    raise RuntimeError("the backfill failed")',
        env=env,
    )

    failed = migrate(project, url, check=False)

    assert failed.returncode != 0
    reached = revision_id(lookup.read_text())
    assert failed.stderr.strip().splitlines()[-1] == (
        f"error: the migration stopped at revision {reached}, the last that completed;"
        " mysql commits each CREATE, ALTER or DROP as it runs, so what the failing revision"
        " changed before it failed is still there: undo that by hand (or make the revision"
        " safe to run again). Fix the revision, then run `alembic upgrade head` again."
    ), failed.stderr
    assert current_revision(project, env) == reached
    assert mariadb_server.tables(url) == {"alembic_version", "item", "lookup", "half_done"}
