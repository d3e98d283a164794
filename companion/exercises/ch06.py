"""Checkers of the exercises in ``notebooks/06_retail_demand.ipynb``.

- ``06-1``: which fitted variables a brand-new product's log demand is drawn from.
- ``06-2``: add the ``price_band`` attribute to the crossed model.
- ``06-3``: how often the 50% intervals cover the held-out weeks.
"""

from __future__ import annotations

from collections.abc import Iterable

import pymc as pm

from companion.exercises import as_number, register
from companion.retail import LEVELS

__all__ = ["check_added_attribute", "check_coverage_50", "check_new_product_variables"]

NEW_PRODUCT_VARIABLES = {
    "intercept",
    "colour_effect",
    "brand_effect",
    "category_effect",
    "product_sd",
}


@register("06-1")
def check_new_product_variables(answer: object) -> tuple[bool, str]:
    """Accept the set of fitted variables a new product's log demand is built from.

    Parameters
    ----------
    answer : collection of str
        Variable names of the crossed model.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_new_product_variables(
    ...     ["intercept", "colour_effect", "brand_effect", "category_effect", "product_sd"]
    ... )[0]
    True
    >>> check_new_product_variables(["log_demand"])[0]
    False
    """
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return False, 'answer with a list of variable names, such as ["intercept", ...].'
    given = {str(name).strip() for name in answer}
    if given == NEW_PRODUCT_VARIABLES:
        return True, (
            "the intercept and the three attribute effects place the new product where its "
            "colour, brand and category predict; product_sd sets how far a product of those "
            "attributes strays from it, through a fresh standard-normal draw. Nothing fitted "
            "to another product is reused."
        )
    if given & {"product_raw", "log_demand"}:
        return False, (
            "product_raw and log_demand hold one entry per *fitted* product: a new product has "
            "no entry there (reading one is the out-of-bounds mistake). Which fitted variable "
            "says how far products stray from their attributes?"
        )
    if given & {"alpha", "sales"}:
        return False, (
            "alpha shapes the weekly noise around the demand, not the demand itself: leave "
            "it out and list what log_demand of the new product is built from."
        )
    missing = sorted(NEW_PRODUCT_VARIABLES - given)
    if missing:
        return False, f"something is missing: what about {missing[0]!r}?"
    return (
        False,
        f"{sorted(given - NEW_PRODUCT_VARIABLES)[0]!r} does not enter a new product's log demand.",
    )


@register("06-2")
def check_added_attribute(answer: object) -> tuple[bool, str]:
    """Accept a crossed model built with ``price_band`` added to colour, brand and category.

    Parameters
    ----------
    answer : pymc.Model
        The model returned by ``retail.crossed_model(..., attributes=[...])``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> from companion import retail
    >>> sales, _ = retail.simulate_retail(seed=1)
    >>> model = retail.crossed_model(sales, attributes=[*retail.ATTRIBUTES, "price_band"])
    >>> check_added_attribute(model)[0]
    True
    >>> check_added_attribute(retail.crossed_model(sales))[0]
    False
    """
    if not isinstance(answer, pm.Model):
        return False, "answer with the pm.Model that retail.crossed_model returns."
    names = answer.named_vars
    if "price_band_effect" not in names:
        return False, (
            'the model has no price_band_effect: pass attributes=["colour", "brand", '
            '"category", "price_band"] to retail.crossed_model.'
        )
    missing = [f"{a}_effect" for a in ("colour", "brand", "category") if f"{a}_effect" not in names]
    if missing:
        return False, f"keep the other attributes too: {missing[0]} is gone."
    dims = answer.named_vars_to_dims.get("price_band_effect")
    levels = tuple(answer.coords.get("price_band", ()))
    if dims != ("price_band",) or levels != LEVELS["price_band"]:
        return (
            False,
            f"price_band_effect should have dim 'price_band' with levels {LEVELS['price_band']}.",
        )
    return True, (
        "price_band now has its own effect, one per band, shared by every product in it. The "
        "products' own deviations had been absorbing the price bands, so expect product_sd to "
        "come out smaller once you sample this model."
    )


@register("06-3")
def check_coverage_50(answer: object) -> tuple[bool, str]:
    """Accept the held-out coverage of the crossed model's 50% intervals (about 0.5 to 0.65).

    Whole-number sales make intervals with both ends included cover a little more than their
    nominal share, so a calibrated 50% interval covers about 0.5 to 0.65 of held-out weeks.

    Parameters
    ----------
    answer : float
        Share of held-out weeks inside the 50% interval.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_coverage_50(0.57)[0]
    True
    >>> check_coverage_50(0.91)[0]
    False
    """
    value = as_number(answer)
    if not 0 <= value <= 1:
        return False, f"a coverage is a share between 0 and 1, got {answer!r}."
    if value > 0.8:
        return False, (
            "that is what a 90% interval covers: use prob=0.5 in forecast.interval_coverage."
        )
    if 0.45 <= value <= 0.7:
        return True, (
            "about half, slightly more: sales are whole numbers, so an interval with both ends "
            "included covers a little more than its nominal share. A calibrated forecast is "
            "calibrated at every level, not just 90%."
        )
    return False, (
        "far from one half: did you compute the share of held-out weeks inside "
        "[lower_50, upper_50] of the crossed model's forecast table?"
    )
