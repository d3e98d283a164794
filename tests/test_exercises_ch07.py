import numpy as np
import pytest

from companion import exercises, realdata


def test_07_1_accepts_luck_that_does_not_repeat():
    assert exercises.check("07-1", "(b)").correct


@pytest.mark.parametrize(
    ("answer", "hint"), [("a", "unbiased"), ("c", "tiredness"), ("d", "one letter")]
)
def test_07_1_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("07-1", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_07_2_accepts_the_factor_with_180_at_bats():
    # Efron and Morris print c = .212 at 45 at-bats. 1 - c is proportional to the binomial
    # variance of an average, sigma^2 = p(1 - p) / n: four times the at-bats quarter it.
    published = 0.212
    assert exercises.check("07-2", 1 - (1 - published) / 4).correct


@pytest.mark.parametrize(
    ("answer", "hint"), [(0.212, "45 at-bats"), (0.1, "more or less"), (80, "fraction")]
)
def test_07_2_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("07-2", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_07_3_accepts_the_squared_error_of_an_estimator_that_knew_the_truth():
    # Replay the rest of the season many times with the true abilities known: the mean
    # total squared error of the truth against the replayed averages.
    table = realdata.load_efron_morris()
    p = table["remaining_average"].to_numpy()
    n = table["remaining_at_bats"].to_numpy()
    rng = np.random.default_rng(7)
    replayed = rng.binomial(n, p, size=(20_000, len(p))) / n
    error = ((replayed - p) ** 2).sum(axis=1).mean()
    assert exercises.check("07-3", error).correct


def test_07_3_rejects_with_a_hint():
    table = realdata.load_efron_morris()
    p, n = table["remaining_average"], table["remaining_at_bats"]
    luck = float((p * (1 - p) / n).sum())
    assert "45 early at-bats" in exercises.check("07-3", float((p * (1 - p) / 45).sum())).message
    assert "standard deviation" in exercises.check("07-3", luck**0.5).message
    assert "mean over players" in exercises.check("07-3", luck / 18).message
    assert not exercises.check("07-3", "a lot").correct
