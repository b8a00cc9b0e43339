"""Any text given to a free-text prompt is shown exactly as given, or refused for a reason:
it is text cookiecutter evaluated as Jinja, or text the answer check rejects."""

import json
import tempfile
import tomllib
from pathlib import Path

import pytest
from cookiecutter.environment import StrictEnvironment
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import render_variable
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from alembic_service_template.answers import check_text
from tests.helpers import TEMPLATE_DIR, initial_revision

FRAGMENTS = [
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
AWKWARD = st.sampled_from(FRAGMENTS)
TEXT = st.lists(st.one_of(AWKWARD, st.text(max_size=4)), min_size=1, max_size=6).map("".join)
PROMPTS = st.sampled_from(["project_name", "description", "author_name"])


# The slug is given: which names slugify to nothing is not what these tests are about.
PROJECT = {"project_slug": "free-text"}
JINJA_MARKERS = ("{{", "{%", "{#")
# Texts a template that handles free text must bake, and show as written.
MUST_BAKE = [
    ("description", 'A "quoted" service'),
    ("project_name", 'Say """hi"""'),
    ("description", "C:\\new\\tmp and \\N{x}"),
    ("author_name", "Zoë 😀 O'Brien"),
    ("description", "{% raw %}{{ 7*7 }}{% endraw %}"),
]


def bake_in(output_dir: Path, answers: dict) -> tuple[Path | None, Exception | None]:
    """The baked project, or the exception that stopped the bake."""
    try:
        project = cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={**PROJECT, **answers},
            output_dir=str(output_dir),
        )
    except Exception as error:  # noqa: BLE001 - whether it may fail is decided by the caller
        return None, error
    return Path(project), None


def as_cookiecutter_renders(text: str) -> str | None:
    """``text`` after cookiecutter's rendering of a --no-input answer (None: it raised)."""
    environment = StrictEnvironment(keep_trailing_newline=True)
    try:
        return render_variable(environment, text, {})
    except Exception:  # noqa: BLE001 - a Jinja error: the text cannot be kept as it is
        return None


def refusal_reason(text: str) -> str | None:
    """Why the template may refuse ``text``; None: it must bake it."""
    if any(marker in text for marker in JINJA_MARKERS) and as_cookiecutter_renders(text) != text:
        return "cookiecutter evaluates it as Jinja"
    return check_text(text)


def check_project(project: Path, prompt: str, text: str) -> None:
    # The answer as kept: as given, except text escaped with {% raw %} (kept unescaped).
    expected = text if "{% raw %}" not in text else as_cookiecutter_renders(text)
    kept = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"][prompt]
    assert kept == expected
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    if prompt == "description":
        assert pyproject["description"] == expected
    if prompt == "author_name":
        assert pyproject["authors"][0]["name"] == expected
    readme = (project / "README.md").read_text(encoding="utf-8")
    if prompt in ("project_name", "description"):
        assert expected in readme
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    initial_revision(project)


def assert_refused_for_a_reason_or_shown_literally(prompt: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as output:
        output_dir = Path(output)
        project, error = bake_in(output_dir, {prompt: text})
        if project is None:
            reason = refusal_reason(text)
            assert (prompt, text) not in MUST_BAKE and reason is not None, (
                f"{prompt}={text!r} was refused without a reason to: {error!r}"
            )
            assert [path for path in output_dir.rglob("*") if path.is_file()] == []
            return
        check_project(project, prompt, text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROMPTS, TEXT)
@example(*MUST_BAKE[0])
@example(*MUST_BAKE[1])
@example(*MUST_BAKE[2])
@example(*MUST_BAKE[3])
@example(*MUST_BAKE[4])
def test_free_text_is_refused_or_shown_literally(prompt, text):
    assert_refused_for_a_reason_or_shown_literally(prompt, text)


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_each_awkward_fragment_is_refused_or_shown_literally(fragment):
    assert_refused_for_a_reason_or_shown_literally("description", f"Before {fragment} after")


def test_jinja_escape_keeps_braces_literally(tmp_path):
    project, error = bake_in(tmp_path, {"description": "{% raw %}Totals {{ 7*7 }}{% endraw %}"})
    assert project is not None, error
    initial_revision(project)
    assert (project / "README.md").read_text().startswith("# My Service\n\nTotals {{ 7*7 }}\n")
    assert (
        tomllib.loads((project / "pyproject.toml").read_text())["project"]["description"]
        == "Totals {{ 7*7 }}"
    )
