"""Checkers of the exercises in ``notebooks/04_nested_coin_mints.ipynb``.

- ``04-1``: which levels' spreads the prediction for a new line in a known factory adds.
- ``04-2``: the flat model's probability that the 6-flip coin is fair within 0.1.
- ``04-3``: the share of variance the lines explain if their spread were halved.
"""

from __future__ import annotations

from collections.abc import Iterable

from scipy import stats

from companion import coins, simulate
from companion.exercises import as_number, register

__all__ = ["check_fair_within_tenth", "check_line_share_halved", "check_new_line_spreads"]


@register("04-1")
def check_new_line_spreads(answer: object) -> tuple[bool, str]:
    """Accept the levels whose spread a new line of a known factory adds: line and coin.

    Parameters
    ----------
    answer : collection of str
        Level names, e.g. ``["line", "coin"]`` (order does not matter).

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_new_line_spreads({"coin", "line"})[0]
    True
    >>> check_new_line_spreads(["coin"])[0]
    False
    """
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return False, 'answer with a list of level names, such as ["region", "coin"].'
    given = {str(level).strip().lower() for level in answer}
    unknown = given - set(simulate.COIN_HIERARCHY)
    if unknown:
        return (
            False,
            f"{sorted(unknown)} is not a level; the levels are {list(simulate.COIN_HIERARCHY)}.",
        )
    if given == {"line", "coin"}:
        return True, (
            "the factory is known, so its posterior is used as it is; the line is new, so its "
            "log-odds gets a draw with spread sigma_line, and the coin on that line one with "
            "sigma_coin."
        )
    if given == {"coin"}:
        return False, "that is a new coin from a known line; here the line itself is new too."
    if "factory" in given or "region" in given:
        return False, (
            "the factory (and so its region) is known: its estimate comes from the posterior, "
            "with no population draw. Which levels below it are new?"
        )
    return False, "list every level below the deepest known group: each adds its own spread."


def _sparse_coin() -> tuple[int, int]:
    table = coins.load_coins()
    row = table.loc[table["flips"] == 6].iloc[0]
    return int(row["heads"]), int(row["flips"])


def _fair_probability(tolerance: float) -> float:
    heads, flips = _sparse_coin()
    posterior = stats.beta(1 + heads, 1 + flips - heads)
    return float(posterior.cdf(0.5 + tolerance) - posterior.cdf(0.5 - tolerance))


@register("04-2")
def check_fair_within_tenth(answer: object) -> tuple[bool, str]:
    """Accept the flat model's P(|p - 0.5| < 0.1) for the 6-flip coin (exact Beta posterior).

    Parameters
    ----------
    answer : float
        A probability; posterior draws give it within 0.03 of the exact value.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_fair_within_tenth(_fair_probability(0.1))[0]
    True
    >>> check_fair_within_tenth(_fair_probability(0.05))[0]
    False
    """
    value = as_number(answer)
    reference = _fair_probability(0.1)
    if abs(value - reference) <= 0.03:
        return True, (
            f"about {reference:.2f}: doubling the tolerance roughly doubles the probability, "
            "because after six flips the posterior density is nearly a straight line across "
            "0.4 to 0.6, so doubling the window doubles the probability; the flat model "
            "cannot tell this coin from a fair one, nor from a biased one."
        )
    if abs(value - _fair_probability(0.05)) <= 0.02:
        return False, "that is the probability within 0.05; widen the interval to 0.4 ... 0.6."
    if value > 1:
        return False, "give a probability between 0 and 1, not a percentage."
    return False, (
        "take the flat model's draws of p for the 6-flip coin and compute the share with "
        "|p - 0.5| < 0.1 (or use its exact posterior, Beta(1 + heads, 1 + tails))."
    )


def _line_share(sigma_line: float) -> float:
    variances = {k: v**2 for k, v in simulate.DEFAULT_LEVEL_SD.items()}
    variances["line"] = sigma_line**2
    return variances["line"] / sum(variances.values())


@register("04-3")
def check_line_share_halved(answer: object) -> tuple[bool, str]:
    """Accept the lines' share of the variance with ``sigma_line`` halved to 0.25 (about 0.42).

    Parameters
    ----------
    answer : float
        The share, between 0 and 1, with the other spreads at the simulator's defaults.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_line_share_halved(0.4237)[0]
    True
    >>> check_line_share_halved(0.746)[0]
    False
    """
    value = as_number(answer)
    reference = _line_share(0.25)
    if abs(value - reference) <= 0.005:
        return True, (
            f"{reference:.3f}: halving a spread quarters its variance, so the lines fall from "
            f"{_line_share(0.5):.0%} to {reference:.0%} of the total, still the largest level."
        )
    if abs(value - _line_share(0.5)) <= 0.005:
        return False, "that is the share with the original sigma_line = 0.5; halve it first."
    spreads = dict(simulate.DEFAULT_LEVEL_SD, line=0.25)
    if abs(value - 0.25 / sum(spreads.values())) <= 0.005:
        return False, "shares are of variances: square each spread before dividing."
    if value > 1:
        return False, "give a share between 0 and 1, not a percentage."
    return False, (
        "square each level's spread (region 0.15, factory 0.2, line 0.25, coin 0.15) and "
        "divide the line's variance by their sum."
    )
