from __future__ import annotations

import pytest

from engine.results import Results
from reports.testing import sample_results


@pytest.fixture(scope="session")
def results() -> Results:
    return sample_results(complete=False)


@pytest.fixture(scope="session")
def complete_results() -> Results:
    return sample_results(complete=True)
