"""Is the hierarchy worth it? Model comparison by LOO, squared error and interval coverage.

- :func:`compare_models`: one tidy row per model with its PSIS-LOO estimate (ELPD, standard
  errors, Pareto-k diagnostics, effective number of parameters), and, against a known truth,
  the total squared error of its group estimates and the coverage of their intervals. It
  joins :func:`loo_table` (which calls ``az.loo`` and ``az.compare``) and
  :func:`score_estimates`.
- :func:`similar_models`: the models whose ELPD is within 4 of the best, the threshold under
  which ``az.compare`` reports that two models make similar predictions.
- The worlds in which the models are compared are simulated by
  :func:`companion.simulate.simulate_scenario`; their exact leave-one-out densities, with the
  noise known, come from :func:`companion.exact.exact_loo`.
- :func:`fit_models`: sample several models and store their log-likelihood, which LOO needs
  and sampling does not keep (:func:`log_likelihood`, all draws at once).
- :func:`fit_datasets`: the same for several data sets with the same groups (simulated
  worlds, say), compiling each model once and sampling it on every data set.

Introduced in ``notebooks/07_real_data.ipynb`` (and used in
``notebooks/07_real_data.ipynb``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytensor
import pytensor.tensor as pt
import xarray as xr
from pymc.backends.arviz import coords_and_dims_for_inferencedata
from pymc.model.transform.conditioning import remove_value_transforms
from pytensor.graph.replace import vectorize_graph
from pytensor.tensor.variable import TensorVariable

from companion import fit
from companion.models import observed_as_data
from companion.summaries import SAMPLE_DIMS, interval_table
from companion.validate import check_probability

__all__ = [
    "SIMILAR_ELPD",
    "compare_models",
    "fit_datasets",
    "fit_models",
    "log_likelihood",
    "loo_table",
    "score_estimates",
    "similar_models",
]

#: ELPD difference under which ``az.compare`` flags two models as predicting alike.
SIMILAR_ELPD = 4.0

#: PyTensor mode of the functions compiled around sampling (log-likelihood, log-density
#: checks): compiling with the default (Numba) mode costs about a second per function, while
#: these are evaluated once, on whole arrays.
LOGLIK_COMPILE = {"mode": "FAST_COMPILE"}

#: Draws evaluated together by :func:`log_likelihood`, times the observed values per draw.
_LOGLIK_CHUNK = 4_000_000


def log_likelihood(idata: xr.DataTree, model: pm.Model) -> xr.DataTree:
    """Store the pointwise log-likelihood of every posterior draw, as LOO needs it.

    Introduced in ``notebooks/09_your_data.ipynb``.

    The same numbers as ``pm.compute_log_likelihood(idata, model=model)``, which evaluates
    a compiled function once per draw; here the function is vectorised over draws and
    evaluated on all of them at once (in chunks for large data), which takes a fraction of
    the time.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit of ``model``, with a ``posterior`` group (dims ``chain`` and ``draw``).
    model : pymc.Model
        The model that was fitted.

    Returns
    -------
    xarray.DataTree
        ``idata``, extended in place with a ``log_likelihood`` group: one variable per
        observed variable, dims ``chain``, ``draw`` and the observed variable's dims.

    Examples
    --------
    >>> with pm.Model() as model:
    ...     mu = pm.Normal("mu", 0, 1)
    ...     _ = pm.Normal("y", mu, 1, observed=[0.5, -1.0])
    >>> post = xr.Dataset({"mu": (("chain", "draw"), [[0.0, 1.0]])})
    >>> fitted = log_likelihood(xr.DataTree.from_dict({"posterior": post}), model)
    >>> np.round(fitted.log_likelihood["y"].sel(chain=0).to_numpy(), 3).tolist()
    [[-1.044, -1.419], [-1.044, -2.919]]
    """
    plain = remove_value_transforms(model)
    free = list(plain.free_RVs)
    values = [plain.rvs_to_values[rv] for rv in free]
    observed = list(plain.observed_RVs)
    batched = [
        pt.tensor(name=value.name, shape=(None, *value.type.shape), dtype=value.type.dtype)
        for value in values
    ]
    outputs = vectorize_graph(
        plain.logp(vars=observed, sum=False), replace=dict(zip(values, batched, strict=True))
    )
    function = pytensor.function(batched, outputs, on_unused_input="ignore", **LOGLIK_COMPILE)
    post = idata.posterior
    n_chains, n_draws = (post.sizes[name] for name in SAMPLE_DIMS)
    draws = [
        post[rv.name].transpose(*SAMPLE_DIMS, ...).to_numpy().astype(value.type.dtype)
        for rv, value in zip(free, values, strict=True)
    ]
    draws = [array.reshape(n_chains * n_draws, *array.shape[2:]) for array in draws]
    first = function(*(array[:1] for array in draws))  # one draw: how many values per draw
    chunk = max(1, _LOGLIK_CHUNK // max(sum(np.size(out) for out in first), 1))
    pieces = [
        function(*(array[start : start + chunk] for array in draws))
        for start in range(0, n_chains * n_draws, chunk)
    ]
    coords, dims = coords_and_dims_for_inferencedata(plain)
    result = {}
    for k, rv in enumerate(observed):
        array = np.concatenate([np.asarray(piece[k]) for piece in pieces])
        array = array.reshape(n_chains, n_draws, *array.shape[1:])
        names = dims.get(rv.name) or [f"{rv.name}_dim_{i}" for i in range(array.ndim - 2)]
        result[rv.name] = ((*SAMPLE_DIMS, *names), array)
    used = {name for rv in observed for name in dims.get(rv.name) or ()}
    dataset = xr.Dataset(
        result,
        coords={name: post.coords.get(name, np.arange(post.sizes[name])) for name in SAMPLE_DIMS}
        | {name: coords[name] for name in used if name in coords},
    )
    idata["log_likelihood"] = dataset
    return idata


def fit_models(
    models: Mapping[str, pm.Model], *, random_seed: int, **kwargs: object
) -> dict[str, xr.DataTree]:
    """Sample several models with :func:`companion.fit.sample` and store their log-likelihood.

    Introduced in ``notebooks/07_real_data.ipynb``.

    Parameters
    ----------
    models : mapping of str to pymc.Model
        Name -> model.
    random_seed : int
        Seed, the same for every model.
    **kwargs
        Passed on to :func:`companion.fit.sample` (``draws``, ``tune``, ``target_accept``...).

    Returns
    -------
    dict of str to xarray.DataTree
        Name -> fit, each with a ``log_likelihood`` group.

    Examples
    --------
    >>> with pm.Model() as model:
    ...     mu = pm.Normal("mu", 0, 1)
    ...     _ = pm.Normal("y", mu, 1, observed=[0.1, -0.3])
    >>> fits = fit_models({"m": model}, random_seed=1, draws=100, tune=100)
    >>> sorted(fits["m"].log_likelihood.data_vars)
    ['y']
    """
    fits = {}
    for name, model in models.items():
        idata = fit.sample(model, random_seed=random_seed, **kwargs)
        fits[name] = log_likelihood(idata, model)
    return fits


def _observed(model: pm.Model) -> TensorVariable:
    if len(model.observed_RVs) != 1:
        names = [rv.name for rv in model.observed_RVs]
        raise ValueError(f"fit_datasets needs models with one observed variable; got {names}")
    return model.observed_RVs[0]


def _data_values(model: pm.Model) -> dict[str, np.ndarray]:
    """Values of a model's data containers, and of its observed variable as ``<name>_observed``."""
    values = {var.name: np.asarray(var.get_value()) for var in model.data_vars}
    observed = _observed(model)
    values[f"{observed.name}_observed"] = np.asarray(model.rvs_to_values[observed].data)
    return values


