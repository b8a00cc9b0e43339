"""benchmarks/service.py --quick runs to the end and prints its table (figures are never
asserted beyond being positive: no throughput, latency or ratio is checked)."""

import re

from tests.helpers import quick_benchmark

CORE = "hand-written FastAPI + Core"
ORM = "hand-written FastAPI + ORM"
# Rows the quick run always prints (label, baseline): the baked service beside each
# hand-written app, the ORM app beside the Core one, and the load generator's ceiling.
EXPECTED_ROWS = {
    ("GET /items/{id}, 200 rows, random ids", CORE),
    ("GET /items?limit=50", CORE),
    ("GET /items/{id}, 200 rows, random ids", ORM),
    ("GET /items?limit=50", ORM),
    ("hand-written ORM: GET /items/{id}, 200 rows, random ids", CORE),
    ("hand-written ORM: GET /items?limit=50", CORE),
    ("GET /health (baked, no database)", "constant ASGI app"),
}
NUMBER = r"\d+(?:\.\d+)?"
MEASURED_ROW = re.compile(
    rf"^\| (?P<label>[^|]+?) \| (?P<rps>{NUMBER}) \| (?P<p50>{NUMBER}) \| (?P<p99>{NUMBER})"
    rf" \| (?P<cpu>{NUMBER}) \| (?P<baseline_label>[^|]+?) \| (?P<baseline_rps>{NUMBER})"
    rf" \| (?P<baseline_p50>{NUMBER}) \| (?P<baseline_p99>{NUMBER}) \| (?P<baseline_cpu>{NUMBER})"
    rf" \| (?P<ratio>{NUMBER})x \| (?P<runs>\d+) \|$"
)
FIGURES = (
    "rps", "p50", "p99", "cpu", "baseline_rps", "baseline_p50", "baseline_p99", "baseline_cpu",
    "ratio", "runs",
)  # fmt: skip


def test_quick_service_benchmark_prints_the_table():
    out = quick_benchmark("service.py")

    assert (
        "| Benchmark | Req/s | p50 (ms) | p99 (ms) | CPU (ms/req) | Baseline | Baseline req/s"
        " | Baseline p50 (ms) | Baseline p99 (ms) | Baseline CPU (ms/req) | Ratio (req/s)"
        " | Runs |" in out
    ), out
    measured = {
        (match["label"], match["baseline_label"]): match
        for line in out.splitlines()
        if (match := MEASURED_ROW.match(line))
    }
    assert set(measured) == EXPECTED_ROWS, out
    for (label, _baseline), row in measured.items():
        for figure in FIGURES:
            assert float(row[figure]) > 0, f"{label}: {figure} is {row[figure]}\n{out}"

    assert re.search(r"^- CPU: .+, \d+ logical cores$", out, re.MULTILINE)
    ceiling = re.search(rf"^Load generator ceiling: ({NUMBER}) req/s", out, re.MULTILINE)
    assert ceiling and float(ceiling[1]) > 0, out
    ratios = re.findall(rf"^Ratio baked/hand-written, .+: ({NUMBER})x", out, re.MULTILINE)
    assert len(ratios) == 2 and all(float(ratio) > 0 for ratio in ratios), out
    overheads = re.findall(r"^CPU per request, .+: ([+-]\d+) %$", out, re.MULTILINE)
    assert len(overheads) == 4, out
