"""Is the hierarchy worth it? Model comparison by LOO, squared error and interval coverage.

- :func:`compare_models`: one tidy row per model with its PSIS-LOO estimate (ELPD, standard
  errors, Pareto-k diagnostics, effective number of parameters), and, against a known truth,
  the total squared error of its group estimates and the coverage of their intervals. It
  joins :func:`loo_table` (which calls ``az.loo`` and ``az.compare``) and
  :func:`score_estimates`.
- :func:`similar_models`: the models whose ELPD is within 4 of the best, the threshold under
  which ``az.compare`` reports that two models make similar predictions.
- :data:`SCENARIOS` and :func:`simulate_scenario`: three simulated worlds in which pooling,
  no pooling and partial pooling are compared; :func:`exact_loo` computes the exact
  leave-one-out predictive densities of the three models when the noise is known, so that
  the ranking in each world can be checked on many seeds without sampling.
- :func:`fit_models`: sample several models and store their log-likelihood, which LOO needs
  and sampling does not keep.

Introduced in ``notebooks/08_is_it_worth_it.ipynb`` (and used in
``notebooks/07_real_data.ipynb``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from scipy import special, stats

from companion import exact, fit
from companion.models import PRIORS, _as_list
from companion.simulate import LevelTruth

__all__ = [
    "POOLINGS",
    "SCENARIOS",
    "SIMILAR_ELPD",
    "Scenario",
    "compare_models",
    "exact_loo",
    "fit_models",
    "loo_table",
    "score_estimates",
    "similar_models",
    "simulate_scenario",
]

#: ELPD difference under which ``az.compare`` flags two models as predicting alike.
SIMILAR_ELPD = 4.0

#: The three ways of treating groups, as :func:`exact_loo` names them.
POOLINGS = ("pooled", "unpooled", "partial")

SAMPLE_DIMS = ("chain", "draw")


@dataclass(frozen=True)
class Scenario:
    """A simulated world: ``groups`` groups of ``rows`` rows each.

    Rows follow ``y = a[group] + b x + Normal(0, sigma)``. The intercepts sit at evenly
    spaced quantiles of ``Normal(w, tau)``, so that their spread is exactly ``tau`` in every
    simulation (``tau = 0`` makes the groups identical); only the noise and ``x`` change
    with the seed.

    Attributes
    ----------
    groups, rows : int
        Number of groups and rows per group.
    tau : float
        Spread of the true intercepts (0 or more).
    sigma : float
        Noise standard deviation.
    w, b : float
        Mean intercept and slope of ``x``.
    summary : str
        One line saying what the world is.
    """

    groups: int
    rows: int
    tau: float
    sigma: float
    w: float = 5.0
    b: float = 0.5
    summary: str = ""


#: The three worlds of notebook 08.
SCENARIOS: dict[str, Scenario] = {
    "differ": Scenario(
        groups=50, rows=3, tau=1.0, sigma=1.4, summary="groups truly differ, 3 rows each"
    ),
    "identical": Scenario(
        groups=50, rows=3, tau=0.0, sigma=1.4, summary="groups truly identical, 3 rows each"
    ),
    "large": Scenario(
        groups=5, rows=200, tau=1.0, sigma=1.4, summary="groups truly differ, 200 rows each"
    ),
}


def simulate_scenario(scenario: str | Scenario, *, seed: int) -> tuple[pd.DataFrame, LevelTruth]:
    """Simulate one world of :data:`SCENARIOS` (or any :class:`Scenario`).

    Parameters
    ----------
    scenario : str or Scenario
        A key of :data:`SCENARIOS` or a scenario.
    seed : int
        Seed of the noise, of ``x`` and of which label gets which intercept.

    Returns
    -------
    data : pandas.DataFrame
        Columns ``level`` (``g01``, ``g02``, ...), ``x`` and ``y``, rows in random order.
    truth : companion.simulate.LevelTruth
        True intercepts ``a`` (by level), ``w``, ``tau``, ``b``, ``sigma`` and row counts.

    Raises
    ------
    ValueError
        If the scenario name is unknown or its numbers are out of range.

    Examples
    --------
    >>> data, truth = simulate_scenario("identical", seed=1)
    >>> len(data), data["level"].nunique(), float(truth.a.std())
    (150, 50, 0.0)
    """
    if isinstance(scenario, str):
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
        scenario = SCENARIOS[scenario]
    s = scenario
    if s.groups < 2 or s.rows < 1:
        raise ValueError(f"need at least 2 groups and 1 row each, got {s.groups} and {s.rows}")
    if not np.isfinite(s.tau) or s.tau < 0:
        raise ValueError(f"tau must be 0 or more, got {s.tau!r}")
    if not np.isfinite(s.sigma) or s.sigma <= 0:
        raise ValueError(f"sigma must be positive, got {s.sigma!r}")
    rng = np.random.default_rng(seed)
    width = len(str(s.groups))
    labels = [f"g{k + 1:0{max(width, 2)}d}" for k in range(s.groups)]
    quantiles = stats.norm.ppf((np.arange(s.groups) + 0.5) / s.groups)
    a = s.w + s.tau * rng.permutation(quantiles)
    level_idx = rng.permutation(np.repeat(np.arange(s.groups), s.rows))
    x = rng.standard_normal(level_idx.size)
    y = a[level_idx] + s.b * x + s.sigma * rng.standard_normal(level_idx.size)
    data = pd.DataFrame(
        {
            "level": pd.array(np.asarray(labels)[level_idx], dtype="string"),
            "x": x.round(6),
            "y": y.round(6),
        }
    )
    index = pd.Index(labels, name="level")
    truth = LevelTruth(
        a=pd.Series(a, index=index, name="a"),
        w=float(s.w),
        tau=float(s.tau),
        b=float(s.b),
        sigma=float(s.sigma),
        counts=pd.Series(np.full(s.groups, s.rows), index=index, name="rows"),
    )
    return data, truth


def _loo_known_prior(
    design: np.ndarray, y: np.ndarray, prior_cov: np.ndarray, sigma: float
) -> tuple[np.ndarray, float]:
    """Exact LOO log densities and log marginal of ``y ~ N(D theta, sigma)``, ``theta ~ N(0, S)``."""
    s2 = sigma**2
    precision = np.linalg.inv(prior_cov) + design.T @ design / s2
    post_cov = np.linalg.inv(precision)
    post_mean = post_cov @ (design.T @ y) / s2
    # Precision of the marginal of y (Woodbury): P = I / s2 - D post_cov D' / s2^2, and
    # P y = (y - D post_mean) / s2. Leave-one-out: y_i | y_-i ~ N(y_i - (P y)_i / P_ii, 1 / P_ii).
    diag_p = 1 / s2 - ((design @ post_cov) * design).sum(axis=1) / s2**2
    gradient = (y - design @ post_mean) / s2
    loo = -0.5 * np.log(2 * np.pi / diag_p) - 0.5 * gradient**2 / diag_p
    _, logdet_prior = np.linalg.slogdet(prior_cov)
    _, logdet_post = np.linalg.slogdet(post_cov)
    quad = y @ y / s2 - post_mean @ precision @ post_mean
    log_marginal = -0.5 * (y.size * np.log(2 * np.pi * s2) + logdet_prior - logdet_post + quad)
    return loo, float(log_marginal)


def exact_loo(
    data: pd.DataFrame,
    *,
    pooling: str,
    sigma: float,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
    tau_grid: np.ndarray | None = None,
) -> np.ndarray:
    """Exact leave-one-out log predictive density of each row, with the noise known.

    With ``sigma`` known, the pooled, unpooled and partially pooled models of
    :mod:`companion.models` (same priors) are Gaussian, and ``p(y_i | y_-i)`` has a closed
    form. For the partially pooled model the spread ``tau`` is integrated over a grid with
    its ``HalfNormal`` prior, as the sampled model does. Summing the result gives the ELPD
    that PSIS-LOO estimates, without sampling.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows with the outcome, group and predictor columns.
    pooling : {"pooled", "unpooled", "partial"}
        Which model.
    sigma : float
        Known noise standard deviation.
    outcome, group, predictors
        As in :func:`companion.models.partial_pooling_model`.
    tau_grid : numpy.ndarray, optional
        Evenly spaced grid of ``tau``; 200 points from 0.002 to 4 prior sd by default.

    Returns
    -------
    numpy.ndarray
        ``log p(y_i | y_-i)`` for every row, in row order.

    Raises
    ------
    ValueError
        If ``pooling`` is unknown, ``sigma`` is not positive or the grid is not positive.

    Examples
    --------
    >>> data, truth = simulate_scenario("differ", seed=1)
    >>> elpd = {p: exact_loo(data, pooling=p, sigma=truth.sigma).sum() for p in POOLINGS}
    >>> max(elpd, key=elpd.get)
    'partial'
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a positive number, got {sigma!r}")
    predictors = _as_list(predictors)
    kind = "partial" if pooling == "partial" else "none"
    design, y, _, prior_cov, index = exact._system(
        data, outcome, group, predictors, pooling=kind, group_sd=1.0
    )
    n_levels = int((index.get_level_values("variable") == "a").sum())
    if pooling == "pooled":
        design = np.column_stack([design[:, :n_levels].sum(axis=1), design[:, n_levels:]])
        prior_cov = np.diag(
            [PRIORS["intercept_sd"] ** 2] + [PRIORS["slope_sd"] ** 2] * len(predictors)
        )
    if pooling != "partial":
        return _loo_known_prior(design, y, prior_cov, sigma)[0]
    grid = np.linspace(2e-3, 4 * PRIORS["tau_sd"], 200) if tau_grid is None else tau_grid
    grid = np.asarray(grid, dtype=float)
    if grid.ndim != 1 or grid.size < 2 or np.any(grid <= 0):
        raise ValueError("tau_grid must be a 1-d grid of at least two positive values")
    block = np.zeros_like(prior_cov)
    block[1 : 1 + n_levels, 1 : 1 + n_levels] = np.eye(n_levels)
    loo, joint = [], []
    for tau in grid:
        loo_tau, log_marginal = _loo_known_prior(
            design, y, prior_cov + (tau**2 - 1.0) * block, sigma
        )
        loo.append(loo_tau)
        joint.append(log_marginal + stats.halfnorm.logpdf(tau, scale=PRIORS["tau_sd"]))
    loo, joint = np.asarray(loo), np.asarray(joint)
    # p(y_i | y_-i) = sum_t p(y | t) p(t) / sum_t p(y | t) p(t) / p(y_i | y_-i, t)
    return special.logsumexp(joint) - special.logsumexp(joint[:, None] - loo, axis=0)


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


