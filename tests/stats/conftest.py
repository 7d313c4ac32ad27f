"""Shared fixtures for the statistics tests: the committed reference data."""

from pathlib import Path

import pandas as pd
import pytest

REFERENCE = Path(__file__).parents[1] / "reference"


@pytest.fixture(scope="session")
def contacts() -> pd.DataFrame:
    """tests/reference/contacts.csv (made by make_fixtures.py; R scripts read the same file)."""
    return pd.read_csv(REFERENCE / "contacts.csv")


@pytest.fixture(scope="session")
def wave04(contacts: pd.DataFrame) -> pd.DataFrame:
    return contacts[contacts["wave"] == "2026-04"]


@pytest.fixture(scope="session")
def wave07(contacts: pd.DataFrame) -> pd.DataFrame:
    return contacts[contacts["wave"] == "2026-07"]
