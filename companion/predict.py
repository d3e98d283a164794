"""Predict new rows, of known groups or of new ones, from a fitted builder model.

One documented path for every family of :mod:`companion.models`: :func:`predict` takes the
fit, the model and a data frame of new rows with the same columns as the data (without the
outcome), checks every column and every group label against the model's coords, and returns
posterior predictive draws. No raw index reaches a model: a label that is not in the coords is
an error naming it, unless ``new_groups=True`` asks for it to be treated as a new group drawn
from the fitted population (partial pooling models only).

The draws are computed from the posterior with NumPy, row by row, rather than by
``pm.set_data``: compiled indexing does not check bounds, and a builder's observed values are
fixed arrays, so resizing a fitted model is where silent errors come from.

A new group gets its effect from :func:`population_draws`: per posterior draw, the
population's mean plus its spread times a fresh standard normal (correlated normals when a
group has several effects). :func:`predict` and :func:`new_group_intercept` use it for the
builders' models, :func:`companion.coins.predict_new` for a new coin, line or factory and
:func:`companion.radon.predict_log_radon` for a new county's intercept and floor effect.
:func:`companion.forecast.predict_sales` draws a new product's deviation from its attributes
with it too.

Introduced in ``notebooks/09_your_data.ipynb``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from companion.models import model_spec
from companion.validate import check_positive_column, validate_frame

__all__ = ["new_group_intercept", "population_draws", "predict"]

SAMPLE_DIMS = ("chain", "draw")


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _codes(
    labels: pd.Series, known: list[object], *, group: str, new_groups: bool, partial: bool
) -> tuple[np.ndarray, list[object]]:
    """Codes of known labels (0..K-1) and of new ones (K, K+1, ...), with the new labels."""
    if labels.isna().any():
        row = labels.index[np.flatnonzero(labels.isna().to_numpy())[0]]
        raise ValueError(f"new_data: group column {group!r} has a missing value at row {row!r}")
    known_text = {str(label): k for k, label in enumerate(known)}
    new: list[object] = []
    codes = np.empty(len(labels), dtype="int64")
    for position, label in enumerate(labels.to_list()):
        key = str(label.item() if isinstance(label, np.generic) else label)
        if isinstance(label, float) and label.is_integer():
            key = str(int(label))
        if key in known_text:
            codes[position] = known_text[key]
            continue
        listed = ", ".join(repr(k) for k in known)
        if not partial:
            raise ValueError(
                f"new_data: column {group!r} has unknown level {label!r}; known levels: "
                f"{listed}. This model fits each level on its own and has no population to "
                "draw a new level from: use partial_pooling_model for new groups"
            )
        if not new_groups:
            raise ValueError(
                f"new_data: column {group!r} has unknown level {label!r}; known levels: "
                f"{listed}. Pass new_groups=True to predict it as a new group drawn from "
                "the fitted population"
            )
        if key not in [str(n) for n in new]:
            new.append(label)
        codes[position] = len(known) + [str(n) for n in new].index(key)
    return codes, new


def population_draws(
    mean: xr.DataArray,
    sd: xr.DataArray | float,
    labels: list[object] | tuple[object, ...],
    *,
    dim: str = "new_group",
    corr: xr.DataArray | None = None,
    random_seed: int | np.random.Generator,
) -> xr.DataArray:
    """Effects of new groups, drawn from a fitted population: ``mean + sd * z``.

    For each posterior draw and each new group, ``z ~ Normal(0, 1)`` is drawn afresh, so a new
    group carries the population's spread on top of the uncertainty about the population's
    mean and spread. With ``corr``, a group has several correlated effects (an intercept and
    a slope, say): ``z`` is then a multivariate normal with that correlation matrix.
    Used by :func:`companion.coins.predict_new` (introduced in
    ``notebooks/04_nested_coin_mints.ipynb``) and, correlated, by
    :func:`companion.radon.predict_log_radon` (``notebooks/10_varying_slopes.ipynb``).

    Parameters
    ----------
    mean : xarray.DataArray
        The population mean per posterior draw (dims ``chain`` and ``draw``, plus any dims
        shared with ``sd``).
    sd : xarray.DataArray or float
        The population's spread: per posterior draw, or a fixed number.
    labels : sequence
        One label per new group: the coordinate of the new ``dim``.
    dim : str, default "new_group"
        Name of the new groups' dimension.
    corr : xarray.DataArray, optional
        Correlation matrix of a group's effects, per posterior draw or fixed: two dims, the
        effects' dim of ``mean`` and ``sd`` (say ``effect``) and a copy named
        ``effect_bis``. Without it the effects are independent.
    random_seed : int or numpy.random.Generator
        Seed (or generator) of the standard normal draws.

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, dim)`` followed by any other dims of ``mean`` and ``sd``.

    Raises
    ------
    ValueError
        If ``labels`` is empty or repeats a label, ``mean`` lacks the sample dims, a fixed
        ``sd`` is negative, or ``corr`` does not match one effects' dim of ``mean`` or is not
        a correlation matrix.

    Examples
    --------
    >>> mean = xr.DataArray(np.zeros((2, 1000)), dims=("chain", "draw"))
    >>> new = population_draws(mean, 2.0, ["x", "y"], dim="ward", random_seed=1)
    >>> new.dims, new["ward"].values.tolist()
    (('chain', 'draw', 'ward'), ['x', 'y'])
    >>> bool(1.8 < float(new.std()) < 2.2)
    True

    Two correlated effects per group:

    >>> effects = {"effect": ["intercept", "slope"]}
    >>> mean = xr.DataArray(np.zeros((2, 2000, 2)), dims=("chain", "draw", "effect"), coords=effects)
    >>> corr = xr.DataArray([[1.0, 0.8], [0.8, 1.0]], dims=("effect", "effect_bis"))
    >>> new = population_draws(mean, 1.0, ["x"], corr=corr, random_seed=1)
    >>> r = np.corrcoef(new.sel(effect="intercept").values.ravel(), new.sel(effect="slope").values.ravel())
    >>> bool(0.75 < r[0, 1] < 0.85)
    True
    """
    labels = list(labels)
    if not labels:
        raise ValueError("labels is empty; name at least one new group")
    if len(set(map(str, labels))) != len(labels):
        raise ValueError(f"labels repeat a label: {labels}")
    missing = [d for d in SAMPLE_DIMS if d not in getattr(mean, "dims", ())]
    if missing:
        raise ValueError(f"mean: expected dims {SAMPLE_DIMS}, missing {missing}")
    if not isinstance(sd, xr.DataArray) and not float(sd) >= 0:
        raise ValueError(f"sd: expected a number >= 0, got {sd!r}")
    rng = np.random.default_rng(random_seed)
    base = mean + (sd if isinstance(sd, xr.DataArray) else float(sd)) * 0.0
    others = [d for d in base.dims if d not in SAMPLE_DIMS]
    base = base.transpose(*SAMPLE_DIMS, *others)
    shape = (base.sizes["chain"], base.sizes["draw"], len(labels), *base.shape[2:])
    z = xr.DataArray(
        rng.standard_normal(shape),
        dims=(*SAMPLE_DIMS, dim, *others),
        coords={dim: labels},
    )
    if corr is not None:
        z = _correlated(z, corr, others)
    return (mean + sd * z).transpose(*SAMPLE_DIMS, dim, *others)


def _correlated(z: xr.DataArray, corr: xr.DataArray, others: list[str]) -> xr.DataArray:
    """Correlate standard normals ``z`` along one effects' dim by ``corr``'s Cholesky factor."""
    pairs = [d for d in corr.dims if d not in SAMPLE_DIMS]
    effect = pairs[0] if len(pairs) == 2 and pairs[1] == f"{pairs[0]}_bis" else None
    if effect is None or effect not in others:
        raise ValueError(
            f"corr: expected dims (E, E_bis) with E one of the effects' dims {others}; "
            f"got {corr.dims}"
        )
    corr = corr.transpose(..., effect, f"{effect}_bis")
    values = corr.to_numpy()
    if not (
        np.allclose(np.diagonal(values, axis1=-2, axis2=-1), 1.0) and np.all(np.isfinite(values))
    ):
        raise ValueError("corr: expected a correlation matrix (ones on the diagonal)")
    try:
        chol = np.linalg.cholesky(values)
    except np.linalg.LinAlgError:
        raise ValueError("corr: not positive definite") from None
    kept = {
        name: c for name, c in corr.coords.items() if not {effect, f"{effect}_bis"} & set(c.dims)
    }
    lower = xr.DataArray(chol, dims=(*corr.dims[:-1], "_from"), coords=kept)
    return xr.dot(lower, z.rename({effect: "_from"}), dim="_from").transpose(*z.dims)


def new_group_intercept(
    idata: xr.DataTree, *, random_seed: int, group_sd: float | None = None
) -> xr.DataArray:
    """Draw the intercept of a group the model has not seen, from the fitted population.

    For each posterior draw of ``w`` (and ``tau``), draws ``a_new = w + tau * z`` with
    ``z ~ Normal(0, 1)`` (:func:`population_draws`): the new group gets the population's
    spread on top of the uncertainty about ``w``, so its interval is wider than any seen
    group's. Introduced in ``notebooks/09_your_data.ipynb``.

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of :func:`companion.models.partial_pooling_model`.
    random_seed : int
        Seed of the ``z`` draws.
    group_sd : float, optional
        The fixed spread, when the model was built with ``group_sd``; read from the
        posterior's ``tau`` otherwise.

    Returns
    -------
    xarray.DataArray
        ``a_new``, dims ``(chain, draw)``, on the model's intercept scale (log-odds for a
        binomial outcome).

    Raises
    ------
    KeyError
        If the fit has no ``w``, or no ``tau`` and no ``group_sd`` was given.

    Examples
    --------
    >>> post = xr.Dataset({"w": (("chain", "draw"), np.zeros((2, 4000))),
    ...                    "tau": (("chain", "draw"), np.ones((2, 4000)))})
    >>> draws = new_group_intercept(xr.DataTree.from_dict({"posterior": post}), random_seed=1)
    >>> draws.dims, round(float(draws.std()), 1)
    (('chain', 'draw'), 1.0)
    """
    post = idata.posterior
    if "w" not in post:
        raise KeyError("the fit has no population mean 'w'; fit partial_pooling_model first")
    if group_sd is None:
        if "tau" not in post:
            raise KeyError("the fit has no 'tau'; pass the group_sd the model was built with")
        tau = post["tau"]
    else:
        tau = float(group_sd)
    new = population_draws(post["w"], tau, ["new"], dim="new_group", random_seed=random_seed)
    return new.squeeze("new_group", drop=True).rename("a_new")


def predict(
    idata: xr.DataTree,
    model: pm.Model,
    new_data: pd.DataFrame,
    *,
    random_seed: int,
    new_groups: bool = False,
) -> xr.Dataset:
    """Posterior predictive draws for new rows, of known groups or (on request) new ones.

    For every posterior draw, each row's linear predictor is its group's intercept plus
    ``x @ b``; the outcome is drawn from the model's likelihood with the row's own ``trials``
    (binomial), ``exposure`` (poisson) or known sd (``sigma="<column>"``). A new group gets,
    per draw, one intercept ``w + tau * z`` with ``z ~ Normal(0, 1)`` shared by its rows: its
    rows carry the population's spread on top of the uncertainty about ``w``. Introduced in
    ``notebooks/09_your_data.ipynb``.

    Parameters
    ----------
    idata : xarray.DataTree
        The fit of ``model``.
    model : pymc.Model
        A model built by :mod:`companion.models` (pooled, unpooled, one-hot or partial).
    new_data : pandas.DataFrame
        New rows with the model's predictor columns, its group column (not for the pooled
        model), and its ``trials``, ``exposure`` or known-sd column where the model has one.
        The outcome column is not needed.
    random_seed : int
        Seed of the draws.
    new_groups : bool, default False
        Treat group labels the model has not seen as new groups drawn from the population
        (partial pooling models only); when False, an unknown label is an error.

    Returns
    -------
    xarray.Dataset
        ``<outcome>``, predictive draws of the outcome, and ``mu``, the expected outcome per
        row (normal: the mean; binomial: the success probability; poisson: the expected
        count, exposure included), both with dims ``(chain, draw, obs)``; ``obs`` holds
        ``new_data``'s index, and the coord ``<group>`` each row's label.

    Raises
    ------
    ValueError
        If a column is missing or invalid, a label is unknown (and ``new_groups`` is False or
        the model has no population), or the model was not built by :mod:`companion.models`.

    Examples
    --------
    >>> from companion import models
    >>> counts = pd.DataFrame({"ward": ["a", "b", "c"], "k": [3, 9, 5], "n": [40, 50, 45]})
    >>> model = models.partial_pooling_model(counts, outcome="k", trials="n", group="ward",
    ...                                      predictors=())

    Only the posterior is read; here it is built by hand (``fit.sample(model, ...)`` gives it):

    >>> rng = np.random.default_rng(1)
    >>> idata = xr.DataTree.from_dict({"posterior": xr.Dataset({
    ...     "w": (("chain", "draw"), rng.normal(-2.0, 0.2, (2, 200))),
    ...     "tau": (("chain", "draw"), np.abs(rng.normal(0.5, 0.1, (2, 200)))),
    ...     "a": (("chain", "draw", "ward"), rng.normal(-2.0, 0.3, (2, 200, 3))),
    ... }, coords={"ward": ["a", "b", "c"]})})
    >>> new = pd.DataFrame({"ward": ["b", "z"], "n": [100, 100]})
    >>> pred = predict(idata, model, new, random_seed=2, new_groups=True)
    >>> pred["k"].dims, pred["ward"].values.tolist()
    (('chain', 'draw', 'obs'), ['b', 'z'])
    >>> predict(idata, model, new, random_seed=2)
    Traceback (most recent call last):
    ...
    ValueError: new_data: column 'ward' has unknown level 'z'; known levels: 'a', 'b', 'c'. ...
    """
    spec = model_spec(model)
    if not isinstance(new_data, pd.DataFrame) or len(new_data) == 0:
        raise ValueError("new_data: expected a pandas DataFrame with at least one row")
    schema = {name: "float" for name in spec.predictors}
    if spec.trials is not None:
        schema[spec.trials] = "count"
    if spec.exposure is not None:
        schema[spec.exposure] = "float"
    if isinstance(spec.sigma, str):
        schema[spec.sigma] = "float"
    frame = validate_frame(new_data, schema, source="new_data") if schema else None
    for column in (spec.exposure, spec.sigma if isinstance(spec.sigma, str) else None):
        if column is not None:
            check_positive_column(frame, column, source="new_data")

    post = idata.posterior
    n_chain, n_draw = post.sizes["chain"], post.sizes["draw"]
    rng = np.random.default_rng(random_seed)
    coords: dict[str, object] = {"obs": new_data.index.to_numpy()}
    if spec.kind == "pooled":
        eta = np.broadcast_to(post["a"].to_numpy()[..., None], (n_chain, n_draw, len(new_data)))
    else:
        if spec.group not in new_data.columns:
            present = ", ".join(repr(str(c)) for c in new_data.columns)
            raise ValueError(
                f"new_data: missing group column {spec.group!r} (columns present: {present})"
            )
        known = list(model.coords[spec.group])
        codes, new = _codes(
            new_data[spec.group],
            known,
            group=spec.group,
            new_groups=new_groups,
            partial=spec.kind == "partial",
        )
        a = post["a"].transpose("chain", "draw", spec.group).to_numpy()
        if new:
            tau = post["tau"] if spec.group_sd is None else spec.group_sd
            a_new = population_draws(post["w"], tau, new, dim=spec.group, random_seed=rng)
            a = np.concatenate([a, a_new.to_numpy()], axis=-1)
        eta = a[..., codes]
        coords[spec.group] = ("obs", new_data[spec.group].to_numpy())
    if spec.predictors:
        b = post["b"].transpose("chain", "draw", "predictor").to_numpy()
        eta = eta + np.einsum("cdp,np->cdn", b, frame[list(spec.predictors)].to_numpy())

    if spec.family == "binomial":
        mu = _expit(eta)
        draws = rng.binomial(frame[spec.trials].to_numpy(), mu)
    elif spec.family == "poisson":
        exposure = frame[spec.exposure].to_numpy() if spec.exposure else 1.0
        mu = np.exp(eta) * exposure
        draws = rng.poisson(mu)
    else:
        if spec.sigma is None:
            noise = post["sigma"].to_numpy()[..., None]
        elif isinstance(spec.sigma, str):
            noise = frame[spec.sigma].to_numpy()
        else:
            noise = spec.sigma
        mu = eta
        draws = mu + noise * rng.standard_normal(eta.shape)
    dims = ("chain", "draw", "obs")
    for dim, size in (("chain", n_chain), ("draw", n_draw)):
        coords[dim] = post.coords[dim].to_numpy() if dim in post.coords else np.arange(size)
    return xr.Dataset({spec.outcome: (dims, draws), "mu": (dims, mu)}, coords=coords)
