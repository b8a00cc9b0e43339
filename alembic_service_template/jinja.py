"""Jinja filters that hand the templates and hooks values derived from the answers.

Listed in ``cookiecutter.json`` under ``_extensions``. A filter never raises on a bad
answer (rendering happens before validation): it returns '' and the pre-generation
hook reports the answer instead.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

from . import answers as answer_checks
from .database_url import driver_requirement, normalise_scheme

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
# The name of the project's folder in the template, which cookiecutter renders on its own.
PROJECT_FOLDER = "{{cookiecutter.project_slug}}"
# Context entries that describe this machine or run, not the project.
_NOT_ANSWERS = ("_output_dir", "_repo_dir", "_checkout", "_commit")


def _usable_url(value: str, database_api: str = "sync"):
    if answer_checks.check_database_api(database_api):
        database_api = "sync"  # reported by the pre-generation hook
    if answer_checks.check_database_url(value, database_api):
        return None
    return answer_checks.database_url(value, database_api)


def database_backend(value: str, database_api: str = "sync") -> str:
    url = _usable_url(value, database_api)
    return url.backend if url else ""


def database_driver_requirement(value: str, database_api: str = "sync") -> str:
    url = _usable_url(value, database_api)
    return driver_requirement(url, database_api) if url else ""


def redacted_database_url(value: str, database_api: str = "sync") -> str:
    if answer_checks.check_database_api(database_api):
        database_api = "sync"
    return answer_checks.redacted_database_url(value, database_api)


def normalised_database_url(value: str, database_api: str = "sync") -> str:
    """The URL as ``.env`` holds it: the scheme the project's database API reads."""
    if answer_checks.check_database_api(database_api):
        database_api = "sync"
    return normalise_scheme(value, database_api)


def project_folder(slug: str) -> str:
    """The folder cookiecutter creates, before any hook runs, for the project.

    A slug with path separators (refused by the pre-generation hook) becomes one flat
    name: cookiecutter removes only the last folder of a path it created.
    """
    if answer_checks.check_project_slug(slug) is None:
        return slug
    return slug.replace("/", "_").replace("\\", "_")


def answer_review(
    cookiecutter: Mapping[str, object], given: Mapping[str, object] | None = None
) -> dict[str, list[str]]:
    result = answer_checks.review(cookiecutter, given)
    return {"errors": result.errors, "notes": result.notes}


def bake_plan(cookiecutter: Mapping[str, object]) -> dict[str, object]:
    """What the post-generation hook needs: names and the dialect; no URL."""
    return {
        "project_slug": cookiecutter["project_slug"],
        "package_name": cookiecutter["package_name"],
        "dialect": cookiecutter["__database_backend"],
    }


def forget_database_password(cookiecutter: MutableMapping[str, object]) -> str:
    """Drop the password from the ``database_url`` answer once every file is written.

    Rendered by the post-generation hook, after .env (the password's only destination):
    cruft writes .cruft.json from this same mapping when the bake ends, and that file is
    committed. Renders as nothing.
    """
    value = cookiecutter.get("database_url")
    if isinstance(value, str):
        cookiecutter["database_url"] = _without_password(value, _database_api(cookiecutter))
    return ""


def answers_to_keep(cookiecutter: Mapping[str, object]) -> str:
    """The answers as a replay file (``cookiecutter --replay-file``), without the password.

    The password stays in .env alone; a replayed bake with ``--skip-if-file-exists``
    keeps that .env.
    """
    kept = {
        key: _without_password(value, _database_api(cookiecutter))
        if key == "database_url"
        else value
        for key, value in cookiecutter.items()
        if key not in _NOT_ANSWERS
    }
    return json.dumps({"cookiecutter": kept}, indent=2, ensure_ascii=False) + "\n"


def _database_api(cookiecutter: Mapping[str, object]) -> str:
    return str(cookiecutter.get("database_api", "sync"))


def _without_password(value: str, database_api: str = "sync") -> str:
    url = _usable_url(value, database_api)
    if url:
        return url.render(password=None)
    return answer_checks.redacted_database_url(value, database_api)


def dotenv_quoted(value: str) -> str:
    """``value`` single-quoted for .env: python-dotenv expands nothing inside ''."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def new_password() -> str:
    """A fresh random password for a database the project runs itself (compose's): URL-safe,
    so it goes into a URL as it is."""
    return secrets.token_hex(16)


class _HookFailureWithoutTraceback(logging.Filter):
    """Drops cookiecutter's own traceback from a failed hook's log line on the terminal.

    The hook has already printed why it failed (one ``error:`` line per bad answer);
    the traceback only shows cookiecutter's internals. Verbose runs (``-v``) and the
    ``--debug-file`` log keep it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and type(record.exc_info[1]).__name__ == "FailedHookException":
            record.exc_info = None
            record.exc_text = None
        return True


def _shorten_hook_failures() -> None:
    # The cookiecutter CLI gives its logger one stream handler, at INFO unless verbose.
    for handler in logging.getLogger("cookiecutter").handlers:
        if (
            type(handler) is logging.StreamHandler
            and handler.level > logging.DEBUG
            and not any(isinstance(f, _HookFailureWithoutTraceback) for f in handler.filters)
        ):
            handler.addFilter(_HookFailureWithoutTraceback())


class TemplateExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        # tojson writes TOML strings too: TOML has no surrogate-pair escapes, so
        # characters outside ASCII are written as themselves.
        environment.policies["json.dumps_kwargs"] = {
            "sort_keys": True,
            "ensure_ascii": False,
        }
        _shorten_hook_failures()
        environment.filters.update(
            answer_review=answer_review,
            answers_to_keep=answers_to_keep,
            bake_plan=bake_plan,
            class_name=answer_checks.class_name,
            database_backend=database_backend,
            driver_requirement=database_driver_requirement,
            fill_in=answer_checks.fill_in,
            dotenv_quoted=dotenv_quoted,
            forget_database_password=forget_database_password,
            normalised_database_url=normalised_database_url,
            plural=answer_checks.plural,
            project_folder=project_folder,
            redacted_database_url=redacted_database_url,
        )
        environment.globals["template_root"] = str(TEMPLATE_ROOT)
        environment.globals["new_password"] = new_password

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        # The folder's name is the template's layout contract, so it is filtered here.
        if source == PROJECT_FOLDER:
            return "{{ cookiecutter.project_slug | project_folder }}"
        return source
