"""Checkers of the exercises in ``notebooks/05_sampling_geometry.ipynb``.

- ``05-1``: which parametrisation suits data-poor groups and which data-rich ones.
- ``05-2``: does a smaller step size (``target_accept=0.99``) make the centred model on
  data-poor groups healthy? The learner predicts, refits, and hands in both.
- ``05-3``: build the batch tests' model with centred lines and non-centred coins.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pymc as pm
import xarray as xr

from companion import fit
from companion.exercises import is_missing, register

__all__ = ["check_mixed_forms", "check_parametrisation", "check_smaller_steps"]


CENTRED = {"centred", "centered", "centred parametrisation", "centered parametrization"}
NON_CENTRED = {"non-centred", "non-centered", "noncentred", "noncentered", "non centred"}


def _kind(value: object) -> str | None:
    text = str(value).strip().lower()
    if text in CENTRED:
        return "centred"
    if text in NON_CENTRED:
        return "non-centred"
    return None


@register("05-1")
def check_parametrisation(answer: object) -> tuple[bool, str]:
    """Check which parametrisation suits data-poor groups and which data-rich ones.

    Parameters
    ----------
    answer : dict
        Keys ``"poor"`` (groups with little data each) and ``"rich"`` (groups with a lot),
        values ``"centred"`` or ``"non-centred"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_parametrisation({"poor": "offset", "rich": "offset"})[0]
    False
    """
    if not isinstance(answer, Mapping) or set(answer) != {"poor", "rich"}:
        return False, 'answer with a dict: {"poor": ..., "rich": ...}.'
    given = {key: _kind(value) for key, value in answer.items()}
    if None in given.values():
        return False, 'each value should be "centred" or "non-centred".'
    if given == {"poor": "non-centred", "rich": "centred"}:
        return True, (
            "with little data a group's effect is held mostly by the population, so it shrinks "
            "with the spread and draws a funnel: sample the standard-normal offset instead. "
            "With a lot of data the likelihood pins each effect, and it is the offset that "
            "would be squeezed as the spread changes: sample the effect itself."
        )
    if given == {"poor": "centred", "rich": "non-centred"}:
        return False, "swapped: where did the centred model diverge in the notebook?"
    return False, (
        "the two cases want different forms: compare the divergences and ESS per second of "
        "the four fits in the notebook."
    )


def _target_accept(idata: xr.DataTree) -> float:
    settings = json.loads(idata.sample_stats.attrs["inference_library_settings"])
    return float(settings["settings"]["adapt_options"]["step_size_settings"]["target_accept"])


@register("05-2")
def check_smaller_steps(answer: object) -> tuple[bool, str]:
    """Check a prediction against a refit of the centred model with ``target_accept=0.99``.

    Parameters
    ----------
    answer : dict
        ``{"healthy": bool, "idata": DataTree}``: the prediction (will the fit pass the
        course's health check?) and the refit of the centred model on the data-poor coins,
        sampled with ``fit.sample(..., target_accept=0.99)``.

    Returns
    -------
    tuple of (bool, str)
        Whether the prediction matches the refit's diagnostics, and why (or a hint).

    Examples
    --------
    >>> check_smaller_steps({"healthy": True})[0]
    False
    """
    if not isinstance(answer, Mapping) or set(answer) != {"healthy", "idata"}:
        return False, 'answer with a dict: {"healthy": True or False, "idata": the refit}.'
    prediction, idata = answer["healthy"], answer["idata"]
    if is_missing(prediction) or not isinstance(prediction, bool):
        return False, 'set "healthy" to your prediction, True or False, before you refit.'
    if not isinstance(idata, xr.DataTree) or "posterior" not in idata.children:
        return False, 'set "idata" to the result of fit.sample(...) on the centred model.'
    if "coin_offset" in idata.posterior or "coin_logit" not in idata.posterior:
        return False, "refit the centred model (centered=True), not the non-centred one."
    if _target_accept(idata) < 0.99:
        return False, "pass target_accept=0.99 to fit.sample so that the steps get smaller."
    health = fit.diagnose(idata)
    summary = (
        f"the refit has {health.divergences} divergences, r-hat {health.max_rhat:.3f} and "
        f"bulk ESS {health.min_ess_bulk:.0f}"
    )
    if prediction == health.ok:
        if health.ok:
            return True, f"right: {summary}. Smaller steps were enough here, at a cost in time."
        return True, (
            f"right: {summary}. Smaller steps creep further into the funnel's neck, but the "
            "neck is still there; changing the geometry (non-centring) is the fix."
        )
    if prediction:
        return False, (
            f"not this time: {summary}. A smaller step size treats the symptom; the funnel "
            "that causes it is unchanged."
        )
    return False, f"this refit passes: {summary}. Compare its time with the non-centred fit."


def _forms(model: pm.Model) -> dict[str, str]:
    """Tell the form of ``line`` and ``coin`` in a nested coin model: centred or not."""
    free = {rv.name for rv in model.free_RVs}
    return {
        level: "non-centred" if f"{level}_offset" in free else "centred"
        for level in ("line", "coin")
        if f"{level}_offset" in free or f"{level}_logit" in free
    }


@register("05-3")
def check_mixed_forms(answer: object) -> tuple[bool, str]:
    """Check the form (centred or not) of each level of a nested coin model.

    Parameters
    ----------
    answer : pymc.Model
        A model built by ``coins.nested_model(rich_df, hierarchy=["line", "coin"], ...)``.

    Returns
    -------
    tuple of (bool, str)
        Whether each level has the form asked for, and why (or a hint).

    Examples
    --------
    >>> from companion import coins, simulate
    >>> frame, _ = simulate.simulate_coins(n_regions=1, n_factories=1, n_lines=3, n_coins=(2, 3))
    >>> model = coins.nested_model(frame, hierarchy=["line", "coin"], centered=True)
    >>> check_mixed_forms(model)[0]
    False
    """
    if not isinstance(answer, pm.Model):
        return False, "hand in the model itself: the pm.Model that coins.nested_model returns."
    forms = _forms(answer)
    if set(forms) != {"line", "coin"}:
        return False, 'build the nested coin model with hierarchy=["line", "coin"].'
    if forms == {"line": "centred", "coin": "non-centred"}:
        return True, (
            "the lines are sampled directly (line_logit) and only the coins through a "
            "standard-normal offset (coin_offset): each level gets the form its data suit."
        )
    if forms == {"line": "centred", "coin": "centred"}:
        return False, "every level is centred: name only the lines in centered=[...]."
    if forms == {"line": "non-centred", "coin": "non-centred"}:
        return False, "no level is centred: pass centered=[...] with the level to centre."
    return False, "swapped: the lines, not the coins, go in centered=[...]."
