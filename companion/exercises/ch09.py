"""Checkers for the exercises of ``notebooks/09_your_data.ipynb``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from companion.data import load_surgical
from companion.exercises import as_number, register


@register("09-1")
def raw_rates(answer: object) -> tuple[bool, str]:
    """Check the raw death rate of each hospital, a Series indexed by hospital."""
    if not isinstance(answer, pd.Series):
        return False, "give a pandas Series: deaths / operations, indexed by hospital label."
    if not pd.api.types.is_numeric_dtype(answer):
        return False, "the Series should hold numbers, the rates deaths / operations."
    table = load_surgical().set_index("hospital")
    want = table["deaths"] / table["operations"]
    if set(map(str, answer.index)) != set(want.index):
        return (
            False,
            "index the Series by the hospital labels A ... L (try `.set_index('hospital')`).",
        )
    got = answer.rename(index=str).reindex(want.index).astype(float)
    if np.allclose(got, 100 * want):
        return False, "these look like percentages; give rates between 0 and 1."
    if np.allclose(
        got.replace(np.inf, np.nan), (table["operations"] / table["deaths"]), equal_nan=True
    ):
        return False, "that is operations per death; divide deaths by operations."
    if not np.allclose(got, want):
        return False, "some rates differ from deaths / operations; check the division per hospital."
    return True, "each rate is deaths / operations; A is 0 and H (0.144) is the highest."


@register("09-2")
def more_operations(answer: object) -> tuple[bool, str]:
    """Check whether a larger hospital A would be pulled more or less toward the overall rate."""
    if not isinstance(answer, str) or answer.strip().lower() not in {"more", "less"}:
        return False, 'answer "more" or "less".'
    if answer.strip().lower() == "more":
        return False, (
            "think of the shrinkage factor: the noise of a raw rate falls as operations grow, "
            "so the data outweigh the population more, not less."
        )
    return True, (
        "with ten times the operations its own data are far more precise, so the population "
        "pulls it less (but 0 deaths in 470 would still be pulled above 0)."
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
    return True, (
        f"{value:.3f}: between M's raw 0.150 and the overall {overall:.3f}, pulled most of the "
        "way, since 20 operations say little on their own."
    )
