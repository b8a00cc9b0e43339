"""Stops the bake, before any file is written, when an answer is unusable.

The answers were checked by the template's Jinja extension while this file was
rendered; only the verdict is rendered here, never an answer such as a password.
"""

import json
import sys

# _cookiecutter: the answers as given, before cookiecutter rendered them (not under cruft).
review = json.loads(
    {{ cookiecutter | answer_review(_cookiecutter | default({})) | tojson | tojson }}
)
for note in review["notes"]:
    print(f"note: {note}")
for error in review["errors"]:
    print(f"error: {error}", file=sys.stderr)
sys.exit(1 if review["errors"] else 0)
