"""Checkers of the exercises in ``notebooks/03_partial_pooling.ipynb``.

- ``03-1``: which model partial pooling becomes as the spread goes to zero or to infinity.
- ``03-2``: the spread at which ``a_h1`` moves half of the way to the population mean.
- ``03-3``: how many rows ``h1`` needs before pooling moves it less than 15% of the way.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from companion import exact
from companion.exercises import as_number, register

__all__ = ["check_half_way_spread", "check_limits", "check_rows_for_small_shrinkage"]

SIGMA = 2.0


@register("03-1")
def check_limits(answer: object) -> tuple[bool, str]:
    """Check which model partial pooling becomes at each end of the spread.

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
    >>> check_limits({"small": "partial", "large": "partial"})[0]
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


def _half_way_spread() -> float:
    # B = 1/2 when the level's noise sigma**2 / n equals the spread squared
    return float(SIGMA / np.sqrt(5))


@register("03-2")
def check_half_way_spread(answer: object) -> tuple[bool, str]:
    """Check the spread at which a 5-row ``h1`` moves half of the way to ``w``.

    Parameters
    ----------
    answer : float
        The ``group_sd`` at which ``exact.shrinkage_factor(5, sigma=2.0, group_sd=...)`` is 1/2.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is within 0.01 of the exact spread, and why (or a hint).

    Examples
    --------
    >>> check_half_way_spread(0.5)[0]
    False
    """
    value = as_number(answer)
    reference = _half_way_spread()
    if abs(value - reference) <= 0.01:
        moved = exact.shrinkage_factor(5, sigma=SIGMA, group_sd=value)
        return True, (
            f"group_sd = {reference:.3f} moves h1 {moved:.1%} of the way: half way is where the "
            "noise of its own mean, sigma**2/n, equals the spread squared. Below 1, as a smaller "
            "spread (levels more alike) pulls harder than the 44% seen with group_sd=1."
        )
    if value <= 0:
        return False, "a spread is a positive number: give a group_sd above 0."
    if abs(value - reference**2) <= 0.01:
        return False, "that is the spread squared (a variance); give group_sd itself."
    moved = exact.shrinkage_factor(5, sigma=SIGMA, group_sd=value)
    if value > reference:
        return False, (
            f"with group_sd={value:g}, h1 moves {moved:.1%} of the way, less than half: "
            "a smaller spread pulls harder."
        )
    return False, (
        f"with group_sd={value:g}, h1 moves {moved:.1%} of the way, more than half: "
        "try a larger spread."
    )


def _rows_for(fraction: float, *, sigma: float = SIGMA, group_sd: float = 1.0) -> int:
    # shrinkage < fraction  <=>  n > sigma**2 * (1 - fraction) / (fraction * group_sd**2)
    bound = sigma**2 * (1 - fraction) / (fraction * group_sd**2)
    return int(np.floor(bound)) + 1


@register("03-3")
def check_rows_for_small_shrinkage(answer: object) -> tuple[bool, str]:
    """Check the smallest number of rows for which h1 moves less than 15% of the way.

    With ``group_sd=1`` and ``sigma=2``.

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
    >>> check_rows_for_small_shrinkage(2.5)[0]
    False
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
