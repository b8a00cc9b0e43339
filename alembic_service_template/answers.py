"""Checks every answer before anything is written, and derives the values built from them.

Each check returns the reason a value is unusable, or None; :func:`review` gathers them
into one message per bad answer, naming the prompt, the value and what is allowed.
"""

from __future__ import annotations

import keyword
import re
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .database_url import (
    LEGACY_SCHEMES,
    UNENCODED_AT_IN_PASSWORD,
    DatabaseUrl,
    describe_problem,
    normalise_scheme,
    parse_database_url,
    scheme_replacements,
)
from .options import CHOICES

_BAKED_NAMES = (
    Path(__file__).resolve().parent.parent
    / "{{cookiecutter.project_slug}}"
    / "{{cookiecutter.package_name}}"
    / "scaffold"
    / "names.py"
)
SUPPORTED_PYTHON_VERSIONS = ("3.11", "3.12", "3.13", "3.14")

# Importable names the baked project already depends on, or that its layout uses.
TAKEN_PACKAGE_NAMES = frozenset(
    {
        "alembic",
        "sqlalchemy",
        "pydantic",
        "pydantic_settings",
        "psycopg",
        "pytest",
        "pytest_alembic",
        "tests",
        "fastapi",
        "starlette",
        "uvicorn",
        "httpx",
        # database_api=async
        "greenlet",
        "asyncpg",
        "aiosqlite",
        "aiomysql",
        "asyncmy",
        # telemetry=opentelemetry
        "opentelemetry",
    }
)

_SLUG = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
_LOWER_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
MAX_TEXT_LENGTH = 200


def check_text(value: str) -> str | None:
    if not value.strip():
        return "must not be empty"
    if not value.isprintable():
        return "must be a single line of printable text"
    if len(value) > MAX_TEXT_LENGTH:
        return f"must be at most {MAX_TEXT_LENGTH} characters"
    return None


def check_project_slug(value: str) -> str | None:
    if not _SLUG.fullmatch(value):
        return (
            "must be lowercase letters and digits, separated by single '-', '_' or '.'"
            " (e.g. my-service)"
        )
    return None


