"""Shared fixtures: one gazetteer and one extractor per test session.

The compiled gazetteer index is cached under the project's var/cache (git-ignored), so only the
first run on a fresh clone builds it (about a minute); later sessions load it in well under a
second.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.config import PROJECT_DIR, Settings

FIXTURES = Path(__file__).parent / "fixtures"
SEED = PROJECT_DIR / "seeds" / "000_4d483444a7d9f67c.txt"
DEV = FIXTURES / "dev"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def gazetteer(settings: Settings):
    from geo.gazetteer import Gazetteer

    return Gazetteer.load(settings)


@pytest.fixture(scope="session")
def extractor(gazetteer):
    from geo.extract.extractor import Extractor

    return Extractor(gazetteer)
