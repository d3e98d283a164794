"""Exact posteriors of the normal-normal models, to cross-check the sampler.

With the noise ``sigma`` known, the intercept models of :mod:`companion.models` are linear
Gaussian models: prior and likelihood are Gaussian in ``(w, a, b)``, so the posterior is
Gaussian and computable with a few matrix products. With the spread ``tau`` learned, the
posterior is a mixture of those Gaussians over ``tau``, weighted by ``p(tau | y)``, which is
integrated on a grid (:func:`tau_grid`). :func:`exact_loo` gives the exact leave-one-out
predictive density of each row under the pooled, unpooled and partially pooled models.

``group_sd=None`` means "learned", as in :mod:`companion.models`; a function that needs a fixed
spread says so when given ``None``. Introduced in ``notebooks/00_why_hierarchical.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from companion.models import PRIORS
from companion.validate import (
    as_list,
    check_positive,
    check_probability,
    encode_levels,
    group_column,
    group_levels,
    validate_frame,
)

__all__ = [
    "POOLINGS",
    "exact_loo",
    "learned_spread_posterior",
    "linear_gaussian_posterior",
    "linear_system",
    "partial_pooling_posterior",
    "predictive_interval",
    "rows_to_match",
    "shrinkage_factor",
    "tau_grid",
    "unpooled_posterior",
]

#: The three ways of treating groups, as :func:`exact_loo` names them.
POOLINGS = ("pooled", "unpooled", "partial")


def tau_grid(n_points: int = 2000) -> np.ndarray:
    """Return the evenly spaced grid of ``tau`` on which a learned spread is integrated.

    Introduced in ``notebooks/08_is_it_worth_it.ipynb``; :mod:`companion.crossval` uses it too.

    From 0.001 to five prior sds of ``tau`` (``PRIORS["tau_sd"]``), where the prior's
    density is negligible.

    Parameters
    ----------
    n_points : int, default 2000
        Number of grid points (at least 2).

    Returns
    -------
    numpy.ndarray
        The grid.

    Examples
    --------
    >>> grid = tau_grid(5)
    >>> float(grid[0]), float(grid[-1])
    (0.001, 12.5)
    """
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}")
    return np.linspace(1e-3, 5 * PRIORS["tau_sd"], n_points)


def _check_grid(grid: np.ndarray) -> np.ndarray:
    grid = np.asarray(grid, dtype=float)
    if grid.ndim != 1 or grid.size < 2 or np.any(grid <= 0):
        raise ValueError("tau_grid must be a 1-d grid of at least two positive values")
    return grid


def _log_prior_tau(grid: np.ndarray) -> np.ndarray:
    return stats.halfnorm.logpdf(grid, scale=PRIORS["tau_sd"])


def linear_gaussian_posterior(
    design: np.ndarray,
    y: np.ndarray,
    *,
    prior_mean: np.ndarray,
    prior_cov: np.ndarray,
    sigma: float,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Posterior of ``theta`` in ``y ~ Normal(design @ theta, sigma)``, ``theta ~ Normal(m0, S0)``.

    Introduced in ``notebooks/01_pooled_intercept.ipynb``.

    Parameters
    ----------
    design : numpy.ndarray
        ``(n, k)`` design matrix.
    y : numpy.ndarray
        ``(n,)`` observations.
    prior_mean, prior_cov : numpy.ndarray
        Prior mean ``(k,)`` and covariance ``(k, k)``.
    sigma : float
        Known noise standard deviation.

    Returns
    -------
    mean : numpy.ndarray
        Posterior mean.
    cov : numpy.ndarray
        Posterior covariance.
    log_marginal : float
        ``log p(y)``, the log marginal likelihood.

    Examples
    --------
    >>> m, c, _ = linear_gaussian_posterior(
    ...     np.ones((4, 1)), np.array([1.0, 2.0, 3.0, 2.0]),
    ...     prior_mean=np.zeros(1), prior_cov=np.eye(1) * 1e6, sigma=1.0)
    >>> round(float(m[0]), 3), round(float(np.sqrt(c[0, 0])), 3)
    (2.0, 0.5)
    """
    design = np.asarray(design, dtype=float)
    y = np.asarray(y, dtype=float)
    prior_prec = np.linalg.inv(prior_cov)
    precision = prior_prec + design.T @ design / sigma**2
    cov = np.linalg.inv(precision)
    cov = (cov + cov.T) / 2
    mean = cov @ (prior_prec @ prior_mean + design.T @ y / sigma**2)
    n = y.size
    _, logdet_prior = np.linalg.slogdet(prior_cov)
    _, logdet_post = np.linalg.slogdet(cov)
    quad = y @ y / sigma**2 + prior_mean @ prior_prec @ prior_mean - mean @ precision @ mean
    log_marginal = -0.5 * (n * np.log(2 * np.pi * sigma**2) + logdet_prior - logdet_post + quad)
    return mean, cov, float(log_marginal)


