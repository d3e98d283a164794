import numpy as np
import pandas as pd
import pytest

from companion import exercises, fit, models, simulate, validate
from companion.exercises import ch01


@pytest.mark.parametrize("right", ["independence", "Independent errors", "i.i.d. errors"])
def test_01_1_accepts_independence(right):
    assert exercises.check("01-1", right).correct


@pytest.mark.parametrize("wrong", ["normality", "linearity", "constant variance", "priors", 7])
def test_01_1_rejects_other_assumptions_with_a_hint(wrong):
    feedback = exercises.check("01-1", wrong)
    assert not feedback.correct and feedback.message


def _posterior_mean_z(frame, seed):
    idata = fit.sample(models.pooled_model(frame), random_seed=seed, draws=500, tune=500)
    means = {name: float(idata.posterior[name].mean()) for name in ["a", "b", "sigma"]}
    return fit.residual_z(frame, **means)


@pytest.fixture(scope="module")
def small_spread_z():
    # The learner's route: fit the pooled model with PyMC, then z-scores from posterior means
    # (the checker refits by least squares instead).
    frame, _ = simulate.simulate_levels(500, tau=0.1, random_seed=2026)
    return _posterior_mean_z(frame, seed=1).abs().max()


@pytest.mark.sampling
def test_01_2_accepts_the_answer_from_a_pooled_fit(small_spread_z):
    feedback = exercises.check("01-2", small_spread_z)
    assert feedback.correct, feedback.message
    feedback = exercises.check("01-2", -small_spread_z - 1)
    assert not feedback.correct and "absolute" in feedback.message


@pytest.mark.sampling
def test_01_2_recognises_the_course_data_value():
    course, _ = simulate.simulate_levels(500, random_seed=2026)
    feedback = exercises.check("01-2", _posterior_mean_z(course, seed=1).abs().max())
    assert not feedback.correct and "tau = 1" in feedback.message


@pytest.mark.parametrize("seed", range(5))
def test_level_residual_z_is_standard_normal_when_errors_are_independent(seed):
    # Labels unrelated to y: each level's z-score should be a standard normal draw.
    rng = np.random.default_rng(seed)
    n = 3000
    frame = pd.DataFrame(
        {"level": rng.choice(list("pqrstuvwxy"), size=n), "x": rng.standard_normal(n)}
    )
    frame["y"] = 1.0 + 0.5 * frame["x"] + 2.0 * rng.standard_normal(n)
    z = fit.residual_z(frame, a=1.0, b=0.5, sigma=2.0)
    assert len(z) == 10 and z.abs().max() < 4
    clustered = frame.assign(y=frame["y"] + frame["level"].map({"p": 1.0}).fillna(0.0))
    assert fit.residual_z(clustered, a=1.0, b=0.5, sigma=2.0)["p"] > 5


def test_01_3_accepts_codes_against_the_coords_and_explains_the_slips(levels_csv):
    coords = validate.group_levels(levels_csv, "level").tolist()
    codes = validate.encode_levels(list(ch01.NEW_ROWS), coords, column="level")
    assert exercises.check("01-3", codes).correct
    assert exercises.check("01-3", codes.tolist()).correct
    first_seen, _ = pd.factorize(pd.Series(ch01.NEW_ROWS))
    assert "first appear" in exercises.check("01-3", first_seen).message
    assert "-1" in exercises.check("01-3", [2, 0, 2, -1]).message
    assert "4 codes" in exercises.check("01-3", [2, 0, 2]).message
    assert not exercises.check("01-3", "2021").correct
