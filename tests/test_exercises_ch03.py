import numpy as np
import pytest

from companion import exact, exercises, explore


def test_03_1_accepts_the_two_limits():
    assert exercises.check("03-1", {"small": "pooled", "large": "Unpooled"}).correct


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ({"small": "unpooled", "large": "pooled"}, "swapped"),
        ({"small": "pooled"}, "dict"),
        ({"small": "pooled", "large": "partial"}, "pooled"),
    ],
)
def test_03_1_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("03-1", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_03_2_accepts_the_spread_found_by_search():
    spreads = np.linspace(0.5, 1.5, 100_001)
    moved = exact.shrinkage_factor(5, sigma=2.0, group_sd=spreads)
    half_way = spreads[np.argmin(np.abs(moved - 0.5))]
    assert exercises.check("03-2", half_way).correct
    assert explore.shrinkage_table(5, group_sd=half_way, sigma=2.0).loc["h1", "shrinkage"] == (
        pytest.approx(0.5, abs=1e-3)
    )


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (0.8, "spread squared"),
        (1.0, "smaller spread"),
        (0.5, "larger spread"),
        (-1.0, "positive"),
    ],
)
def test_03_2_rejects_typical_slips(answer, hint):
    feedback = exercises.check("03-2", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_03_3_accepts_the_smallest_size_found_by_search():
    table = [
        (n, explore.shrinkage_table(n, group_sd=1.0, sigma=2.0).loc["h1", "shrinkage"])
        for n in range(1, 200)
    ]
    smallest = next(n for n, shrinkage in table if shrinkage < 0.15)
    assert exercises.check("03-3", smallest).correct


@pytest.mark.parametrize(
    ("answer", "hint"), [(22, "more rows"), (5, "more rows"), (40, "smallest"), (2.5, "whole")]
)
def test_03_3_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("03-3", answer)
    assert not feedback.correct
    assert hint in feedback.message