def _system(
    data: pd.DataFrame,
    outcome: str,
    group: str,
    predictors: Sequence[str],
    *,
    pooling: str,
    group_sd: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, pd.MultiIndex]:
    if group in (outcome, *predictors):
        raise ValueError(f"column {group!r} cannot be both the group and the outcome/predictor")
    frame = validate_frame(data, {outcome: "float", **dict.fromkeys(predictors, "float")})
    levels = group_levels(data, group).tolist()
    codes = encode_levels(group_column(data, group), levels, column=group)
    n, h, p = len(frame), len(levels), len(predictors)
    onehot = np.zeros((n, h))
    onehot[np.arange(n), codes] = 1.0
    x = frame[list(predictors)].to_numpy() if p else np.zeros((n, 0))
    s_a, s_b = PRIORS["intercept_sd"], PRIORS["slope_sd"]
    labels = [("a", level) for level in levels] + [("b", name) for name in predictors]
    if pooling == "partial":
        design = np.hstack([np.zeros((n, 1)), onehot, x])
        k = 1 + h + p
        cov = np.zeros((k, k))
        cov[: 1 + h, : 1 + h] = s_a**2
        cov[1 : 1 + h, 1 : 1 + h] += np.eye(h) * group_sd**2
        cov[1 + h :, 1 + h :] = np.eye(p) * s_b**2
        labels = [("w", "")] + labels
    else:
        design = np.hstack([onehot, x])
        cov = np.diag([s_a**2] * h + [s_b**2] * p)
    index = pd.MultiIndex.from_tuples(labels, names=["variable", "label"])
    return design, frame[outcome].to_numpy(), np.zeros(design.shape[1]), cov, index


