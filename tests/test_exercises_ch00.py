import numpy as np
import pytest
from scipy import stats

from companion import exercises
from companion.exercises import ch00


def test_00_1_accepts_pooled_and_explains_the_other_choices():
    assert exercises.check("00-1", "pooled").correct
    assert exercises.check("00-1", " Complete pooling ").correct
    for wrong in ["unpooled", "partial"]:
        feedback = exercises.check("00-1", wrong)
        assert not feedback.correct and "level dim" in feedback.message
    assert not exercises.check("00-1", 3).correct


def _simulated_width(n, sd=2.0, prob=0.9, n_worlds=400_000):
    # The interval mean +- q * sd that catches the next instance in 90% of simulated worlds:
    # found by simulation, not from the Student t formula the checker uses.
    rng = np.random.default_rng(n)
    draws = rng.standard_normal((n_worlds, n + 1))
    spread = draws[:, :n].std(axis=1, ddof=1)
    q = np.quantile(np.abs(draws[:, n] - draws[:, :n].mean(axis=1)) / spread, prob)
    return 2 * q * sd


def _reference_width(n, sd=2.0, prob=0.9):
    lower, upper = stats.t(df=n - 1, loc=5.0, scale=sd * np.sqrt(1 + 1 / n)).interval(prob)
    return upper - lower


def test_00_2_accepts_the_width_that_covers_ninety_percent_of_new_instances():
    feedback = exercises.check("00-2", _simulated_width(20))
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


def _h1_ratio_by_formula(levels, group_sd):
    # Independent of the checker: the exact Gaussian posterior written out as one linear
    # system in (w, a_h1, a_h2, a_h3, b), with a_h ~ Normal(w, group_sd) and flat-ish w, b.
    frame, truth = levels
    codes = frame["level"].map({"h1": 0, "h2": 1, "h3": 2}).to_numpy()
    design = np.zeros((len(frame), 5))
    design[np.arange(len(frame)), 1 + codes] = 1.0
    design[:, 4] = frame["x"].to_numpy()
    precision = design.T @ design / truth.sigma**2
    prior = np.zeros((5, 5))
    for h in range(1, 4):
        prior[h, h] += 1 / group_sd**2
        prior[0, 0] += 1 / group_sd**2
        prior[0, h] = prior[h, 0] = -1 / group_sd**2
    partial_sd = np.sqrt(np.linalg.inv(precision + prior)[1, 1])
    unpooled_sd = np.sqrt(np.linalg.inv(precision[1:, 1:])[0, 0])
    return partial_sd / unpooled_sd


def test_00_3_accepts_the_exact_ratio_computed_another_way(levels):
    ratio = _h1_ratio_by_formula(levels, group_sd=1.0)
    feedback = exercises.check("00-3", ratio)
    assert feedback.correct, feedback.message
    assert ratio < ch00.h1_sd_ratio(None) < 1


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (ch00.h1_sd_ratio(None), "learned spread"),
        (1 / ch00.h1_sd_ratio(1.0), "upside down"),
        (4 / 9, "shrinkage fraction"),
        (np.sqrt(5 / 9), "w were known"),
        (1.2, "cannot grow"),
    ],
)
def test_00_3_names_the_likely_slip(wrong, hint):
    feedback = exercises.check("00-3", wrong)
    assert not feedback.correct
    assert hint in feedback.message
