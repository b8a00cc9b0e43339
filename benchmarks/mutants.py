"""Hand-made mutants: plant one bug at a time in the template and run the tests that
should catch it. A mutant the tests do not catch ("survived") names a missing test.

    .venv/bin/python benchmarks/mutants.py            # every mutant
    .venv/bin/python benchmarks/mutants.py -k enum    # those whose name holds "enum"

Each mutant is one exact text replacement in one file of the template; the file is
restored afterwards, whatever happens. Prints one line per mutant and the score.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
PROJECT = "{{cookiecutter.project_slug}}"
PACKAGE = f"{PROJECT}/{{{{cookiecutter.package_name}}}}"
SQLITE_TESTS = "tests/test_database_layer.py"
POSTGRES_TESTS = "tests/test_database_layer_postgres.py"
REVIEW_TESTS = "tests/test_migration_review.py"
RUNNER_TESTS = "tests/test_migration_runner.py"
ADD_RESOURCE_TESTS = "tests/test_add_resource.py"
SCAFFOLD = f"{PACKAGE}/scaffold/resource.py"
ASYNC_TESTS = "tests/test_async.py"
PATTERN_TESTS = "tests/test_model_patterns.py"
METADATA_TESTS = "tests/test_metadata.py"
BAKED_SUITE_TESTS = "tests/test_baked_suite.py"
LIVE_TRAFFIC_TESTS = "tests/test_live_traffic.py"
ONLINE_FORMS_TESTS = "tests/test_online_forms.py"
ONLINE_DDL = f"{PACKAGE}/database/online_ddl.py"
UNSAFE_TESTS = "tests/test_unsafe_changes.py"
UNSAFE_REPORTED = f"{UNSAFE_TESTS}::test_an_unsafe_change_is_reported"
LAYOUT_UPDATE_TESTS = "tests/test_layout_update.py"
SERVICE_TESTS = "tests/test_service.py"
K8S = f"{PROJECT}/k8s"
K8S_TESTS = "tests/test_kubernetes.py"
K8S_DEPLOYMENT = (
    f"{K8S_TESTS}::test_the_deployment_rolls_safely_and_runs_locked_down[fastapi-postgresql]"
)
K8S_JOB = f"{K8S_TESTS}::test_the_migration_job_runs_the_same_image_locked_down[none-postgresql]"
K8S_CHECKOV = f"{K8S_TESTS}::test_checkov_finds_nothing_beyond_the_skips_it_is_told_with_reasons"
K8S_NO_VALUES = f"{K8S_TESTS}::test_no_manifest_holds_a_database_url_or_a_password"
DATA_REVISION = f"{PACKAGE}/scaffold/data_revision.py"
DATA_REVISION_TESTS = "tests/test_data_revision.py"
DATA_REVISION_STOPPED = (
    f"{DATA_REVISION_TESTS}::test_a_move_stopped_halfway_keeps_its_committed_batches"
)
DATA_REVISION_SQLITE_STOPPED = (
    f"{DATA_REVISION_TESTS}::test_sqlite_a_move_stopped_halfway_keeps_its_batches_and_runs_again"
)
TELEMETRY_TESTS = "tests/test_telemetry.py"
SQUASH = f"{PACKAGE}/database/squash.py"
SQUASH_TESTS = "tests/test_squash.py"
SQUASH_SQLITE = f"{SQUASH_TESTS}::test_a_squashed_history_builds_the_same_schema[sqlite]"
SQUASH_REFUSALS = f"{SQUASH_TESTS}::test_bad_input_is_refused_and_changes_nothing"
SQUASH_BEHIND = f"{SQUASH_TESTS}::test_a_database_behind_the_baseline_is_told_what_happened[sqlite]"
ROLLING_DEPLOY_TESTS = "tests/test_rolling_deploy.py"
RENAME_TESTS = "tests/test_rename_detection.py"
LOGGING_TESTS = "tests/test_service_logging.py"
CONTAINER_FILES_TESTS = "tests/test_container_files.py"
SECRETS_TESTS = "tests/test_secrets.py"
SECRET_ONLY_IN_DOTENV = (
    f"{SECRETS_TESTS}::test_password_is_in_dot_env_only_and_reaches_the_settings[sync]"
)
TELEMETRY_SYNC = f"{TELEMETRY_TESTS}::test_requests_send_their_spans_with_the_sql_and_metrics[sync]"
TELEMETRY_ASYNC = (
    f"{TELEMETRY_TESTS}::test_requests_send_their_spans_with_the_sql_and_metrics[async]"
)
TELEMETRY_COMPOSE = f"{TELEMETRY_TESTS}::test_compose_runs_a_collector_the_app_sends_to"
K8S_FASTAPI_JOB = (
    f"{K8S_TESTS}::test_the_migration_job_runs_the_same_image_locked_down[fastapi-postgresql]"
)
K8S_POLICIES = f"{K8S_TESTS}::test_network_policies_let_in_the_api_port_only"

# main.py's CORS middleware, then the request ID middleware added last (outermost).
CORS_BLOCK = """\
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            # A page reads where the row it created lives.
            expose_headers=["Location"],
        )
"""
REQUEST_CONTEXT_LAST = """\
    # Added last, so outermost: it sees every request, answered by CORS or not.
    app.add_middleware(RequestContextMiddleware)
