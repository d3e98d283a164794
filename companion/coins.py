"""Nested coin mints: is a coin fair, given the line, factory and region that minted it.

The forum thread's example of a hierarchy that encodes how data arise. Coins are minted in
regions, each region has factories, each factory assembly lines, each line makes coins; every
level adds a deviation to the log-odds of heads. This module holds

- :func:`load_coins`, :func:`validate_coins`, :func:`check_nesting` and :func:`nest_labels`:
  the course's table (simulated by :func:`companion.simulate.simulate_coins`) and the
  validation of the nesting, used by the loader and by the builders;
- :func:`nested_model` (centred, non-centred or mixed) and :func:`flat_model` (every coin on
  its own), with coords per level taken from the data's labels and ``priors=`` to replace
  any default prior by name, checked as in :mod:`companion.models`;
- :func:`predict_new`, the probability of heads of a new coin from a known line, a new line
  of a known factory, a new factory of a known region or an unknown region;
- :func:`variance_shares`, how much of the spread in log-odds each level explains.

**Labels.** A label names one group: a ``line`` label that appears under two ``factory``
labels is inconsistent nesting, and the loader and builders reject it with a ``ValueError``
rather than guess. If a table's labels restart within each parent (factory ``F1`` in region
``R1`` and another ``F1`` in ``R2``), :func:`nest_labels` makes them unique by path
(``R1/F1``, ``R2/F1``); the course's ``data/coins.csv`` holds path labels already.

Introduced in ``notebooks/04_nested_coin_mints.ipynb``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from pymc.distributions.shape_utils import change_dist_size
from scipy import special

from companion.data import read_csv
from companion.models import check_priors
from companion.predict import population_draws
from companion.simulate import COIN_HIERARCHY
from companion.summaries import interval_table
from companion.validate import check_successes, encode_levels, require_columns, validate_frame

__all__ = [
    "COIN_PRIORS",
    "COIN_SCHEMA",
    "check_nesting",
    "flat_model",
    "load_coins",
    "nest_labels",
    "nested_model",
    "nesting_codes",
    "predict_new",
    "validate_coins",
    "variance_shares",
]

#: Columns of ``data/coins.csv`` and their kinds (see :func:`companion.validate.validate_frame`).
COIN_SCHEMA: dict[str, str] = {
    "region": "string",
    "factory": "string",
    "line": "string",
    "coin": "string",
    "flips": "count",
    "heads": "count",
}

#: Priors of :func:`nested_model`, on the log-odds of heads.
COIN_PRIORS: dict[str, float] = {
    "mu_sd": 1.0,  # mu ~ Normal(0, 1): the average coin's log-odds
    "sigma_sd": 0.5,  # sigma_<level> ~ HalfNormal(0.5): spread added by each level
}


def _check_hierarchy(hierarchy: Sequence[str]) -> list[str]:
    if isinstance(hierarchy, str):
        raise ValueError(f"hierarchy must be a list of column names, got the string {hierarchy!r}")
    names = list(hierarchy)
    if not names:
        raise ValueError("hierarchy is empty; give the group columns from the top level down")
    repeated = [name for name in names if names.count(name) > 1]
    if repeated:
        raise ValueError(f"hierarchy names column {repeated[0]!r} twice: {names}")
    return names


def _labels(data: pd.DataFrame, column: str, source: str) -> pd.Series:
    require_columns(data, [column], source=source)
    values = data[column]
    missing = values.isna().to_numpy()
    if missing.any():
        row = values.index[np.flatnonzero(missing)[0]]
        raise ValueError(
            f"{source}: column {column!r} has {int(missing.sum())} missing label(s), "
            f"first at row {row!r}"
        )
    return values.astype("string")


def check_nesting(data: pd.DataFrame, hierarchy: Sequence[str], *, source: str = "data") -> None:
    """Raise if a group label sits under two different parents.

    Not called in the notebooks; :func:`nesting_codes`, :func:`validate_coins` use it.

    Each level's labels must name one group: a ``line`` listed under two ``factory`` labels
    is ambiguous (two lines with the same name, or a typo?) and is refused.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation, with a column per level.
    hierarchy : sequence of str
        Group columns from the top level down, e.g. ``["region", "factory", "line", "coin"]``.
    source : str
        Table name, for the message.

    Raises
    ------
    ValueError
        Naming the column, the label and its parents, or a missing column or label.

    Examples
    --------
    >>> table = pd.DataFrame({"factory": ["F1", "F2"], "line": ["L1", "L1"]})
    >>> check_nesting(table, ["factory", "line"])
    Traceback (most recent call last):
    ...
    ValueError: data: column 'line' label 'L1' appears under 2 different 'factory' labels ('F1', 'F2'); ...
    """
    names = _check_hierarchy(hierarchy)
    columns = {name: _labels(data, name, source) for name in names}
    for above, level in zip(names[:-1], names[1:], strict=True):
        pairs = pd.DataFrame({"child": columns[level], "parent": columns[above]})
        parents = pairs.drop_duplicates().groupby("child", sort=True)["parent"]
        n_parents = parents.nunique()
        if (n_parents > 1).any():
            child = n_parents.index[np.flatnonzero(n_parents.to_numpy() > 1)[0]]
            listed = sorted(parents.get_group(child).unique())
            shown = ", ".join(repr(str(p)) for p in listed)
            raise ValueError(
                f"{source}: column {level!r} label {str(child)!r} appears under "
                f"{len(listed)} different {above!r} labels ({shown}); each {level} must belong "
                f"to one {above}. If the labels restart within each {above}, make them unique "
                f"by path with coins.nest_labels(data, hierarchy)"
            )


def nest_labels(data: pd.DataFrame, hierarchy: Sequence[str], *, sep: str = "/") -> pd.DataFrame:
    """Make every group label unique by prefixing its parents' labels (``R1/F1``).

    Introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    Use it when a table numbers groups within their parent, so that factory ``F1`` of
    region ``R1`` and factory ``F1`` of region ``R2`` become two factories.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation, with a column per level.
    hierarchy : sequence of str
        Group columns from the top level down.
    sep : str, default "/"
        Separator between a parent's label and its child's.

    Returns
    -------
    pandas.DataFrame
        A copy with the level columns (but the top one) replaced by path labels.

    Raises
    ------
    ValueError
        If a level column is missing or holds a missing label.

    Examples
    --------
    >>> table = pd.DataFrame({"region": ["R1", "R2"], "factory": ["F1", "F1"]})
    >>> nest_labels(table, ["region", "factory"])["factory"].tolist()
    ['R1/F1', 'R2/F1']
    """
    names = _check_hierarchy(hierarchy)
    out = data.copy()
    path = _labels(data, names[0], "data")
    out[names[0]] = path
    for level in names[1:]:
        path = path + sep + _labels(data, level, "data")
        out[level] = path
    return out


def validate_coins(
    data: pd.DataFrame,
    *,
    outcome: str = "heads",
    trials: str = "flips",
    hierarchy: Sequence[str] = COIN_HIERARCHY,
    source: str = "data",
) -> pd.DataFrame:
    """Check a table of binomial counts with nested group labels.

    Not called in the notebooks; :func:`flat_model`, :func:`load_coins`, :func:`nested_model`
    use it.

    Checks, in order: every column is present; counts are whole numbers >= 0 with no missing
    value; no row has more successes than trials; labels are not missing; the nesting is
    consistent (:func:`check_nesting`).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation (a coin, or a batch of flips of a coin).
    outcome : str, default "heads"
        Column of successes.
    trials : str, default "flips"
        Column of trials.
    hierarchy : sequence of str
        Group columns from the top level down; the last is the unit (the coin).
    source : str
        Table name, for messages.

    Returns
    -------
    pandas.DataFrame
        A copy with the level columns as strings and the counts as ``int64``.

    Raises
    ------
    ValueError
        Naming the column and value at fault.

    Examples
    --------
    >>> table = pd.DataFrame({"line": ["L1", "L2"], "coin": ["a", "b"],
    ...                       "flips": [6, 10], "heads": [7, 4]})
    >>> validate_coins(table, hierarchy=["line", "coin"])
    Traceback (most recent call last):
    ...
    ValueError: data: row 0 has 7 successes in column 'heads' but only 6 trials in column 'flips'
    """
    names = _check_hierarchy(hierarchy)
    clash = [name for name in names if name in (outcome, trials)]
    if outcome == trials or clash:
        raise ValueError(
            f"outcome {outcome!r}, trials {trials!r} and hierarchy {names} must be distinct columns"
        )
    for name in names:
        _labels(data, name, source)
    counts = validate_frame(data, {outcome: "count", trials: "count"}, source=source)
    check_successes(counts, successes=outcome, trials=trials, source=source)
    check_nesting(data, names, source=source)
    out = pd.DataFrame({name: _labels(data, name, source) for name in names}, index=data.index)
    out[trials] = counts[trials]
    out[outcome] = counts[outcome]
    return out


def load_coins(path: str | Path = "coins.csv") -> pd.DataFrame:
    """Load the simulated coin flips of the nested mint (``data/coins.csv``).

    Checks the counts (whole, not negative, heads not above flips) and the nesting: a
    label that appears under two parents (a line listed under two factories) is refused,
    see :func:`check_nesting`. The file is written from its seed by
    :func:`companion.data.regenerate`. Introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    Parameters
    ----------
    path : str or pathlib.Path, default ``"coins.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        One row per coin: ``region``, ``factory``, ``line``, ``coin`` (labels unique by
        path, such as ``R1/F2/L1``), ``flips`` and ``heads`` (counts).

    Raises
    ------
    ValueError
        If a column is missing, a count is invalid, or the nesting is inconsistent.

    Examples
    --------
    >>> coins = load_coins()
    >>> coins["line"].nunique(), bool((coins["heads"] <= coins["flips"]).all())
    (19, True)
    """
    table = read_csv(path, COIN_SCHEMA)
    return validate_coins(table, source=Path(path).name)


def nesting_codes(
    data: pd.DataFrame, hierarchy: Sequence[str]
) -> tuple[dict[str, list[str]], dict[str, np.ndarray], np.ndarray]:
    """Coords of each level and the integer arrays that tie the levels together.

    Not called in the notebooks; :func:`flat_model`, :func:`nested_model` use it.

    Parameters
    ----------
    data : pandas.DataFrame
        A table that passes :func:`check_nesting`.
    hierarchy : sequence of str
        Group columns from the top level down.

    Returns
    -------
    coords : dict of str to list of str
        Sorted labels of each level.
    parent_idx : dict of str to numpy.ndarray
        For every level but the top, the index (in the parent level's coords) of each
        group's parent.
    unit_idx : numpy.ndarray
        For every row, the index of its group at the last level.

    Examples
    --------
    >>> table = pd.DataFrame({"factory": ["F2", "F1", "F2"], "line": ["c", "a", "b"]})
    >>> coords, parent_idx, unit_idx = nesting_codes(table, ["factory", "line"])
    >>> coords["line"], parent_idx["line"].tolist(), unit_idx.tolist()
    (['a', 'b', 'c'], [0, 1, 1], [2, 0, 1])
    """
    names = _check_hierarchy(hierarchy)
    check_nesting(data, names)
    columns = {name: _labels(data, name, "data") for name in names}
    coords = {name: sorted(str(v) for v in pd.unique(columns[name])) for name in names}
    parent_idx = {}
    for above, level in zip(names[:-1], names[1:], strict=True):
        pairs = (
            pd.DataFrame({"child": columns[level], "parent": columns[above]})
            .drop_duplicates()
            .set_index("child")["parent"]
        )
        parent_of = pairs.reindex(coords[level])
        parent_idx[level] = encode_levels(parent_of, coords[above], column=above)
    unit_idx = encode_levels(columns[names[-1]], coords[names[-1]], column=names[-1])
    return coords, parent_idx, unit_idx


def _centred_levels(centered: bool | Collection[str], names: list[str]) -> set[str]:
    if isinstance(centered, bool):
        return set(names) if centered else set()
    if isinstance(centered, str):
        centered = [centered]
    chosen = set(centered)
    unknown = sorted(chosen - set(names))
    if unknown:
        raise ValueError(f"centered names unknown level {unknown[0]!r}; levels: {names}")
    return chosen


def nested_model(
    data: pd.DataFrame,
    *,
    outcome: str = "heads",
    trials: str = "flips",
    hierarchy: Sequence[str] = COIN_HIERARCHY,
    centered: bool | Collection[str] = False,
    priors: Mapping[str, object] | None = None,
) -> pm.Model:
    """Build the nested binomial model: each level adds a deviation to the log-odds.

    Introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    With ``hierarchy = [region, factory, line, coin]``::

        mu ~ Normal(0, 1);  sigma_<level> ~ HalfNormal(0.5)
        region_logit ~ Normal(mu, sigma_region)
        factory_logit ~ Normal(region_logit[factory_region_idx], sigma_factory)
        line_logit ~ Normal(factory_logit[line_factory_idx], sigma_line)
        coin_logit ~ Normal(line_logit[coin_line_idx], sigma_coin)
        heads ~ Binomial(flips, invlogit(coin_logit[coin_idx]))

    Each level is indexed with an array of parent codes, not a loop over groups. A level is
    centred (its ``<level>_logit`` sampled directly) or non-centred (``<level>_offset ~
    Normal(0, 1)`` sampled and ``<level>_logit = parent + sigma * offset``): the same model,
    with a different geometry for the sampler.

    Default priors, on the log-odds of heads (replace any of them with ``priors=``):
    ``mu ~ Normal(0, 1)`` and ``sigma_<level> ~ HalfNormal(0.5)`` for each level (see
    :data:`COIN_PRIORS`). The outcome is binomial counts (heads out of flips), so the
    ``sigma=`` (known sd) and ``family="poisson"``/``exposure=`` options of
    :mod:`companion.models` do not apply here: there is no noise sd and no exposure.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation; several rows may share a unit (coin).
    outcome : str, default "heads"
        Column of successes.
    trials : str, default "flips"
        Column of trials.
    hierarchy : sequence of str
        Group columns from the top level down; they name the dims and hold the coords.
    centered : bool or collection of str, default False
        True centres every level, False none; a collection names the levels to centre.
    priors : dict of str to distribution, optional
        Replace a default prior by name with a PyMC ``.dist()`` object, family included,
        e.g. ``{"mu": pm.Normal.dist(0, 2), "sigma_coin": pm.HalfCauchy.dist(1)}``. The names
        are ``mu`` and ``sigma_<level>`` for each level of ``hierarchy``; a ``sigma_<level>``
        prior must put no mass on negative values. Checked by
        :func:`companion.models.check_priors`.

    Returns
    -------
    pymc.Model
        Dims: one per level and ``obs``; data ``<level>_<parent>_idx`` (dims ``<level>``)
        and ``<unit>_idx`` (dims ``obs``); deterministic ``p`` (dims ``<unit>``).

    Raises
    ------
    ValueError
        From :func:`validate_coins`, for an unknown level in ``centered``, or for a prior whose
        name is unknown (the error lists the valid names), that is not made with ``.dist()``,
        or that puts mass on negative values of a ``sigma_<level>``.

    Warns
    -----
    companion.models.PriorTailWarning
        If the pooled log-odds of heads sit more than
        :data:`companion.models.PRIOR_TAIL_SDS` prior sds from the centre of ``mu``'s prior.

    Examples
    --------
    >>> from companion.simulate import simulate_coins
    >>> data, _ = simulate_coins(random_seed=1)
    >>> model = nested_model(data)
    >>> sorted(rv.name for rv in model.free_RVs)  # doctest: +NORMALIZE_WHITESPACE
    ['coin_offset', 'factory_offset', 'line_offset', 'mu', 'region_offset',
     'sigma_coin', 'sigma_factory', 'sigma_line', 'sigma_region']
    >>> model["line_factory_idx"].get_value()[:3].tolist()
    [0, 0, 0]
    >>> wide = nested_model(data, priors={"sigma_coin": pm.HalfCauchy.dist(1)})
    >>> type(wide["sigma_coin"].owner.op).__name__
    'HalfCauchyRV'
    """
    names = _check_hierarchy(hierarchy)
    frame = validate_coins(data, outcome=outcome, trials=trials, hierarchy=names)
    centred = _centred_levels(centered, names)
    spreads = [f"sigma_{level}" for level in names]
    estimate = _pooled_log_odds(frame, outcome, trials)
    chosen = check_priors(
        priors,
        ["mu", *spreads],
        positive=spreads,
        tail=("mu", estimate, "log-odds", COIN_PRIORS["mu_sd"]),
    )
    coords, parent_idx, unit_idx = nesting_codes(frame, names)
    unit = names[-1]
    with pm.Model(coords={**coords, "obs": np.arange(len(frame))}) as model:
        mu = _coin_prior("mu", pm.Normal.dist(0.0, COIN_PRIORS["mu_sd"]), chosen)
        parent_logit = mu
        for k, level in enumerate(names):
            default = pm.HalfNormal.dist(COIN_PRIORS["sigma_sd"])
            sigma = _coin_prior(f"sigma_{level}", default, chosen)
            if k == 0:
                centre = parent_logit
            else:
                above = names[k - 1]
                idx = pm.Data(f"{level}_{above}_idx", parent_idx[level], dims=level)
                centre = parent_logit[idx]
            if level in centred:
                logit = pm.Normal(f"{level}_logit", centre, sigma, dims=level)
            else:
                offset = pm.Normal(f"{level}_offset", 0.0, 1.0, dims=level)
                logit = pm.Deterministic(f"{level}_logit", centre + sigma * offset, dims=level)
            parent_logit = logit
        pm.Deterministic("p", pm.math.invlogit(parent_logit), dims=unit)
        unit_data = pm.Data(f"{unit}_idx", unit_idx, dims="obs")
        n = pm.Data(trials, frame[trials].to_numpy(), dims="obs")
        y = pm.Data(f"{outcome}_observed", frame[outcome].to_numpy(), dims="obs")
        pm.Binomial(outcome, n=n, logit_p=parent_logit[unit_data], observed=y, dims="obs")
    return model


def flat_model(
    data: pd.DataFrame,
    *,
    outcome: str = "heads",
    trials: str = "flips",
    hierarchy: Sequence[str] = COIN_HIERARCHY,
    priors: Mapping[str, object] | None = None,
) -> pm.Model:
    """Build the flat model: every coin on its own, ``p ~ Beta(1, 1)``, no hierarchy.

    Introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    The upper levels are validated (the same table feeds both models) but not used: with the
    default prior each coin's posterior is ``Beta(1 + heads, 1 + tails)`` of its own flips
    only. As in :func:`nested_model`, known sds and Poisson counts do not apply.

    Parameters
    ----------
    data, outcome, trials, hierarchy
        As in :func:`nested_model`; only the last level enters the model.
    priors : dict of str to distribution, optional
        ``{"p": <.dist()>}`` replaces the default ``p ~ Beta(1, 1)`` for every coin, e.g.
        ``pm.Beta.dist(0.5, 0.5)``; it must put no mass outside ``[0, 1]``. ``p`` is the only
        name; another is an error listing it.

    Raises
    ------
    ValueError
        From :func:`validate_coins`, or for a prior that is unknown, not made with ``.dist()``,
        or puts mass outside ``[0, 1]``.

    Returns
    -------
    pymc.Model
        Variable ``p`` with dims ``<unit>``, data ``<unit>_idx``, dims ``obs``.

    Examples
    --------
    >>> from companion.simulate import simulate_coins
    >>> data, _ = simulate_coins(random_seed=1)
    >>> [rv.name for rv in flat_model(data).free_RVs]
    ['p']
    """
    names = _check_hierarchy(hierarchy)
    frame = validate_coins(data, outcome=outcome, trials=trials, hierarchy=names)
    chosen = check_priors(priors, ["p"])
    outside = [pm.logp(chosen["p"], v).eval() for v in (-0.5, 1.5)] if "p" in chosen else []
    if np.isfinite(outside).any():
        raise ValueError(
            "priors['p'] puts mass outside [0, 1], but 'p' is a probability of heads: use a "
            "distribution on [0, 1] such as pm.Beta.dist(0.5, 0.5)"
        )
    unit = names[-1]
    coords, _, unit_idx = nesting_codes(frame, [unit])
    with pm.Model(coords={unit: coords[unit], "obs": np.arange(len(frame))}) as model:
        p = _coin_prior("p", pm.Beta.dist(1.0, 1.0), chosen, dims=unit)
        unit_data = pm.Data(f"{unit}_idx", unit_idx, dims="obs")
        n = pm.Data(trials, frame[trials].to_numpy(), dims="obs")
        pm.Binomial(outcome, n=n, p=p[unit_data], observed=frame[outcome].to_numpy(), dims="obs")
    return model


def _coin_prior(
    name: str, default: object, priors: Mapping[str, object], *, dims: str | None = None
) -> pt.TensorVariable:
    """Register ``name``: the learner's ``.dist()`` if given, else ``default``."""
    model = pm.modelcontext(None)
    size = (len(model.coords[dims]),) if dims else ()
    try:
        resized = change_dist_size(priors.get(name, default), size)
    except Exception as error:  # noqa: BLE001 - re-raised with the prior named
        raise ValueError(
            f"priors[{name!r}] cannot take the shape {size} of dims {dims!r}: {error}"
        ) from error
    return model.register_rv(resized, name, dims=(dims,) if dims else None)


def _pooled_log_odds(frame: pd.DataFrame, outcome: str, trials: str) -> float:
    n = float(frame[trials].sum())
    if n < 1:
        return float("nan")  # no flips: no estimate, no tail check
    rate = np.clip(float(frame[outcome].sum()), 0.5, n - 0.5) / n
    return float(np.log(rate / (1 - rate)))


def _model_levels(model: pm.Model) -> list[str]:
    names = [
        str(name) for name in model.coords if f"sigma_{name}" in model.named_vars and name != "obs"
    ]
    if not names:
        raise ValueError("the model has no sigma_<level> variables; build it with nested_model")
    return names


def predict_new(
    model: pm.Model,
    idata: xr.DataTree,
    scenarios: Mapping[str, tuple[str, str] | None],
    *,
    random_seed: int,
) -> xr.DataArray:
    """Posterior predictive probability of heads of a new coin, given what is known of it.

    Introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    A scenario names the deepest known group of the new coin, ``(level, label)``, or
    ``None`` when not even its region is known. Every level below the known group is new: its
    log-odds is drawn from the fitted population with
    :func:`companion.predict.population_draws` (the parent's posterior plus ``sigma_<level>``
    times a fresh standard normal), so the fewer levels are known, the more spreads are added
    and the wider the prediction. The posterior of the known groups is used as it is.

    Parameters
    ----------
    model : pymc.Model
        The model that was fitted, from :func:`nested_model`.
    idata : xarray.DataTree
        Its fit.
    scenarios : mapping of str to (str, str) or None
        Scenario name -> ``(level, label)`` of the deepest known group, or ``None``.
    random_seed : int
        Seed for the new draws.

    Returns
    -------
    xarray.DataArray
        ``p_new`` with dims ``chain``, ``draw``, ``scenario``.

    Raises
    ------
    ValueError
        If a level is not one of the model's, or a label is not in its coords (an index
        outside the coords would be read silently by compiled code, so it is refused here).

    Examples
    --------
    A fit is only read, so a posterior built by hand shows the shapes:

    >>> from companion.simulate import simulate_coins
    >>> data, _ = simulate_coins(n_regions=2, n_factories=1, n_lines=2, n_coins=3, random_seed=1)
    >>> model = nested_model(data)
    >>> rng = np.random.default_rng(0)
    >>> draws = {"mu": (("chain", "draw"), rng.normal(0, 0.1, (2, 100)))}
    >>> for level in COIN_HIERARCHY:
    ...     size = len(model.coords[level])
    ...     draws[f"{level}_logit"] = (("chain", "draw", level), rng.normal(0, 0.3, (2, 100, size)))
    ...     draws[f"sigma_{level}"] = (("chain", "draw"), np.full((2, 100), 0.2))
    >>> coords = {name: list(values) for name, values in model.coords.items()}
    >>> idata = xr.DataTree.from_dict({"posterior": xr.Dataset(draws, coords=coords)})
    >>> p_new = predict_new(model, idata, {"known line": ("line", "R1/F1/L1"),
    ...                                    "unknown region": None}, random_seed=1)
    >>> p_new.dims, p_new.sizes["draw"]
    (('chain', 'draw', 'scenario'), 100)
    """
    names = _model_levels(model)
    if not scenarios:
        raise ValueError("scenarios is empty; name at least one new coin to predict")
    depth = {}
    code = {}
    for scenario, known in scenarios.items():
        if known is None:
            depth[scenario] = -1
            continue
        if not (isinstance(known, tuple | list) and len(known) == 2):
            raise ValueError(
                f"scenario {scenario!r}: expected (level, label) or None, got {known!r}"
            )
        level, label = known
        if level not in names:
            raise ValueError(f"scenario {scenario!r}: unknown level {level!r}; levels: {names}")
        depth[scenario] = names.index(level)
        code[scenario] = int(
            encode_levels([label], model.coords[level], column=level, source="prediction request")[
                0
            ]
        )
    post = idata.posterior
    rng = np.random.default_rng(random_seed)
    values = []
    for scenario in scenarios:
        k = depth[scenario]
        value = post["mu"] if k < 0 else post[f"{names[k]}_logit"].isel({names[k]: code[scenario]})
        value = value.drop_vars(names[k], errors="ignore") if k >= 0 else value
        for level in names[k + 1 :]:
            value = population_draws(
                value, post[f"sigma_{level}"], [scenario], dim="scenario", random_seed=rng
            ).squeeze("scenario", drop=True)
        values.append(value)
    logit = xr.concat(values, dim="scenario").assign_coords(scenario=list(scenarios))
    p_new = special.expit(logit).transpose("chain", "draw", "scenario")
    return p_new.rename("p_new")


def variance_shares(
    idata: xr.DataTree, hierarchy: Sequence[str] = COIN_HIERARCHY, *, ci_prob: float = 0.9
) -> pd.DataFrame:
    """How much of the variance of the coins' log-odds each level contributes.

    Introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    Each level adds an independent deviation of variance ``sigma_<level>**2``, so a coin's
    log-odds varies around ``mu`` with the sum of those variances; a level's share is its
    variance over the sum, computed draw by draw.

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of :func:`nested_model`.
    hierarchy : sequence of str
        The model's levels.
    ci_prob : float, default 0.9
        Probability mass of the interval.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean``, ``sd``, ``lower``, ``upper``, ``width`` of each level's share (the means
        sum to one), indexed by level.

    Raises
    ------
    KeyError
        If the posterior lacks a ``sigma_<level>``.

    Examples
    --------
    >>> sigma = {f"sigma_{k}": (("chain", "draw"), np.full((1, 4), v))
    ...          for k, v in [("line", 3.0), ("coin", 1.0)]}
    >>> tree = xr.DataTree.from_dict({"posterior": xr.Dataset(sigma)})
    >>> variance_shares(tree, ["line", "coin"])["mean"].tolist()
    [0.9, 0.1]
    """
    names = _check_hierarchy(hierarchy)
    missing = [f"sigma_{k}" for k in names if f"sigma_{k}" not in idata.posterior]
    if missing:
        raise KeyError(f"posterior has no {missing[0]!r}; is this a nested_model fit?")
    variances = xr.concat(
        [idata.posterior[f"sigma_{k}"] ** 2 for k in names],
        dim=pd.Index(names, name="level"),
    )
    shares = (variances / variances.sum("level")).rename("share")
    return interval_table(shares, ci_prob=ci_prob)