def linear_system(
    data: pd.DataFrame,
    *,
    pooling: str,
    group_sd: float = 1.0,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, pd.MultiIndex]:
    """Write a model as ``y ~ Normal(D theta, sigma)`` with ``theta ~ Normal(m0, S0)``.

    The pooled, unpooled and partially pooled intercept models of :mod:`companion.models`
    (with the noise known and, for partial pooling, the spread fixed at ``group_sd``) written
    as a design matrix and a prior, so that :func:`linear_gaussian_posterior` or any exact
    computation can use them. Introduced in ``notebooks/08_is_it_worth_it.ipynb``;
    :mod:`companion.crossval`'s exact leave-one-out uses it too.

    Parameters
    ----------
    data, outcome, group, predictors
        As in :func:`companion.models.partial_pooling_model`.
    pooling : {"pooled", "unpooled", "partial"}
        Which model.
    group_sd : float, default 1.0
        The fixed spread of the intercepts (partial pooling only).

    Returns
    -------
    design : numpy.ndarray
        ``(n_rows, k)`` design matrix.
    y : numpy.ndarray
        The outcome.
    prior_mean, prior_cov : numpy.ndarray
        Prior mean ``(k,)`` and covariance ``(k, k)``.
    index : pandas.MultiIndex
        ``(variable, label)`` of each entry of ``theta``.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, _ = simulate_levels(random_seed=1)
    >>> design, y, m0, s0, index = linear_system(data, pooling="pooled")
    >>> design.shape, index.tolist()
    ((500, 2), [('a', ''), ('b', 'x')])
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    check_positive(group_sd, name="group_sd")
    predictors = as_list(predictors)
    kind = "partial" if pooling == "partial" else "none"
    design, y, m0, cov, index = _system(
        data, outcome, group, predictors, pooling=kind, group_sd=group_sd
    )
    if pooling == "pooled":
        n_levels = int((index.get_level_values("variable") == "a").sum())
        design = np.column_stack([design[:, :n_levels].sum(axis=1), design[:, n_levels:]])
        cov = np.diag([PRIORS["intercept_sd"] ** 2] + [PRIORS["slope_sd"] ** 2] * len(predictors))
        m0 = np.zeros(design.shape[1])
        index = pd.MultiIndex.from_tuples(
            [("a", "")] + [("b", name) for name in predictors], names=index.names
        )
    return design, y, m0, cov, index


def partial_pooling_posterior(
    data: pd.DataFrame,
    *,
    sigma: float,
    group_sd: float | None = None,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
) -> pd.DataFrame:
    """Exact posterior of :func:`~companion.models.partial_pooling_model` with known noise.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    Parameters
    ----------
    data, outcome, group, predictors
        As in :func:`companion.models.partial_pooling_model`.
    sigma : float
        Known noise standard deviation (the model must be built with the same ``sigma``).
    group_sd : float, optional
        Fixed spread ``tau`` of the intercepts; learned when omitted, as in the model
        (the result is then :func:`learned_spread_posterior`'s, with a ``("tau", "")`` row).

    Returns
    -------
    pandas.DataFrame
        Columns ``mean`` and ``sd``; rows indexed by ``(variable, label)``, for example
        ``("w", "")``, ``("a", "h1")``, ``("b", "x")``.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, truth = simulate_levels(random_seed=1)
    >>> post = partial_pooling_posterior(data, sigma=truth.sigma, group_sd=1.0)
    >>> post.loc["a", "sd"].round(2).tolist()
    [0.72, 0.16, 0.11]
    """
    check_positive(sigma, name="sigma")
    check_positive(group_sd, name="group_sd", allow_none=True)
    if group_sd is None:
        return learned_spread_posterior(
            data, sigma=sigma, outcome=outcome, group=group, predictors=predictors
        )
    predictors = as_list(predictors)
    design, y, m0, s0, index = _system(
        data, outcome, group, predictors, pooling="partial", group_sd=group_sd
    )
    mean, cov, _ = linear_gaussian_posterior(design, y, prior_mean=m0, prior_cov=s0, sigma=sigma)
    return pd.DataFrame({"mean": mean, "sd": np.sqrt(np.diag(cov))}, index=index)


def unpooled_posterior(
    data: pd.DataFrame,
    *,
    sigma: float,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
) -> pd.DataFrame:
    """Exact posterior of :func:`~companion.models.unpooled_model` with known noise.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    Parameters
    ----------
    data, outcome, group, predictors
        As in :func:`companion.models.unpooled_model`.
    sigma : float
        Known noise standard deviation.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean`` and ``sd``, rows ``("a", level)`` and ``("b", predictor)``.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, truth = simulate_levels(random_seed=1)
    >>> unpooled_posterior(data, sigma=truth.sigma).loc["a", "sd"].round(2).tolist()
    [0.89, 0.17, 0.11]
    """
    check_positive(sigma, name="sigma")
    predictors = as_list(predictors)
    design, y, m0, s0, index = _system(
        data, outcome, group, predictors, pooling="none", group_sd=None
    )
    mean, cov, _ = linear_gaussian_posterior(design, y, prior_mean=m0, prior_cov=s0, sigma=sigma)
    return pd.DataFrame({"mean": mean, "sd": np.sqrt(np.diag(cov))}, index=index)


def learned_spread_posterior(
    data: pd.DataFrame,
    *,
    sigma: float,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
    grid: np.ndarray | None = None,
) -> pd.DataFrame:
    """Exact posterior of the partially pooled model with the spread ``tau`` learned.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    ``p(theta | y) = sum_tau p(theta | y, tau) p(tau | y)`` on a fine grid of ``tau``, with
    the model's ``HalfNormal(2.5)`` prior on ``tau``; exact up to the grid's resolution.

    Parameters
    ----------
    data, outcome, group, predictors
        As in :func:`companion.models.partial_pooling_model`.
    sigma : float
        Known noise standard deviation.
    grid : numpy.ndarray, optional
        Evenly spaced grid of ``tau`` values; :func:`tau_grid` by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean`` and ``sd``, rows as in :func:`partial_pooling_posterior` plus
        ``("tau", "")``.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, truth = simulate_levels(random_seed=1)
    >>> post = learned_spread_posterior(data, sigma=truth.sigma)
    >>> bool(post.loc[("tau", ""), "mean"] > 0)
    True
    """
    check_positive(sigma, name="sigma")
    predictors = as_list(predictors)
    grid = _check_grid(tau_grid() if grid is None else grid)
    design, y, m0, base_cov, index = _system(
        data, outcome, group, predictors, pooling="partial", group_sd=1.0
    )
    a_block = np.zeros_like(base_cov)
    h = int((index.get_level_values("variable") == "a").sum())
    a_block[1 : 1 + h, 1 : 1 + h] = np.eye(h)
    means, second, logp = [], [], []
    for tau in grid:
        s0 = base_cov + (tau**2 - 1.0) * a_block
        mean, cov, log_marginal = linear_gaussian_posterior(
            design, y, prior_mean=m0, prior_cov=s0, sigma=sigma
        )
        means.append(mean)
        second.append(np.diag(cov) + mean**2)
        logp.append(log_marginal)
    logp = np.asarray(logp) + _log_prior_tau(grid)
    weights = np.exp(logp - logp.max())
    weights /= weights.sum()
    mean = weights @ np.asarray(means)
    var = weights @ np.asarray(second) - mean**2
    tau_mean = float(weights @ grid)
    tau_sd = float(np.sqrt(weights @ grid**2 - tau_mean**2))
    index = index.append(pd.MultiIndex.from_tuples([("tau", "")], names=index.names))
    return pd.DataFrame(
        {"mean": np.append(mean, tau_mean), "sd": np.append(np.sqrt(var), tau_sd)}, index=index
    )


def shrinkage_factor(
    n_rows: float | np.ndarray, *, sigma: float, group_sd: float | None
) -> float | np.ndarray:
    """Fraction of the way a group's estimate moves from its own mean to the population mean.

    Introduced in ``notebooks/01_pooled_intercept.ipynb``.

    With known population mean, spread ``tau`` and noise ``sigma``, a group of ``n`` rows
    has posterior mean ``(1 - B) * ybar + B * w`` with
    ``B = (sigma**2 / n) / (sigma**2 / n + tau**2)``. ``B`` grows as the group shrinks and
    as the spread falls.

    Parameters
    ----------
    n_rows : float or numpy.ndarray
        Number of rows in the group (positive).
    sigma : float
        Noise standard deviation.
    group_sd : float
        Spread ``tau`` of the group intercepts. ``None`` (a learned spread) is refused: with
        ``tau`` learned the shrinkage is not one number.

    Returns
    -------
    float or numpy.ndarray
        Shrinkage ``B`` in ``(0, 1)``.

    Examples
    --------
    >>> round(shrinkage_factor(5, sigma=2.0, group_sd=1.0), 3)
    0.444
    """
    check_positive(sigma, name="sigma")
    if group_sd is None:
        raise ValueError(
            "shrinkage_factor needs a fixed group_sd: with the spread learned (group_sd=None) "
            "the shrinkage is not one number; use learned_spread_posterior, or pass a value "
            "of tau such as its posterior mean"
        )
    check_positive(group_sd, name="group_sd")
    check_positive(n_rows, name="n_rows")
    n_arr = np.asarray(n_rows, dtype=float)
    noise = sigma**2 / n_arr
    result = noise / (noise + group_sd**2)
    return float(result) if result.ndim == 0 else result


def rows_to_match(posterior_sd: float | np.ndarray, *, sigma: float) -> float | np.ndarray:
    """Rows a group needs on its own (no pooling) to reach a given posterior sd.

    Introduced in ``notebooks/02_unpooled_intercepts.ipynb``.

    An unpooled intercept estimated from ``n`` rows has sd about ``sigma / sqrt(n)``, so
    matching ``posterior_sd`` takes ``(sigma / posterior_sd) ** 2`` rows.

    Parameters
    ----------
    posterior_sd : float or numpy.ndarray
        Target posterior standard deviation.
    sigma : float
        Noise standard deviation.

    Returns
    -------
    float or numpy.ndarray
        Number of rows (not rounded).

    Examples
    --------
    >>> rows_to_match(0.5, sigma=2.0)
    16.0
    """
    check_positive(sigma, name="sigma")
    check_positive(posterior_sd, name="posterior_sd")
    sd = np.asarray(posterior_sd, dtype=float)
    result = (sigma / sd) ** 2
    return float(result) if result.ndim == 0 else result


def predictive_interval(
    mean: float | np.ndarray, sd: float | np.ndarray, n_instances: int, *, ci_prob: float = 0.9
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Central interval for the next instance, given ``n`` instances' mean and sd.

    With flat priors on the population mean and log spread, the next instance follows a
    Student t with ``n_instances - 1`` degrees of freedom, centre ``mean`` and scale
    ``sd * sqrt(1 + 1 / n_instances)``: what five instances of X with mean 5 and sd 2 say about the
    sixth. Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    Parameters
    ----------
    mean, sd : float or numpy.ndarray
        Sample mean and standard deviation of the instances (arrays for many samples at once).
    n_instances : int
        Number of instances (at least 2).
    ci_prob : float, default 0.9
        Probability of the interval.

    Returns
    -------
    tuple
        Lower and upper end: floats, or arrays shaped like ``mean`` and ``sd``.

    Raises
    ------
    ValueError
        If ``n_instances`` is below 2, an ``sd`` is negative or ``ci_prob`` is not in (0, 1).

    Examples
    --------
    >>> [round(end, 2) for end in predictive_interval(5.0, 2.0, 5)]
    [0.33, 9.67]
    """
    if n_instances < 2:
        raise ValueError(f"n_instances must be at least 2, got {n_instances}")
    sd_arr = np.asarray(sd, dtype=float)
    if np.any(~np.isfinite(sd_arr) | (sd_arr < 0)):
        raise ValueError(f"sd must be non-negative numbers, got {sd!r}")
    check_probability(ci_prob)
    half = (
        stats.t.ppf((1 + ci_prob) / 2, df=n_instances - 1) * sd_arr * np.sqrt(1 + 1 / n_instances)
    )
    lower, upper = np.asarray(mean, dtype=float) - half, np.asarray(mean, dtype=float) + half
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper


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
    grid: np.ndarray | None = None,
) -> np.ndarray:
    """Exact leave-one-out log predictive density of each row, with the noise known.

    With ``sigma`` known, the pooled, unpooled and partially pooled models of
    :mod:`companion.models` (same priors) are Gaussian, and ``p(y_i | y_-i)`` has a closed
    form. For the partially pooled model the spread ``tau`` is integrated over a grid with
    its ``HalfNormal`` prior, as the sampled model does. Summing the result gives the ELPD
    that PSIS-LOO estimates, without sampling. Introduced in
    ``notebooks/08_is_it_worth_it.ipynb``.

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
    grid : numpy.ndarray, optional
        Evenly spaced grid of ``tau``; ``tau_grid(200)`` by default.

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
    >>> from companion.simulate import simulate_scenario
    >>> data, truth = simulate_scenario("differ", random_seed=1)
    >>> elpd = {p: exact_loo(data, pooling=p, sigma=truth.sigma).sum() for p in POOLINGS}
    >>> max(elpd, key=elpd.get)
    'partial'
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    check_positive(sigma, name="sigma")
    predictors = as_list(predictors)
    design, y, _, prior_cov, index = linear_system(
        data, pooling=pooling, outcome=outcome, group=group, predictors=predictors
    )
    n_levels = int((index.get_level_values("variable") == "a").sum())
    if pooling != "partial":
        return _loo_known_prior(design, y, prior_cov, sigma)[0]
    grid = _check_grid(tau_grid(200) if grid is None else grid)
    block = np.zeros_like(prior_cov)
    block[1 : 1 + n_levels, 1 : 1 + n_levels] = np.eye(n_levels)
    loo, joint = [], []
    for tau in grid:
        loo_tau, log_marginal = _loo_known_prior(
            design, y, prior_cov + (tau**2 - 1.0) * block, sigma
        )
        loo.append(loo_tau)
        joint.append(log_marginal)
    loo, joint = np.asarray(loo), np.asarray(joint) + _log_prior_tau(grid)
    # p(y_i | y_-i) = sum_t p(y | t) p(t) / sum_t p(y | t) p(t) / p(y_i | y_-i, t)
    return special.logsumexp(joint) - special.logsumexp(joint[:, None] - loo, axis=0)
