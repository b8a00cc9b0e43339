"""The answer checks and the database URL reader, as pure functions."""

import json
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from alembic_service_template import answers
from alembic_service_template.database_url import (
    DatabaseUrl,
    _parse_with_stdlib,
    driver_requirement,
    normalise_scheme,
    parse_database_url,
)
from tests.helpers import TEMPLATE_DIR

GOOD_ANSWERS = {
    "project_name": "My Service",
    "project_slug": "my-service",
    "package_name": "my_service",
    "description": "A service.",
    "author_name": "Ada Lovelace",
    "author_email": "ada@example.com",
    "python_version": "3.11",
    "database_url": "sqlite:///my_service.db",
    "resource_name": "item",
    "web_framework": "fastapi",
    "database_api": "sync",
}


@pytest.mark.parametrize(
    "value", ["my_service", "core", "service2", "_private", "a_b_c", "billing_api"]
)
def test_package_name_accepts_lowercase_identifiers(value):
    assert answers.check_package_name(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("class", "keyword"),
        ("import", "keyword"),
        ("match", "keyword"),
        ("case", "keyword"),
        ("json", "standard-library"),
        ("os", "standard-library"),
        ("logging", "standard-library"),
        ("alembic", "dependency"),
        ("sqlalchemy", "dependency"),
        ("pydantic_settings", "dependency"),
        ("tests", "dependency"),
        ("my-pkg", "identifier"),
        ("1abc", "identifier"),
        ("MyPkg", "identifier"),
        ("my pkg", "identifier"),
        ("", "identifier"),
        ("é", "identifier"),
    ],
)
def test_package_name_rejects(value, reason):
    problem = answers.check_package_name(value)
    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize(
    "value", ["my-service", "my_service", "my.service", "a", "svc2", "a-b_c.d"]
)
def test_project_slug_accepts(value):
    assert answers.check_project_slug(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "a/b",
        "..",
        ".",
        "a b",
        "",
        "-a",
        "a-",
        "a--b",
        "A",
        "../x",
        "a\\b",
        "~x",
        "a\nb",
    ],
)
def test_project_slug_rejects(value):
    problem = answers.check_project_slug(value)
    assert problem is not None
    assert "must be lowercase letters and digits, separated by single '-', '_' or '.'" in problem


@pytest.mark.parametrize("value", ["item", "order_line", "_x", "thing2"])
def test_resource_name_accepts(value):
    assert answers.check_resource_name(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Item", "must be a lowercase Python identifier"),
        ("order-line", "must be a lowercase Python identifier"),
        ("2x", "not starting with a digit"),
        ("", "must be a lowercase Python identifier"),
        ("a b", "must be a lowercase Python identifier"),
        ("class", "must not be a Python keyword"),
        ("match", "must not be a Python keyword"),
    ],
)
def test_resource_name_rejects(value, reason):
    problem = answers.check_resource_name(value)
    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize("value", ["you@example.com", "a.b+c@mail.example.org", "x@y.io"])
def test_email_accepts(value):
    assert answers.check_email(value) is None


@pytest.mark.parametrize(
    "value", ["", "you", "you@", "@example.com", "you@example", "a b@c.d", "a@b@c.d"]
)
def test_email_rejects(value):
    problem = answers.check_email(value)
    assert problem is not None
    assert problem == "must look like name@example.com"


@pytest.mark.parametrize("value", answers.SUPPORTED_PYTHON_VERSIONS)
def test_python_version_accepts_supported(value):
    assert answers.check_python_version(value) is None


@pytest.mark.parametrize("value", ["3.8", "3.10", "3", "3.11.1", "", "4.0"])
def test_python_version_rejects(value):
    problem = answers.check_python_version(value)
    assert problem is not None
    assert problem == "must be one of 3.11, 3.12, 3.13, 3.14"


def test_supported_python_versions_are_the_prompt_choices():
    choices = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["python_version"]
    assert tuple(choices) == answers.SUPPORTED_PYTHON_VERSIONS


