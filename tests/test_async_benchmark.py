"""benchmarks/async_service.py --quick runs to the end and prints both tables (figures are
never asserted beyond being positive: no throughput, latency or ratio is checked)."""

import re

from tests.helpers import quick_benchmark

NUMBER = r"\d+(?:\.\d+)?"
SERVICE_ROW = re.compile(
    rf"^\| async, (?P<label>[^|]+?) \| (?P<rps>{NUMBER}) \| (?P<p50>{NUMBER}) \| (?P<p99>{NUMBER})"
    rf" \| (?P<cpu>{NUMBER}) \| sync \| (?P<baseline_rps>{NUMBER}) \| (?P<baseline_p50>{NUMBER})"
    rf" \| (?P<baseline_p99>{NUMBER}) \| (?P<baseline_cpu>{NUMBER}) \| (?P<ratio>{NUMBER})x"
    rf" \| (?P<runs>\d+) \|$"
)
MIGRATION_ROW = re.compile(
    rf"^\| alembic upgrade head, async env\.py \(asyncpg\) \| (?P<median>{NUMBER})"
    rf" \| sync env\.py \(psycopg\) \| (?P<baseline>{NUMBER}) \| (?P<ratio>{NUMBER})x"
    r" \|  \| \d+ \|$"
)
# The quick run's rows: both endpoints at 1 and 16 clients (the full run adds 64).
EXPECTED_LABELS = {
    f"{endpoint}, {clients} client(s)"
    for endpoint in ("GET /items/{id}", "GET /items?limit=50")
    for clients in (1, 16)
}


def test_quick_async_benchmark_prints_both_tables():
    out = quick_benchmark("async_service.py")

    rows = {
        match["label"]: match for line in out.splitlines() if (match := SERVICE_ROW.match(line))
    }
    assert set(rows) == EXPECTED_LABELS, out
    for label, row in rows.items():
        for figure, value in row.groupdict().items():
            if figure != "label":
                assert float(value) > 0, f"{label}: {figure} is {value}\n{out}"
    (migration,) = [match for line in out.splitlines() if (match := MIGRATION_ROW.match(line))]
    assert all(float(value) > 0 for value in migration.groupdict().values()), out
    ratios = re.findall(rf"^Ratio async/sync, .+: ({NUMBER})x$", out, re.MULTILINE)
    assert len(ratios) == len(EXPECTED_LABELS), out
