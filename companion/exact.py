"""Exact posteriors of the normal-normal models, to cross-check the sampler.

With the noise ``sigma`` known, the intercept models of :mod:`companion.models` are linear
Gaussian models: prior and likelihood are Gaussian in ``(w, a, b)``, so the posterior is
Gaussian and computable with a few matrix products. With the spread ``tau`` learned, the
posterior is a mixture of those Gaussians over ``tau``, weighted by ``p(tau | y)``, which is
integrated on a grid. Introduced in ``notebooks/03_partial_pooling.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from companion.models import PRIORS, _as_list, _prepare, encode_levels

__all__ = [
    "learned_spread_posterior",
    "linear_gaussian_posterior",
    "partial_pooling_posterior",
    "predictive_interval",
    "rows_to_match",
    "shrinkage_factor",
    "unpooled_posterior",
]


def linear_gaussian_posterior(
    design: np.ndarray,
    y: np.ndarray,
    *,
    prior_mean: np.ndarray,
    prior_cov: np.ndarray,
    sigma: float,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Posterior of ``theta`` in ``y ~ Normal(design @ theta, sigma)``, ``theta ~ Normal(m0, S0)``.

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
    frame, coords = _prepare(data, outcome=outcome, group=group, predictors=predictors)
    levels = list(coords[group])
    codes = encode_levels(frame[group], levels, column=group)
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


def _check_sigma(sigma: float, name: str = "sigma") -> None:
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"{name} must be a positive number, got {sigma!r}")


def partial_pooling_posterior(
    data: pd.DataFrame,
    *,
    sigma: float,
    group_sd: float = 1.0,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
) -> pd.DataFrame:
    """Exact posterior of :func:`~companion.models.partial_pooling_model` with known spreads.

    Parameters
    ----------
    data, outcome, group, predictors
        As in :func:`companion.models.partial_pooling_model`.
    sigma : float
        Known noise standard deviation (the model must be built with the same ``sigma``).
    group_sd : float, default 1.0
        Fixed spread ``tau`` of the intercepts.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean`` and ``sd``; rows indexed by ``(variable, label)``, for example
        ``("w", "")``, ``("a", "h1")``, ``("b", "x")``.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, truth = simulate_levels(seed=1)
    >>> post = partial_pooling_posterior(data, sigma=truth.sigma)
    >>> post.loc["a", "sd"].round(2).tolist()
    [0.72, 0.16, 0.11]
    """
    _check_sigma(sigma)
    _check_sigma(group_sd, "group_sd")
    predictors = _as_list(predictors)
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
    >>> data, truth = simulate_levels(seed=1)
    >>> unpooled_posterior(data, sigma=truth.sigma).loc["a", "sd"].round(2).tolist()
    [0.89, 0.17, 0.11]
    """
    _check_sigma(sigma)
    predictors = _as_list(predictors)
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
    tau_grid: np.ndarray | None = None,
) -> pd.DataFrame:
    """Exact posterior of the partially pooled model with the spread ``tau`` learned.

    ``p(theta | y) = sum_tau p(theta | y, tau) p(tau | y)`` on a fine grid of ``tau``, with
    the model's ``HalfNormal(2.5)`` prior on ``tau``; exact up to the grid's resolution.

    Parameters
    ----------
    data, outcome, group, predictors
        As in :func:`companion.models.partial_pooling_model`.
    sigma : float
        Known noise standard deviation.
    tau_grid : numpy.ndarray, optional
        Grid of ``tau`` values (evenly spaced); 2,000 points up to 5 prior sd by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean`` and ``sd``, rows as in :func:`partial_pooling_posterior` plus
        ``("tau", "")``.

    Examples
    --------
    >>> from companion.simulate import simulate_levels
    >>> data, truth = simulate_levels(seed=1)
    >>> post = learned_spread_posterior(data, sigma=truth.sigma)
    >>> bool(post.loc[("tau", ""), "mean"] > 0)
    True
    """
    _check_sigma(sigma)
    predictors = _as_list(predictors)
    if tau_grid is None:
        tau_grid = np.linspace(1e-3, 5 * PRIORS["tau_sd"], 2000)
    tau_grid = np.asarray(tau_grid, dtype=float)
    if tau_grid.ndim != 1 or tau_grid.size < 2 or np.any(tau_grid <= 0):
        raise ValueError("tau_grid must be a 1-d grid of at least two positive values")
    design, y, m0, base_cov, index = _system(
        data, outcome, group, predictors, pooling="partial", group_sd=1.0
    )
    a_block = np.zeros_like(base_cov)
    h = int((index.get_level_values("variable") == "a").sum())
    a_block[1 : 1 + h, 1 : 1 + h] = np.eye(h)
    means, second, logp = [], [], []
    for tau in tau_grid:
        s0 = base_cov + (tau**2 - 1.0) * a_block
        mean, cov, log_marginal = linear_gaussian_posterior(
            design, y, prior_mean=m0, prior_cov=s0, sigma=sigma
        )
        means.append(mean)
        second.append(np.diag(cov) + mean**2)
        logp.append(log_marginal + stats.halfnorm.logpdf(tau, scale=PRIORS["tau_sd"]))
    logp = np.asarray(logp)
    weights = np.exp(logp - logp.max())
    weights /= weights.sum()
    mean = weights @ np.asarray(means)
    var = weights @ np.asarray(second) - mean**2
    tau_mean = float(weights @ tau_grid)
    tau_sd = float(np.sqrt(weights @ tau_grid**2 - tau_mean**2))
    index = index.append(pd.MultiIndex.from_tuples([("tau", "")], names=index.names))
    return pd.DataFrame(
        {"mean": np.append(mean, tau_mean), "sd": np.append(np.sqrt(var), tau_sd)}, index=index
    )


