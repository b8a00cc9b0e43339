"""Creates the initial revision and prints the next steps (see post_gen.py)."""

import json
import sys

sys.path.insert(0, {{ template_root | tojson }})

from alembic_service_template.post_gen import main  # noqa: E402

plan = json.loads({{ cookiecutter | bake_plan | tojson | tojson }})
# Every file is written: the answers cruft saves (.cruft.json) lose the password.
# {{ cookiecutter | forget_database_password }}
sys.exit(main(plan))
