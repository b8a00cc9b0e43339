"""A rolling deploy acted out with real processes on a real PostgreSQL server
(tests/rolling_deploy.py): two uvicorn replicas of build 1 serve reads and writes through
one balancer while build 2's migration runs as a process of its own, build 2's replicas
become ready, and build 1's are retired one at a time. Not one request fails, the
requests in flight when a replica gets SIGTERM are answered, and every replica in the
rotation answered /ready 200 each time it was asked.

A migration that fails leaves build 1 serving, without a failed request, and the
database at the revision it had.
"""

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
    expand,
    migrate,
    retire_all,
    rolling_deploy,
    story,
)

ANSWERED = "HTTP/1.1 201 Created"


@pytest.fixture(scope="module")
def build_1(tmp_path_factory):
    """The baked PostgreSQL project, as released: build 1."""
    return bake_for_postgres(tmp_path_factory.mktemp("build-1"))


def served_by(balancer, prefix):
    return sum(connection.replica.startswith(prefix) for connection in balancer.connections)


def test_a_rolling_deploy_fails_no_request(build_1, tmp_path, postgres_server):
    url = postgres_server.create_database("rolling_deploy")
    migrate(build_1, url)
    build_2 = expand(build_1, tmp_path / "build-2", postgres_server.create_database("developer"))
    logs = tmp_path
    old = [Replica(f"build-1-{n}", build_1, url, logs) for n in "ab"]
    new = [Replica(f"build-2-{n}", build_2, url, logs) for n in "ab"]
    with Balancer() as balancer:
        try:
            for replica in old:
                balancer.add(replica)
                balancer.wait_in_rotation(replica)
            with Load(balancer.url) as load:
                deploy = rolling_deploy(balancer, load, old, new, build_2, url)
        finally:
            retire_all(balancer)

    assert deploy.kept_out == [503] * len(deploy.kept_out), deploy.kept_out
    assert load.failures() == [], story(load, balancer)
    assert balancer.refused == 0
    # Both builds served through the balancer, and every connection it handed a replica
    # got that replica's answer (none cut mid-flight).
    assert served_by(balancer, "build-1-") > 0 and served_by(balancer, "build-2-") > 0
    cut = [c for c in balancer.connections if not c.status_line.startswith("HTTP/1.1 2")]
    assert cut == [], story(load, balancer)
    assert deploy.in_flight == {replica.name: ANSWERED for replica in old}, deploy.in_flight
    for replica in old + new:
        assert clean_exit(replica), replica.output()
    assert balancer.flaps() == [], balancer.flaps()
    assert current_revision(build_2, {"DATABASE_URL": url}).endswith("(head)")


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
            for replica in replicas:
                balancer.add(replica)
                balancer.wait_in_rotation(replica)
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
            columns = {column["name"] for column in inspect(connection).get_columns("item")}
    finally:
        engine.dispose()
    assert [version for (version,) in versions] == [before.split()[0]]
    assert "half_done" not in columns


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