@pytest.mark.parametrize(
    "value", ["My Service", "Ünïcødé ✓", "a \"quoted\" 'name' \\ {x}", "x" * 200]
)
def test_text_accepts(value):
    assert answers.check_text(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("two\nlines", "must be a single line of printable text"),
        ("tab\there", "must be a single line of printable text"),
        ("nul\x00", "must be a single line of printable text"),
        ("x" * 201, "must be at most 200 characters"),
    ],
)
def test_text_rejects(value, reason):
    problem = answers.check_text(value)
    assert problem is not None
    assert problem == reason


@pytest.mark.parametrize(
    "value",
    [
        "sqlite:///service.db",
        "sqlite:////var/lib/service/data.db",
        "postgresql://app@localhost/app",
        "postgresql+psycopg://app:secret@localhost:5432/app",
        "postgresql+psycopg2://app@db.internal/app",
        "postgresql+pg8000://app@127.0.0.1:5433/app",
        "postgresql+psycopg://app:p%40ss%3Aw%2Frd%25@localhost/app",
        "postgresql+psycopg://app@[::1]:5432/app",
        "mysql://app@localhost/app",
        "mysql+pymysql://app:secret@localhost:3306/app",
        "postgres://app@localhost/app",
    ],
)
def test_database_url_accepts(value):
    assert answers.check_database_url(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("oracle://app@localhost/app", "backend 'oracle' is not supported"),
        ("mssql+pyodbc://app@localhost/app", "not supported"),
        ("postgresql+asyncpg://app@localhost/app", "async-only driver 'asyncpg'"),
        ("sqlite+aiosqlite:///x.db", "async-only driver 'aiosqlite'"),
        ("postgresql+foo://app@localhost/app", "driver 'foo' is not supported"),
        ("postgresql+psycopg://app:p@ss@localhost/app", "percent-encode"),
        ("postgresql+psycopg://app:p@ss/word@localhost/app", "percent-encode"),
        ("mysql+pymysql://app:p@ss@localhost:3306/app", "percent-encode"),
        ("postgresql+psycopg://app@localhost", "names no database"),
        ("postgresql+psycopg://app@localhost/", "names no database"),
        ("sqlite://", "names no database"),
        ("sqlite:///:memory:", "names no database"),
        ("postgresql+psycopg:///app", "names no host"),
        ("garbage text", "SQLAlchemy URL"),
        ("", "SQLAlchemy URL"),
        ("postgresql+psycopg://app@localhost:port/app", "SQLAlchemy URL"),
    ],
)
def test_database_url_rejects(value, reason):
    problem = answers.check_database_url(value)
    assert problem is not None
    assert reason in problem


def test_postgres_scheme_is_normalised_with_a_note():
    assert (
        normalise_scheme("postgres://app@localhost/app") == "postgresql+psycopg://app@localhost/app"
    )
    assert normalise_scheme("postgresql://app@localhost/app") == "postgresql://app@localhost/app"
    result = answers.review({**GOOD_ANSWERS, "database_url": "postgres://app:secret@localhost/app"})
    assert result.errors == []
    assert len(result.notes) == 1
    assert "postgres://" in result.notes[0] and "postgresql+psycopg://" in result.notes[0]
    assert "secret" not in result.notes[0]
    assert answers.database_url("postgres://app@localhost/app").drivername == "postgresql+psycopg"


