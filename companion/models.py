"""Model builders: pooled, unpooled, one-hot and partially pooled regressions.

Each builder takes a data frame and the names of its columns (the outcome, the group column,
the predictors), validates them, and returns a ``pm.Model`` whose coords come from the data's
own level labels: the group dim is named after the group column and holds its sorted labels,
``obs`` indexes rows and ``predictor`` names the predictors. The models are those of the
forum thread, ``y ~ Normal(a + b x, sigma)`` with a categorical predictor:

1. :func:`pooled_model`, one intercept ``a`` for every row;
2. :func:`unpooled_model`, one intercept ``a[h]`` per level fitted independently, the same
   model as :func:`onehot_model` (regression on one-hot columns);
3. :func:`partial_pooling_model`, ``a[h] ~ Normal(w, tau)`` with the spread ``tau`` fixed
   (the thread's ``Normal(w, 1)``) or learned, centred or non-centred.

Introduced in ``notebooks/01_pooled_intercept.ipynb``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from companion.data import check_levels, validate_frame

__all__ = [
    "BINOMIAL_PRIORS",
    "PRIORS",
    "new_group_intercept",
    "encode_levels",
    "group_levels",
    "onehot_model",
    "partial_pooling_model",
    "pooled_model",
    "unpooled_model",
]

#: Prior scales shared by every builder (and by :mod:`companion.exact`).
PRIORS: dict[str, float] = {
    "intercept_sd": 10.0,  # a (pooled, unpooled) and w ~ Normal(0, 10)
    "slope_sd": 5.0,  # b ~ Normal(0, 5)
    "sigma_sd": 5.0,  # sigma ~ HalfNormal(5)
    "tau_sd": 2.5,  # tau ~ HalfNormal(2.5) when the spread is learned
}

#: Prior scales on the log-odds scale, used when the outcome is a count out of ``trials``.
BINOMIAL_PRIORS: dict[str, float] = {
    "intercept_sd": 2.5,  # a and w ~ Normal(0, 2.5): rates from about 0.7% to 99.3%
    "slope_sd": 1.0,  # b ~ Normal(0, 1) per unit of a predictor
    "tau_sd": 1.0,  # tau ~ HalfNormal(1): group log-odds differ by up to about +-2
}


def _as_list(predictors: str | Sequence[str]) -> list[str]:
    return [predictors] if isinstance(predictors, str) else list(predictors)


def _group_column(data: pd.DataFrame, group: str) -> pd.Series:
    if group not in data.columns:
        present = ", ".join(repr(str(c)) for c in data.columns)
        raise ValueError(f"data: missing group column {group!r} (columns present: {present})")
    values = data[group]
    if values.isna().any():
        row = values.index[np.flatnonzero(values.isna().to_numpy())[0]]
        raise ValueError(f"data: group column {group!r} has a missing value at row {row!r}")
    return values.astype("string")


def group_levels(data: pd.DataFrame, group: str) -> pd.Index:
    """Return the sorted level labels of a group column, as the builders use them for coords.

    Parameters
    ----------
    data : pandas.DataFrame
        The data.
    group : str
        Name of the group column; its values are read as text labels.

    Returns
    -------
    pandas.Index
        Sorted unique labels.

    Examples
    --------
    >>> group_levels(pd.DataFrame({"ward": ["b", "a", "b"]}), "ward").tolist()
    ['a', 'b']
    """
    return pd.Index(np.sort(pd.unique(_group_column(data, group).to_numpy())), name=group)


def encode_levels(
    values: pd.Series | Collection[str], levels: Sequence[str], *, column: str
) -> np.ndarray:
    """Turn level labels into integer codes of ``levels``, refusing unknown labels.

    Compiled indexing does not check bounds, so a code outside a model's coords would read
    garbage silently; every index that reaches a model goes through this check first.

    Parameters
    ----------
    values : pandas.Series or collection of str
        Labels to encode.
    levels : sequence of str
        The model's coords for this column, in order.
    column : str
        Column name, for the error message.

    Returns
    -------
    numpy.ndarray
        ``int64`` codes, each in ``range(len(levels))``.

    Raises
    ------
    ValueError
        If a label is not in ``levels``.

    Examples
    --------
    >>> encode_levels(["h3", "h1"], ["h1", "h2", "h3"], column="level").tolist()
    [2, 0]
    """
    labels = pd.Series(list(values), dtype="string")
    if labels.isna().any():
        raise ValueError(f"column {column!r} has a missing level label")
    check_levels(labels, levels, column=column, source="prediction request")
    codes = pd.Index([str(level) for level in levels]).get_indexer(labels.to_numpy())
    return codes.astype("int64")


def _prepare(
    data: pd.DataFrame,
    *,
    outcome: str,
    group: str | None,
    predictors: Sequence[str],
    trials: str | None = None,
) -> tuple[pd.DataFrame, dict[str, object]]:
    kind = "float" if trials is None else "count"
    schema = {outcome: kind, **{name: "float" for name in predictors}}
    if trials is not None:
        if trials == outcome or trials in predictors:
            raise ValueError(
                f"column {trials!r} cannot be both the trials and the outcome/predictor"
            )
        schema[trials] = "count"
    if group is not None and (group == outcome or group in predictors or group == trials):
        raise ValueError(f"column {group!r} cannot be both the group and the outcome/predictor")
    frame = validate_frame(data, schema)
    if trials is not None:
        above = (frame[outcome] > frame[trials]).to_numpy()
        if above.any():
            row = frame.index[np.flatnonzero(above)[0]]
            raise ValueError(
                f"data: column {outcome!r} has {frame.loc[row, outcome]} successes out of "
                f"{frame.loc[row, trials]} trials (column {trials!r}) at row {row!r}"
            )
    coords: dict[str, object] = {"obs": np.arange(len(frame))}
    if predictors:
        coords["predictor"] = list(predictors)
    if group is not None:
        labels = _group_column(data, group)
        levels = group_levels(data, group)
        frame[group] = labels
        coords[group] = levels.tolist()
    return frame, coords


def _priors(trials: str | None) -> dict[str, float]:
    return PRIORS if trials is None else BINOMIAL_PRIORS


def _likelihood(
    frame: pd.DataFrame,
    mu: object,
    *,
    outcome: str,
    predictors: Sequence[str],
    sigma: float | None,
    trials: str | None = None,
) -> None:
    priors = _priors(trials)
    if predictors:
        x = pm.Data("x", frame[list(predictors)].to_numpy(), dims=("obs", "predictor"))
        b = pm.Normal("b", 0.0, priors["slope_sd"], dims="predictor")
        mu = mu + pm.math.dot(x, b)
    if trials is not None:
        if sigma is not None:
            raise ValueError("sigma applies to a continuous outcome; omit it when trials is given")
        n = pm.Data("trials", frame[trials].to_numpy(), dims="obs")
        pm.Binomial(outcome, n=n, logit_p=mu, observed=frame[outcome].to_numpy(), dims="obs")
        return
    if sigma is None:
        noise = pm.HalfNormal("sigma", PRIORS["sigma_sd"])
    else:
        if not np.isfinite(sigma) or sigma <= 0:
            raise ValueError(f"sigma must be a positive number or None, got {sigma!r}")
        noise = float(sigma)
    pm.Normal(outcome, mu=mu, sigma=noise, observed=frame[outcome].to_numpy(), dims="obs")


def pooled_model(
    data: pd.DataFrame,
    *,
    outcome: str = "y",
    predictors: str | Sequence[str] = ("x",),
    sigma: float | None = None,
    trials: str | None = None,
) -> pm.Model:
    """Build the pooled model: one intercept ``a`` shared by every row.

    ``y ~ Normal(a + x @ b, sigma)``, ``a ~ Normal(0, 10)``, ``b ~ Normal(0, 5)``,
    ``sigma ~ HalfNormal(5)``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    outcome : str, default "y"
        Column of the continuous outcome.
    predictors : str or sequence of str, default ("x",)
        Numeric predictor columns; ``()`` for none.
    sigma : float, optional
        Known noise standard deviation; learned when omitted.
    trials : str, optional
        Column of the number of trials when the outcome counts successes: the likelihood
        becomes ``Binomial(trials, logit^-1(a + x @ b))`` and the priors those of
        :data:`BINOMIAL_PRIORS`.

    Returns
    -------
    pymc.Model
        With dims ``obs`` and ``predictor``.

    Raises
    ------
    ValueError
        If a column is missing or holds missing or non-numeric values.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, _ = simulate_levels(seed=1)
    >>> sorted(pooled_model(data).named_vars)
    ['a', 'b', 'sigma', 'x', 'y']
    """
    predictors = _as_list(predictors)
    frame, coords = _prepare(
        data, outcome=outcome, group=None, predictors=predictors, trials=trials
    )
    with pm.Model(coords=coords) as model:
        a = pm.Normal("a", 0.0, _priors(trials)["intercept_sd"])
        _likelihood(frame, a, outcome=outcome, predictors=predictors, sigma=sigma, trials=trials)
    return model


def unpooled_model(
    data: pd.DataFrame,
    *,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
    sigma: float | None = None,
    trials: str | None = None,
) -> pm.Model:
    """Build the unpooled model: an independent intercept ``a[h]`` for every level.

    ``y ~ Normal(a[h] + x @ b, sigma)`` with ``a[h] ~ Normal(0, 10)`` independently, so a level
    learns only from its own rows.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    outcome : str, default "y"
        Column of the continuous outcome.
    group : str, default "level"
        Column of the level labels; it names the intercepts' dim.
    predictors : str or sequence of str, default ("x",)
        Numeric predictor columns.
    sigma : float, optional
        Known noise standard deviation; learned when omitted.
    trials : str, optional
        Column of the number of trials when the outcome counts successes: the likelihood
        becomes ``Binomial(trials, logit^-1(a + x @ b))`` and the priors those of
        :data:`BINOMIAL_PRIORS`.

    Returns
    -------
    pymc.Model
        With dims ``obs``, ``predictor`` and ``group``; data ``{group}_idx`` holds row codes.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, _ = simulate_levels(seed=1)
    >>> unpooled_model(data).coords["level"]
    ('h1', 'h2', 'h3')
    """
    predictors = _as_list(predictors)
    frame, coords = _prepare(
        data, outcome=outcome, group=group, predictors=predictors, trials=trials
    )
    codes = encode_levels(frame[group], coords[group], column=group)
    with pm.Model(coords=coords) as model:
        idx = pm.Data(f"{group}_idx", codes, dims="obs")
        a = pm.Normal("a", 0.0, _priors(trials)["intercept_sd"], dims=group)
        _likelihood(
            frame, a[idx], outcome=outcome, predictors=predictors, sigma=sigma, trials=trials
        )
    return model


def onehot_model(
    data: pd.DataFrame,
    *,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
    sigma: float | None = None,
    trials: str | None = None,
) -> pm.Model:
    """Build the unpooled model written as a regression on one-hot columns.

    The level column becomes one 0/1 column per level (no separate intercept), and
    ``y ~ Normal(onehot @ a + x @ b, sigma)``. With the same priors this is exactly
    :func:`unpooled_model`, so the two posteriors agree.

    Parameters
    ----------
    data, outcome, group, predictors, sigma, trials
        As in :func:`unpooled_model`.

    Returns
    -------
    pymc.Model
        With data ``onehot`` of dims ``(obs, group)``.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, _ = simulate_levels(seed=1)
    >>> onehot_model(data)["onehot"].get_value().sum(axis=0).tolist()
    [5.0, 145.0, 350.0]
    """
    predictors = _as_list(predictors)
    frame, coords = _prepare(
        data, outcome=outcome, group=group, predictors=predictors, trials=trials
    )
    dummies = pd.get_dummies(
        pd.Categorical(frame[group].to_numpy(), categories=coords[group]), dtype=float
    ).to_numpy()
    with pm.Model(coords=coords) as model:
        onehot = pm.Data("onehot", dummies, dims=("obs", group))
        a = pm.Normal("a", 0.0, _priors(trials)["intercept_sd"], dims=group)
        _likelihood(
            frame,
            pm.math.dot(onehot, a),
            outcome=outcome,
            predictors=predictors,
            sigma=sigma,
            trials=trials,
        )
    return model


def partial_pooling_model(
    data: pd.DataFrame,
    *,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
    group_sd: float | None = None,
    centered: bool = False,
    sigma: float | None = None,
    trials: str | None = None,
) -> pm.Model:
    """Build the partially pooled model: intercepts drawn from a common population.

    ``a[h] ~ Normal(w, tau)``, ``w ~ Normal(0, 10)``; ``tau`` is ``group_sd`` when given
    (the thread's ``Normal(w, 1)`` is ``group_sd=1``) and ``tau ~ HalfNormal(2.5)`` when
    learned. The non-centred form (default) samples ``a_offset ~ Normal(0, 1)`` and sets
    ``a = w + tau * a_offset``: same model, easier geometry when levels have little data.

    Parameters
    ----------
    data, outcome, group, predictors, sigma, trials
        As in :func:`unpooled_model`.
    group_sd : float, optional
        Fixed spread of the intercepts; learned from the data when omitted.
    centered : bool, default False
        Sample ``a`` directly (True) or through standard-normal offsets (False).

    Returns
    -------
    pymc.Model
        With variables ``w``, ``a`` (dims ``group``), ``tau`` when learned, ``b``, ``sigma``.

    Raises
    ------
    ValueError
        If ``group_sd`` is not positive, or a column is missing or invalid.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, _ = simulate_levels(seed=1)
    >>> sorted(partial_pooling_model(data).free_RVs, key=str)
    [a_offset, b, sigma, tau, w]
    >>> sorted(partial_pooling_model(data, group_sd=1.0, centered=True).free_RVs, key=str)
    [a, b, sigma, w]
    """
    if group_sd is not None and (not np.isfinite(group_sd) or group_sd <= 0):
        raise ValueError(f"group_sd must be a positive number or None, got {group_sd!r}")
    predictors = _as_list(predictors)
    frame, coords = _prepare(
        data, outcome=outcome, group=group, predictors=predictors, trials=trials
    )
    codes = encode_levels(frame[group], coords[group], column=group)
    with pm.Model(coords=coords) as model:
        idx = pm.Data(f"{group}_idx", codes, dims="obs")
        priors = _priors(trials)
        w = pm.Normal("w", 0.0, priors["intercept_sd"])
        tau = pm.HalfNormal("tau", priors["tau_sd"]) if group_sd is None else float(group_sd)
        if centered:
            a = pm.Normal("a", w, tau, dims=group)
        else:
            offset = pm.Normal("a_offset", 0.0, 1.0, dims=group)
            a = pm.Deterministic("a", w + tau * offset, dims=group)
        _likelihood(
            frame, a[idx], outcome=outcome, predictors=predictors, sigma=sigma, trials=trials
        )
    return model


def new_group_intercept(
    idata: xr.DataTree, *, random_seed: int, group_sd: float | None = None
) -> xr.DataArray:
    """Draw the intercept of a group the model has not seen, from the fitted population.

    For each posterior draw of ``w`` (and ``tau``), draws ``a_new = w + tau * z`` with
    ``z ~ Normal(0, 1)``: the new group gets the population's spread on top of the
    uncertainty about ``w``, so its interval is wider than any seen group's.

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of :func:`partial_pooling_model`.
    random_seed : int
        Seed of the ``z`` draws.
    group_sd : float, optional
        The fixed spread, when the model was built with ``group_sd``; read from the
        posterior's ``tau`` otherwise.

    Returns
    -------
    xarray.DataArray
        Draws with dims ``(chain, draw)``, on the model's intercept scale (log-odds for a
        binomial outcome).

    Raises
    ------
    KeyError
        If the fit has no ``w``, or no ``tau`` and no ``group_sd`` was given.

    Examples
    --------
    >>> import xarray as xr
    >>> post = xr.Dataset({"w": (("chain", "draw"), np.zeros((2, 4000))),
    ...                    "tau": (("chain", "draw"), np.ones((2, 4000)))})
    >>> draws = new_group_intercept(xr.DataTree.from_dict({"posterior": post}), random_seed=1)
    >>> round(float(draws.std()), 1)
    1.0
    """
    post = idata.posterior
    if "w" not in post:
        raise KeyError("the fit has no population mean 'w'; fit partial_pooling_model first")
    if group_sd is None:
        if "tau" not in post:
            raise KeyError("the fit has no 'tau'; pass the group_sd the model was built with")
        tau = post["tau"]
    else:
        tau = xr.full_like(post["w"], float(group_sd))
    z = np.random.default_rng(random_seed).standard_normal(post["w"].shape)
    return (post["w"] + tau * z).rename("a_new")
