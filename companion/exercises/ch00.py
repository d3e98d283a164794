"""Checkers of the exercises in ``notebooks/00_why_hierarchical.ipynb``.

- ``00-1``: which pooling choice gives every level the same intercept.
- ``00-2``: the width of the 90% predictive interval for the next X after 20 instances.
- ``00-3``: which level's interval partial pooling narrows the most.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from companion.exact import predictive_interval
from companion.exercises import as_number, register

__all__ = [
    "check_level_narrowed_most",
    "check_one_value_for_all",
    "check_predictive_width",
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


def predictive_width(mean_sd: float, n: int, prob: float = PROB) -> float:
    """Width of the central predictive interval for the next instance of X.

    With ``n`` instances of sample sd ``mean_sd`` and flat priors on the population mean and
    log spread, the next instance follows a Student t with ``n - 1`` degrees of freedom and
    scale ``sd * sqrt(1 + 1 / n)``.

    Parameters
    ----------
    mean_sd : float
        Sample standard deviation of the ``n`` instances.
    n : int
        Number of instances (at least 2).
    prob : float, default 0.9
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
    lower, upper = predictive_interval(0.0, mean_sd, n, prob=prob)
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
    return False, "use predictive_interval(5.0, 2.0, 20) from the notebook and subtract the ends."


@register("00-3")
def check_level_narrowed_most(answer: object) -> tuple[bool, str]:
    """Accept ``"h1"``: the level with 5 rows gains most from the other levels.

    Parameters
    ----------
    answer : str
        A level label: ``"h1"``, ``"h2"`` or ``"h3"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_level_narrowed_most("h1")[0], check_level_narrowed_most("h3")[0]
    (True, False)
    """
    if not isinstance(answer, str):
        return False, 'answer with a level label: "h1", "h2" or "h3".'
    word = _word(answer).replace(" ", "")
    if word == "h1":
        return True, (
            "h1 has 5 rows, so its own data say little and the other levels' information "
            "counts; h2 and h3 have hundreds of rows that already pin their intercepts down."
        )
    if word in {"h2", "h3"}:
        return False, (
            f"{word} has hundreds of rows: its own data already pin its intercept down. "
            "Which level has the least data of its own?"
        )
    return False, 'pick one of "h1", "h2" or "h3".'