def _parameter_coords(model: pm.Model) -> dict[str, tuple]:
    """Shapes of the free variables and labels of the dims the posterior carries."""
    names = [var.name for var in model.free_RVs + model.deterministics]
    dims = {d for name in names for d in model.named_vars_to_dims.get(name, ()) or () if d}
    shapes = {name: tuple(value.shape) for name, value in model.initial_point().items()}
    return {"shapes": tuple(sorted(shapes.items())), **{d: tuple(model.coords[d]) for d in dims}}


def fit_datasets(
    models: Mapping[str, Mapping[str, pm.Model]],
    *,
    random_seed: int,
    n_points: int = 3,
    **kwargs: object,
) -> dict[str, dict[str, xr.DataTree]]:
    """Fit the same models to several data sets, compiling each model only once.

    Introduced in ``notebooks/08_is_it_worth_it.ipynb``.

    ``models`` holds, for each data set, the same models built on that data set (by the
    builders of :mod:`companion.models`, say). Models of one name must have the same
    parameters, the same groups and the same number of rows. Each is rewritten once with its
    data, the observed values too, in ``pm.Data`` containers, checked to have the same
    log-density as every data set's own model at ``n_points`` random points, compiled once
    and sampled on each data set with :func:`companion.fit.sample_datasets`; the
    log-likelihood that LOO needs is then computed with each data set's own model.

    Parameters
    ----------
    models : mapping of str to mapping of str to pymc.Model
        Data-set name -> {model name -> model}; every data set names the same models. Each
        model has one observed variable.
    random_seed : int
        Seed; data set ``k`` (in the mapping's order) is sampled with ``random_seed + k``.
    n_points : int, default 3
        Random points at which the log-densities are compared.
    **kwargs
        Passed on to :func:`companion.fit.sample_datasets` (``draws``, ``tune``,
        ``target_accept``, ``compiled_callback``...).

    Returns
    -------
    dict of str to dict of str to xarray.DataTree
        Data-set name -> model name -> fit, each with a ``log_likelihood`` group.

    Raises
    ------
    ValueError
        If ``models`` is empty, the data sets name different models, two models of one name
        differ in their parameters, groups or rows, or the rewritten model's log-density
        differs from a data set's own model.

    Examples
    --------
    >>> def built(y):
    ...     with pm.Model() as model:
    ...         mu = pm.Normal("mu", 0, 10)
    ...         _ = pm.Normal("y", mu, 1, observed=y)
    ...     return {"normal": model}
    >>> fits = fit_datasets({"low": built([-3.0, -3.1, -2.9]), "high": built([3.0, 2.9, 3.1])},
    ...                     random_seed=1, draws=300, tune=300)
    >>> float(fits["low"]["normal"].posterior["mu"].mean()) < 0
    True
    >>> fits["high"]["normal"].log_likelihood["y"].sizes["y_dim_0"]
    3
    """
    if not models:
        raise ValueError("models is empty; pass at least one data set")
    datasets = list(models)
    names = list(models[datasets[0]])
    for dataset in datasets:
        if sorted(models[dataset]) != sorted(names):
            raise ValueError(
                f"data set {dataset!r} names models {sorted(models[dataset])}, "
                f"{datasets[0]!r} names {sorted(names)}"
            )
    rng = np.random.default_rng(random_seed)
    fits: dict[str, dict[str, xr.DataTree]] = {dataset: {} for dataset in datasets}
    for name in names:
        first = models[datasets[0]][name]
        values = {dataset: _data_values(models[dataset][name]) for dataset in datasets}
        for dataset in datasets[1:]:
            if _parameter_coords(models[dataset][name]) != _parameter_coords(first):
                raise ValueError(
                    f"model {name!r}: data set {dataset!r} has other parameters or groups "
                    f"than {datasets[0]!r}"
                )
            shapes = {key: np.shape(value) for key, value in values[dataset].items()}
            if shapes != {key: np.shape(value) for key, value in values[datasets[0]].items()}:
                raise ValueError(
                    f"model {name!r}: data set {dataset!r} has other numbers of rows than "
                    f"{datasets[0]!r} ({shapes}); fit_datasets needs the same rows"
                )
        shared = observed_as_data(first)
        start = shared.initial_point()
        points = [
            {key: rng.normal(size=value.shape) for key, value in start.items()}
            for _ in range(n_points)
        ]
        shared_logp = shared.compile_logp(mode=LOGLIK_COMPILE["mode"])
        for dataset in datasets:
            pm.set_data(values[dataset], model=shared)
            own_logp = models[dataset][name].compile_logp(mode=LOGLIK_COMPILE["mode"])
            mine, theirs = ([f(p) for p in points] for f in (shared_logp, own_logp))
            if not np.allclose(mine, theirs):
                raise ValueError(
                    f"model {name!r}: the rewritten model's log-density differs from data set "
                    f"{dataset!r}'s own model ({mine} vs {theirs})"
                )
        sampled = fit.sample_datasets(shared, values, random_seed=random_seed, **kwargs)
        for dataset, idata in sampled.items():
            fits[dataset][name] = log_likelihood(idata, models[dataset][name])
    return fits