def _check_identifier(value: str, example: str) -> str | None:
    if not _LOWER_IDENTIFIER.fullmatch(value):
        return (
            "must be a lowercase Python identifier: letters, digits and '_', not starting"
            f" with a digit (e.g. {example})"
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "must not be a Python keyword"
    return None


def check_package_name(value: str) -> str | None:
    problem = _check_identifier(value, "my_service")
    if problem:
        return problem
    if value in sys.stdlib_module_names:
        return "must not shadow a standard-library module"
    if value in TAKEN_PACKAGE_NAMES:
        taken = ", ".join(sorted(TAKEN_PACKAGE_NAMES))
        return f"must not shadow a dependency or folder of the project ({taken})"
    return None


def check_resource_name(value: str) -> str | None:
    return _check_identifier(value, "item")


def _check_choice(prompt: str, value: str) -> str | None:
    choices = CHOICES[prompt]
    if value not in choices:
        return f"must be one of {', '.join(choices)}"
    return None


def check_web_framework(value: str) -> str | None:
    return _check_choice("web_framework", value)


def check_database_api(value: str) -> str | None:
    return _check_choice("database_api", value)


def check_telemetry(value: str, web_framework: str = "fastapi") -> str | None:
    """Telemetry instruments the web layer's requests: a project without one has none."""
    problem = _check_choice("telemetry", value)
    if problem:
        return problem
    if value != "none" and web_framework == "none":
        return (
            "needs web_framework=fastapi (web_framework=none serves no requests to trace);"
            " with web_framework=none, telemetry must be none"
        )
    return None


def check_email(value: str) -> str | None:
    if not _EMAIL.fullmatch(value):
        return "must look like name@example.com"
    return None


def check_python_version(value: str) -> str | None:
    if value not in SUPPORTED_PYTHON_VERSIONS:
        return f"must be one of {', '.join(SUPPORTED_PYTHON_VERSIONS)}"
    return None


def check_database_url(value: str, database_api: str = "sync") -> str | None:
    """Whether a ``database_api`` project can use the URL ``value``."""
    try:
        url = parse_database_url(normalise_scheme(value, database_api))
    except ValueError:
        return "must be a SQLAlchemy URL such as sqlite:///service.db or postgresql+psycopg://user:password@localhost:5432/service"
    if _unencoded_at_in_userinfo(value):
        return UNENCODED_AT_IN_PASSWORD
    return describe_problem(url, database_api)


def chosen_database_api(answers: Mapping[str, object]) -> str:
    """The ``database_api`` answer, or the default while that answer is unusable (it is
    reported on its own)."""
    value = answers.get("database_api", CHOICES["database_api"][0])
    return value if value in CHOICES["database_api"] else CHOICES["database_api"][0]


def _unencoded_at_in_userinfo(value: str) -> bool:
    """Whether a server URL holds a second '@': the first one is then the password's.

    SQLAlchemy splits at the first '@', so ``user:p@ss/word@host/db`` would otherwise
    read as host ``ss`` and database ``word@host/db``. SQLite paths may hold '@'.
    """
    scheme, separator, rest = value.partition("://")
    if not separator or "@" not in rest:
        return False
    # A host holds no '@': one between the first '@' and the path's '/' was the password's
    # (a '?' in the password may come before it).
    if "@" in rest.partition("@")[2].partition("/")[0]:
        return True
    # SQLite paths may hold '@'; a server URL's second '@' is the password's, even past a
    # '/' in the password.
    return not scheme.startswith("sqlite") and rest.partition("?")[0].count("@") > 1


CHECKS: dict[str, Callable[[str], str | None]] = {
    "project_name": check_text,
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "description": check_text,
    "author_name": check_text,
    "author_email": check_email,
    "python_version": check_python_version,
    "database_url": check_database_url,
    "resource_name": check_resource_name,
    "web_framework": check_web_framework,
    "database_api": check_database_api,
}


@dataclass
class Review:
    """What the pre-generation hook reports: errors stop the bake, notes do not."""

    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# Prompts whose defaults hold no Jinja: text given for them is the user's own.
FREE_TEXT_PROMPTS = ("project_name", "description", "author_name", "author_email")
_JINJA_MARKERS = ("{{", "{%", "{#")


def check_not_evaluated(given: str, value: str) -> str | None:
    """Cookiecutter renders answers given with --no-input or on the command line as Jinja,
    so ``{{ 7*7 }}`` arrives as ``49``: refuse that rather than bake the wrong text."""
    if value == given or not any(marker in given for marker in _JINJA_MARKERS):
        return None
    if "{% raw %}" in given:  # escaped on purpose
        return None
    return (
        f"was evaluated as Jinja by cookiecutter (giving {value!r}); to keep it as written,"
        " wrap it in {% raw %}...{% endraw %}"
    )


def review(answers: Mapping[str, object], given: Mapping[str, object] | None = None) -> Review:
    """Check ``answers``; ``given`` holds the answers as passed, before cookiecutter rendered
    them (its ``_cookiecutter`` context), where it is known."""
    result = Review()
    for prompt in FREE_TEXT_PROMPTS:
        raw, value = (given or {}).get(prompt), answers.get(prompt)
        if isinstance(raw, str) and isinstance(value, str):
            problem = check_not_evaluated(raw, value)
            if problem:
                result.errors.append(f"{prompt}: {raw!r} {problem}")
    database_api = chosen_database_api(answers)
    checks = {
        **CHECKS,
        "database_url": lambda value: check_database_url(value, database_api),
    }
    for prompt, check in checks.items():
        value = answers.get(prompt)
        if not isinstance(value, str):
            result.errors.append(f"{prompt}: expected text, got {value!r}")
            continue
        problem = check(value)
        if problem:
            shown = (
                value
                if prompt != "database_url" or not _may_hold_password(value)
                else redacted_database_url(value)
            )
            result.errors.append(f"{prompt}: {shown!r} {_as_clause(problem)}")
    # Projects baked before the prompt existed have no answer for it: the default.
    telemetry = answers.get("telemetry", CHOICES["telemetry"][0])
    problem = check_telemetry(str(telemetry), str(answers.get("web_framework")))
    if problem:
        result.errors.append(f"telemetry: {telemetry!r} {problem}")
    url = answers.get("database_url")
    if isinstance(url, str) and not result.errors:
        note = scheme_note(url.partition("://")[0], database_api)
        if note:
            result.notes.append(f"database_url: {note}")
    return result


def scheme_note(scheme: str, database_api: str) -> str | None:
    """What the bake writes instead of ``scheme``, and why; None when it keeps it."""
    replacement = scheme_replacements(database_api).get(scheme)
    if replacement is None:
        return None
    if scheme in LEGACY_SCHEMES:
        reason = "is not a SQLAlchemy scheme"
    else:
        reason = "names no driver, and database_api=async needs an async one"
    return f"'{scheme}://' {reason}; using '{replacement}://'"


def _may_hold_password(value: str) -> bool:
    try:
        url = parse_database_url(normalise_scheme(value))
    except ValueError:
        return True
    return url.password is not None or _unencoded_at_in_userinfo(value)


def _as_clause(problem: str) -> str:
    return problem if problem.startswith(("must", "is", "has")) else f"is not usable: {problem}"


def redacted_database_url(value: str, database_api: str = "sync") -> str:
    """``value`` with its password hidden, for messages and committed files."""
    value = normalise_scheme(value, database_api)
    try:
        url = parse_database_url(value)
    except ValueError:
        # Unparseable text may still hold a password: show only the scheme.
        scheme, separator, _ = value.partition("://")
        return f"{scheme}://..." if separator else "<unparseable>"
    if _unencoded_at_in_userinfo(value):
        # Everything before the last '@' is user and password.
        scheme, _, rest = normalise_scheme(value).partition("://")
        userinfo, _, server = rest.partition("?")[0].rpartition("@")
        username = userinfo.partition(":")[0]
        shown_user = username if "@" not in username and ":" in userinfo else "***"
        return (
            f"{scheme}://{shown_user}:***@{server}"
            if shown_user != "***"
            else f"{scheme}://***@{server}"
        )
    return url.render(password="***")


def database_url(value: str, database_api: str = "sync") -> DatabaseUrl:
    """The answer as the baked project will use it (schemes normalised)."""
    return parse_database_url(normalise_scheme(value, database_api))


def _baked_names() -> types.ModuleType:
    """The baked project's ``scaffold/names.py``, read from the template's own tree.

    Compiled from its source, never imported: an import would write ``__pycache__`` into
    the template, and every later bake would copy it into the project.
    """
    module = types.ModuleType("_baked_resource_names")
    exec(compile(_BAKED_NAMES.read_text(), str(_BAKED_NAMES), "exec"), module.__dict__)
    return module


# The example resource is named by the rules the baked add-resource names new ones with.
_names = _baked_names()
plural = _names.plural
class_name = _names.class_name
fill_in = _names.fill_in
