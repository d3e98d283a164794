"""Checkers of the exercises in ``notebooks/07_real_data.ipynb``.

- ``07-1``: why the best early hitters came down and the worst went up.
- ``07-2``: the James-Stein factor if every player had had 180 at-bats instead of 45.
- ``07-3``: how much squared error the rest-of-season luck alone contributes.
"""

from __future__ import annotations

import numpy as np

from companion import realdata
from companion.exercises import as_number, register

__all__ = ["check_factor_more_at_bats", "check_luck_of_the_truth", "check_why_regress"]


@register("07-1")
def check_why_regress(answer: object) -> tuple[bool, str]:
    """Accept ``"b"``: an early average is ability plus luck, and luck does not repeat.

    Parameters
    ----------
    answer : str
        One letter, ``"a"``, ``"b"`` or ``"c"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_why_regress("B")[0], check_why_regress("a")[0]
    (True, False)
    """
    letter = str(answer).strip().strip("()").lower()
    if letter == "b":
        return True, (
            "an average over 45 at-bats is ability plus about 0.066 of binomial luck; the "
            "extreme averages are extreme partly through luck, which the rest of the season "
            "does not repeat. Shrinking toward the mean removes part of that luck."
        )
    if letter == "a":
        return False, (
            "the first 45 at-bats are an unbiased sample of each player's ability; what is "
            "biased is picking the extremes. Which part of an extreme average repeats?"
        )
    if letter == "c":
        return False, (
            "tiredness would pull every player down, but the lowest early averages went up. "
            "Think of what an average over only 45 tries is made of."
        )
    return False, 'answer with one letter: "a", "b" or "c".'


def _factor_at(trials: int) -> float:
    table = realdata.load_efron_morris()
    return realdata.james_stein(table["hits"] / table["at_bats"], trials=trials).factor


@register("07-2")
def check_factor_more_at_bats(answer: object) -> tuple[bool, str]:
    """Accept the James-Stein factor ``c`` with 180 at-bats per player, about 0.80.

    Parameters
    ----------
    answer : float
        The factor ``c`` (between 0 and 1).

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is within 0.005 of the reference, and why (or a hint).

    Examples
    --------
    >>> check_factor_more_at_bats(0.803)[0], check_factor_more_at_bats(0.212)[0]
    (True, False)
    """
    value = as_number(answer)
    reference = _factor_at(180)
    if abs(value - reference) <= 0.005:
        return True, (
            f"c = {reference:.3f}: with four times the at-bats the binomial noise variance is "
            "four times smaller, the same spread of averages is mostly real, and each "
            "player keeps about 80% of his distance from the mean instead of 21%."
        )
    if abs(value - _factor_at(45)) <= 0.005:
        return False, "that is the factor with 45 at-bats; pass trials=180 to james_stein."
    if not 0 <= value <= 1:
        return False, "c is a fraction between 0 (pool completely) and 1 (keep the raw averages)."
    if value < _factor_at(45):
        return False, (
            "more at-bats make each average less noisy: should a player then keep more or "
            "less of his distance from the mean?"
        )
    return False, (
        "use realdata.james_stein(table['hits'] / table['at_bats'], trials=180).factor: "
        "the averages stay the same, only sigma^2 = ybar (1 - ybar) / trials changes."
    )


def _luck() -> float:
    table = realdata.load_efron_morris()
    rate = table["remaining_average"]
    return float((rate * (1 - rate) / table["remaining_at_bats"]).sum())


@register("07-3")
def check_luck_of_the_truth(answer: object) -> tuple[bool, str]:
    """Accept the expected squared error the rest-of-season luck adds, about 0.012.

    Parameters
    ----------
    answer : float
        ``sum_j p_j (1 - p_j) / n_j`` over the players, with ``p_j`` the rest-of-season
        average and ``n_j`` the remaining at-bats.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is within 3% of the reference, and why (or a hint).

    Examples
    --------
    >>> check_luck_of_the_truth(0.0122)[0], check_luck_of_the_truth(0.077)[0]
    (True, False)
    """
    value = as_number(answer)
    reference = _luck()
    if abs(value / reference - 1) <= 0.03:
        return True, (
            f"about {reference:.4f}: more than half of partial pooling's total squared error "
            "is the rest of the season's own luck, which no estimator made in April can "
            "remove. The gap between estimators is what they differ in."
        )
    table = realdata.load_efron_morris()
    rate = table["remaining_average"]
    with_45 = float((rate * (1 - rate) / 45).sum())
    if abs(value / with_45 - 1) <= 0.03:
        return False, (
            "you divided by the 45 early at-bats; the luck in question is that of the "
            "rest-of-season average, over the remaining at-bats."
        )
    if abs(value / np.sqrt(reference) - 1) <= 0.03:
        return False, "that is a standard deviation; the squared error adds variances."
    if abs(value / (reference / len(table)) - 1) <= 0.03:
        return False, "that is the mean over players; the total squared error is a sum."
    return False, (
        "sum p (1 - p) / n over the 18 players, with p = remaining_average and "
        "n = remaining_at_bats: the variance of each rest-of-season average around the "
        "player's ability."
    )