def loo_table(idatas: Mapping[str, xr.DataTree], *, observed: str | None = None) -> pd.DataFrame:
    """PSIS-LOO of several fits, ranked, with their Pareto-k diagnostics.

    Not called in the notebooks; :func:`compare_models` uses it.

    Parameters
    ----------
    idatas : mapping of str to xarray.DataTree
        Name -> fit with a ``log_likelihood`` group (see :func:`fit_models`).
    observed : str, optional
        The observed variable whose log-likelihood is scored, when a model has several.

    Returns
    -------
    pandas.DataFrame
        Indexed by model name, best first; columns ``rank``, ``elpd``, ``se``, ``elpd_diff``
        and ``dse`` (difference from the best and its standard error), ``p_worse`` (ArviZ's
        normal-approximation probability that the model predicts worse than the best; NaN for
        the best), ``diag_diff`` (ArviZ's caution on the difference: ``"N < 100"`` for fewer
        than 100 observations, ``"|elpd_diff| < 4"`` for models that predict alike, else
        empty), ``p_loo`` (effective number of parameters), ``max_k`` (largest Pareto k) and
        ``high_k`` (observations whose k exceeds the reliability threshold, 0.7 for the
        course's draws).

    Raises
    ------
    ValueError
        If a fit has no log-likelihood.
    """
    if not idatas:
        raise ValueError("idatas is empty; pass at least one fit")
    loos = {}
    for name, idata in idatas.items():
        if "log_likelihood" not in idata.children:
            raise ValueError(
                f"fit {name!r} has no log_likelihood group; run "
                "pm.compute_log_likelihood(idata, model=model) or use compare.fit_models"
            )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Estimated shape parameter of Pareto")
            loos[name] = az.loo(idata, pointwise=True, var_name=observed)
    if len(loos) > 1:
        ranked = az.compare(loos, round_to="none")
    else:
        ((name, loo),) = loos.items()
        ranked = pd.DataFrame(
            {
                "rank": [0],
                "elpd_diff": [0.0],
                "dse": [0.0],
                "p_worse": [np.nan],
                "diag_diff": [""],
                "p": [loo.p],
                "elpd": [loo.elpd],
                "se": [loo.se],
            },
            index=[name],
        )
    table = pd.DataFrame(
        {
            "rank": ranked["rank"].astype(int),
            "elpd": ranked["elpd"].astype(float),
            "se": ranked["se"].astype(float),
            "elpd_diff": ranked["elpd_diff"].astype(float),
            "dse": ranked["dse"].astype(float),
            "p_worse": ranked["p_worse"].astype(float),
            "diag_diff": ranked["diag_diff"].astype(str),
            "p_loo": ranked["p"].astype(float),
        },
        index=pd.Index([str(i) for i in ranked.index], name="model"),
    )
    table["max_k"] = [float(loos[name].pareto_k.max()) for name in table.index]
    table["high_k"] = [int((loos[name].pareto_k > loos[name].good_k).sum()) for name in table.index]
    return table


