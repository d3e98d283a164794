import numpy as np
import pytest
from scipy import stats

from companion import exact, exercises
from companion.exercises import ch00


@pytest.mark.parametrize("key", ["00-1", "00-2", "00-3"])
@pytest.mark.parametrize("blank", [None, ...])
def test_an_untouched_skeleton_gets_a_hint_not_an_error(key, blank):
    feedback = exercises.check(key, blank)
    assert not feedback.correct
    assert "replace `...`" in feedback.message


def test_00_1_accepts_pooled_and_explains_the_other_choices():
    assert exercises.check("00-1", "pooled").correct
    assert exercises.check("00-1", " Complete pooling ").correct
    for wrong in ["unpooled", "partial"]:
        feedback = exercises.check("00-1", wrong)
        assert not feedback.correct and "level dim" in feedback.message
    assert not exercises.check("00-1", 3).correct


def _reference_width(n, sd=2.0, prob=0.9):
    # The predictive of the next instance under flat priors on (mu, log sd): Student t.
    lower, upper = stats.t(df=n - 1, loc=5.0, scale=sd * np.sqrt(1 + 1 / n)).interval(prob)
    return upper - lower


def test_00_2_accepts_the_exact_width_for_twenty_instances():
    feedback = exercises.check("00-2", _reference_width(20))
    assert feedback.correct, feedback.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_reference_width(5), "n = 20"),
        (2 * stats.norm.ppf(0.95) * 2.0 * np.sqrt(1 + 1 / 20), "Student t"),
        (2 * stats.t.ppf(0.95, df=19) * 2.0, "sqrt(1 + 1 / n)"),
        (2 * stats.t.ppf(0.95, df=19) * 2.0 / np.sqrt(20), "population mean"),
        (20.0, "narrower"),
    ],
)
def test_00_2_names_the_likely_slip(wrong, hint):
    feedback = exercises.check("00-2", wrong)
    assert not feedback.correct
    assert hint in feedback.message


def test_00_2_refuses_an_interval_instead_of_a_width():
    feedback = exercises.check("00-2", (1.0, 9.0))
    assert not feedback.correct and "width" in feedback.message


@pytest.mark.parametrize("n", [5, 20])
def test_the_predictive_interval_covers_the_next_instance_as_promised(n):
    # The reference formula is only worth checking against if it is calibrated.
    rng = np.random.default_rng(n)
    draws = rng.normal(5.0, 2.0, size=(20_000, n + 1))
    sd = draws[:, :n].std(axis=1, ddof=1)
    half = ch00.predictive_width(1.0, n) / 2 * sd
    covered = np.abs(draws[:, n] - draws[:, :n].mean(axis=1)) < half
    assert abs(covered.mean() - 0.9) < 0.01


def test_00_3_accepts_the_level_that_partial_pooling_narrows_most(levels):
    frame, truth = levels
    unpooled = exact.unpooled_posterior(frame, sigma=truth.sigma).loc["a", "sd"]
    partial = exact.learned_spread_posterior(frame, sigma=truth.sigma).loc["a", "sd"]
    narrowed_most = (partial / unpooled).idxmin()
    assert exercises.check("00-3", narrowed_most).correct
    for level in set(unpooled.index) - {narrowed_most}:
        feedback = exercises.check("00-3", level)
        assert not feedback.correct and "hundreds of rows" in feedback.message
    assert not exercises.check("00-3", "h9").correct