# --- database_api=async ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "postgresql+asyncpg://app:secret@localhost:5432/app",
        "postgresql+psycopg://app@localhost/app",
        "sqlite+aiosqlite:///service.db",
        "mysql+aiomysql://app@localhost/app",
        "mysql+asyncmy://app@localhost/app",
    ],
)
def test_async_accepts_async_drivers(value):
    assert answers.check_database_url(value, "async") is None
    assert answers.review({**GOOD_ANSWERS, "database_api": "async", "database_url": value}) == (
        answers.Review()
    )


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("postgresql://app:secret@db/app", "postgresql+asyncpg://app:secret@db/app"),
        ("postgres://app:secret@db/app", "postgresql+asyncpg://app:secret@db/app"),
        ("sqlite:///service.db", "sqlite+aiosqlite:///service.db"),
        ("mysql://app@db/app", "mysql+aiomysql://app@db/app"),
    ],
)
def test_async_maps_a_url_without_driver_to_the_default_async_driver_with_a_note(value, normalised):
    assert normalise_scheme(value, "async") == normalised
    result = answers.review({**GOOD_ANSWERS, "database_api": "async", "database_url": value})
    assert result.errors == []
    scheme = value.partition("://")[0]
    assert result.notes == [
        f"database_url: '{scheme}://' "
        + (
            "is not a SQLAlchemy scheme"
            if scheme == "postgres"
            else "names no driver, and database_api=async needs an async one"
        )
        + f"; using '{normalised.partition('://')[0]}://'"
    ]
    assert "secret" not in result.notes[0]


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("postgresql+psycopg2://app:secret@db/app", "postgresql+asyncpg, postgresql+psycopg"),
        ("postgresql+pg8000://app@db/app", "postgresql+asyncpg, postgresql+psycopg"),
        ("mysql+pymysql://app@db/app", "mysql+aiomysql, mysql+asyncmy"),
        ("mysql+mysqldb://app@db/app", "mysql+aiomysql, mysql+asyncmy"),
    ],
)
def test_async_refuses_sync_only_drivers_in_one_line(value, allowed):
    result = answers.review({**GOOD_ANSWERS, "database_api": "async", "database_url": value})
    driver = value.partition("+")[2].partition(":")[0]
    assert result.errors == [
        f"database_url: {value.replace('secret', '***')!r} has the sync-only driver"
        f" {driver!r}, which database_api=async cannot use; use one of: {allowed}"
    ]
    assert result.notes == []


def test_sync_refuses_async_drivers_pointing_at_async():
    result = answers.review({**GOOD_ANSWERS, "database_url": "sqlite+aiosqlite:///x.db"})
    assert result.errors == [
        "database_url: 'sqlite+aiosqlite:///x.db' has the async-only driver 'aiosqlite', which"
        " database_api=sync cannot use; use one of: sqlite+pysqlite (or database_api=async)"
    ]


def test_unknown_database_api_is_refused_naming_the_choices():
    result = answers.review({**GOOD_ANSWERS, "database_api": "threads"})
    assert result.errors == ["database_api: 'threads' must be one of sync, async"]


@pytest.mark.parametrize(
    ("value", "database_api", "requirement"),
    [
        ("postgresql+asyncpg://app@db/app", "async", "asyncpg (>=0.30,<1.0)"),
        ("postgresql+psycopg://app@db/app", "async", "psycopg[binary] (>=3.2,<4.0)"),
        ("sqlite+aiosqlite:///x.db", "async", "aiosqlite (>=0.21,<1.0)"),
        ("mysql+aiomysql://app@db/app", "async", "aiomysql[rsa] (>=0.2,<0.3)"),
        ("postgresql+psycopg://app@db/app", "sync", "psycopg[binary] (>=3.2,<4.0)"),
        ("sqlite:///x.db", "sync", ""),
    ],
)
def test_the_driver_requirement_follows_the_database_api(value, database_api, requirement):
    assert driver_requirement(answers.database_url(value, database_api), database_api) == (
        requirement
    )


def test_good_answers_pass_review():
    result = answers.review(GOOD_ANSWERS)
    assert result.errors == [] and result.notes == []


