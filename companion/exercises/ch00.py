"""Checkers of the exercises in ``notebooks/00_why_hierarchical.ipynb``.

- ``00-1``: which pooling choice gives every level the same intercept.
- ``00-2``: the width of the 90% predictive interval for the next X after 20 instances.
- ``00-3``: how much partial pooling with the spread fixed at 1 narrows h1's exact sd.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from companion import data, exact
from companion.exact import predictive_interval
from companion.exercises import as_number, register

__all__ = [
    "check_fixed_spread_ratio",
    "check_one_value_for_all",
    "check_predictive_width",
    "h1_sd_ratio",
    "predictive_width",
]


#: The thread's summary of the instances of X, and the exercise's number of instances.
X_MEAN, X_SD, N_INSTANCES, PROB = 5.0, 2.0, 20, 0.9


def _word(answer: object) -> str:
    if not isinstance(answer, str):
        raise TypeError(f"expected a string, got {type(answer).__name__}")
    return answer.strip().lower().replace("-", " ").replace("_", " ")


@register("00-1")
def check_one_value_for_all(answer: object) -> tuple[bool, str]:
    """Accept ``"pooled"``: complete pooling gives one intercept shared by every level.

    Parameters
    ----------
    answer : str
        ``"pooled"``, ``"unpooled"`` or ``"partial"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_one_value_for_all("pooled")[0], check_one_value_for_all("partial")[0]
    (True, False)
    """
    if not isinstance(answer, str):
        return False, 'answer with a string: "pooled", "unpooled" or "partial".'
    word = _word(answer)
    if word in {"pooled", "complete pooling", "complete", "pooled intercept"}:
        return True, (
            "the pooled model has a single intercept a, so every level gets the same value, "
            "whatever its own rows say."
        )
    if word in {"unpooled", "no pooling", "none"}:
        return False, (
            "the unpooled model gives each level its own intercept, fitted from that level's "
            "rows alone: look for the model whose intercept has no level dim."
        )
    if word in {"partial", "partial pooling", "partially pooled", "hierarchical"}:
        return False, (
            "partial pooling pulls the levels toward a common mean but keeps one intercept "
            "per level: look for the model whose intercept has no level dim."
        )
    return False, 'pick one of "pooled", "unpooled" or "partial".'


def predictive_width(sd: float, n_instances: int, *, ci_prob: float = PROB) -> float:
    """Width of the central predictive interval for the next instance of X.

    With ``n_instances`` instances of sample sd ``sd`` and flat priors on the population mean
    and log spread, the next instance follows a Student t with ``n_instances - 1`` degrees of
    freedom and scale ``sd * sqrt(1 + 1 / n_instances)``.

    Parameters
    ----------
    sd : float
        Sample standard deviation of the instances.
    n_instances : int
        Number of instances (at least 2).
    ci_prob : float, default 0.9
        Probability of the interval.

    Returns
    -------
    float
        Upper minus lower end of the interval.

    Examples
    --------
    >>> round(predictive_width(2.0, 5), 2)
    9.34
    """
    lower, upper = predictive_interval(0.0, sd, n_instances, ci_prob=ci_prob)
    return upper - lower


@register("00-2")
def check_predictive_width(answer: object) -> tuple[bool, str]:
    """Accept the 90% predictive width for the 21st X after 20 instances (mean 5, sd 2).

    Parameters
    ----------
    answer : float
        Upper minus lower end of the interval.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is within 0.5% of the exact width, and why (or a hint naming
        the likely slip: five instances, a normal quantile, no ``1 / n`` term, or the
        interval of the mean instead of a new instance).

    Examples
    --------
    >>> check_predictive_width(predictive_width(2.0, 20))[0]
    True
    >>> check_predictive_width(predictive_width(2.0, 5))[0]
    False
    """
    if isinstance(answer, tuple | list | np.ndarray):
        return False, "give one number, the width: upper minus lower end of the interval."
    value = as_number(answer)
    reference = predictive_width(X_SD, N_INSTANCES)

    def near(target: float) -> bool:
        return abs(value - target) <= 0.005 * target

    if near(reference):
        five = predictive_width(X_SD, 5)
        return True, (
            f"{reference:.2f} wide, against {five:.2f} after five instances: more instances "
            "pin down the population mean and spread, but the interval never gets narrower "
            f"than the spread itself (2 x 1.645 x {X_SD:g} = {2 * 1.645 * X_SD:.2f})."
        )
    z = stats.norm.ppf((1 + PROB) / 2)
    t = stats.t.ppf((1 + PROB) / 2, df=N_INSTANCES - 1)
    hints = [
        (predictive_width(X_SD, 5), "that is the width after five instances: set n = 20."),
        (
            2 * z * X_SD * np.sqrt(1 + 1 / N_INSTANCES),
            "the spread is estimated from 20 values, so the quantile comes from a Student t "
            "with n - 1 = 19 degrees of freedom, not from the normal.",
        ),
        (
            2 * t * X_SD,
            "the interval also carries the uncertainty of the population mean: scale the sd "
            "by sqrt(1 + 1 / n).",
        ),
        (
            2 * t * X_SD / np.sqrt(N_INSTANCES),
            "that is the interval for the population mean (sd / sqrt(n)); a new instance "
            "also varies around that mean: use sd * sqrt(1 + 1 / n).",
        ),
    ]
    for target, hint in hints:
        if near(target):
            return False, hint
    if value > predictive_width(X_SD, 5):
        return False, "more instances should make the interval narrower than with five."
    return (
        False,
        "use exact.predictive_interval(5.0, 2.0, 20) and subtract the lower end from the upper.",
    )


#: The noise sd the exercise fixes (the simulation's true value).
SIGMA = 2.0


def h1_sd_ratio(group_sd: float | None) -> float:
    """Exact posterior sd of h1's intercept under partial pooling over its unpooled sd.

    Parameters
    ----------
    group_sd : float or None
        The spread of the level intercepts; ``None`` learns it (a grid over the spread).

    Returns
    -------
    float
        ``sd(a_h1 | partial pooling) / sd(a_h1 | no pooling)`` on ``data/levels.csv``, with
        the noise sd fixed at 2.

    Examples
    --------
    >>> h1_sd_ratio(1.0) < h1_sd_ratio(None) < 1
    True
    """
    frame = data.load_levels()
    partial = exact.partial_pooling_posterior(frame, sigma=SIGMA, group_sd=group_sd)
    unpooled = exact.unpooled_posterior(frame, sigma=SIGMA)
    return float(partial.loc[("a", "h1"), "sd"] / unpooled.loc[("a", "h1"), "sd"])


@register("00-3")
def check_fixed_spread_ratio(answer: object) -> tuple[bool, str]:
    """Accept h1's exact sd with the spread fixed at 1 over its unpooled sd (about 0.81).

    Parameters
    ----------
    answer : float
        The ratio of the two exact posterior sds of ``a_h1``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is within 1% of the exact ratio, and why (or a hint naming the
        likely slip: the learned spread, the shrinkage fraction, or the ratio upside down).

    Examples
    --------
    >>> check_fixed_spread_ratio(h1_sd_ratio(1.0))[0], check_fixed_spread_ratio(0.9)[0]
    (True, False)
    """
    if isinstance(answer, tuple | list | np.ndarray):
        return False, "give one number: h1's sd under tau = 1 divided by its unpooled sd."
    value = as_number(answer)
    reference = h1_sd_ratio(1.0)

    def near(target: float) -> bool:
        return abs(value - target) <= 0.01 * target

    if near(reference):
        return True, (
            f"{reference:.2f}, against {h1_sd_ratio(None):.2f} with the learned spread: a "
            "smaller spread says the levels are more alike, so the other levels tell h1 more "
            "and its sd shrinks further."
        )
    if near(h1_sd_ratio(None)):
        return False, "that is the ratio with the learned spread: set group_sd=1.0."
    if near(1 / reference):
        return (
            False,
            "that is the ratio upside down: divide the partial-pooling sd by the unpooled sd.",
        )
    shrink = float(exact.shrinkage_factor(np.array([5]), sigma=SIGMA, group_sd=1.0)[0])
    if near(shrink) or near(1 - shrink):
        return False, (
            "that is the shrinkage fraction of h1's mean toward w, not a ratio of sds: take "
            "the column 'sd' of both exact posteriors."
        )
    if near(float(np.sqrt(1 - shrink))):
        return False, (
            "that is sqrt(1 - B), the ratio if the population mean w were known; here w is "
            "learned too, which leaves h1 a little less certain: use the exact posterior."
        )
    if value >= 1:
        return False, "partial pooling adds information about h1: its sd cannot grow."
    return False, (
        "compute exact.partial_pooling_posterior(levels, sigma=2.0, group_sd=1.0) and "
        "exact.unpooled_posterior(levels, sigma=2.0), and divide h1's 'sd' entries."
    )
