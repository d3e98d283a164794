"""Shared fixtures: the simulated three-level data and its truth."""

import pytest

from companion import data, simulate


@pytest.fixture(scope="session")
def levels():
    """The course's three-level data (as in data/levels.csv) and its true parameters."""
    frame, truth = simulate.simulate_levels(500, seed=2026)
    return frame, truth


@pytest.fixture(scope="session")
def levels_csv():
    """data/levels.csv, loaded and validated."""
    return data.load_levels()
