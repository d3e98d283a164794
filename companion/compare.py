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
  and sampling does not keep.

Introduced in ``notebooks/08_is_it_worth_it.ipynb`` (and used in
``notebooks/07_real_data.ipynb``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from companion import fit
from companion.summaries import SAMPLE_DIMS, interval_table
from companion.validate import check_probability

__all__ = [
    "SIMILAR_ELPD",
    "compare_models",
    "fit_models",
    "loo_table",
    "score_estimates",
    "similar_models",
]

#: ELPD difference under which ``az.compare`` flags two models as predicting alike.
SIMILAR_ELPD = 4.0


def fit_models(
    models: Mapping[str, pm.Model], *, random_seed: int, **kwargs: object
) -> dict[str, xr.DataTree]:
    """Sample several models with :func:`companion.fit.sample` and store their log-likelihood.

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
        pm.compute_log_likelihood(idata, model=model, progressbar=False)
        fits[name] = idata
    return fits


def loo_table(idatas: Mapping[str, xr.DataTree], *, observed: str | None = None) -> pd.DataFrame:
    """PSIS-LOO of several fits, ranked, with their Pareto-k diagnostics.

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
