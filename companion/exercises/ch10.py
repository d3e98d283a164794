"""Checkers for the exercises of ``notebooks/10_varying_slopes.ipynb``."""

from __future__ import annotations

import math

from scipy.stats import norm

from companion.exercises import as_number, register
from companion.radon import PUBLISHED

#: The EPA's action level for indoor radon, in pCi/L.
ACTION_LEVEL = 4.0


def _explained_share() -> float:
    floor_sd = float(PUBLISHED["floor"]["sigma_alpha"])
    uranium_sd = float(PUBLISHED["uranium"]["sigma_alpha"])
    return 1 - (uranium_sd / floor_sd) ** 2


@register("10-1")
def explained_share(answer: object) -> tuple[bool, str]:
    """Check the share of the between-county variance that uranium explains."""
    value = as_number(answer)
    share = _explained_share()  # about 0.76 from the published sds
    sd_ratio = 1 - float(PUBLISHED["uranium"]["sigma_alpha"]) / float(
        PUBLISHED["floor"]["sigma_alpha"]
    )
    if value > 1:
        return False, "give a share between 0 and 1, not a percentage."
    if value < 0:
        return False, "adding uranium made sigma_alpha smaller, so the share is positive."
    if abs(value - sd_ratio) < 0.06 and abs(value - share) > 0.1:
        return False, (
            "that compares standard deviations; a share of variance compares their squares: "
            "1 - (sigma_alpha with uranium / sigma_alpha without) ** 2."
        )
    if abs(value - (1 - share)) < 0.06:
        return False, "that is the share left unexplained; subtract it from 1."
    if abs(value - share) > 0.12:
        return False, (
            "compute 1 - (sigma_alpha with uranium / sigma_alpha without) ** 2 from the "
            "posterior means of the two fits."
        )
    return True, (
        f"{value:.2f}: uranium accounts for about three quarters of the variance between "
        "counties that the floor model left to chance. Price, Nero and Gelman (1996) found a "
        "similar share, about 80%, for a different soil measurement (surficial radium, a decay "
        "product of uranium) in a different model: similar, not the same quantity."
    )


def _new_county_probability(*, floor: int, uranium_ppm: float) -> float:
    # An approximation: a plug-in from the book's varying-intercept uranium fit (no parameter
    # uncertainty, no varying slope), not from the slopes model the exercise uses. For a basement
    # house the two differ by about 0.01, well inside the checker's tolerance of 0.07.
    fit = PUBLISHED["uranium"]
    mean = (
        float(fit["gamma_0"])
        + float(fit["gamma_1"]) * math.log(uranium_ppm)
        + float(fit["beta"]) * floor
    )
    sd = math.hypot(float(fit["sigma_alpha"]), float(fit["sigma_y"]))
    return float(norm.sf(math.log(ACTION_LEVEL), loc=mean, scale=sd))


@register("10-2")
def new_county_above_action_level(answer: object) -> tuple[bool, str]:
    """Check P(radon > 4 pCi/L) for a basement in a new county with 1.5 ppm uranium."""
    value = as_number(answer)
    want = _new_county_probability(floor=0, uranium_ppm=1.5)
    if value > 1:
        return False, "give a probability between 0 and 1, not a percentage."
    if value < 0:
        return False, "a probability is between 0 and 1."
    if abs(value - (1 - want)) < 0.02:
        return False, "that is the chance of staying below 4 pCi/L; the question asks above."
    if abs(value - _new_county_probability(floor=1, uranium_ppm=1.5)) < 0.02:
        return False, "that is a first-floor measurement; the question asks about a basement."
    if abs(value - _new_county_probability(floor=0, uranium_ppm=1.0)) < 0.03:
        return False, "pass the log of 1.5 ppm as log_uranium (log(1.5) is about 0.41)."
    if abs(value - want) > 0.07:
        return False, (
            "draw the house with predict_log_radon(..., floor=0, log_uranium=np.log(1.5)) and "
            "take the share of draws above np.log(4)."
        )
    return True, (
        f"{value:.2f}: more likely than not above the action level, but far from certain: a new "
        "county adds its own spread to the house's."
    )


@register("10-3")
def small_county_moves_more(answer: object) -> tuple[bool, str]:
    """Check which county's intercept moves more when uranium enters: a small or a large one."""
    if not isinstance(answer, str) or answer.strip().lower() not in {"small", "large"}:
        return False, 'answer "small" or "large".'
    if answer.strip().lower() == "large":
        return False, (
            "a county with 100 houses is pinned by its own data; the group-level predictor "
            "changes what its neighbours and its uranium say, which matters most when the "
            "county's own data say little."
        )
    return True, (
        "the intercept of a county with a handful of houses leans on the group level, so a "
        "better group-level model moves it most."
    )