BAD_ANSWERS = [
    ("project_name", "", "must not be empty"),
    ("project_slug", "a/b", "lowercase letters and digits"),
    ("project_slug", "..", "lowercase letters and digits"),
    ("package_name", "match", "keyword"),
    ("package_name", "json", "standard-library"),
    ("package_name", "alembic", "alembic"),
    ("package_name", "my-pkg", "identifier"),
    ("author_email", "nobody", "name@example.com"),
    ("python_version", "3.8", "3.11, 3.12, 3.13, 3.14"),
    ("resource_name", "Item", "identifier"),
    ("database_url", "oracle://app@localhost/app", "sqlite, postgresql, mysql"),
    (
        "database_url",
        "postgresql+asyncpg://app@localhost/app",
        "postgresql+psycopg, postgresql+psycopg2, postgresql+pg8000",
    ),
    ("database_api", "threads", "sync, async"),
]


@pytest.mark.parametrize(("prompt", "value", "allowed"), BAD_ANSWERS)
def test_review_names_prompt_value_and_what_is_allowed(prompt, value, allowed):
    result = answers.review({**GOOD_ANSWERS, prompt: value})
    assert len(result.errors) == 1
    [message] = result.errors
    assert message.startswith(f"{prompt}: {value!r} ")
    assert allowed in message
    assert "\n" not in message
    assert result.notes == []


def test_review_reports_every_bad_answer_once():
    bad = {prompt: value for prompt, value, _ in BAD_ANSWERS}
    result = answers.review({**GOOD_ANSWERS, **bad})
    assert sorted(message.split(":")[0] for message in result.errors) == sorted(bad)


def test_review_rejects_answers_that_are_not_text():
    result = answers.review({**GOOD_ANSWERS, "resource_name": None, "python_version": ["3.11"]})
    assert [message.split(":")[0] for message in result.errors] == [
        "python_version",
        "resource_name",
    ]


SECRET = "Hunter2-s3cr3t"
PASSWORD_URLS = [
    f"oracle://app:{SECRET}@localhost/app",
    f"postgresql+asyncpg://app:{SECRET}@localhost/app",
    f"postgresql+psycopg://app:{SECRET}@localhost",
    f"postgresql+psycopg://app:{SECRET}@localhost:notaport/app",
    f"postgresql+psycopg://app:{SECRET}@/app",
    f"postgresql+psycopg://app:{SECRET[:6]}@{SECRET[6:]}@localhost/app",
    f"postgresql+psycopg://app:{SECRET[:6]}@{SECRET[6:9]}/{SECRET[9:]}@localhost/app",
    f"postgresql+psycopg://app:{SECRET[:6]}@{SECRET[6:]}@localhost",
    f"postgresql+psycopg://app:{SECRET[:6]}:{SECRET[6:]}@localhost/app",
    f"postgresql+psycopg://app:{SECRET[:6]}/{SECRET[6:]}@localhost/app",
    f"{SECRET}",
    f"app:{SECRET}@localhost/app",
    f"postgresql+psycopg:/app:{SECRET}@localhost/app",
]


def _password_fragments(password: str) -> list[str]:
    # Any piece of at least five characters would give too much of it away.
    return [password[i : i + 5] for i in range(len(password) - 4)]


@pytest.mark.parametrize("url", PASSWORD_URLS)
def test_review_never_shows_a_password(url):
    result = answers.review({**GOOD_ANSWERS, "database_url": url})
    assert all(message.startswith("database_url: ") for message in result.errors)
    text = "\n".join(result.errors + result.notes)
    for fragment in _password_fragments(SECRET):
        assert fragment not in text, text
    redacted = answers.redacted_database_url(url)
    for fragment in _password_fragments(SECRET):
        assert fragment not in redacted, redacted


def test_redacted_url_of_a_usable_url_shows_the_rest():
    url = "postgresql+psycopg://app:s3cret@db.internal:5432/app"
    assert answers.redacted_database_url(url) == "postgresql+psycopg://app:***@db.internal:5432/app"
    assert answers.redacted_database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert answers.redacted_database_url("postgres://app@h/app") == "postgresql+psycopg://app@h/app"


# --- The stdlib parser against SQLAlchemy's --------------------------------------------------

