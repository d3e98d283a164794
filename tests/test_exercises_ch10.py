import math

import pytest

from companion import exercises

# Gelman and Hill's estimates (2007, pp. 258-259, 266), typed here independently of the checker.
SIGMA_ALPHA_FLOOR, SIGMA_ALPHA_URANIUM = 0.33, 0.16


def test_10_1_share_of_variance_not_of_sd():
    share = 1 - (SIGMA_ALPHA_URANIUM / SIGMA_ALPHA_FLOOR) ** 2
    assert exercises.check("10-1", share).correct
    assert "radium" in exercises.check("10-1", share).message
    assert exercises.check("10-1", 0.72).correct  # a posterior-mean answer near the book's
    sd_slip = exercises.check("10-1", 1 - SIGMA_ALPHA_URANIUM / SIGMA_ALPHA_FLOOR)
    assert not sd_slip.correct and "squares" in sd_slip.message
    assert "unexplained" in exercises.check("10-1", 1 - share).message
    assert "percentage" in exercises.check("10-1", 100 * share).message
    assert not exercises.check("10-1", 0.4).correct


def _above(mean, sd, level=4.0):
    return 0.5 * math.erfc((math.log(level) - mean) / (sd * math.sqrt(2)))


def test_10_2_basement_in_a_new_county():
    sd = math.hypot(SIGMA_ALPHA_URANIUM, 0.76)
    basement = _above(1.47 + 0.72 * math.log(1.5), sd)
    assert exercises.check("10-2", basement).correct
    assert exercises.check("10-2", basement - 0.04).correct  # Monte Carlo and posterior spread
    first_floor = exercises.check("10-2", _above(1.47 + 0.72 * math.log(1.5) - 0.67, sd))
    assert not first_floor.correct and "first-floor" in first_floor.message
    below = exercises.check("10-2", 1 - basement)
    assert not below.correct and "below" in below.message
    no_log = exercises.check("10-2", _above(1.47, sd))
    assert not no_log.correct and "log of 1.5" in no_log.message
    assert "percentage" in exercises.check("10-2", 100 * basement).message


@pytest.mark.parametrize(
    ("answer", "correct"), [("small", True), (" Small", True), ("large", False)]
)
def test_10_3_small_counties_move_most(answer, correct):
    assert exercises.check("10-3", answer).correct is correct


def test_10_3_explains_the_wrong_answer():
    assert "pinned by its own data" in exercises.check("10-3", "large").message
    assert not exercises.check("10-3", 3).correct
