"""benchmarks/mutants.py stays runnable as the template changes: each mutant's text is in
its file exactly once, and each test it names exists (a mutant whose text is gone, or whose
test was renamed, would be reported as killed or refuse to run, telling nothing)."""

import importlib.util
import sys

import pytest

from tests.helpers import TEMPLATE_DIR


def load_mutants():
    spec = importlib.util.spec_from_file_location("mutants", TEMPLATE_DIR / "benchmarks/mutants.py")
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclass looks its own module up while it is being defined.
    sys.modules.setdefault("mutants", module)
    spec.loader.exec_module(module)
    return module.MUTANTS


MUTANTS = load_mutants()


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda mutant: mutant.name)
def test_each_mutant_plants_once_and_names_existing_tests(mutant):
    assert (TEMPLATE_DIR / mutant.path).read_text().count(mutant.old) == 1, mutant.path
    for test in mutant.tests:
        path, _, name = test.partition("::")  # a module, or one test of it
        source = (TEMPLATE_DIR / path).read_text()
        function = name.partition("[")[0]
        assert not function or f"def {function}(" in source, test
