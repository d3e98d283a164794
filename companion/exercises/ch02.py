"""Checkers of the exercises in ``notebooks/02_unpooled_intercepts.ipynb``.

- ``02-1``: which quantity the data identify in a model with a redundant global intercept.
- ``02-2``: by what factor the sd of ``a_h1`` changes when every level has four times the rows.
- ``02-3``: how many rows ``h1`` would need on its own for a 90% interval at most 1 wide.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import stats

from companion import data, exact, simulate
from companion.exercises import as_number, register

__all__ = ["check_identified", "check_rows_for_width", "check_sd_ratio"]

SIGMA = 2.0


@register("02-1")
def check_identified(answer: object) -> tuple[bool, str]:
    """Accept ``"c + a[h]"``: only the sum of the two intercepts is identified.

    Parameters
    ----------
    answer : str
        One of ``"c"``, ``"a[h]"`` or ``"c + a[h]"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_identified("c + a[h]")[0], check_identified("c")[0]
    (True, False)
    """
    if not isinstance(answer, str):
        return False, 'answer with a string: "c", "a[h]" or "c + a[h]".'
    text = answer.replace(" ", "").lower()
    if text in {"c+a[h]", "a[h]+c", "c+a", "a+c"}:
        return True, (
            "only the sum is pinned down: adding 1 to c and subtracting 1 from every a[h] "
            "gives the same likelihood, so the data cannot split the sum between c and a[h]."
        )
    if text in {"c", "a[h]", "a"}:
        return False, (
            "try shifting c up by 1 and every a[h] down by 1: does the likelihood change? "
            "Whatever the data cannot tell apart is not identified."
        )
    return False, 'pick one of "c", "a[h]" or "c + a[h]".'


@lru_cache(maxsize=1)
def _sd_ratio() -> float:
    small = exact.unpooled_posterior(data.load_levels(), sigma=SIGMA)
    large = exact.unpooled_posterior(
        simulate.simulate_levels(2000, random_seed=2026)[0], sigma=SIGMA
    )
    return float(large.loc[("a", "h1"), "sd"] / small.loc[("a", "h1"), "sd"])


@register("02-2")
def check_sd_ratio(answer: object) -> tuple[bool, str]:
    """Accept the ratio sd(a_h1, 2000 rows) / sd(a_h1, 500 rows), close to 1/2.

    Parameters
    ----------
    answer : float
        The ratio, new sd divided by old sd.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is within 3% of the exact ratio, and why (or a hint).

    Examples
    --------
    >>> check_sd_ratio(0.25)[0]
    False
    """
    value = as_number(answer)
    reference = _sd_ratio()
    if abs(value - reference) <= 0.03 * reference:
        return True, (
            f"the sd falls to {reference:.2f} of its value: four times the rows halve it, "
            "because an unpooled intercept's sd is about sigma / sqrt(n)."
        )
    if value > 1:
        return False, "more rows should make a_h1 more certain: divide the new sd by the old one."
    if abs(value - 0.25) < 0.05:
        return False, "the sd does not fall like 1/n; recall how it scales with the rows n."
    return False, (
        "compute sd(a_h1) with exact.unpooled_posterior(..., sigma=2.0) for both data sets "
        "and divide the new by the old."
    )


#: Exercise 02-3's target: the widest 90% interval allowed for h1's intercept.
TARGET_WIDTH, PROB = 1.0, 0.9


def _rows_for_width(width: float) -> float:
    half_width_in_sd = stats.norm.ppf((1 + PROB) / 2)
    return float(exact.rows_to_match(width / 2 / half_width_in_sd, sigma=SIGMA))


@register("02-3")
def check_rows_for_width(answer: object) -> tuple[bool, str]:
    """Accept the total rows h1 needs alone for a 90% interval 1 wide, about 43 (within 10%).

    Parameters
    ----------
    answer : float
        Number of rows (total, not extra).

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint naming the likely slip).

    Examples
    --------
    >>> check_rows_for_width(43.3)[0], check_rows_for_width(4)[0]
    (True, False)
    """
    value = as_number(answer)
    reference = _rows_for_width(TARGET_WIDTH)

    def near(target: float) -> bool:
        return abs(value - target) <= 0.1 * target

    if near(reference):
        return True, (
            f"about {reference:.0f} rows: the sd must be 0.5 / 1.645 = 0.30, and "
            f"(2 / 0.30) ** 2 = {reference:.0f}, far fewer than h2's 145 but about nine times "
            "the 5 that h1 has."
        )
    if near(reference - 5):
        return False, "that is the extra rows; the question asks for h1's total."
    if near(np.sqrt(reference)):
        return False, "sd = sigma / sqrt(n), so n = (sigma / sd) ** 2: did you forget the square?"
    if near(SIGMA**2 / 0.5**2):
        return False, (
            "the half-width 0.5 is 1.645 posterior sd, not one sd: the sd must be 0.5 / 1.645."
        )
    if near(SIGMA**2 / 1.0**2):
        return False, "the width 1 is the whole interval, 2 x 1.645 posterior sd, not one sd."
    return False, (
        "the 90% interval is +-1.645 sd, so its width is at most 1 when sd <= 0.5 / 1.645; "
        "then exact.rows_to_match(sd, sigma=2.0) inverts sd = sigma / sqrt(n)."
    )
