"""Creates the initial revision and prints the next steps (see post_gen.py)."""

import json
import sys

sys.path.insert(0, {{ template_root | tojson }})

from alembic_service_template.post_gen import main  # noqa: E402

plan = json.loads({{ cookiecutter | bake_plan | tojson | tojson }})
sys.exit(main(plan))
