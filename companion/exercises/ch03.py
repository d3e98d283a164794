"""Checkers of the exercises in ``notebooks/03_partial_pooling.ipynb``.

- ``03-1``: which model partial pooling becomes as the spread goes to zero or to infinity.
- ``03-2``: how far ``a_h1`` moves toward the population mean when the spread is 0.5.
- ``03-3``: how many rows ``h1`` needs before pooling moves it less than 15% of the way.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from companion import exact
from companion.exercises import as_number, register

__all__ = ["check_limits", "check_rows_for_small_shrinkage", "check_shrinkage_half_spread"]

SIGMA = 2.0


@register("03-1")
def check_limits(answer: object) -> tuple[bool, str]:
    """Accept ``{"small": "pooled", "large": "unpooled"}``.

    Parameters
    ----------
    answer : dict
        Keys ``"small"`` (``group_sd`` near 0) and ``"large"`` (``group_sd`` very large),
        values ``"pooled"`` or ``"unpooled"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_limits({"small": "pooled", "large": "unpooled"})[0]
    True
    >>> check_limits({"small": "unpooled", "large": "pooled"})[0]
    False
    """
    if not isinstance(answer, Mapping) or set(answer) != {"small", "large"}:
        return False, 'answer with a dict: {"small": ..., "large": ...}.'
    given = {key: str(value).strip().lower() for key, value in answer.items()}
    if given == {"small": "pooled", "large": "unpooled"}:
        return True, (
            "a spread near 0 forces every a[h] onto w: one shared intercept, the pooled "
            "model. A huge spread makes the population prior flat: each level learns alone, "
            "the unpooled model. Partial pooling lives in between."
        )
    if given == {"small": "unpooled", "large": "pooled"}:
        return False, (
            "swapped: with a tiny spread, how far from w can any a[h] be? Which model has "
            "every level share one intercept?"
        )
    return False, 'each value should be "pooled" or "unpooled"; think of a[h] ~ Normal(w, tau).'


def _shrinkage_half_spread() -> float:
    return float(exact.shrinkage_factor(5, sigma=SIGMA, group_sd=0.5))


@register("03-2")
def check_shrinkage_half_spread(answer: object) -> tuple[bool, str]:
    """Accept the fraction of the way a_h1 moves toward w with ``group_sd=0.5``, about 0.76.

    Parameters
    ----------
    answer : float
        Fraction between 0 and 1 (the ``shrinkage`` of ``h1`` in the explorer's table).

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is within 0.02 of the exact factor, and why (or a hint).

    Examples
    --------
    >>> check_shrinkage_half_spread(0.444)[0]
    False
    """
    value = as_number(answer)
    reference = _shrinkage_half_spread()
    if abs(value - reference) <= 0.02:
        return True, (
            f"about {reference:.0%}: halving the spread says the levels are more alike, so "
            "h1's five rows count for less against the population and it moves further to w."
        )
    if abs(value - exact.shrinkage_factor(5, sigma=SIGMA, group_sd=1.0)) <= 0.02:
        return False, "that is the shrinkage with group_sd=1.0; set group_sd=0.5."
    if abs(value - (1 - reference)) <= 0.02:
        return False, "that is the share h1 keeps of its own mean; give the share it moves."
    if value > 1:
        return False, "give a fraction between 0 and 1 (0.5 means half way to w), not a percentage."
    return False, (
        "use explore.shrinkage_table(5, group_sd=0.5, sigma=2.0) and read the shrinkage of h1; "
        "a smaller spread should pull harder than the 44% seen with group_sd=1."
    )


def _rows_for(fraction: float, *, sigma: float = SIGMA, group_sd: float = 1.0) -> int:
    # shrinkage < fraction  <=>  n > sigma**2 * (1 - fraction) / (fraction * group_sd**2)
    bound = sigma**2 * (1 - fraction) / (fraction * group_sd**2)
    return int(np.floor(bound)) + 1


@register("03-3")
def check_rows_for_small_shrinkage(answer: object) -> tuple[bool, str]:
    """Accept the smallest number of rows for which h1 moves less than 15% of the way.

    With ``group_sd=1`` and ``sigma=2`` the answer is 23.

    Parameters
    ----------
    answer : int
        Number of rows of ``h1``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_rows_for_small_shrinkage(23)[0], check_rows_for_small_shrinkage(22)[0]
    (True, False)
    """
    value = as_number(answer)
    reference = _rows_for(0.15)
    if value != round(value) or value < 1:
        return False, "give a whole number of rows (at least 1)."
    moved = exact.shrinkage_factor(value, sigma=SIGMA, group_sd=1.0)
    if value == reference:
        return True, (
            f"{reference} rows: h1 then moves {moved:.1%} of the way. Shrinkage fades as a "
            "level's own rows outweigh what the population says about it."
        )
    if value > reference:
        return False, (
            f"with {value:.0f} rows h1 moves {moved:.1%}, below 15%, but a smaller number "
            "already does: find the smallest."
        )
    return False, (
        f"with {value:.0f} rows h1 still moves {moved:.1%} of the way, not below 15%: "
        "it needs more rows."
    )