def loo_table(idatas: Mapping[str, xr.DataTree], *, var_name: str | None = None) -> pd.DataFrame:
    """PSIS-LOO of several fits, ranked, with their Pareto-k diagnostics.

    Parameters
    ----------
    idatas : mapping of str to xarray.DataTree
        Name -> fit with a ``log_likelihood`` group (see :func:`fit_models`).
    var_name : str, optional
        The observed variable, when a model has several.

    Returns
    -------
    pandas.DataFrame
        Indexed by model name, best first; columns ``rank``, ``elpd``, ``se``, ``elpd_diff``
        and ``dse`` (difference from the best and its standard error), ``p_loo`` (effective
        number of parameters), ``max_k`` (largest Pareto k) and ``high_k`` (observations
        whose k exceeds the reliability threshold, 0.7 for the course's draws).

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
            loos[name] = az.loo(idata, pointwise=True, var_name=var_name)
    if len(loos) > 1:
        ranked = az.compare(loos, round_to="none")
    else:
        ((name, loo),) = loos.items()
        ranked = pd.DataFrame(
            {
                "rank": [0],
                "elpd_diff": [0.0],
                "dse": [0.0],
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
            "p_loo": ranked["p"].astype(float),
        },
        index=pd.Index([str(i) for i in ranked.index], name="model"),
    )
    table["max_k"] = [float(loos[name].pareto_k.max()) for name in table.index]
    table["high_k"] = [int((loos[name].pareto_k > loos[name].good_k).sum()) for name in table.index]
    return table


def _as_draws(values: xr.DataArray, labels: pd.Index, name: str) -> np.ndarray:
    """Draws as an array ``(samples, groups)`` aligned to ``labels``."""
    other = [d for d in values.dims if d not in SAMPLE_DIMS]
    if len(other) > 1:
        raise ValueError(f"estimate {name!r} has dims {other}; use at most one group dim")
    stacked = values.stack(sample=[d for d in SAMPLE_DIMS if d in values.dims])
    if not other:
        return np.repeat(stacked.to_numpy()[:, None], len(labels), axis=1)
    have = [str(v) for v in values[other[0]].to_numpy()]
    missing = [label for label in labels if label not in have]
    if missing:
        raise ValueError(f"estimate {name!r} has no group {missing[0]!r}")
    order = [have.index(label) for label in labels]
    return stacked.transpose("sample", other[0]).to_numpy()[:, order]


def score_estimates(
    estimates: Mapping[str, xr.DataArray | pd.Series],
    truth: pd.Series,
    *,
    prob: float = 0.9,
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
    prob : float, default 0.9
        Probability of the central intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by model name: ``sq_error`` (sum over groups of (posterior mean - truth)^2),
        ``coverage`` (share of groups whose interval holds the truth) and ``width`` (mean
        interval width); the last two are NaN for point estimates.

    Raises
    ------
    ValueError
        If ``prob`` is not in (0, 1) or an estimate lacks a group of ``truth``.

    Examples
    --------
    >>> truth = pd.Series({"a": 0.0, "b": 1.0})
    >>> draws = xr.DataArray(np.random.default_rng(1).normal(0.5, 1.0, (1, 4000)),
    ...                      dims=("chain", "draw"))
    >>> table = score_estimates({"pooled": draws, "raw": pd.Series({"a": 0.2, "b": 0.6})}, truth)
    >>> table["sq_error"].round(2).tolist(), table["coverage"].tolist()
    ([0.5, 0.2], [1.0, nan])
    """
    if not 0 < prob < 1:
        raise ValueError(f"prob must be between 0 and 1, got {prob!r}")
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
        draws = _as_draws(values, labels, name)
        tail = (1 - prob) / 2
        lower, upper = np.quantile(draws, [tail, 1 - tail], axis=0)
        rows[name] = {
            "sq_error": float(((draws.mean(axis=0) - target) ** 2).sum()),
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
    prob: float = 0.9,
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
    prob : float, default 0.9
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
    >>> table = compare_models({"near": toy_fit(0.0), "far": toy_fit(2.0)},
    ...                        pd.Series({"g1": 0.0, "g2": 0.1}))
    >>> table.index.tolist(), table["coverage"].tolist()
    (['near', 'far'], [1.0, 0.0])
    """
    if estimates is None:
        estimates = {name: idata.posterior[var_name] for name, idata in idatas.items()}
    scores = score_estimates(estimates, truth, prob=prob)
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