DRIVERNAMES = st.sampled_from(
    [
        "sqlite",
        "postgresql",
        "postgresql+psycopg",
        "postgresql+psycopg2",
        "postgresql+pg8000",
        "mysql",
        "mysql+pymysql",
        "oracle",
        "mssql+pyodbc",
    ]
)
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
HOSTS = st.one_of(
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,8}){0,3}", fullmatch=True),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda address: f"[{address}]"),
)


@st.composite
def database_urls(draw):
    text = draw(DRIVERNAMES) + "://"
    username = draw(st.none() | ANY_TEXT)
    if username is not None:
        text += quote(username, safe="")
        password = draw(st.none() | ANY_TEXT)
        if password is not None:
            text += ":" + quote(password, safe="")
        text += "@"
    if draw(st.booleans()):
        text += draw(HOSTS)
        port = draw(st.none() | st.integers(0, 65535))
        if port is not None:
            text += f":{port}"
    database = draw(st.none() | ANY_TEXT)
    if database is not None:
        text += "/" + quote(database, safe="/")
    return text


def _sqlalchemy_parts(text: str) -> DatabaseUrl:
    url = make_url(text)
    return DatabaseUrl(url.drivername, url.username, url.password, url.host, url.port, url.database)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(database_urls())
def test_stdlib_parser_agrees_with_sqlalchemy(text):
    assert _parse_with_stdlib(text) == _sqlalchemy_parts(text)
    assert parse_database_url(text) == _sqlalchemy_parts(text)


URL_ISH = st.text(alphabet=string.ascii_letters + string.digits + ":/@?[]+%.-_ ", max_size=40)


@settings(max_examples=400, deadline=None)
@given(st.one_of(URL_ISH, URL_ISH.map(lambda rest: "postgresql+psycopg://" + rest)))
def test_stdlib_parser_accepts_and_rejects_what_sqlalchemy_does(text):
    try:
        expected = _sqlalchemy_parts(text)
    except (ArgumentError, ValueError):
        with pytest.raises(ValueError):
            _parse_with_stdlib(text)
    else:
        assert _parse_with_stdlib(text) == expected


@settings(max_examples=300, deadline=None)
@given(
    database_urls(),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=6, max_size=16),
)
def test_redacted_url_never_contains_the_password(text, password):
    scheme, _, rest = text.partition("://")
    host_part = rest.rpartition("@")[2] if "@" in rest else rest
    for encoded in (quote(password, safe=""), password):
        url = f"{scheme}://user:{encoded}@{host_part}"
        redacted = answers.redacted_database_url(url)
        for fragment in _password_fragments(encoded):
            if fragment not in f"{scheme}://user:@{host_part}":
                assert fragment not in redacted, (url, redacted)


@pytest.mark.parametrize(
    ("given", "value", "rejected"),
    [
        ("My Service", "My Service", False),
        ("{{ 7*7 }} Service", "49 Service", True),
        ("{# note #}Service", "Service", True),
        ("{% raw %}{{ 7*7 }}{% endraw %}", "{{ 7*7 }}", False),
        # Typed at the prompt: cookiecutter keeps it as typed, and "given" is the default.
        ("My Service", "{{ 7*7 }}", False),
    ],
)
def test_answers_cookiecutter_evaluated_as_jinja_are_refused(given, value, rejected):
    problem = answers.check_not_evaluated(given, value)
    if rejected:
        assert problem is not None
        assert problem.startswith(f"was evaluated as Jinja by cookiecutter (giving {value!r})")
    else:
        assert problem is None


def test_review_names_the_text_as_given_and_what_it_became():
    result = answers.review(
        {**GOOD_ANSWERS, "description": "costs 42"}, {"description": "costs {{ 6*7 }}"}
    )
    assert result.errors == [
        "description: 'costs {{ 6*7 }}' was evaluated as Jinja by cookiecutter (giving"
        " 'costs 42'); to keep it as written, wrap it in {% raw %}...{% endraw %}"
    ]
