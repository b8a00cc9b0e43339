"""What the post-generation hook leaves behind besides the revision: file modes, next steps."""

import stat
from pathlib import Path

from alembic_service_template.post_gen import next_steps
from tests.helpers import cookiecutter_cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_dot_env_is_private_on_every_bake(tmp_path):
    url = "database_url=postgresql+psycopg://app:s3cret@localhost/app"
    assert cookiecutter_cli(tmp_path, url).returncode == 0
    project = tmp_path / "my-service"
    assert mode(project / ".env") == 0o600
    assert mode(project / ".env.example") == 0o644

    (project / ".env").chmod(0o644)
    rebake = cookiecutter_cli(tmp_path, url, "-f", "-s")
    assert rebake.returncode == 0, rebake.stdout + rebake.stderr
    assert mode(project / ".env") == 0o600


def test_next_steps_skip_an_install_the_bake_already_did():
    project = Path("/srv/my-service")
    assert next_steps(project, installed=False) == [
        "cd /srv/my-service",
        "poetry install",
        "poetry run alembic upgrade head",
    ]
    assert next_steps(project, installed=True) == [
        "cd /srv/my-service",
        "poetry run alembic upgrade head",
    ]
