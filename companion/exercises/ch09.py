"""Checkers for the exercises of ``notebooks/09_your_data.ipynb``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from companion.data import load_surgical
from companion.exercises import as_number, register


@register("09-1")
def raw_rate_standard_errors(answer: object) -> tuple[bool, str]:
    """Check each hospital's binomial standard error of its raw rate, a Series by hospital."""
    if not isinstance(answer, pd.Series):
        return False, "give a pandas Series indexed by hospital label."
    if not pd.api.types.is_numeric_dtype(answer):
        return False, "the Series should hold numbers, sqrt(rate * (1 - rate) / operations)."
    table = load_surgical().set_index("hospital")
    rate = table["deaths"] / table["operations"]
    want = np.sqrt(rate * (1 - rate) / table["operations"])
    if set(map(str, answer.index)) != set(want.index):
        return (
            False,
            "index the Series by the hospital labels A ... L (try `.set_index('hospital')`).",
        )
    got = answer.rename(index=str).reindex(want.index).astype(float)
    if np.allclose(got, want**2):
        return False, "these are variances; take the square root."
    if np.allclose(got, np.sqrt(rate * (1 - rate))):
        return False, "divide rate * (1 - rate) by each hospital's operations before the root."
    if not np.allclose(got, want):
        return (
            False,
            "some values differ from sqrt(rate * (1 - rate) / operations); check per hospital.",
        )
    return True, (
        "A's standard error is 0: with no deaths the raw-rate formula claims certainty that 47 "
        "operations cannot give, one more reason to pool."
    )


@register("09-2")
def more_operations(answer: object) -> tuple[bool, str]:
    """Check how far a 470-operation hospital A with no deaths would move on the log-odds scale."""
    choices = {"more", "between", "little"}
    if not isinstance(answer, str) or answer.strip().lower() not in choices:
        return False, 'answer "more", "between" or "little".'
    choice = answer.strip().lower()
    if choice == "more":
        return False, (
            "think of the shrinkage factor: the noise of a raw rate falls as operations grow, "
            "so the data outweigh the population more and A covers a smaller share of the way."
        )
    if choice == "little":
        return False, (
            "the share of the way does fall, but where does A start? With no deaths in 470 "
            "operations its own (unpooled) estimate lies even further from the population mean."
        )
    return True, (
        "it moves less than 1.69 but still more than 1 (about 1.3): the share of the way falls "
        "from about 0.8 to about 0.35, but with 0 deaths in 470 its unpooled log-odds start "
        "further out, near -6.5 instead of near -4.7."
    )


@register("09-3")
def new_small_hospital(answer: object) -> tuple[bool, str]:
    """Check the posterior mean rate of a 13th hospital with 3 deaths in 20 operations."""
    value = as_number(answer)
    raw = 3 / 20
    table = load_surgical()
    overall = table["deaths"].sum() / table["operations"].sum()
    if not 0 < value < 1:
        return False, "give a rate between 0 and 1 (use expit on the log-odds `a`)."
    if abs(value - raw) < 1e-9:
        return False, "that is the raw rate 3/20; refit the partially pooled model with M added."
    if value >= raw:
        return False, "partial pooling should pull M's 15% toward the overall 7.4%, not away."
    if value <= overall:
        return (
            False,
            "M's own 3 deaths in 20 should keep it above the overall rate; check the refit.",
        )
    if value > 0.105:
        return False, (
            f"{value:.3f} lies between, but too near M's raw 0.150: with only 20 operations "
            "the population should pull M most of the way; check that you refitted with M added."
        )
    if value < 0.085:
        return False, (
            f"{value:.3f} is too near the overall rate: M's 3 deaths in 20 keep it clearly "
            "above the other hospitals' typical rate; check the refit."
        )
    return True, (
        f"{value:.3f}: between M's raw 0.150 and the overall {overall:.3f}, about two thirds "
        "of the way to the overall rate, since 20 operations say little on their own."
    )
