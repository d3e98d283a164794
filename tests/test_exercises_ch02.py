import numpy as np
import pandas as pd
import pytest
from scipy import stats

from companion import data, exact, exercises, simulate


def rows_of(frame, level):
    return int((frame["level"] == level).sum())


@pytest.mark.parametrize("answer", ["c + a[h]", "a[h] + c", "C+A[H]"])
def test_02_1_accepts_the_sum(answer):
    assert exercises.check("02-1", answer).correct


@pytest.mark.parametrize("answer", ["c", "a[h]", 3])
def test_02_1_rejects_a_single_intercept_with_a_hint(answer):
    feedback = exercises.check("02-1", answer)
    assert not feedback.correct
    assert feedback.message


def test_02_2_accepts_the_square_root_law():
    # An unpooled intercept's sd is about sigma / sqrt(n_h1): the ratio is sqrt(old / new rows).
    old = rows_of(data.load_levels(), "h1")
    new = rows_of(simulate.simulate_levels(2000, random_seed=2026)[0], "h1")
    assert new == 4 * old
    assert exercises.check("02-2", np.sqrt(old / new)).correct


@pytest.mark.parametrize(("answer", "hint"), [(0.25, "1/n"), (2.0, "divide"), (0.8, "exact")])
def test_02_2_rejects_typical_slips(answer, hint):
    feedback = exercises.check("02-2", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_02_3_accepts_the_rows_whose_interval_is_one_wide():
    # Independent of the checker: the smallest n with 2 * 1.645 * 2 / sqrt(n) <= 1, by search.
    n = next(n for n in range(1, 1000) if 2 * stats.norm.ppf(0.95) * 2.0 / np.sqrt(n) <= 1.0)
    assert exercises.check("02-3", n).correct
    assert exercises.check("02-3", float(n - 0.5)).correct


def test_02_3_the_exact_posterior_confirms_the_width(levels):
    # With that many rows for h1, its exact unpooled 90% interval is about 1 wide.
    frame, truth = levels
    rng = np.random.default_rng(0)
    n = next(n for n in range(1, 1000) if 2 * stats.norm.ppf(0.95) * 2.0 / np.sqrt(n) <= 1.0)
    n_new = n - rows_of(frame, "h1")
    x_new = rng.standard_normal(n_new)
    new_rows = pd.DataFrame(
        {
            "level": pd.array(["h1"] * n_new, dtype="string"),
            "x": x_new,
            "y": truth.a["h1"] + truth.b * x_new + truth.sigma * rng.standard_normal(n_new),
        }
    )
    grown = pd.concat([frame, new_rows], ignore_index=True)
    sd = exact.unpooled_posterior(grown, sigma=truth.sigma).loc[("a", "h1"), "sd"]
    assert abs(2 * stats.norm.ppf(0.95) * sd - 1.0) < 0.05


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (38.3, "extra"),
        (6.6, "square"),
        (16, "1.645 posterior sd"),
        (4, "whole interval"),
        (145, "rows_to_match"),
    ],
)
def test_02_3_rejects_typical_slips(answer, hint):
    feedback = exercises.check("02-3", answer)
    assert not feedback.correct
    assert hint in feedback.message
