"""Any text given to a free-text prompt is refused cleanly or shown exactly as given."""

import json
import tempfile
import tomllib
from pathlib import Path

from cookiecutter.main import cookiecutter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.helpers import TEMPLATE_DIR

AWKWARD = st.sampled_from(
    [
        '"',
        "'",
        '"""',
        "\\",
        "\\n",
        "\n",
        "\t",
        "é",
        "日本",
        "😀",
        "{{ 7*7 }}",
        "{% raw %}",
        "}}",
        "${HOME}",
        "<b>",
        "&",
        "#",
        "[x]",
        " ",
    ]
)
TEXT = st.lists(st.one_of(AWKWARD, st.text(max_size=4)), min_size=1, max_size=6).map("".join)
PROMPTS = st.sampled_from(["project_name", "description", "author_name"])


def bake_in(output_dir: Path, answers: dict) -> Path | None:
    try:
        return Path(
            cookiecutter(
                str(TEMPLATE_DIR),
                no_input=True,
                extra_context=answers,
                output_dir=str(output_dir),
            )
        )
    except Exception:  # noqa: BLE001 - any failure must leave no files behind
        return None


def check_project(project: Path, prompt: str, text: str) -> None:
    # Cookiecutter evaluates --no-input answers as Jinja, and the template refuses any
    # answer that changed: a bake that succeeded kept the text as given, unless the text
    # escaped itself with {% raw %}.
    kept = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"][prompt]
    if "{% raw %}" not in text:
        assert kept == text
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    if prompt == "description":
        assert pyproject["description"] == kept
    if prompt == "author_name":
        assert pyproject["authors"][0]["name"] == kept
    readme = (project / "README.md").read_text(encoding="utf-8")
    if prompt in ("project_name", "description"):
        assert kept in readme
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROMPTS, TEXT)
@example("description", 'A "quoted" service')
@example("project_name", 'Say """hi"""')
@example("description", "C:\\new\\tmp and \\N{x}")
@example("author_name", "Zoë 😀 O'Brien")
@example("description", "{% raw %}{{ 7*7 }}{% endraw %}")
def test_free_text_is_refused_or_shown_literally(prompt, text):
    with tempfile.TemporaryDirectory() as output:
        output_dir = Path(output)
        project = bake_in(output_dir, {prompt: text})
        if project is None:
            assert [path for path in output_dir.rglob("*") if path.is_file()] == []
            return
        check_project(project, prompt, text)


def test_jinja_escape_keeps_braces_literally(tmp_path):
    project = bake_in(tmp_path, {"description": "{% raw %}Totals {{ 7*7 }}{% endraw %}"})
    assert project is not None
    assert (project / "README.md").read_text().startswith("# My Service\n\nTotals {{ 7*7 }}\n")
    assert (
        tomllib.loads((project / "pyproject.toml").read_text())["project"]["description"]
        == "Totals {{ 7*7 }}"
    )