def shrinkage_factor(n: float | np.ndarray, *, sigma: float, group_sd: float) -> float | np.ndarray:
    """Fraction of the way a group's estimate moves from its own mean to the population mean.

    With known population mean, spread ``tau`` and noise ``sigma``, a group of ``n`` rows
    has posterior mean ``(1 - B) * ybar + B * w`` with
    ``B = (sigma**2 / n) / (sigma**2 / n + tau**2)``. ``B`` grows as the group shrinks and
    as the spread falls.

    Parameters
    ----------
    n : float or numpy.ndarray
        Number of rows in the group (positive).
    sigma : float
        Noise standard deviation.
    group_sd : float
        Spread ``tau`` of the group intercepts.

    Returns
    -------
    float or numpy.ndarray
        Shrinkage ``B`` in ``(0, 1)``.

    Examples
    --------
    >>> round(shrinkage_factor(5, sigma=2.0, group_sd=1.0), 3)
    0.444
    """
    _check_sigma(sigma)
    _check_sigma(group_sd, "group_sd")
    n_arr = np.asarray(n, dtype=float)
    if np.any(n_arr <= 0):
        raise ValueError(f"n must be positive, got {n!r}")
    noise = sigma**2 / n_arr
    result = noise / (noise + group_sd**2)
    return float(result) if result.ndim == 0 else result


def rows_to_match(posterior_sd: float | np.ndarray, *, sigma: float) -> float | np.ndarray:
    """Rows a group needs on its own (no pooling) to reach a given posterior sd.

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
    _check_sigma(sigma)
    sd = np.asarray(posterior_sd, dtype=float)
    if np.any(sd <= 0):
        raise ValueError(f"posterior_sd must be positive, got {posterior_sd!r}")
    result = (sigma / sd) ** 2
    return float(result) if result.ndim == 0 else result


def predictive_interval(
    mean: float | np.ndarray, sd: float | np.ndarray, n: int, *, prob: float = 0.9
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Central interval for the next instance, given ``n`` instances' mean and sd.

    With flat priors on the population mean and log spread, the next instance follows a
    Student t with ``n - 1`` degrees of freedom, centre ``mean`` and scale
    ``sd * sqrt(1 + 1 / n)``: what five instances of X with mean 5 and sd 2 say about the
    sixth. Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    Parameters
    ----------
    mean, sd : float or numpy.ndarray
        Sample mean and standard deviation of the instances (arrays for many samples at once).
    n : int
        Number of instances (at least 2).
    prob : float, default 0.9
        Probability of the interval.

    Returns
    -------
    tuple
        Lower and upper end: floats, or arrays shaped like ``mean`` and ``sd``.

    Raises
    ------
    ValueError
        If ``n`` is below 2, an ``sd`` is negative or ``prob`` is not in (0, 1).

    Examples
    --------
    >>> [round(end, 2) for end in predictive_interval(5.0, 2.0, 5)]
    [0.33, 9.67]
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    sd_arr = np.asarray(sd, dtype=float)
    if np.any(~np.isfinite(sd_arr) | (sd_arr < 0)):
        raise ValueError(f"sd must be non-negative numbers, got {sd!r}")
    if not 0 < prob < 1:
        raise ValueError(f"prob must be between 0 and 1, got {prob!r}")
    half = stats.t.ppf((1 + prob) / 2, df=n - 1) * sd_arr * np.sqrt(1 + 1 / n)
    lower, upper = np.asarray(mean, dtype=float) - half, np.asarray(mean, dtype=float) + half
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper
