"""benchmarks/request_logging.py --quick runs to the end and prints its table and the
in-process cost (figures are never asserted beyond being positive)."""

import re

from tests.helpers import quick_benchmark
from tests.test_service_benchmark import FIGURES, MEASURED_ROW, NUMBER

PLAIN = "plain: uvicorn's access line, no request ID"
SILENT = "silent: no request ID, no access line"


def test_quick_request_logging_benchmark_prints_the_table():
    out = quick_benchmark("request_logging.py")

    measured = {
        (match["label"], match["baseline_label"]): match
        for line in out.splitlines()
        if (match := MEASURED_ROW.match(line))
    }
    assert set(measured) == {
        (route, baseline)
        for route in ("GET /health", "GET /items?limit=50")
        for baseline in (PLAIN, SILENT)
    }, out
    for (label, _baseline), row in measured.items():
        for figure in FIGURES:
            assert float(row[figure]) > 0, f"{label}: {figure} is {row[figure]}\n{out}"
    in_process = re.search(
        rf"^In process, CPU per request: ({NUMBER}) us .+, ({NUMBER}) us .+ kept request ID,"
        rf" ({NUMBER}) us with a new one",
        out,
        re.MULTILINE,
    )
    assert in_process and all(float(figure) > 0 for figure in in_process.groups()), out
