"""Creates the initial revision and prints the next steps (see post_gen.py)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, {{ template_root | tojson }})

from alembic_service_template.options import remove_excluded  # noqa: E402
from alembic_service_template.post_gen import main  # noqa: E402

plan = json.loads({{ cookiecutter | bake_plan | tojson | tojson }})
# Every file is written: the answers cruft saves (.cruft.json) lose the password.
# {{ cookiecutter | forget_database_password }}
# The files of the choices not made (options.py lists them) go first.
remove_excluded(Path.cwd(), plan["excluded_paths"])
sys.exit(main(plan))