def score_estimates(
    estimates: Mapping[str, xr.DataArray | pd.Series],
    truth: pd.Series,
    *,
    ci_prob: float = 0.9,
) -> pd.DataFrame:
    """Total squared error and interval coverage of group estimates against a known truth.

    Introduced in ``notebooks/07_real_data.ipynb``.

    Parameters
    ----------
    estimates : mapping of str to xarray.DataArray or pandas.Series
        Name -> posterior draws (dims ``chain``, ``draw`` and at most one group dim; without
        a group dim the same draws stand for every group) or point estimates indexed by
        group (no interval).
    truth : pandas.Series
        True value of each group, indexed by group label.
    ci_prob : float, default 0.9
        Probability of the equal-tailed intervals (:func:`companion.summaries.interval_table`).

    Returns
    -------
    pandas.DataFrame
        Indexed by model name: ``sq_error`` (sum over groups of (posterior mean - truth)^2),
        ``coverage`` (share of groups whose interval holds the truth) and ``width`` (mean
        interval width); the last two are NaN for point estimates.

    Raises
    ------
    ValueError
        If ``ci_prob`` is not in (0, 1) or an estimate lacks a group of ``truth``.

    Examples
    --------
    >>> truth = pd.Series({"a": 0.0, "b": 1.0})
    >>> draws = xr.DataArray(np.random.default_rng(1).normal(0.5, 1.0, (1, 4000)),
    ...                      dims=("chain", "draw"))
    >>> table = score_estimates({"pooled": draws, "raw": pd.Series({"a": 0.2, "b": 0.6})}, truth)
    >>> table["sq_error"].round(2).tolist(), table["coverage"].tolist()
    ([0.5, 0.2], [1.0, nan])
    """
    check_probability(ci_prob)
    labels = pd.Index([str(label) for label in truth.index])
    target = truth.to_numpy(dtype=float)
    rows = {}
    for name, values in estimates.items():
        if isinstance(values, pd.Series):
            point = values.rename(index=str).reindex(labels)
            if point.isna().any():
                raise ValueError(f"estimate {name!r} has no group {point.index[point.isna()][0]!r}")
            rows[name] = {
                "sq_error": float(((point.to_numpy() - target) ** 2).sum()),
                "coverage": np.nan,
                "width": np.nan,
            }
            continue
        other = [d for d in values.dims if d not in SAMPLE_DIMS]
        if len(other) > 1:
            raise ValueError(f"estimate {name!r} has dims {other}; use at most one group dim")
        table = interval_table(values.rename(name), ci_prob=ci_prob)
        if other:
            table = table.rename(index=str)
            missing = [label for label in labels if label not in table.index]
            if missing:
                raise ValueError(f"estimate {name!r} has no group {missing[0]!r}")
            table = table.loc[labels]
        else:
            table = pd.concat([table] * len(labels))
        lower, upper = table["lower"].to_numpy(), table["upper"].to_numpy()
        rows[name] = {
            "sq_error": float(((table["mean"].to_numpy() - target) ** 2).sum()),
            "coverage": float(((lower <= target) & (target <= upper)).mean()),
            "width": float((upper - lower).mean()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return table


def compare_models(
    idatas: Mapping[str, xr.DataTree],
    truth: pd.Series,
    *,
    var_name: str = "a",
    ci_prob: float = 0.9,
    estimates: Mapping[str, xr.DataArray | pd.Series] | None = None,
) -> pd.DataFrame:
    """One tidy row per model: PSIS-LOO, squared error and coverage against the truth.

    Introduced in ``notebooks/07_real_data.ipynb``.

    Parameters
    ----------
    idatas : mapping of str to xarray.DataTree
        Name -> fit with a ``log_likelihood`` group (see :func:`fit_models`).
    truth : pandas.Series
        True (or held-out) value of each group's estimate, indexed by group label.
    var_name : str, default "a"
        Posterior variable holding the group estimates (a scalar in a pooled model).
    ci_prob : float, default 0.9
        Probability of the intervals whose coverage is scored.
    estimates : mapping, optional
        Draws or point estimates to score instead of ``posterior[var_name]`` (for example
        predictions of held-out rates); see :func:`score_estimates`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`loo_table` followed by those of :func:`score_estimates`,
        best ELPD first.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> def toy_fit(center):  # a fit with draws of ``a`` and a log-likelihood of 20 rows
    ...     a = rng.normal(center, 0.1, (2, 500))
    ...     y = np.linspace(-1, 1, 20)
    ...     loglik = stats.norm.logpdf(y, a[..., None], 1.0)
    ...     return xr.DataTree.from_dict({
    ...         "posterior": xr.Dataset({"a": (("chain", "draw"), a)}),
    ...         "log_likelihood": xr.Dataset({"y": (("chain", "draw", "obs"), loglik)})})
    >>> from scipy import stats
    >>> table = compare_models({"near": toy_fit(0.0), "far": toy_fit(2.0)},
    ...                        pd.Series({"g1": 0.0, "g2": 0.1}))
    >>> table.index.tolist(), table["coverage"].tolist()
    (['near', 'far'], [1.0, 0.0])
    """
    if estimates is None:
        estimates = {name: idata.posterior[var_name] for name, idata in idatas.items()}
    scores = score_estimates(estimates, truth, ci_prob=ci_prob)
    return loo_table(idatas).join(scores)


def similar_models(table: pd.DataFrame, *, within: float = SIMILAR_ELPD) -> list[str]:
    """Return the models whose ELPD is within ``within`` of the best, best first.

    Introduced in ``notebooks/08_is_it_worth_it.ipynb``.

    Parameters
    ----------
    table : pandas.DataFrame
        A result of :func:`loo_table` or :func:`compare_models` (needs column ``elpd``).
    within : float, default 4
        ELPD difference under which models count as predicting alike.

    Returns
    -------
    list of str
        Model names.

    Examples
    --------
    >>> table = pd.DataFrame({"elpd": [-100.0, -102.5, -130.0]},
    ...                      index=["partial", "pooled", "unpooled"])
    >>> similar_models(table)
    ['partial', 'pooled']
    """
    if "elpd" not in table.columns:
        raise ValueError("table needs an 'elpd' column (from loo_table or compare_models)")
    if within < 0:
        raise ValueError(f"within must be 0 or more, got {within!r}")
    ordered = table["elpd"].sort_values(ascending=False)
    return [str(name) for name, elpd in ordered.items() if ordered.iloc[0] - elpd < within]
