"""Checkers of the exercises in ``notebooks/02_unpooled_intercepts.ipynb``.

- ``02-1``: which quantity the data identify in a model with a redundant global intercept.
- ``02-2``: by what factor the sd of ``a_h1`` changes when every level has four times the rows.
- ``02-3``: how many rows ``h1`` would need on its own to be as certain as ``h2``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from companion import data, exact, simulate
from companion.exercises import as_number, register

__all__ = ["check_identified", "check_rows_to_match_h2", "check_sd_ratio"]

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
    large = exact.unpooled_posterior(simulate.simulate_levels(2000, seed=2026)[0], sigma=SIGMA)
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


@lru_cache(maxsize=1)
def _rows_h2() -> float:
    post = exact.unpooled_posterior(data.load_levels(), sigma=SIGMA)
    return float(exact.rows_to_match(post.loc[("a", "h2"), "sd"], sigma=SIGMA))


@register("02-3")
def check_rows_to_match_h2(answer: object) -> tuple[bool, str]:
    """Accept the rows h1 needs alone to match sd(a_h2), about 145 (within 10%).

    Parameters
    ----------
    answer : float
        Number of rows (total, not extra).

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_rows_to_match_h2(12)[0]
    False
    """
    value = as_number(answer)
    reference = _rows_h2()
    if abs(value - reference) <= 0.1 * reference:
        return True, (
            f"about {reference:.0f} rows: as many as h2 has. Without pooling, a level's "
            "certainty comes only from its own rows, so matching h2 means having h2's rows."
        )
    if abs(value - np.sqrt(reference)) <= 0.1 * np.sqrt(reference):
        return False, "sd = sigma / sqrt(n), so n = (sigma / sd) ** 2: did you forget the square?"
    return False, (
        "take sd(a_h2) from the unpooled fit and use exact.rows_to_match(sd, sigma=2.0): "
        "it inverts sd = sigma / sqrt(n)."
    )
