"""The seeded AWS estate (moto server) the collector tests read."""

from __future__ import annotations

import pytest

from tests.evidence.aws.aws_estate import Estate, seed


@pytest.fixture(scope="session")
def estate(moto_server: str) -> Estate:
    return seed(moto_server)
