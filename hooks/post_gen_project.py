"""Creates the initial revision and prints the next steps (see post_gen.py)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, {{ template_root | tojson }})

from alembic_service_template.options import excluded_paths, remove_excluded  # noqa: E402
from alembic_service_template.post_gen import main  # noqa: E402

plan = json.loads({{ cookiecutter | bake_plan | tojson | tojson }})
# Every file is written: the answers cruft saves (.cruft.json) lose the password.
# {{ cookiecutter | forget_database_password }}
# The files of the choices not made go first. This template's own options.py decides,
# from the answers the project keeps, and not a Jinja filter: cruft update renders the
# old and the new template in one process, where the filters are those of the first.
answers = json.loads(Path(".cookiecutter.json").read_text())["cookiecutter"]
remove_excluded(Path.cwd(), excluded_paths(answers))
sys.exit(main(plan))
