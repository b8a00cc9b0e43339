"""benchmarks/telemetry.py --quick runs to the end and prints its table (figures are never
asserted beyond being positive: no throughput, latency or ratio is checked)."""

import re

from tests.helpers import quick_benchmark

NUMBER = r"\d+(?:\.\d+)?"
ROW = re.compile(
    rf"^\| telemetry on: (?P<label>[^|]+?) \| (?P<rps>{NUMBER}) \| (?P<p50>{NUMBER})"
    rf" \| (?P<p99>{NUMBER}) \| (?P<cpu>{NUMBER}) \| telemetry off \(no endpoint\)"
    rf" \| (?P<baseline_rps>{NUMBER}) \| (?P<baseline_p50>{NUMBER})"
    rf" \| (?P<baseline_p99>{NUMBER}) \| (?P<baseline_cpu>{NUMBER}) \| (?P<ratio>{NUMBER})x"
    rf" \| (?P<runs>\d+) \|$"
)


def test_quick_telemetry_benchmark_prints_on_beside_off():
    out = quick_benchmark("telemetry.py")

    rows = {match["label"]: match for line in out.splitlines() if (match := ROW.match(line))}
    assert set(rows) == {"GET /items/{id}, 200 rows, random ids", "GET /items?limit=50"}, out
    for label, row in rows.items():
        for figure, value in row.groupdict().items():
            if figure != "label":
                assert float(value) > 0, f"{label}: {figure} is {value}\n{out}"
    spans = re.search(r"^Spans received: (\d+)$", out, re.MULTILINE)
    assert spans and int(spans[1]) > 0, out
