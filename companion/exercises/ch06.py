"""Checkers of the exercises in ``notebooks/06_retail_demand.ipynb``.

- ``06-1``: which fitted variables a new product of an unseen brand is built from.
- ``06-2``: add the ``price_band`` attribute to the crossed model and predict ``product_sd``.
- ``06-3``: how often the 50% intervals cover the held-out weeks.
"""

from __future__ import annotations

from collections.abc import Iterable

import pymc as pm

from companion.exercises import as_number, register
from companion.simulate import RETAIL_LEVELS as LEVELS

__all__ = ["check_added_attribute", "check_coverage_50", "check_new_product_variables"]

NEW_BRAND_VARIABLES = {
    "intercept",
    "colour_effect",
    "category_effect",
    "brand_sd",
    "product_sd",
}


@register("06-1")
def check_new_product_variables(answer: object) -> tuple[bool, str]:
    """Accept the fitted variables a new product of an unseen brand is built from.

    Its colour and category are known, so their effects are read from the posterior; its
    brand is new, so a fresh brand effect is drawn with spread ``brand_sd``; the product is
    new, so a fresh deviation is drawn with spread ``product_sd``.

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
    ...     ["intercept", "colour_effect", "category_effect", "brand_sd", "product_sd"]
    ... )[0]
    True
    >>> check_new_product_variables(
    ...     ["intercept", "colour_effect", "brand_effect", "category_effect", "product_sd"]
    ... )[0]
    False
    """
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return False, 'answer with a list of variable names, such as ["intercept", ...].'
    given = {str(name).strip() for name in answer}
    if given == NEW_BRAND_VARIABLES:
        return True, (
            "the intercept and the colour and category effects place the product where its "
            "known attributes predict; its brand is new, so its brand effect is a fresh draw "
            "with spread brand_sd, and the product itself strays by a fresh draw with spread "
            "product_sd. Nothing fitted to another brand or product is reused."
        )
    if "brand_effect" in given:
        return False, (
            "brand_effect has one entry per *fitted* brand, and this brand is not among them. "
            "Which fitted variable says how far brands stray from one another?"
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
    missing = sorted(NEW_BRAND_VARIABLES - given)
    if missing:
        return False, f"something is missing: what about {missing[0]!r}?"
    return (
        False,
        f"{sorted(given - NEW_BRAND_VARIABLES)[0]!r} does not enter a new product's log demand.",
    )


@register("06-2")
def check_added_attribute(answer: object) -> tuple[bool, str]:
    """Accept the crossed model with ``price_band`` added, and the prediction ``"smaller"``.

    Parameters
    ----------
    answer : tuple of (pymc.Model, str)
        The model returned by ``retail.crossed_model(..., attributes=[...])`` and the
        prediction for its ``product_sd``: ``"larger"`` or ``"smaller"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> from companion import retail, simulate
    >>> sales, _ = simulate.simulate_retail(random_seed=1)
    >>> model = retail.crossed_model(sales, attributes=[*simulate.RETAIL_ATTRIBUTES, "price_band"])
    >>> check_added_attribute((model, "smaller"))[0]
    True
    >>> check_added_attribute((retail.crossed_model(sales), "smaller"))[0]
    False
    """
    if isinstance(answer, pm.Model):
        return False, (
            'also give your prediction: answer with (model, "larger") or (model, "smaller").'
        )
    if not isinstance(answer, tuple) or len(answer) != 2 or not isinstance(answer[0], pm.Model):
        return False, (
            'answer with a pair: the pm.Model that retail.crossed_model returns, and "larger" '
            'or "smaller".'
        )
    model, prediction = answer
    names = model.named_vars
    if "price_band_effect" not in names:
        return False, (
            'the model has no price_band_effect: pass attributes=["colour", "brand", '
            '"category", "price_band"] to retail.crossed_model.'
        )
    missing = [f"{a}_effect" for a in ("colour", "brand", "category") if f"{a}_effect" not in names]
    if missing:
        return False, f"keep the other attributes too: {missing[0]} is gone."
    dims = model.named_vars_to_dims.get("price_band_effect")
    levels = tuple(model.coords.get("price_band", ()))
    if dims != ("price_band",) or levels != LEVELS["price_band"]:
        return (
            False,
            f"price_band_effect should have dim 'price_band' with levels {LEVELS['price_band']}.",
        )
    said = str(prediction).strip().lower()
    if said not in {"larger", "smaller"}:
        return False, f'the prediction should be "larger" or "smaller", got {prediction!r}.'
    if said == "larger":
        return False, (
            "the model is right, the prediction is not: without price_band, what the price "
            "bands do to demand has nowhere to go but the products' own deviations. Where does "
            "it go once price_band has an effect of its own?"
        )
    return True, (
        "price_band now has its own effect, one per band, shared by every product in it. The "
        "products' own deviations had been absorbing the price bands, so product_sd comes out "
        "smaller once you sample this model."
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
            "that is what a 90% interval covers: use ci_prob=0.5 in forecast.interval_coverage."
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