"""


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTANTS = [
    Mutant(
        "autogenerate: a rename guessed whatever the nullability",
        f"{PACKAGE}/database/migrations.py",
        "    if rename.has_changes():  # a type, nullability, default or comment of its own\n",
        "    if rename.modify_type is not None or rename.modify_server_default is not False:\n",
        (f"{RENAME_TESTS}::test_a_column_that_changes_nullability_is_no_rename[sqlite]",),
    ),
    Mutant(
        "autogenerate: a rename guessed among two candidates",
        f"{PACKAGE}/database/migrations.py",
        " if olds.count(old) == news.count(new) == 1]",
        "]",
        (f"{RENAME_TESTS}::test_two_candidates_make_no_guess[sqlite]",),
    ),
    Mutant(
        "autogenerate: a renamed column's downgrade drops it and adds the old one back",
        f"{PACKAGE}/database/migrations.py",
        "            rename_back(downgrade_ops, rename)\n",
        "",
        (f"{RENAME_TESTS}::test_a_renamed_column_keeps_its_values[sqlite]",),
    ),
    Mutant(
        "autogenerate: a renamed table's indexes and constraints keep the old table's names",
        f"{PACKAGE}/database/migrations.py",
        "        rename.followed_by = name_renames(new.name, names, autogen_context.dialect)\n",
        "        rename.followed_by = []\n",
        (f"{RENAME_TESTS}::test_a_renamed_table_keeps_its_rows_and_its_names_follow[postgresql]",),
    ),
    Mutant(
        "autogenerate: a renamed column restated without its server default (MySQL loses it)",
        f"{PACKAGE}/database/migrations.py",
        "        existing_server_default=rename.existing_server_default,\n",
        "",
        (f"{PATTERN_TESTS}::test_a_renamed_column_is_restated_on_mariadb",),
    ),
    Mutant(
        "a sync request keeps its connection slot after it ends",
        f"{PACKAGE}/api/dependencies.py",
        "        finally:\n            slots.release()",
        "        finally:\n            pass",
        ("tests/test_service.py::test_service_under_concurrent_load_returns_every_connection",),
    ),
    Mutant(
        "a foreign key added NOT VALID is never validated",
        f"{PACKAGE}/database/online_ddl.py",
        "            OutsideTransactionOp(ValidateConstraintOp(table, str(name), schema)),\n",
        "",
        ("tests/test_online_ddl.py",),
    ),
    Mutant(
        "tables created in the same revision get the online form",
        f"{PACKAGE}/database/online_ddl.py",
        "    existing = [operation for operation in container.ops"
        " if _table(operation) not in new_or_gone]",
        "    existing = list(container.ops)",
        ("tests/test_model_patterns.py::test_the_project_passes_its_own_tests_and_ruff",),
    ),
    Mutant(
        "online DDL steps not safe to repeat",
        f"{PACKAGE}/database/online_ddl.py",
        "            _make_repeatable(step)",
        "            pass",
        ("tests/test_online_ddl.py::test_a_revision_run_again_after_a_failure_completes",),
    ),
    Mutant(
        "a foreign key on an existing table added and checked in one step",
        f"{PACKAGE}/database/online_ddl.py",
        'operation.kw["postgresql_not_valid"] = True',
        "pass",
        ("tests/test_online_ddl.py::test_the_revision_is_written_in_the_online_form",),
    ),
    Mutant(
        "an index on a busy table built without CONCURRENTLY (writers wait for the build)",
        f"{PACKAGE}/database/online_ddl.py",
        'ops.CreateIndexOp):\n        operation.kw["postgresql_concurrently"] = True',
        'ops.CreateIndexOp):\n        operation.kw["postgresql_concurrently"] = False',
        (f"{LIVE_TRAFFIC_TESTS}::test_the_online_revision_keeps_writers_writing",),
    ),
    Mutant(
        "a foreign key on a busy table checked while writers wait (no NOT VALID)",
        f"{PACKAGE}/database/online_ddl.py",
        'operation.kw["postgresql_not_valid"] = True',
        'operation.kw["postgresql_not_valid"] = False',
        (f"{LIVE_TRAFFIC_TESTS}::test_the_online_revision_keeps_writers_writing",),
    ),
    Mutant(
        "NOT NULL set on an existing table without a validated check first",
        ONLINE_DDL,
        "        return _not_null_vouched_by_a_check(operation)\n",
        "        return [operation]\n",
        (f"{ONLINE_FORMS_TESTS}::test_the_project_passes_its_own_migration_tests_and_ruff",),
    ),
    Mutant(
        "a unique constraint on an existing table built non-concurrently",
        ONLINE_DDL,
        "        return _unique_over_a_concurrent_index(operation)\n",
        "        return [operation]\n",
        (f"{ONLINE_FORMS_TESTS}::test_the_project_passes_its_own_migration_tests_and_ruff",),
    ),
    Mutant(
        "a unique index left invalid by a failed build is kept on the next run",
        ONLINE_DDL,
        "            ops.DropIndexOp(\n"
        "                name, table, schema=schema, if_exists=True, postgresql_concurrently=True\n"
        "            ),\n",
        "",
        (f"{ONLINE_FORMS_TESTS}::test_a_revision_that_failed_part_way_completes_when_run_again",),
    ),
    Mutant(
        "enum values added as alembic-postgresql-enum writes them",
        ONLINE_DDL,
        "        return _enum_values_in_place(operation)\n",
        "        return [operation]\n",
        (f"{ONLINE_FORMS_TESTS}::test_upgrade_check_and_downgrade",),
    ),
    Mutant(
        "the check that vouched for NOT NULL is left behind",
        ONLINE_DDL,
        '        ops.DropConstraintOp(check, table, "check", schema=schema, if_exists=True),\n'
        "    ]\n",
        "    ]\n",
        (f"{ONLINE_FORMS_TESTS}::test_upgrade_check_and_downgrade",),
    ),
    Mutant(
        "a wider NUMERIC left for squawk to flag",
        f"{PACKAGE}/database/migrations.py",
        "            annotate(upgrade_ops, wider_numeric_acknowledgement)\n",
        "",
        (f"{ONLINE_FORMS_TESTS}::test_the_project_passes_its_own_migration_tests_and_ruff",),
    ),
    Mutant(
        "an ALTER COLUMN committed before an autocommit block left for squawk to flag",
        ONLINE_DDL,
        "    _acknowledge_committed_alters(container)\n",
        "",
        (f"{ONLINE_FORMS_TESTS}::test_the_project_passes_its_own_migration_tests_and_ruff",),
    ),
    Mutant(
        "new tables of a revision that commits as it goes not safe to create again",
        ONLINE_DDL,
        "ops.AddColumnOp | ops.CreateIndexOp | ops.CreateTableOp)",
        "ops.AddColumnOp | ops.CreateIndexOp)",
        (f"{ONLINE_FORMS_TESTS}::test_a_revision_that_failed_part_way_completes_when_run_again",),
    ),
    Mutant(
        "baked tests use DATABASE_URL's own database",
        f"{PROJECT}/tests/conftest.py",
        "yield from throwaway_database(database_server, get_settings().database_url)",
        "yield get_settings().database_url",
        (
            f"{POSTGRES_TESTS}::test_baked_tests_make_throwaway_databases_on_the_server_of_database_url",
        ),
    ),
    Mutant(
        "baked tests migrate the shared database for every test",
        f"{PROJECT}/tests/conftest.py",
        '@pytest.fixture(scope="session")\ndef migrated_engine',
        "@pytest.fixture\ndef migrated_engine",
        (f"{BAKED_SUITE_TESTS}::test_the_shared_database_is_migrated_once_however_many_tests",),
    ),
    Mutant(
        "a baked test's commits outlive it",
        f"{PROJECT}/tests/conftest.py",
        "        connection.begin()\n        yield connection",
        "        yield connection",
        (f"{BAKED_SUITE_TESTS}::test_tests_leave_nothing_behind_in_either_order[sqlite-sync]",),
    ),
    Mutant(
        "SQLite's driver begins the baked tests' transactions (a savepoint commits for good)",
        f"{PROJECT}/tests/conftest.py",
        '    if engine.dialect.name != "sqlite":\n        return\n\n'
        '    @event.listens_for(engine, "connect")\n    def _driver_begins_nothing',
        '    return\n\n    @event.listens_for(engine, "connect")\n    def _driver_begins_nothing',
        (f"{BAKED_SUITE_TESTS}::test_tests_leave_nothing_behind_in_either_order[sqlite-sync]",),
    ),
    Mutant(
        "async sessions expire on commit (the baked API tests use the app's own sessions)",
        f"{PACKAGE}/database/session.py",
        "sessionmaker(get_engine(), expire_on_commit=False)",
        "sessionmaker(get_engine())",
        (f"{BAKED_SUITE_TESTS}::test_tests_leave_nothing_behind_in_either_order[sqlite-async]",),
    ),
    Mutant(
        "TEST_DATABASE_URL ignored",
        f"{PROJECT}/tests/conftest.py",
        'given = os.environ.get("TEST_DATABASE_URL")',
        "given = None",
        (f"{POSTGRES_TESTS}::test_test_database_url_overrides",),
    ),
    Mutant(
        "no enum type support on PostgreSQL",
        f"{PROJECT}/alembic/env.py",
        "import alembic_postgresql_enum  # noqa: F401",
        "",
        (f"{POSTGRES_TESTS}::test_adding_an_enum_column_creates_and_drops_its_type",),
    ),
    Mutant(
        "unique constraint names cover the first column only",
        f"{PACKAGE}/database/base.py",
        '"uq": "uq_%(table_name)s_%(column_0_N_name)s"',
        '"uq": "uq_%(table_name)s_%(column_0_name)s"',
        (f"{POSTGRES_TESTS}::test_unique_constraints_sharing_a_first_column_get_distinct_names",),
    ),
    Mutant(
        "times read back as stored",
        f"{PACKAGE}/database/types.py",
        "        if value.tzinfo is None:\n            return value.replace(tzinfo=UTC)",
        "        if value.tzinfo is None:\n            return value",
        (f"{SQLITE_TESTS}::test_times_round_trip_as_aware_utc_and_sort_by_instant",),
    ),
    Mutant(
        "times in the server's zone on PostgreSQL",
        f"{PACKAGE}/database/types.py",
        "        return value.astimezone(UTC)\n",
        "        return value\n",
        (f"{POSTGRES_TESTS}::test_times_round_trip_as_aware_utc_on_postgresql",),
    ),
    Mutant(
        "models packages: submodules not imported",
        f"{PACKAGE}/database/discovery.py",
        "names.extend(sorted(info.name for info in submodules))",
        "pass",
        (f"{SQLITE_TESTS}::test_models_package_submodules_are_found_without_imports_in_init",),
    ),
    Mutant(
        "discovery imports every models.py in the package",
        f"{PACKAGE}/database/discovery.py",
        '    return resource_modules("models")',
        "    root = RESOURCES_DIR.parent\n"
        '    return resource_modules("models") + [\n'
        '        ".".join((PACKAGE_NAME, *path.relative_to(root).with_suffix("").parts))\n'
        '        for path in root.rglob("models.py")\n'
        "    ]",
        (f"{SQLITE_TESTS}::test_models_modules_outside_the_resources_are_not_imported",),
    ),
    Mutant(
        "discovery still looks for resources in api/resources/",
        f"{PACKAGE}/database/discovery.py",
        'RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"',
        'RESOURCES_DIR = Path(__file__).resolve().parent.parent / "api" / "resources"',
        (f"{SQLITE_TESTS}::test_models_modules_outside_the_resources_are_not_imported",),
    ),
    Mutant(
        "models left in api/resources/ after an update are silently ignored",
        f"{PACKAGE}/database/discovery.py",
        "    if left:\n",
        "    if False:\n",
        (
            f"{LAYOUT_UPDATE_TESTS}::test_a_project_of_the_previous_main_updates_by_its_new_readme[fastapi]",
        ),
    ),
    Mutant(
        "web_framework=none keeps an api/ package",
        "alembic_service_template/options.py",
        '        f"{_PACKAGE}/api",\n',
        "",
        (
            "tests/test_options.py::test_none_leaves_out_the_web_layer_with_names_rendered",
            "tests/test_options.py::test_none_is_the_project_without_any_trace_of_the_web_layer",
        ),
    ),
    Mutant(
        "telemetry: SQL statements not traced",
        f"{PACKAGE}/telemetry.py",
        "    SQLAlchemyInstrumentor().instrument(engine=engine, skip_dep_check=True)\n",
        "",
        (f"{TELEMETRY_TESTS}::test_requests_send_their_spans_with_the_sql_and_metrics[sync]",),
    ),
    Mutant(
        "telemetry: exporters on without an endpoint",
        f"{PACKAGE}/telemetry.py",
        '    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip())',
        "    return True",
        (f"{TELEMETRY_TESTS}::test_without_an_endpoint_the_service_serves_and_sends_nothing",),
    ),
    Mutant(
        "telemetry: log records without the trace id",
        f"{PACKAGE}/telemetry.py",
        "        inject_trace_context=True,",
        "        inject_trace_context=False,",
        (f"{TELEMETRY_TESTS}::test_requests_send_their_spans_with_the_sql_and_metrics[async]",),
    ),
    Mutant(
        "telemetry: no pool gauge",
        f"{PACKAGE}/telemetry.py",
        "        callbacks=[checked_out],",
        "        callbacks=[],",
        (f"{TELEMETRY_TESTS}::test_requests_send_their_spans_with_the_sql_and_metrics[sync]",),
    ),
    Mutant(
        "telemetry=opentelemetry accepted with web_framework=none",
        "alembic_service_template/answers.py",
        '    if value != "none" and web_framework == "none":',
        "    if False:",
        (f"{TELEMETRY_TESTS}::test_telemetry_without_the_web_layer_is_refused_leaving_nothing",),
    ),
    Mutant(
        "the application does not import every model",
        f"{PACKAGE}/database/session.py",
        "    import_models()\n    configure_mappers()",
        "    configure_mappers()",
        (f"{SQLITE_TESTS}::test_string_relationships_resolve_in_the_application",),
    ),
    Mutant(
        "server defaults not compared",
        f"{PROJECT}/alembic/env.py",
        "compare_server_default=migrations.server_default_comparison(dialect_name)",
        "compare_server_default=False",
        (f"{SQLITE_TESTS}::test_server_default_changes_are_detected",),
    ),
    Mutant(
        "SQLite foreign keys off in the application",
        f"{PACKAGE}/database/session.py",
        "    enforce_sqlite_foreign_keys(engine)\n    use_utc_on_mysql(engine)",
        "    use_utc_on_mysql(engine)",
        (f"{SQLITE_TESTS}::test_the_application_enforces_sqlite_foreign_keys",),
    ),
    Mutant(
        "migrations leave broken foreign keys",
        f"{PACKAGE}/database/migrations.py",
        "        yield [check_sqlite_foreign_keys]",
        "        yield []",
        (f"{SQLITE_TESTS}::test_a_revision_that_breaks_a_foreign_key_fails",),
    ),
    Mutant(
        "migrations keep SQLite foreign keys on",
        f"{PACKAGE}/database/migrations.py",
        '    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")\n',
        "",
        (f"{SQLITE_TESTS}::test_batch_mode_on_a_referenced_table_keeps_the_rows_pointing_at_it",),
    ),
    Mutant(
        ".env read from the working directory",
        f"{PACKAGE}/settings.py",
        'env_file=PROJECT_ROOT / ".env",\n        env_file_encoding',
        'env_file=".env",\n        env_file_encoding',
        (f"{SQLITE_TESTS}::test_commands_work_from_any_directory",),
    ),
    Mutant(
        "relative SQLite path left relative",
        f"{PACKAGE}/settings.py",
        "url = url.set(database=str(PROJECT_ROOT / path))",
        "pass",
        (f"{SQLITE_TESTS}::test_commands_work_from_any_directory",),
    ),
    Mutant(
        "sqlalchemy.url on the Config ignored",
        f"{PROJECT}/alembic/env.py",
        "    if configured:\n",
        "    if False:\n",
        (
            f"{SQLITE_TESTS}::test_programmatic_use_honours_the_config_url_and_writes_no_empty_revision",
        ),
    ),
    Mutant(
        "programmatic autogenerate writes empty revisions",
        f"{PACKAGE}/database/migrations.py",
        'return config is not None and getattr(config.cmd_opts, "autogenerate", False) is True',
        "return False",
        (
            f"{SQLITE_TESTS}::test_programmatic_use_honours_the_config_url_and_writes_no_empty_revision",
        ),
    ),
    Mutant(
        "alembic check taken for revision --autogenerate",
        f"{PACKAGE}/database/migrations.py",
        'return config is not None and getattr(config.cmd_opts, "autogenerate", False) is True',
        "return config is not None",
        (
            f"{SQLITE_TESTS}::test_programmatic_use_honours_the_config_url_and_writes_no_empty_revision",
        ),
    ),
    Mutant(
        "an empty revision fails the project's lint",
        f"{PROJECT}/pyproject.toml",
        '"alembic/versions/*" = ["E501", "F401"]',
        '"alembic/versions/*" = ["E501"]',
        (f"{SQLITE_TESTS}::test_with_ruff_a_revision_is_formatted",),
    ),
    Mutant(
        "postgres:// not normalised at run time",
        f"{PACKAGE}/settings.py",
        'SCHEME_REPLACEMENTS = {"postgres": "postgresql+psycopg"}',
        "SCHEME_REPLACEMENTS = {}",
        (f"{SQLITE_TESTS}::test_legacy_postgres_scheme_is_normalised_at_run_time",),
    ),
    Mutant(
        "settings errors quote the URL",
        f"{PACKAGE}/settings.py",
        "hide_input_in_errors=True",
        "hide_input_in_errors=False",
        (f"{SQLITE_TESTS}::test_settings_never_show_the_password",),
    ),
    Mutant(
        "revisions import the application's types",
        f"{PACKAGE}/database/migrations.py",
        "            return alembic_render._repr_type(stored, autogen_context)",
        "            return False",
        (f"{SQLITE_TESTS}::test_revisions_run_with_alembic_and_sqlalchemy_alone",),
    ),
    Mutant(
        "a revision without ruff fails",
        f"{PACKAGE}/database/format_revision.py",
        '    if importlib.util.find_spec("ruff") is None:\n        return None\n',
        "",
        (f"{SQLITE_TESTS}::test_without_ruff_a_revision_is_written_unformatted_with_a_note",),
    ),
    Mutant(
        ".env left readable by others",
        "alembic_service_template/post_gen.py",
        '    (project_dir / ".env").chmod(0o600)\n',
        "",
        ("tests/test_post_gen.py",),
    ),
    Mutant(
        "a bake from a Python without ruff leaves the revision unformatted",
        "alembic_service_template/post_gen.py",
        '        "ruff",\n    ]',
        "    ]",
        ("tests/test_post_gen.py",),
    ),
    Mutant(
        "next steps ask for an install the bake did",
        "alembic_service_template/post_gen.py",
        '*([] if installed else ["poetry install"])',
        '"poetry install"',
        ("tests/test_post_gen.py",),
    ),
    Mutant(
        "cruft link without the project's answers",
        f"{PROJECT}/README.md",
        "--no-input --extra-context",
        "--no-input",
        ("tests/test_template_updates.py",),
    ),
    Mutant(
        "kept answers name the template's commit",
        "alembic_service_template/jinja.py",
        '"_checkout", "_commit")',
        '"_checkout")',
        ("tests/test_template_updates.py",),
    ),
    Mutant(
        "no migration timeouts on PostgreSQL",
        f"{PROJECT}/alembic/env.py",
        "        return migrations.postgresql_timeouts(connection, MigrationSettings())\n",
        "        return nullcontext()\n",
        (f"{REVIEW_TESTS}::test_migrations_run_with_lock_and_statement_timeouts",),
    ),
    Mutant(
        "no migration timeouts in --sql scripts",
        f"{PROJECT}/alembic/env.py",
        "        migrations.set_postgresql_timeouts(MigrationSettings())\n",
        "        pass\n",
        (f"{REVIEW_TESTS}::test_migrations_run_with_lock_and_statement_timeouts",),
    ),
    Mutant(
        "all pending revisions in one transaction",
        f"{PROJECT}/alembic/env.py",
        "        transaction_per_migration=True,\n",
        "",
        (f"{RUNNER_TESTS}::test_a_revision_uses_the_enum_value_the_revision_before_it_added",),
    ),
    Mutant(
        "migration timeouts end with the first transaction",
        f"{PACKAGE}/database/migrations.py",
        'text("SELECT set_config(:name, :value, false)")',
        'text("SELECT set_config(:name, :value, true)")',
        (f"{RUNNER_TESTS}::test_lock_timeout_holds_after_an_autocommit_block",),
    ),
    Mutant(
        "--sql scripts set the timeouts for one transaction",
        f"{PACKAGE}/database/migrations.py",
        """context.execute(f"SET {name} = '{value}'")""",
        """context.execute(f"SET LOCAL {name} = '{value}'")""",
        (f"{RUNNER_TESTS}::test_lock_timeout_holds_after_an_autocommit_block_in_a_sql_script",),
    ),
    Mutant(
        "a caller's connection keeps the migration timeouts after a failure",
        f"{PACKAGE}/database/migrations.py",
        "            set_session(connection, previous, commit=True)\n",
        "            pass\n",
        (f"{RUNNER_TESTS}::test_a_connection_handed_in_gets_its_settings_back",),
    ),
    Mutant(
        "a caller's connection keeps the migration timeouts",
        f"{PACKAGE}/database/migrations.py",
        "    set_session(connection, previous, commit=not in_callers_transaction)\n",
        "",
        (f"{RUNNER_TESTS}::test_a_connection_handed_in_gets_its_settings_back",),
    ),
    Mutant(
        "timeouts ignore the per-run override",
        f"{PACKAGE}/settings.py",
        'env_prefix="MIGRATION_"',
        'env_prefix="MIGRATIONS_"',
        (f"{REVIEW_TESTS}::test_migrations_run_with_lock_and_statement_timeouts",),
    ),
    Mutant(
        "no warning above destructive operations",
        f"{PACKAGE}/database/migrations.py",
        "    return lambda operation: data_loss_warning(operation, added, dialect_name)",
        "    return lambda operation: None",
        (f"{REVIEW_TESTS}::test_destructive_autogenerate_warns_in_the_file_and_on_the_terminal",),
    ),
    Mutant(
        "narrowing a type is not a data loss",
        f"{PACKAGE}/database/migrations.py",
        "if after is not None and (before is None or after < before):",
        "if False:",
        (f"{REVIEW_TESTS}::test_destructive_autogenerate_warns_in_the_file_and_on_the_terminal",),
    ),
    Mutant(
        "acknowledgements excuse nothing",
        f"{PROJECT}/tests/test_migration_review.py",
        "                excused[number] = start\n                break\n",
        "                pass\n",
        (f"{REVIEW_TESTS}::test_the_safe_three_step_version_passes",),
    ),
    Mutant(
        "an acknowledgement excuses its rule in the whole revision",
        f"{PROJECT}/tests/test_migration_review.py",
        "                and excused.get(number, start) == start\n"
        "                and set(names) <= words\n",
        "",
        (f"{REVIEW_TESTS}::test_an_acknowledgement_excuses_one_statement",),
    ),
    Mutant(
        "the review runs squawk once per revision",
        f"{PROJECT}/tests/test_migration_review.py",
        "    result = subprocess.run(\n"
        '        [squawk(), "--config", str(CONFIG), "--reporter", "json", *files],\n'
        "        capture_output=True,\n"
        "        text=True,\n"
        "        check=False,\n"
        "    )\n"
        "    assert result.stdout.strip(), result.stderr\n"
        "    findings = {revision_id: [] for revision_id in scripts}\n"
        "    for finding in json.loads(result.stdout):\n"
        '        findings[files[finding["file"]]].append(finding)\n',
        "    findings = {revision_id: [] for revision_id in scripts}\n"
        "    for file in files:\n"
        "        result = subprocess.run(\n"
        '            [squawk(), "--config", str(CONFIG), "--reporter", "json", file],\n'
        "            capture_output=True,\n"
        "            text=True,\n"
        "            check=False,\n"
        "        )\n"
        "        for finding in json.loads(result.stdout):\n"
        '            findings[files[finding["file"]]].append(finding)\n',
        (f"{REVIEW_TESTS}::test_one_squawk_run_reviews_every_revision",),
    ),
    Mutant(
        "a revision is reviewed with the revisions after it (a merge with its branches')",
        f"{PROJECT}/tests/test_migration_review.py",
        "    ends = [*starts[1:], len(sql)]\n",
        "    ends = [len(sql)] * len(starts)\n",
        (
            f"{REVIEW_TESTS}::test_an_acknowledgement_excuses_its_own_revision_only",
            f"{RUNNER_TESTS}::test_two_branches_fail_the_suite_until_merged",
        ),
    ),
    Mutant(
        "two heads fail without saying to merge them",
        f"{PROJECT}/tests/test_migrations.py",
        " Run `alembic merge heads -m merge` and commit the revision it writes.",
        "",
        (f"{RUNNER_TESTS}::test_two_branches_fail_the_suite_until_merged",),
    ),
    Mutant(
        "the migration checks never downgrade",
        f"{PROJECT}/tests/test_migrations.py",
        '    command.downgrade(empty_database_alembic, "base")\n'
        '    command.upgrade(empty_database_alembic, "heads")\n',
        "",
        (
            f"{BAKED_SUITE_TESTS}::test_a_downgrade_that_fails_fails_the_round_trip_naming_its_revision",
        ),
    ),
    Mutant(
        "the migration checks never upgrade again after the downgrade",
        f"{PROJECT}/tests/test_migrations.py",
        '    command.downgrade(empty_database_alembic, "base")\n'
        '    command.upgrade(empty_database_alembic, "heads")\n',
        '    command.downgrade(empty_database_alembic, "base")\n',
        (f"{BAKED_SUITE_TESTS}::test_a_downgrade_that_leaves_its_table_fails_the_second_upgrade",),
    ),
    Mutant(
        "the migration checks never compare the models with the migrated schema",
        f"{PROJECT}/tests/test_migrations.py",
        "    command.check(empty_database_alembic)\n",
        "",
        (f"{BAKED_SUITE_TESTS}::test_a_model_change_without_a_revision_fails_the_models_check",),
    ),
    Mutant(
        "the migration checks step through the history one revision at a time",
        f"{PROJECT}/tests/test_migrations.py",
        "from alembic.script import ScriptDirectory\n",
        "from alembic.script import ScriptDirectory\n"
        "from pytest_alembic.tests import test_up_down_consistency  # noqa: F401\n",
        (
            f"{BAKED_SUITE_TESTS}::test_the_migration_checks_run_as_many_alembic_commands_however_long_the_history",
        ),
    ),
    Mutant(
        "autogenerate leaves a longer VARCHAR unacknowledged",
        f"{PACKAGE}/database/migrations.py",
        "            annotate(upgrade_ops, longer_varchar_acknowledgement)\n",
        "            pass\n",
        (
            f"{POSTGRES_TESTS}::test_baked_tests_make_throwaway_databases_on_the_server_of_database_url",
        ),
    ),
    Mutant(
        "no rule excluded with its reason",
        f"{PROJECT}/.squawk.toml",
        '    "prefer-text-field",\n',
        "",
        (f"{REVIEW_TESTS}::test_the_initial_revision_lints_clean",),
    ),
    Mutant(
        "integer keys stay serials on PostgreSQL",
        f"{PACKAGE}/database/base.py",
        "    Identity()._set_parent_with_dispatch(key)",
        "    pass",
        (
            f"{REVIEW_TESTS}::test_the_initial_revision_lints_clean",
            f"{METADATA_TESTS}::test_plain_integer_keys_are_identity_columns_on_postgresql",
        ),
    ),
    Mutant(
        "a model on a base of its own is left out",
        f"{PACKAGE}/database/discovery.py",
        "    if outside:\n        raise TablesOutsideBase(",
        "    if False:\n        raise TablesOutsideBase(",
        (
            f"{METADATA_TESTS}::test_a_table_outside_base_metadata_stops_autogenerate_with_one_error_line",
        ),
    ),
    Mutant(
        "the autogenerate filter ignores NOT_OURS",
        f"{PACKAGE}/database/autogenerate_filter.py",
        "        return name not in NOT_OURS",
        "        return True",
        (f"{METADATA_TESTS}::test_a_table_named_in_the_filter_is_never_dropped",),
    ),
    Mutant(
        "unique constraints are paired by name alone",
        f"{PACKAGE}/database/autogenerate_filter.py",
        "        return not unique_under_another_name(object_, reflected)",
        "        return True",
        (f"{METADATA_TESTS}::test_an_existing_postgresql_database_is_adopted_with_stamp_head",),
    ),
    Mutant(
        "MySQL sessions in the server's time zone",
        f"{PACKAGE}/database/session.py",
        "        cursor.execute(\"SET time_zone = '+00:00'\")",
        "        pass",
        (f"{METADATA_TESTS}::test_mysql_server_default_times_are_utc_whatever_the_server_zone",),
    ),
    Mutant(
        "async MySQL sessions in the server's time zone",
        f"{PACKAGE}/database/session.py",
        "    use_utc_on_mysql(engine.sync_engine)\n",
        "",
        (f"{METADATA_TESTS}::test_async_mysql_connections_run_in_utc",),
    ),
    Mutant(
        "migrations open an engine without the project's rules",
        f"{PROJECT}/alembic/env.py",
        "        connectable = create_database_engine(database_url(), poolclass=pool.NullPool)",
        "        connectable = __import__('sqlalchemy').create_engine("
        "database_url(), poolclass=pool.NullPool)",
        (f"{METADATA_TESTS}::test_mysql_server_default_times_are_utc_whatever_the_server_zone",),
    ),
    Mutant(
        "int columns stay 32-bit on PostgreSQL",
        f"{PACKAGE}/database/base.py",
        "    type_annotation_map = {int: BigInteger}",
        "    type_annotation_map = {}",
        (f"{REVIEW_TESTS}::test_the_initial_revision_lints_clean",),
    ),
    # --- the template's own logic (alembic_service_template/)
    Mutant(
        "slugs may hold capitals",
        "alembic_service_template/answers.py",
        '_SLUG = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")',
        '_SLUG = re.compile(r"[a-zA-Z0-9]+(?:[._-][a-zA-Z0-9]+)*")',
        ("tests/test_answers.py", "tests/test_bad_answers.py"),
    ),
    Mutant(
        "a package may shadow the standard library",
        "alembic_service_template/answers.py",
        "    if value in sys.stdlib_module_names:",
        "    if False:",
        ("tests/test_answers.py", "tests/test_bad_answers.py"),
    ),
    Mutant(
        "Jinja-evaluated answers accepted",
        "alembic_service_template/answers.py",
        "    if value == given or not any(marker in given for marker in _JINJA_MARKERS):",
        "    if True:",
        ("tests/test_free_text.py", "tests/test_bad_answers.py"),
    ),
    Mutant(
        "redaction shows the password",
        "alembic_service_template/answers.py",
        '    return url.render(password="***")',
        "    return url.render(password=url.password)",
        ("tests/test_answers.py", "tests/test_secrets.py"),
    ),
    Mutant(
        "server URLs without a host accepted",
        "alembic_service_template/database_url.py",
        '    if url.backend != "sqlite" and not url.host:',
        "    if False:",
        ("tests/test_answers.py", "tests/test_bad_answers.py"),
    ),
    Mutant(
        "postgres:// kept at bake time",
        "alembic_service_template/database_url.py",
        "    if separator and scheme in replacements:",
        "    if False:",
        ("tests/test_generation.py",),
    ),
    Mutant(
        "pg8000 projects get the wrong driver",
        "alembic_service_template/database_url.py",
        '"pg8000": "pg8000 (>=1.31,<2.0)"',
        '"pg8000": "psycopg[binary] (>=3.2,<4.0)"',
        ("tests/test_generation.py",),
    ),
    Mutant(
        "cruft keeps the password",
        "alembic_service_template/jinja.py",
        '        cookiecutter["database_url"] = _without_password('
        "value, _database_api(cookiecutter))",
        "        pass",
        ("tests/test_reproducible.py",),
    ),
    Mutant(
        "the kept answers hold the password",
        "alembic_service_template/jinja.py",
        "key: _without_password(value, _database_api(cookiecutter))\n"
        '        if key == "database_url"\n        else value',
        "key: value",
        ("tests/test_secrets.py", "tests/test_reproducible.py"),
    ),
    Mutant(
        "a re-bake adds a second initial revision",
        "alembic_service_template/post_gen.py",
        "    if existing:",
        "    if False:",
        ("tests/test_rebake.py",),
    ),
    Mutant(
        "the initial revision has a random id",
        "alembic_service_template/initial_revision.py",
        'INITIAL_REVISION_ID = "0001"',
        "INITIAL_REVISION_ID = None",
        ("tests/test_generation.py", "tests/test_rebake.py"),
    ),
    Mutant(
        "every option's files are kept",
        "alembic_service_template/options.py",
        "        if answers.get(prompt) != value",
        "        if False",
        ("tests/test_options.py",),
    ),
    Mutant(
        "the initial revision plans no enum types for PostgreSQL",
        "alembic_service_template/initial_revision.py",
        "        plan_postgresql_enum_types(planned, metadata)",
        "        pass",
        ("tests/test_postgres_workflow.py::test_initial_revision_round_trip",),
    ),
    Mutant(
        "no migration lock",
        f"{PROJECT}/alembic/env.py",
        "    with migrations.migration_lock(connection):\n        run_migrations(connection)",
        "    run_migrations(connection)",
        ("tests/test_migration_lock.py",),
    ),
    Mutant(
        "the image runs as root",
        f"{PROJECT}/Dockerfile",
        "USER 10001:10001",
        "USER root",
        ("tests/test_docker.py::test_image_runs_as_a_user_and_holds_no_secret",),
    ),
    Mutant(
        "the app starts before the migrations finished",
        f"{PROJECT}/compose.yaml",
        "condition: service_completed_successfully",
        "condition: service_started",
        ("tests/test_container_files.py::test_compose_runs_migrate_once_before_the_app",),
    ),
    Mutant(
        "the CI workflow makes no test database",
        f"{PROJECT}/.github/workflows/ci.yml",
        "run: createdb {{ database }}_test",
        "run: createdb {{ database }}_tests",
        ("tests/test_ci_workflow.py",),
    ),
    Mutant(
        "add-resource compares on DATABASE_URL's own SQLite database",
        SCAFFOLD,
        '        yield url.set(database=str(scratch / "empty.db"), query={})',
        "        yield url",
        (f"{ADD_RESOURCE_TESTS}::test_the_database_of_database_url_is_never_opened",),
    ),
    Mutant(
        "add-resource compares on DATABASE_URL's own PostgreSQL or MySQL database",
        SCAFFOLD,
        'yield from throwaway_database(server, url, purpose="add_resource")',
        "yield url",
        (f"{ADD_RESOURCE_TESTS}::test_a_server_backend_compares_on_a_throwaway_database",),
    ),
    Mutant(
        "add-resource puts pending model changes into the new resource's revision",
        SCAFFOLD,
        "            command.check(config)\n",
        "",
        (f"{ADD_RESOURCE_TESTS}::test_existing_tables_and_unmigrated_models_are_refused",),
    ),
    Mutant(
        "add-resource leaves its files behind when the revision fails",
        SCAFFOLD,
        "            remove_files(RESOURCES_DIR / name, files)\n",
        "",
        (f"{ADD_RESOURCE_TESTS}::test_a_revision_that_cannot_be_written_takes_the_resource_back",),
    ),
    Mutant(
        "add-resource runs outside the service it belongs to",
        SCAFFOLD,
        "    if project.resolve() != PROJECT_ROOT or not all(",
        "    if False and not all(",
        (f"{ADD_RESOURCE_TESTS}::test_a_folder_that_is_not_the_service_is_refused",),
    ),
    Mutant(
        "the service builds its engine on the first requests (one per thread)",
        f"{PACKAGE}/main.py",
        "    get_sessionmaker()\n",
        "",
        (
            "tests/test_service.py::test_service_under_concurrent_load_returns_every_connection[sync]",
        ),
    ),
    Mutant(
        "sync requests wait for the pool in worker threads (pool/threadpool deadlock)",
        f"{PACKAGE}/api/dependencies.py",
        "SessionDep = Annotated[Session, Depends(pooled_session)]",
        "from {{ cookiecutter.package_name }}.database.session import get_session\n\n"
        "SessionDep = Annotated[Session, Depends(get_session)]",
        (
            "tests/test_service.py::test_service_answers_again_after_its_clients_give_up_mid_request[sync]",
        ),
    ),
    Mutant(
        "the pool keeps 5 connections and opens up to 10 more, closed again when 5 are idle",
        f"{PACKAGE}/database/session.py",
        "        pool_size=settings.pool_size,\n        max_overflow=0,",
        "        pool_size=5,\n        max_overflow=10,",
        (
            "tests/test_service.py::test_service_under_concurrent_load_returns_every_connection[sync]",
            "tests/test_service.py::test_service_under_concurrent_load_returns_every_connection[async]",
        ),
    ),
    Mutant(
        "a pool with no free connection is a 500",
        f"{PACKAGE}/api/errors.py",
        "    app.add_exception_handler(PoolTimeoutError, database_unavailable)",
        "    pass",
        (
            "tests/test_database_layer.py::test_commands_work_from_any_directory",
            f"{ASYNC_TESTS}::test_async_sqlite_seed_workflow_and_baked_suite",
        ),
    ),
    Mutant(
        "a router configures the mappers at import (before the related model is imported)",
        f"{PACKAGE}/scaffold/templates/resource/router.py.tmpl",
        'router = APIRouter(prefix="/${collection}", tags=["${collection}"])\n',
        'router = APIRouter(prefix="/${collection}", tags=["${collection}"])\n'
        'COLUMNS = list(__import__("sqlalchemy").inspect(${model}).column_attrs)\n',
        (
            "tests/test_service_relationships.py::test_related_resources_migrate_pass_their_tests_and_are_served[sqlite-sync]",
        ),
    ),
    Mutant(
        "an invalid pool setting stops the service only in the lifespan, with a traceback",
        f"{PACKAGE}/main.py",
        "        PoolSettings()\n",
        "",
        ("tests/test_service.py::test_an_invalid_setting_stops_the_service_at_startup_naming_it",),
    ),
    Mutant(
        "/health waits for a worker thread like a sync route",
        f"{PACKAGE}/api/health.py",
        "async def health() -> Health:",
        "def health() -> Health:",
        ("tests/test_service.py::test_health_answers_while_every_worker_thread_is_busy",),
    ),
    Mutant(
        "/ready is 503 once a newer build has migrated the database",
        f"{PACKAGE}/api/health.py",
        "    if any(revision not in build.known for revision in current):",
        "    if False:",
        (
            "tests/test_service.py::test_a_rolling_deploy_keeps_the_previous_build_ready[sqlite-sync]",
        ),
    ),
    Mutant(
        "/ready is 200 on a database behind the head",
        f"{PACKAGE}/api/health.py",
        "    if any(revision not in build.known for revision in current):",
        "    if True:",
        (
            "tests/test_service.py::test_a_rolling_deploy_keeps_the_previous_build_ready[sqlite-sync]",
        ),
    ),
    Mutant(
        "sync requests wait for a free connection without limit",
        f"{PACKAGE}/api/dependencies.py",
        "        with anyio.fail_after(timeout):\n            await slots.acquire()",
        "        await slots.acquire()",
        (
            "tests/test_service.py::test_a_request_finding_the_pool_busy_is_a_503_after_the_pool_timeout[sync]",
        ),
    ),
    Mutant(
        "no statement timeout through libpq",
        f"{PACKAGE}/database/session.py",
        '            "options": f"-c statement_timeout={statement_ms}",\n',
        "",
        (
            "tests/test_service.py::test_a_statement_past_the_statement_timeout_is_a_503_not_a_hang[postgresql-sync]",
        ),
    ),
    Mutant(
        "no statement timeout through asyncpg",
        f"{PACKAGE}/database/session.py",
        '                "server_settings": {"statement_timeout": statement_ms},\n',
        "",
        (
            "tests/test_service.py::test_a_statement_past_the_statement_timeout_is_a_503_not_a_hang[postgresql-async]",
        ),
    ),
    Mutant(
        "no statement time limit on MariaDB",
        f"{PACKAGE}/database/session.py",
        '            cursor.execute(f"SET SESSION max_statement_time = {seconds:.3f}")',
        "            pass",
        (
            "tests/test_service.py::test_a_statement_past_the_statement_timeout_is_a_503_not_a_hang[mysql-sync]",
        ),
    ),
    Mutant(
        "an asyncpg statement timeout is a 500",
        f"{PACKAGE}/api/errors.py",
        "    app.add_exception_handler(DBAPIError, unclassified_database_error)\n",
        "",
        (
            "tests/test_service.py::test_a_statement_past_the_statement_timeout_is_a_503_not_a_hang[postgresql-async]",
        ),
    ),
    Mutant(
        "503 causes are logged without their traceback",
        f"{PACKAGE}/api/errors.py",
        ", exc_info=error)",
        ")",
        (
            "tests/test_service.py::test_a_statement_past_the_statement_timeout_is_a_503_not_a_hang[postgresql-sync]",
        ),
    ),
    Mutant(
        "every OSError of an async service is a database outage",
        f"{PACKAGE}/api/errors.py",
        "    for failure in CONNECTION_FAILURES:\n"
        "        app.add_exception_handler(failure, database_unavailable)\n",
        "    app.add_exception_handler(OSError, database_unavailable)\n",
        ("tests/test_service.py::test_an_oserror_that_is_no_outage_is_a_500_with_its_traceback",),
    ),
    Mutant(
        "async writes leave the values the database generated expired (MissingGreenlet)",
        f"{PACKAGE}/scaffold/templates/resource/router.py.tmpl",
        "    await session.refresh(row)\n",
        "    pass\n",
        ("tests/test_service.py::test_an_async_write_returns_the_values_the_database_generated",),
    ),
    Mutant(
        "a pool of no connections is accepted",
        f"{PACKAGE}/settings.py",
        "    pool_size: int = Field(default=10, ge=1)",
        "    pool_size: int = 10",
        ("tests/test_service.py::test_an_invalid_setting_stops_the_service_at_startup_naming_it",),
    ),
    Mutant(
        "async env.py ignores the AsyncEngine handed over",
        f"{PROJECT}/alembic/env.py",
        "    owned = engine is None",
        "    owned = True",
        (f"{ASYNC_TESTS}::test_env_py_accepts_an_async_engine_and_a_connection_from_run_sync",),
    ),
    Mutant(
        "async unique violations through asyncpg name no field",
        f"{PACKAGE}/api/errors.py",
        '        constraint = getattr(original.__cause__, "constraint_name", None)',
        "        constraint = None",
        ("tests/test_service.py::test_duplicate_name_is_409_naming_the_field[postgresql-async]",),
    ),
    Mutant(
        "async service answers 500 when asyncpg cannot reach the server",
        f"{PACKAGE}/api/errors.py",
        "    for failure in CONNECTION_FAILURES:\n"
        "        app.add_exception_handler(failure, database_unavailable)\n",
        "",
        ("tests/test_service.py::test_unreachable_database_is_503_without_secrets[async]",),
    ),
    Mutant(
        "async requests never close their session",
        f"{PACKAGE}/database/session.py",
        "    async with get_sessionmaker()() as session:\n        yield session",
        "    session = get_sessionmaker()()\n    yield session",
        (
            "tests/test_service.py::test_service_under_concurrent_load_returns_every_connection[async]",
        ),
    ),
    Mutant(
        "async settings keep postgresql:// without an async driver",
        f"{PACKAGE}/settings.py",
        '    "postgresql": "postgresql+asyncpg",',
        "",
        (f"{ASYNC_TESTS}::test_an_async_project_reads_urls_without_driver_with_its_async_default",),
    ),
    Mutant(
        "async accepts the sync drivers",
        "alembic_service_template/database_url.py",
        "    drivers = DRIVERS[database_api][url.backend]",
        "    drivers = DRIVER_REQUIREMENTS[url.backend]",
        (f"{ASYNC_TESTS}::test_a_sync_only_driver_with_async_is_refused_writing_nothing",),
    ),
    Mutant(
        "async models import the async stack at bake time",
        f"{PACKAGE}/database/base.py",
        "from sqlalchemy.orm import DeclarativeBase\n",
        "from sqlalchemy.ext.asyncio import AsyncAttrs  # noqa: F401\n"
        "from sqlalchemy.orm import DeclarativeBase\n",
        (f"{ASYNC_TESTS}::test_the_initial_revision_needs_no_async_driver_at_bake_time",),
    ),
    Mutant(
        "async .env keeps a URL naming no driver",
        "alembic_service_template/jinja.py",
        "    return normalise_scheme(value, database_api)",
        "    return value",
        (f"{ASYNC_TESTS}::test_a_url_without_driver_gets_the_async_default_with_a_note",),
    ),
    Mutant(
        "the hooks import the baked naming rules, leaving bytecode in the template",
        "alembic_service_template/answers.py",
        '    exec(compile(_BAKED_NAMES.read_text(), str(_BAKED_NAMES), "exec"), module.__dict__)',
        "    import importlib.util\n"
        '    spec = importlib.util.spec_from_file_location("names", _BAKED_NAMES)\n'
        "    module = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(module)",
        ("tests/test_generation.py::test_baking_writes_no_bytecode_into_the_template",),
    ),
    Mutant(
        "autogenerate: a TypeDecorator rendered as its impl",
        f"{PACKAGE}/database/migrations.py",
        "        stored = stored_type(obj, autogen_context.dialect)\n",
        "        stored = obj.impl_instance\n",
        (f"{PATTERN_TESTS}::test_migrations_build_what_create_all_builds[sqlite]",),
    ),
    Mutant(
        "autogenerate: a type storing an application class rendered anyway",
        f"{PACKAGE}/database/migrations.py",
        "    if columns:\n        raise SystemExit(",
        "    if False:\n        raise SystemExit(",
        (f"{PATTERN_TESTS}::test_a_type_that_needs_the_application_stops_autogenerate",),
    ),
    Mutant(
        "autogenerate: PostgreSQL json defaults left to Alembic's comparison",
        f"{PACKAGE}/database/migrations.py",
        "        isinstance(inspected_column.type, JSON)\n",
        "        False\n",
        (f"{PATTERN_TESTS}::test_postgresql_json_defaults_compare_as_documents",),
    ),
    Mutant(
        "autogenerate: MySQL expression defaults compared as text",
        f"{PACKAGE}/database/migrations.py",
        "        and not isinstance(metadata_default.arg, str)\n",
        "        and False\n",
        (f"{PATTERN_TESTS}::test_mariadb_server_default_changes_are_found",),
    ),
    Mutant(
        "autogenerate: no warning when an enum value is removed",
        f"{PACKAGE}/database/migrations.py",
        "        if not removed:\n            return None\n",
        "        return None\n",
        (f"{PATTERN_TESTS}::test_mariadb_warns_when_an_enum_value_is_removed_not_added",),
    ),
    Mutant(
        "autogenerate: use_alter foreign keys left in CREATE TABLE",
        f"{PACKAGE}/database/migrations.py",
        "            add_use_alter_foreign_keys_after_tables(upgrade_ops, downgrade_ops)\n",
        "            pass\n",
        (f"{PATTERN_TESTS}::test_migrations_build_what_create_all_builds[postgresql]",),
    ),
    Mutant(
        "autogenerate: indexes dropped before their tables",
        f"{PACKAGE}/database/migrations.py",
        "        drop_tables_with_their_indexes(downgrade_ops)\n",
        "",
        (f"{PATTERN_TESTS}::test_downgrade_to_base_and_up_again[mysql]",),
    ),
    Mutant(
        "autogenerate: rename advice without the column's type",
        f"{PACKAGE}/database/migrations.py",
        '        f"existing_type=sa.{column.type.as_generic(allow_nulltype=True)!r}",\n',
        "",
        (f"{UNSAFE_REPORTED}[dropped column beside a new one]",),
    ),
    Mutant(
        "autogenerate: no warning when a PostgreSQL enum value is removed",
        f"{PACKAGE}/database/migrations.py",
        "operation.new_values]\n        if removed:\n",
        "operation.new_values]\n        if False:\n",
        (f"{PATTERN_TESTS}::test_postgresql_warns_when_an_enum_value_is_removed_not_added",),
    ),
    Mutant(
        "baked pyproject: anyio, imported by api/dependencies.py, not declared",
        f"{PROJECT}/pyproject.toml",
        '    "anyio (>=4.0,<5.0)",\n',
        "",
        ("tests/test_options.py::test_every_imported_package_is_declared",),
    ),
    Mutant(
        "online DDL: an index left INVALID by a failed build is kept on the run again",
        f"{PACKAGE}/database/online_ddl.py",
        "        return [OutsideTransactionOp(leftover, operation)]\n",
        "        return [OutsideTransactionOp(operation)]\n",
        ("tests/test_online_ddl.py::test_an_index_whose_build_failed_is_built_again",),
    ),
    Mutant(
        "bake: an Alembic older than the project's counts as enough for the in-process path",
        "alembic_service_template/post_gen.py",
        "        elif minimum and release(installed[module]) < release(minimum):\n",
        "        elif False:\n",
        (
            "tests/test_post_gen.py::test_a_python_without_ruff_bakes_through_poetry_and_says_what_it_lacks",
        ),
    ),
    Mutant(
        "bake: versions compared as text (1.9 above 1.20)",
        "alembic_service_template/post_gen.py",
        "release(installed[module]) < release(minimum)",
        "installed[module] < minimum",
        ("tests/test_post_gen.py::test_the_in_process_path_needs_each_module_recent_enough",),
    ),
    Mutant(
        "autogenerate: a rename is reported as a plain drop",
        f"{PACKAGE}/database/migrations.py",
        "    if not added:\n",
        "    if True:\n",
        (f"{UNSAFE_REPORTED}[dropped column beside a new one]",),
    ),
    Mutant(
        "autogenerate: a longer VARCHAR is reported as a rewrite",
        f"{PACKAGE}/database/migrations.py",
        "    if a_longer_varchar(old, new):\n        return False\n",
        "",
        (f"{UNSAFE_TESTS}::test_a_safe_change_is_not_reported[longer varchar]",),
    ),
    Mutant(
        "autogenerate: a NUMERIC with more digits is reported as a rewrite",
        f"{PACKAGE}/database/online_ddl.py",
        "and new.precision >= old.precision\n",
        "and new.precision == old.precision\n",
        (f"{UNSAFE_TESTS}::test_a_safe_change_is_not_reported[wider numeric]",),
    ),
    Mutant(
        "autogenerate: a type change that rewrites a PostgreSQL table is not reported",
        f"{PACKAGE}/database/migrations.py",
        '    elif dialect_name == "postgresql" and rewrites_every_row(old, new):',
        "    elif False:",
        (f"{UNSAFE_REPORTED}[rewritten type]",),
    ),
    Mutant(
        "autogenerate: the report reaches the revision, not the terminal",
        f"{PACKAGE}/database/migrations.py",
        '            print(f"warning: revision {script.rev_id} {warning.report}")\n',
        "            pass\n",
        (f"{UNSAFE_REPORTED}[dropped table]",),
    ),
    Mutant(
        "autogenerate: the revision's comment leaves the safe way out",
        f"{PACKAGE}/database/migrations.py",
        '    return [f"# WARNING: {operation.message}", f"# Safe way: {operation.safe_way}"]',
        '    return [f"# WARNING: {operation.message}"]',
        (f"{UNSAFE_REPORTED}[dropped enum value]",),
    ),
    Mutant(
        "autogenerate: alembic check reports too",
        f"{PACKAGE}/database/migrations.py",
        "    if not directives or not writes_a_revision_file(context.config):\n        return\n",
        "    if not directives:\n        return\n",
        (f"{UNSAFE_TESTS}::test_alembic_check_prints_no_report",),
    ),
    Mutant(
        "API: a request body drops a field it does not declare",
        f"{PACKAGE}/api/fields.py",
        '    model_config = ConfigDict(extra="forbid")\n',
        "    model_config = ConfigDict()\n",
        ("tests/test_service.py::test_a_misspelled_field_is_422_naming_it[sqlite-sync-POST]",),
    ),
    Mutant(
        "API: the example resource's create body is no RequestBody",
        f"{PACKAGE}/resources/{{{{cookiecutter.resource_name}}}}/schemas.py",
        "class {{ cookiecutter.__model_class }}Create(RequestBody):",
        "class {{ cookiecutter.__model_class }}Create(BaseModel):",
        (f"{SQLITE_TESTS}::test_commands_work_from_any_directory",),
    ),
    Mutant(
        "add-resource: the update body is no RequestBody",
        f"{PACKAGE}/scaffold/templates/resource/schemas.py.tmpl",
        "class ${model}Update(RequestBody):",
        "class ${model}Update(BaseModel):",
        (
            f"{ADD_RESOURCE_TESTS}::test_new_resources_are_in_the_service_style_and_pass_tests_and_lint[sqlite-fastapi-sync]",
        ),
    ),
    Mutant(
        "API: FastAPI's own operation ids (list_items_items_get)",
        f"{PACKAGE}/main.py",
        "        generate_unique_id_function=operation_id,\n",
        "",
        ("tests/test_service.py::test_openapi_operation_ids_are_the_route_names[sqlite-sync]",),
    ),
    Mutant(
        "add-resource: every resource's list route has the same operation id",
        f"{PACKAGE}/scaffold/templates/resource/router.py.tmpl",
        "def list_${collection}(",
        "def list_rows(",
        (
            f"{ADD_RESOURCE_TESTS}::test_uvicorn_serves_crud_for_both_new_collections[sqlite-fastapi-sync]",
        ),
    ),
    Mutant(
        "API: reStructuredText markup in a schema's OpenAPI description",
        f"{PACKAGE}/resources/{{{{cookiecutter.resource_name}}}}/schemas.py",
        '"""Only the fields sent change; `description` may',
        '"""Only the fields sent change; ``description`` may',
        ("tests/test_service.py::test_openapi_descriptions_are_plain_text[sqlite-sync]",),
    ),
    Mutant(
        "cors: every origin allowed",
        f"{PACKAGE}/main.py",
        "            allow_origins=cors_origins,",
        '            allow_origins=["*"],',
        (f"{SERVICE_TESTS}::test_cors_answers_the_configured_origins_only",),
    ),
    Mutant(
        "cors: the middleware added without CORS_ORIGINS",
        f"{PACKAGE}/main.py",
        "    if cors_origins:\n",
        "    if True:\n",
        (f"{SERVICE_TESTS}::test_no_cors_headers_without_cors_origins",),
    ),
    Mutant(
        "cors: CORS_ORIGINS takes anything",
        f"{PACKAGE}/settings.py",
        "            if not ORIGIN.fullmatch(origin):",
        "            if not origin:",
        (f"{SERVICE_TESTS}::test_an_invalid_cors_origins_stops_the_service_naming_it",),
    ),
    Mutant(
        "proxy headers trusted from everywhere",
        f"{PROJECT}/Dockerfile",
        'CMD ["uvicorn", "{{ cookiecutter.package_name }}.main:app"]',
        'CMD ["uvicorn", "{{ cookiecutter.package_name }}.main:app", "--forwarded-allow-ips", "*"]',
        (f"{SERVICE_TESTS}::test_forwarded_proto_is_trusted_from_forwarded_allow_ips_only",),
    ),
    Mutant(
        "proxy headers ignored",
        f"{PROJECT}/Dockerfile",
        'CMD ["uvicorn", "{{ cookiecutter.package_name }}.main:app"]',
        'CMD ["uvicorn", "{{ cookiecutter.package_name }}.main:app", "--no-proxy-headers"]',
        (f"{SERVICE_TESTS}::test_forwarded_proto_is_trusted_from_forwarded_allow_ips_only",),
    ),
    Mutant(
        "k8s: one replica",
        f"{K8S}/app/deployment.yaml",
        "  replicas: 2\n",
        "  replicas: 1\n",
        (K8S_DEPLOYMENT,),
    ),
    Mutant(
        "k8s: readiness probe on /health, which never asks the database",
        f"{K8S}/app/deployment.yaml",
        "              path: /ready\n",
        "              path: /health\n",
        (K8S_DEPLOYMENT,),
    ),
    Mutant(
        "k8s: the migration pod not required to run as non-root",
        f"{K8S}/migrate/job.yaml",
        "        runAsNonRoot: true\n        runAsUser: 10001\n",
        "        runAsUser: 10001\n",
        (K8S_JOB,),
    ),
    Mutant(
        "k8s: privilege escalation allowed in the API's container",
        f"{K8S}/app/deployment.yaml",
        "            allowPrivilegeEscalation: false\n",
        "            allowPrivilegeEscalation: true\n",
        (f"{K8S_CHECKOV}[fastapi-sqlite]",),
    ),
    Mutant(
        "k8s: the database URL written into the Deployment",
        f"{K8S}/app/deployment.yaml",
        "              valueFrom:\n                secretKeyRef:\n"
        "                  name: {{ cookiecutter.project_slug }}-database\n"
        "                  key: DATABASE_URL\n",
        "              value: postgresql+psycopg://app:secret@db:5432/app\n",
        (f"{K8S_NO_VALUES}[fastapi-postgresql]",),
    ),
    Mutant(
        "k8s: the grace period shorter than the longest request",
        f"{K8S}/app/deployment.yaml",
        "      terminationGracePeriodSeconds: 80\n",
        "      terminationGracePeriodSeconds: 30\n",
        (K8S_DEPLOYMENT,),
    ),
    Mutant(
        "k8s: the migration Job not given the release's image",
        f"{K8S}/migrate/kustomization.yaml",
        "components:\n  - ../release\n",
        "",
        (K8S_JOB,),
    ),
    Mutant(
        "k8s: the README rolls the Deployment before the migration Job completed",
        f"{PROJECT}/README.md",
        "kubectl wait --for=condition=complete job/{{ cookiecutter.project_slug }}-migrate"
        " --timeout=15m\n"
        '{%- if cookiecutter.web_framework == "fastapi" %}\n'
        "kubectl apply -k k8s/app/\n",
        '{%- if cookiecutter.web_framework == "fastapi" %}\n'
        "kubectl apply -k k8s/app/\n"
        "kubectl wait --for=condition=complete job/{{ cookiecutter.project_slug }}-migrate"
        " --timeout=15m\n",
        (f"{K8S_TESTS}::test_the_readme_deploys_the_migration_before_the_service[fastapi]",),
    ),
    Mutant(
        "k8s: the README creates the Secret from .env, whose quoted URL kubectl keeps",
        f"{PROJECT}/README.md",
        "--from-env-file=.env.k8s\n",
        "--from-env-file=.env\n",
        (f"{K8S_TESTS}::test_the_readme_command_makes_the_secret_from_a_file_kubectl_reads_as_is",),
    ),
    Mutant(
        "k8s: a SQLite bake does not say replicas need a server database",
        "alembic_service_template/post_gen.py",
        '    if plan["dialect"] == "sqlite":\n',
        '    if plan["dialect"] == "none":\n',
        (f"{K8S_TESTS}::test_sqlite_bakes_say_replicas_need_a_server_database",),
    ),
    Mutant(
        "data-revision: the revision lacks the moves_data marker",
        DATA_REVISION,
        "moves_data = True\n",
        "moves_data = False\n",
        (f"{DATA_REVISION_TESTS}::test_the_revision_is_laid_out_for_moving_rows",),
    ),
    Mutant(
        "data-revision: the move runs in the revision's one transaction",
        DATA_REVISION,
        "    with op.get_context().autocommit_block():\n",
        "    if True:\n",
        (
            f"{DATA_REVISION_TESTS}::test_each_batch_commits_as_it_goes",
            f"{DATA_REVISION_TESTS}::test_a_move_stopped_halfway_keeps_its_committed_batches",
            DATA_REVISION_SQLITE_STOPPED,
        ),
    ),
    Mutant(
        "data-revision: every row in one batch",
        DATA_REVISION,
        "BATCH_SIZE = 1_000\n",
        "BATCH_SIZE = 1_000_000\n",
        (
            f"{DATA_REVISION_TESTS}::test_every_row_moves_in_batches_with_a_line_each",
            f"{DATA_REVISION_TESTS}::test_sqlite_moves_rows_in_batches",
            f"{DATA_REVISION_TESTS}::test_a_stopped_move_runs_again_to_the_end",
        ),
    ),
    Mutant(
        "data-revision: no progress line per batch",
        DATA_REVISION,
        '            log.info("{table_name}: %d rows done',
        '            log.debug("{table_name}: %d rows done',
        (f"{DATA_REVISION_TESTS}::test_sqlite_moves_rows_in_batches",),
    ),
    Mutant(
        "data-revision: the downgrade says nothing",
        DATA_REVISION,
        '    log.info("%s: the downgrade leaves',
        '    log.debug("%s: the downgrade leaves',
        (f"{DATA_REVISION_TESTS}::test_sqlite_moves_rows_in_batches",),
    ),
    Mutant(
        "data-revision: offline SQL runs the move",
        DATA_REVISION,
        "if op.get_context().as_sql:\n",
        "if False:\n",
        (f"{DATA_REVISION_TESTS}::test_sqlite_moves_rows_in_batches",),
    ),
    Mutant(
        "data-revision: an empty message is taken",
        DATA_REVISION,
        "    if message is None or not message.strip():\n",
        "    if message is None:\n",
        (f"{DATA_REVISION_TESTS}::test_bad_arguments_are_refused",),
    ),
    Mutant(
        "data-revision: several heads not checked first",
        DATA_REVISION,
        "        check_single_head(config, then=then)\n",
        "",
        (f"{DATA_REVISION_TESTS}::test_several_heads_are_named_and_refused",),
    ),
    Mutant(
        "data-revision: models ahead of the revisions not compared",
        DATA_REVISION,
        "        with comparing_at_head(config, then=then):\n",
        "        if True:\n",
        (f"{DATA_REVISION_TESTS}::test_models_ahead_of_the_revisions_are_refused",),
    ),
    Mutant(
        "data-revision: a failed move is said to be rolled back whole",
        f"{PACKAGE}/database/migrations.py",
        "        if data_revision:\n",
        "        if False:\n",
        (
            f"{DATA_REVISION_STOPPED}[postgresql-sync]",
            f"{DATA_REVISION_STOPPED}[mariadb-sync]",
            DATA_REVISION_SQLITE_STOPPED,
        ),
    ),
    Mutant(
        "squash: the baseline gets a new revision id, not the old head's",
        SQUASH,
        "                rev_id=target.revision,\n",
        "",
        (SQUASH_SQLITE,),
    ),
    Mutant(
        "squash: the baseline leaves the indexes out",
        SQUASH,
        "            directives[0].upgrade_ops = built.upgrade_ops\n",
        "            directives[0].upgrade_ops = built.upgrade_ops\n"
        "            built.upgrade_ops.ops = [\n"
        "                step for step in built.upgrade_ops.ops\n"
        "                if 'Index' not in type(step).__name__\n"
        "            ]\n",
        (SQUASH_SQLITE,),
    ),
    Mutant(
        "squash: data migrations are not looked for",
        SQUASH,
        "    if data_migrations and not drop_data_migrations:",
        "    if False:",
        (SQUASH_SQLITE, SQUASH_REFUSALS),
    ),
    Mutant(
        "squash: models changed without a revision go unnoticed",
        SQUASH,
        "            command.check(config)\n        except AutogenerateDiffsDetected as detected:\n"
        '            raise SquashError(\n                f"the models differ',
        "            pass\n        except AutogenerateDiffsDetected as detected:\n"
        '            raise SquashError(\n                f"the models differ',
        (SQUASH_REFUSALS,),
    ),
    Mutant(
        "squash: --to is ignored and everything up to head is squashed",
        SQUASH,
        "    target = chosen_revision(scripts, to or heads[0])",
        "    target = chosen_revision(scripts, heads[0])",
        (f"{SQUASH_TESTS}::test_squash_to_an_older_revision_keeps_the_later_ones",),
    ),
    Mutant(
        "squash: foreign keys closing a cycle of tables stay in CREATE TABLE",
        SQUASH,
        "                    key.use_alter = True",
        "                    pass",
        (f"{SQUASH_TESTS}::test_a_squashed_history_builds_the_same_schema[postgresql]",),
    ),
    Mutant(
        "squash: a history with several heads is squashed",
        SQUASH,
        "    if len(heads) > 1:\n        raise SquashError(",
        "    if False:\n        raise SquashError(",
        (SQUASH_REFUSALS,),
    ),
    Mutant(
        "squash: a database behind the baseline gets Alembic's bare Can't locate revision",
        f"{PROJECT}/alembic/env.py",
        "            if left_behind:\n",
        "            if False:\n",
        (SQUASH_BEHIND,),
    ),
    Mutant(
        "squash: a database at the baseline is told it was left behind",
        f"{PACKAGE}/database/squashed.py",
        "    unknown = [revision for revision in current if not known(scripts, revision)]",
        "    unknown = list(current)",
        (SQUASH_BEHIND,),
    ),
    Mutant(
        "squash: an async project's reflection is called but never awaited",
        SQUASH,
        "    asyncio.run(read())\n",
        "    read()\n",
        (f"{SQUASH_TESTS}::test_squash_in_an_async_project",),
    ),
    Mutant(
        "/ready: a database left at a squashed revision is taken for one a newer build migrated",
        f"{PACKAGE}/api/health.py",
        "    if squashed:\n        readiness.status",
        "    if False:\n        readiness.status",
        (SQUASH_BEHIND,),
    ),
    Mutant(
        "bake: a long package name's import lines left past the line length",
        "alembic_service_template/initial_revision.py",
        "    formatter.format_revision(\n"
        '        path, project_dir / package_name, project_dir / "tests",'
        ' project_dir / "alembic" / "env.py"\n'
        "    )\n",
        "    formatter.format_revision(path)\n",
        (
            "tests/test_generation.py::test_supported_answers_bake_a_clean_project"
            "[Customer Loyalty Points Ledger Service-fastapi]",
        ),
    ),
    Mutant(
        "a replica whose database is behind answers /ready 200 (rolling deploy)",
        f"{PACKAGE}/api/health.py",
        '    readiness.reason = "database is behind this build\'s head revision"\n'
        "    return _not_ready(readiness)",
        '    readiness.reason = "database is behind this build\'s head revision"\n'
        "    return readiness",
        (f"{ROLLING_DEPLOY_TESTS}::test_a_rolling_deploy_fails_no_request",),
    ),
    Mutant(
        "the previous build's replicas answer /ready 503 once the new build migrated",
        f"{PACKAGE}/api/health.py",
        'a newer build migrated it"\n        return readiness',
        'a newer build migrated it"\n        return _not_ready(readiness)',
        (f"{ROLLING_DEPLOY_TESTS}::test_a_rolling_deploy_fails_no_request",),
    ),
    Mutant(
        "the image's uvicorn cuts the requests in flight on SIGTERM",
        f"{PROJECT}/Dockerfile",
        'CMD ["uvicorn", "{{ cookiecutter.package_name }}.main:app"]',
        'CMD ["uvicorn", "{{ cookiecutter.package_name }}.main:app",'
        ' "--timeout-graceful-shutdown", "0"]',
        (f"{ROLLING_DEPLOY_TESTS}::test_a_rolling_deploy_fails_no_request",),
    ),
    Mutant(
        "a failed MySQL migration says the failing revision was rolled back",
        f"{PACKAGE}/database/migrations.py",
        "        if context.get_impl().transactional_ddl:",
        "        if True:",
        (
            f"{ROLLING_DEPLOY_TESTS}::"
            "test_a_failing_revision_on_mariadb_stops_at_a_revision_boundary",
        ),
    ),
    Mutant(
        "log records do not carry the request ID",
        f"{PACKAGE}/logging_config.py",
        '        record.request_id = request_id.get() or "-"',
        '        record.request_id = "-"',
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "an insane incoming X-Request-ID is kept",
        f"{PACKAGE}/api/request_context.py",
        "            return text if SANE_REQUEST_ID.fullmatch(text) else None",
        "            return text",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "an unexpected error's traceback in the answer",
        f"{PACKAGE}/api/request_context.py",
        'content=error_content("Internal Server Error")',
        'content=error_content(__import__("traceback").format_exc())',
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "an unexpected error's traceback logged twice (raised on to uvicorn)",
        f"{PACKAGE}/api/request_context.py",
        "                await response(scope, receive, send_with_request_id)\n",
        "                await response(scope, receive, send_with_request_id)\n            raise\n",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "the database password in a log line",
        f"{PACKAGE}/main.py",
        'logger.info("Database: %s", get_settings().database_url)',
        'logger.info("Database: %s", get_settings().database_url.render_as_string(False))',
        (f"{LOGGING_TESTS}::test_no_log_line_shows_the_database_password",),
    ),
    Mutant(
        "uvicorn's own access log kept beside ours",
        f"{PACKAGE}/logging_config.py",
        "    access.handlers.clear()\n",
        "",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "the router's 404 and 405 without the request ID",
        f"{PACKAGE}/api/errors.py",
        "    app.add_exception_handler(HTTPException, http_error)\n",
        "",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "an invalid setting read at import stops with a traceback",
        f"{PACKAGE}/settings.py",
        """        raise SystemExit(f"error: invalid setting {'; '.join(problems)}") from None""",
        "        raise",
        (
            f"{LOGGING_TESTS}::test_an_invalid_setting_read_at_import_stops_startup_with_one_line",
            f"{LOGGING_TESTS}::test_the_projects_command_stops_on_an_invalid_log_setting_with_one_line",
        ),
    ),
    Mutant(
        "OpenTelemetry's trace ID left out of JSON lines",
        f"{PACKAGE}/logging_config.py",
        "            **trace_fields(record),\n",
        "",
        ("tests/test_telemetry.py::test_json_lines_carry_the_trace_ids_inside_a_span",),
    ),
    Mutant(
        "LOG_LEVEL ignored",
        f"{PACKAGE}/logging_config.py",
        "    root.setLevel(settings.log_level)",
        "    root.setLevel(logging.INFO)",
        (f"{LOGGING_TESTS}::test_log_level_and_format_apply_without_a_web_layer",),
    ),
    Mutant(
        "a 422's body without the request ID",
        f"{PACKAGE}/api/errors.py",
        "status_code=422, content=error_content(jsonable_encoder(error.errors()))",
        'status_code=422, content={"detail": jsonable_encoder(error.errors())}',
        (f"{SERVICE_TESTS}::test_a_misspelled_field_is_422_naming_it[sqlite-sync-POST]",),
    ),
    Mutant(
        "a 503's body without the request ID",
        f"{PACKAGE}/api/errors.py",
        'content=error_content("The database is unavailable; try again later.")',
        'content={"detail": "The database is unavailable; try again later."}',
        (f"{SERVICE_TESTS}::test_unreachable_database_is_503_without_secrets",),
    ),
    Mutant(
        "a 409's body without the request ID",
        f"{PACKAGE}/api/errors.py",
        "content=error_content(detail, fields=fields)",
        'content={"detail": detail, "fields": fields}',
        (f"{SERVICE_TESTS}::test_duplicate_name_is_409_naming_the_field[sqlite-sync]",),
    ),
    Mutant(
        "an HTTPException's headers dropped (a 405 without Allow)",
        f"{PACKAGE}/api/errors.py",
        "content=error_content(error.detail), headers=error.headers",
        "content=error_content(error.detail)",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "unknown body fields accepted",
        f"{PACKAGE}/api/fields.py",
        'model_config = ConfigDict(extra="forbid")',
        'model_config = ConfigDict(extra="ignore")',
        (f"{SERVICE_TESTS}::test_a_misspelled_field_is_422_naming_it[sqlite-sync-PATCH]",),
    ),
    Mutant(
        "an incoming X-Request-ID of any length is kept",
        f"{PACKAGE}/api/request_context.py",
        'SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")',
        'SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]+")',
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "answers without the X-Request-ID header",
        f"{PACKAGE}/api/request_context.py",
        '                    (b"x-request-id", current.encode("latin-1")),\n',
        "",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "every access line says 500",
        f"{PACKAGE}/api/request_context.py",
        '                status = message["status"]\n',
        "",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "an error after the answer started sends a second answer",
        f"{PACKAGE}/api/request_context.py",
        "            if not response_started:\n",
        "            if True:\n",
        (f"{LOGGING_TESTS}::test_an_error_after_the_answer_started_is_logged_once_and_cuts_it",),
    ),
    Mutant(
        "cors: credentials allowed",
        f"{PACKAGE}/main.py",
        '            allow_headers=["*"],\n',
        '            allow_headers=["*"],\n            allow_credentials=True,\n',
        (f"{SERVICE_TESTS}::test_cors_answers_the_configured_origins_only",),
    ),
    Mutant(
        "cors: preflights answered outside the request ID middleware",
        f"{PACKAGE}/main.py",
        CORS_BLOCK + REQUEST_CONTEXT_LAST,
        "    app.add_middleware(RequestContextMiddleware)\n" + CORS_BLOCK,
        (f"{SERVICE_TESTS}::test_cors_answers_the_configured_origins_only",),
    ),
    Mutant(
        "uvicorn's startup lines printed by its own handler too",
        f"{PACKAGE}/logging_config.py",
        "        logger.handlers.clear()\n",
        "",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "JSON lines without the traceback",
        f"{PACKAGE}/logging_config.py",
        "        if record.exc_info:\n",
        "        if False:\n",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "JSON lines stamped in local time without an offset",
        f"{PACKAGE}/logging_config.py",
        "datetime.fromtimestamp(record.created, UTC)",
        "datetime.fromtimestamp(record.created)",
        (f"{LOGGING_TESTS}::test_json_logs_carry_each_requests_id_and_one_traceback_per_error",),
    ),
    Mutant(
        "a lower-case LOG_LEVEL refused",
        f"{PACKAGE}/settings.py",
        "        return value.upper() if isinstance(value, str) else value\n",
        "        return value\n",
        (f"{LOGGING_TESTS}::test_log_level_and_format_apply_without_a_web_layer",),
    ),
    Mutant(
        "POOL_TIMEOUT not given to the engine",
        f"{PACKAGE}/database/session.py",
        "        pool_timeout=settings.pool_timeout,\n",
        "",
        (f"{SERVICE_TESTS}::test_a_request_finding_the_pool_busy_is_a_503_after_the_pool_timeout",),
    ),
    Mutant(
        "the access line's path decoded (a %0A forges a text log line)",
        f"{PACKAGE}/api/request_context.py",
        '        path = quote(scope["path"])\n',
        '        path = scope["path"]\n',
        (f"{LOGGING_TESTS}::test_text_logs_are_lines_for_people_from_the_images_command",),
    ),
    Mutant(
        "an unexpected error logged as a warning",
        f"{PACKAGE}/api/request_context.py",
        '            logger.exception("Unhandled error: %s %s", scope["method"], path)',
        '            logger.warning("Unhandled error: %s %s", scope["method"], path, exc_info=1)',
        (f"{LOGGING_TESTS}::test_text_logs_are_lines_for_people_from_the_images_command",),
    ),
    Mutant(
        "text log lines without the request ID",
        f"{PACKAGE}/logging_config.py",
        '"%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"',
        '"%(asctime)s %(levelname)s %(name)s %(message)s"',
        (f"{LOGGING_TESTS}::test_text_logs_are_lines_for_people_from_the_images_command",),
    ),
    Mutant(
        "a 422 echoing a lone surrogate fails to encode (a 500)",
        f"{PACKAGE}/api/errors.py",
        "    return EscapedJSONResponse(\n",
        "    return JSONResponse(\n",
        (f"{SERVICE_TESTS}::test_lone_surrogate_is_422[sqlite-sync]",),
    ),
    Mutant(
        "POOL_SIZE not given to the engine",
        f"{PACKAGE}/database/session.py",
        "        pool_size=settings.pool_size,\n",
        "",
        (f"{SERVICE_TESTS}::test_a_request_finding_the_pool_busy_is_a_503_after_the_pool_timeout",),
    ),
    Mutant(
        "cors: a page may only GET",
        f"{PACKAGE}/main.py",
        '            allow_methods=["*"],\n',
        '            allow_methods=["GET"],\n',
        (f"{SERVICE_TESTS}::test_cors_answers_the_configured_origins_only",),
    ),
    Mutant(
        "cors: a page cannot read the Location of the row it created",
        f"{PACKAGE}/main.py",
        '            expose_headers=["Location"],\n',
        "",
        (f"{SERVICE_TESTS}::test_cors_answers_the_configured_origins_only",),
    ),
    Mutant(
        "an invalid setting's line leaves out the value given",
        f"{PACKAGE}/settings.py",
        "={problem['input']!r}:",
        ":",
        (f"{LOGGING_TESTS}::test_an_invalid_setting_read_at_import_stops_startup_with_one_line",),
    ),
    Mutant(
        "uvicorn's lines kept at INFO whatever LOG_LEVEL says",
        f"{PACKAGE}/logging_config.py",
        "        logger.setLevel(logging.NOTSET)\n",
        "",
        (
            f"{LOGGING_TESTS}::test_log_level_warning_leaves_out_uvicorns_info_lines_and_access_lines",
        ),
    ),
    Mutant(
        "no connect timeout through libpq",
        f"{PACKAGE}/database/session.py",
        '            "connect_timeout": max(2, math.ceil(settings.connect_timeout)),\n',
        "",
        (
            f"{SERVICE_TESTS}::test_a_database_that_never_answers_is_a_503_after_the_connect_timeout[postgresql+psycopg]",
        ),
    ),
    Mutant(
        "asyncpg's own connect timeout (60 s) instead of CONNECT_TIMEOUT",
        f"{PACKAGE}/database/session.py",
        '                "timeout": settings.connect_timeout,\n                "server_settings"',
        '                "server_settings"',
        (
            f"{SERVICE_TESTS}::test_a_database_that_never_answers_is_a_503_after_the_connect_timeout[postgresql+asyncpg]",
        ),
    ),
    Mutant(
        "PyMySQL waits for the server's greeting for ever",
        f"{PACKAGE}/database/session.py",
        'limits["read_timeout"] = settings.statement_timeout + settings.connect_timeout',
        "pass",
        (
            f"{SERVICE_TESTS}::test_a_database_that_never_answers_is_a_503_after_the_connect_timeout[mysql+pymysql]",
        ),
    ),
    # What ships the service: telemetry, compose, the image, Kubernetes, ignore files.
    Mutant(
        "telemetry: an empty OTEL_SERVICE_NAME names the service ''",
        f"{PACKAGE}/telemetry.py",
        'os.environ.get("OTEL_SERVICE_NAME") or DEFAULT_SERVICE_NAME',
        'os.environ.get("OTEL_SERVICE_NAME", DEFAULT_SERVICE_NAME)',
        (TELEMETRY_SYNC,),
    ),
    Mutant(
        "telemetry: metrics measured but never exported",
        f"{PACKAGE}/telemetry.py",
        "metric_readers=[reader]",
        "metric_readers=[]",
        (TELEMETRY_SYNC,),
    ),
    Mutant(
        "telemetry: the async engine instrumented itself, not its sync_engine (no SQL spans)",
        f"{PACKAGE}/main.py",
        '{{ ".sync_engine" if cookiecutter.database_api == "async" }}',
        "",
        (TELEMETRY_ASYNC,),
    ),
    Mutant(
        "telemetry: the collector listens on its own loopback only (the app cannot reach it)",
        f"{PROJECT}/otel-collector.yaml",
        "endpoint: 0.0.0.0:4318",
        "endpoint: localhost:4318",
        (TELEMETRY_COMPOSE,),
    ),
    Mutant(
        "telemetry: the collector has no metrics pipeline",
        f"{PROJECT}/otel-collector.yaml",
        "    metrics:\n      receivers: [otlp]\n"
        "      processors: [batch]\n      exporters: [debug]\n",
        "",
        (TELEMETRY_COMPOSE,),
    ),
    Mutant(
        "telemetry: compose points the app at its own localhost, not the collector",
        f"{PROJECT}/compose.yaml",
        'OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318"',
        'OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318"',
        (TELEMETRY_COMPOSE,),
    ),
    Mutant(
        "compose: migrate starts before the database is healthy",
        f"{PROJECT}/compose.yaml",
        "        condition: service_healthy\n",
        "        condition: service_started\n",
        (f"{CONTAINER_FILES_TESTS}::test_compose_runs_migrate_once_before_the_app",),
    ),
    Mutant(
        "compose: the SQLite file not on a volume the services share",
        f"{PROJECT}/compose.yaml",
        "  volumes:\n    - data:/data\n",
        "",
        (f"{CONTAINER_FILES_TESTS}::test_compose_runs_migrate_once_before_the_app",),
    ),
    Mutant(
        "secrets: .env.example holds the bake's password",
        f"{PROJECT}/.env.example",
        "DATABASE_URL={{ cookiecutter.__redacted_database_url | dotenv_quoted }}",
        "DATABASE_URL={{ cookiecutter.database_url | dotenv_quoted }}",
        (SECRET_ONLY_IN_DOTENV,),
    ),
    Mutant(
        "secrets: the CI workflow runs against the bake's database URL, password and all",
        f"{PROJECT}/.github/workflows/ci.yml",
        "      DATABASE_URL: {{ scheme }}://postgres:postgres@localhost:5432/{{ database }}\n",
        "      DATABASE_URL: {{ cookiecutter.database_url }}\n",
        (SECRET_ONLY_IN_DOTENV,),
    ),
    Mutant(
        "secrets: .env not git-ignored",
        f"{PROJECT}/.gitignore",
        "\n.env\n",
        "\n",
        (SECRET_ONLY_IN_DOTENV,),
    ),
    Mutant(
        "secrets: .env.k8s not git-ignored",
        f"{PROJECT}/.gitignore",
        ".env.k8s\n",
        "",
        (f"{K8S_TESTS}::test_the_readme_command_makes_the_secret_from_a_file_kubectl_reads_as_is",),
    ),
    Mutant(
        "secrets: .env sent to the image's build context",
        f"{PROJECT}/.dockerignore",
        "\n.env\n",
        "\n",
        (
            f"{CONTAINER_FILES_TESTS}::test_build_context_leaves_out_secrets_environments_and_databases",
        ),
    ),
    Mutant(
        "image: env.py's squashed-revision check left out (alembic and the app fail to import)",
        f"{PROJECT}/.dockerignore",
        "{{ cookiecutter.package_name }}/database/squash.py\n",
        "{{ cookiecutter.package_name }}/database/squash.py\n"
        "{{ cookiecutter.package_name }}/database/squashed.py\n",
        (
            f"{CONTAINER_FILES_TESTS}::test_build_context_leaves_out_secrets_environments_and_databases",
            "tests/test_docker.py::test_migrate_then_serve",
        ),
    ),
    Mutant(
        "image: alembic/squashed/ left out (a database left behind gets Alembic's bare error)",
        f"{PROJECT}/.dockerignore",
        "\nk8s/\n",
        "\nk8s/\nalembic/squashed/\n",
        (
            f"{CONTAINER_FILES_TESTS}::test_build_context_leaves_out_secrets_environments_and_databases",
        ),
    ),
    Mutant(
        "secrets: .env.k8s sent to the image's build context",
        f"{PROJECT}/.dockerignore",
        ".env.*\n",
        "",
        (f"{K8S_TESTS}::test_the_readme_command_makes_the_secret_from_a_file_kubectl_reads_as_is",),
    ),
    Mutant(
        "k8s: the budget's minAvailable equals the replicas (a node drain never finishes)",
        f"{K8S}/app/pod-disruption-budget.yaml",
        "  minAvailable: 1\n",
        "  minAvailable: 2\n",
        (K8S_DEPLOYMENT,),
    ),
    Mutant(
        "k8s: no preStop pause (requests still routed to a stopping replica)",
        f"{K8S}/app/deployment.yaml",
        '                command: ["sleep", "10"]\n',
        '                command: ["sleep", "0"]\n',
        (K8S_DEPLOYMENT,),
    ),
    Mutant(
        "k8s: the API's root filesystem writable",
        f"{K8S}/app/deployment.yaml",
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: false",
        (K8S_FASTAPI_JOB,),
    ),
    Mutant(
        "k8s: the Deployment not given the release's image",
        f"{K8S}/app/kustomization.yaml",
        "components:\n  - ../release\n",
        "",
        (K8S_FASTAPI_JOB,),
    ),
    Mutant(
        "k8s: the Service sends traffic to the migration pod too",
        f"{K8S}/app/service.yaml",
        "  selector:\n    app.kubernetes.io/name: {{ cookiecutter.project_slug }}\n"
        "    app.kubernetes.io/component: api\n",
        "  selector:\n    app.kubernetes.io/name: {{ cookiecutter.project_slug }}\n",
        (K8S_DEPLOYMENT,),
    ),
    Mutant(
        "k8s: the Service targets a port the container does not listen on",
        f"{K8S}/app/service.yaml",
        "      targetPort: http\n",
        "      targetPort: 8080\n",
        (K8S_DEPLOYMENT,),
    ),
    Mutant(
        "k8s: the image's user by name, which runAsNonRoot cannot verify",
        f"{PROJECT}/Dockerfile",
        "USER 10001:10001\n",
        "USER app\n",
        (K8S_JOB,),
    ),
    Mutant(
        "k8s: the API's network policy lets in every port",
        f"{K8S}/app/network-policy.yaml",
        "  ingress:\n    - ports:\n        - port: http\n",
        "  ingress:\n    - {}\n",
        (K8S_POLICIES,),
    ),
    Mutant(
        "k8s: the API's network policy selects no API pod",
        f"{K8S}/app/network-policy.yaml",
        "      app.kubernetes.io/component: api\n  policyTypes",
        "      app.kubernetes.io/component: web\n  policyTypes",
        (K8S_POLICIES,),
    ),
    Mutant(
        "k8s: the API's network policy blocks its way out (the database, DNS)",
        f"{K8S}/app/network-policy.yaml",
        'policyTypes: ["Ingress"]',
        'policyTypes: ["Ingress", "Egress"]',
        (K8S_POLICIES,),
    ),
    Mutant(
        "k8s: the migration pod lets every connection in",
        f"{K8S}/migrate/network-policy.yaml",
        '  policyTypes: ["Ingress"]\n',
        '  policyTypes: ["Ingress"]\n  ingress:\n    - {}\n',
        (K8S_POLICIES,),
    ),
    Mutant(
        "telemetry: OTEL_SERVICE_NAME ignored",
        f"{PACKAGE}/telemetry.py",
        '{SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME") or DEFAULT_SERVICE_NAME}',
        "{SERVICE_NAME: DEFAULT_SERVICE_NAME}",
        (TELEMETRY_ASYNC,),
    ),
    Mutant(
        "compose: the app trusts X-Forwarded-* from every address",
        f"{PROJECT}/compose.yaml",
        "FORWARDED_ALLOW_IPS: ${FORWARDED_ALLOW_IPS:-127.0.0.1}",
        'FORWARDED_ALLOW_IPS: ${FORWARDED_ALLOW_IPS:-"*"}',
        (
            f"{CONTAINER_FILES_TESTS}::test_compose_trusts_proxy_headers_from_forwarded_allow_ips_only",
        ),
    ),
    Mutant(
        "secrets: .env's URL unquoted (python-dotenv expands a $ in the password)",
        f"{PROJECT}/.env",
        "normalised_database_url(cookiecutter.database_api) | dotenv_quoted }}",
        "normalised_database_url(cookiecutter.database_api) }}",
        ("tests/test_generation.py", SECRET_ONLY_IN_DOTENV),
    ),
    Mutant(
        "k8s: the startup probe gives the process 2 seconds (replicas restart forever)",
        f"{K8S}/app/deployment.yaml",
        "            failureThreshold: 30\n",
        "            failureThreshold: 1\n",
        (K8S_DEPLOYMENT,),
    ),
    Mutant(
        "the CI workflow never downgrades",
        f"{PROJECT}/.github/workflows/ci.yml",
        "          poetry run alembic downgrade base\n",
        "",
        (
            f"{CONTAINER_FILES_TESTS}::test_workflow_migrates_checks_and_round_trips_before_the_tests",
        ),
    ),
    Mutant(
        "telemetry: the pool gauge reports 0 whatever the pool holds",
        f"{PACKAGE}/telemetry.py",
        "[Observation(engine.pool.checkedout())]",
        "[Observation(0)]",
        (TELEMETRY_SYNC, TELEMETRY_ASYNC),
    ),
    Mutant(
        "secrets: every bake's compose database gets the same password",
        "alembic_service_template/jinja.py",
        "    return secrets.token_hex(16)\n",
        '    return "0" * 32\n',
        (f"{CONTAINER_FILES_TESTS}::test_each_bake_makes_its_own_database_password",),
    ),
    Mutant(
        "secrets: a MySQL bake's .env names POSTGRES_PASSWORD, which compose does not read",
        f"{PROJECT}/.env",
        '{{ "POSTGRES_PASSWORD" if backend == "postgresql" else "MYSQL_PASSWORD" }}',
        '{{ "POSTGRES_PASSWORD" }}',
        (f"{CONTAINER_FILES_TESTS}::test_compose_reads_the_password_the_bake_put_in_dotenv",),
    ),
    Mutant(
        "k8s: a checkov check skipped without a reason",
        f"{K8S}/.checkov.yaml",
        "skip-check:\n",
        "skip-check:\n  - CKV_K8S_20\n",
        (f"{K8S_CHECKOV}[fastapi-postgresql]",),
    ),
    Mutant(
        "the image's API listens on the container's loopback only (a published port gets nothing)",
        f"{PROJECT}/Dockerfile",
        "UVICORN_HOST=0.0.0.0",
        "UVICORN_HOST=127.0.0.1",
        ("tests/test_docker.py::test_migrate_then_serve",),
    ),
]


def run_mutant(mutant: Mutant) -> bool:
    """Plant ``mutant``, run its tests; True when they fail (the mutant is killed)."""
    path = TEMPLATE_DIR / mutant.path
    original = path.read_text()
    if original.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.name}: the text to replace is not once in {mutant.path}")
    try:
        path.write_text(original.replace(mutant.old, mutant.new))
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-x",
                "-n",
                "2",
                "-p",
                "no:cacheprovider",
                *mutant.tests,
            ],
            cwd=TEMPLATE_DIR,
            capture_output=True,
            text=True,
        )
    finally:
        path.write_text(original)
    return result.returncode != 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only mutants whose name holds this text")
    chosen = [m for m in MUTANTS if parser.parse_args().k in m.name]
    survivors = []
    for mutant in chosen:
        killed = run_mutant(mutant)
        print(f"{'killed  ' if killed else 'SURVIVED'}  {mutant.name}", flush=True)
        if not killed:
            survivors.append(mutant.name)
    print(f"\n{len(chosen) - len(survivors)} of {len(chosen)} mutants killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
