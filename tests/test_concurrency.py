"""Bakes running at the same time do not disturb each other."""

from concurrent.futures import ThreadPoolExecutor

from tests.helpers import cookiecutter_cli, file_tree

BAKES = 8


def test_eight_simultaneous_bakes(tmp_path):
    outputs = [tmp_path / f"out{i}" for i in range(BAKES)]
    with ThreadPoolExecutor(BAKES) as pool:
        results = list(
            pool.map(
                lambda out: cookiecutter_cli(out, "database_url=postgresql://app@localhost/app"),
                outputs,
            )
        )

    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    trees = [file_tree(out / "my-service") for out in outputs]
    for tree in trees:
        assert [name for name in tree if name.startswith("alembic/versions/")] == [
            "alembic/versions/0001_initial.py"
        ]
        assert tree == trees[0]
