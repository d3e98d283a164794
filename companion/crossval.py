"""Exact cross-validation by groups: leave one group out, refitting or in closed form.

PSIS-LOO (``az.loo``) leaves out one *row* and approximates the refit by reweighting the
posterior draws. When a whole group is left out, the question changes ("how well does the
model predict a group it has never seen?") and the reweighting usually fails (high Pareto
k), so the models are refitted:

- :func:`group_folds`: for each level of a group column, the model's data with that level's
  rows given zero weight (zero trials for a binomial, zero exposure for a Poisson): the
  same shapes, so one compiled model serves every fold.
- :func:`refit_folds`: compile a model once (nutpie) and sample it once per fold with that
  fold's data, instead of building and compiling a model per fold.
- :func:`log_mean_exp`: the log predictive density of held-out data from the log-likelihood
  of each posterior draw, ``log(mean_s p(y | theta_s))``.
- :func:`exact_group_loo`: for the Gaussian models of :mod:`companion.models` with the noise
  known, the leave-one-group-out predictive density in closed form, so that claims about it
  can be checked on many seeds without sampling.

Introduced in ``notebooks/08_is_it_worth_it.ipynb`` (:func:`exact_group_loo` in
``notebooks/08_is_it_worth_it.ipynb``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from scipy import special, stats

from companion import exact, fit
from companion.exact import POOLINGS
from companion.models import PRIORS

__all__ = ["exact_group_loo", "group_folds", "log_mean_exp", "refit_folds"]

SAMPLE_DIMS = ("chain", "draw")


def group_folds(
    data: pd.DataFrame, *, group: str, zero: Mapping[str, str]
) -> dict[str, dict[str, np.ndarray]]:
    """For each level of ``group``, the model data with that level's rows set to zero.

    Introduced in ``notebooks/09_your_data.ipynb``.

    A binomial row with 0 trials and 0 successes (or a Poisson row with 0 exposure and a
    count of 0) has log-likelihood exactly 0: the model fitted to such data is the model
    fitted without those rows, and the left-out group's parameters keep their prior (or, in
    a hierarchy, the population's distribution). The arrays keep their shape, so one compiled
    model serves every fold (:func:`refit_folds`).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation, in the order of the model's ``obs`` dim.
    group : str
        Column of the group labels; one fold per level.
    zero : mapping of str to str
        Name of a ``pm.Data`` container of the model -> the column of ``data`` it holds.
        Each fold zeroes these arrays on the left-out group's rows.

    Returns
    -------
    dict of str to dict of str to numpy.ndarray
        Group label (sorted) -> {data name -> array}.

    Raises
    ------
    ValueError
        If ``group`` or a column of ``zero`` is missing, or ``zero`` is empty.

    Examples
    --------
    >>> frame = pd.DataFrame({"h": ["A", "B"], "n": [10, 20], "y": [1, 3]})
    >>> folds = group_folds(frame, group="h", zero={"trials": "n", "y_data": "y"})
    >>> folds["A"]["trials"].tolist(), folds["B"]["y_data"].tolist()
    ([0, 20], [1, 0])
    """
    if not zero:
        raise ValueError("zero is empty: name at least one pm.Data container and its column")
    for column in [group, *zero.values()]:
        if column not in data.columns:
            present = ", ".join(repr(str(c)) for c in data.columns)
            raise ValueError(f"data: missing column {column!r} (columns present: {present})")
    labels = data[group].astype("string").to_numpy()
    folds = {}
    for level in sorted(set(labels)):
        held_out = labels == level
        folds[str(level)] = {
            name: np.where(held_out, 0, data[column].to_numpy()) for name, column in zero.items()
        }
    return folds


def refit_folds(
    model: pm.Model,
    folds: Mapping[str, Mapping[str, np.ndarray]],
    *,
    random_seed: int,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    target_accept: float | None = None,
) -> dict[str, xr.DataTree]:
    """Compile ``model`` once and sample it once per fold, each with that fold's data.

    Introduced in ``notebooks/09_your_data.ipynb``.

    Building and compiling a model per fold costs seconds each; nutpie's compiled model
    takes new values for the model's ``pm.Data`` containers without compiling again.

    Parameters
    ----------
    model : pymc.Model
        A model whose data to change are ``pm.Data`` containers (including the observed
        values, ``observed=pm.Data(...)``).
    folds : mapping of str to mapping of str to numpy.ndarray
        Fold name -> {data name -> new values}, each of the container's current shape
        (see :func:`group_folds`).
    random_seed : int
        Seed; fold ``k`` (in the mapping's order) is sampled with ``random_seed + k``.
    draws, tune, chains : int
        Kept draws per chain, tuning steps per chain, number of chains.
    target_accept : float, optional
        Target acceptance rate of NUTS.

    Returns
    -------
    dict of str to xarray.DataTree
        Fold name -> fit (groups ``posterior`` and ``sample_stats``).

    Raises
    ------
    ValueError
        If ``folds`` is empty, or a fold names data the model does not have or gives
        values of another shape.

    Examples
    --------
    >>> with pm.Model() as model:
    ...     y = pm.Data("y", np.array([0.0, 0.0]))
    ...     mu = pm.Normal("mu", 0, 1)
    ...     _ = pm.Normal("obs", mu, 1, observed=y)
    >>> fits = refit_folds(
    ...     model, {"low": {"y": [-5.0, -5.0]}, "high": {"y": [5.0, 5.0]}},
    ...     random_seed=1, draws=300, tune=300,
    ... )
    >>> float(fits["low"].posterior["mu"].mean()) < 0 < float(fits["high"].posterior["mu"].mean())
    True
    """
    if not folds:
        raise ValueError("folds is empty; pass at least one fold")
    shapes = {var.name: np.shape(var.get_value()) for var in model.data_vars}
    for fold, updates in folds.items():
        for name, values in updates.items():
            if name not in shapes:
                known = ", ".join(sorted(shapes))
                raise ValueError(f"fold {fold!r}: the model has no data {name!r} (known: {known})")
            if np.shape(values) != shapes[name]:
                raise ValueError(
                    f"fold {fold!r}: data {name!r} has shape {np.shape(values)}, "
                    f"the model's is {shapes[name]}"
                )
    return fit.sample_datasets(
        model,
        folds,
        random_seed=random_seed,
        draws=draws,
        tune=tune,
        chains=chains,
        target_accept=target_accept,
    )


def log_mean_exp(log_lik: xr.DataArray | np.ndarray) -> float | xr.DataArray:
    """Log predictive density from per-draw log-likelihoods: ``log(mean_s exp(l_s))``.

    Introduced in ``notebooks/09_your_data.ipynb``.

    Parameters
    ----------
    log_lik : xarray.DataArray or numpy.ndarray
        Log-likelihood of held-out data under each posterior draw: a DataArray with dims
        ``chain`` and ``draw`` (other dims are kept), or an array of draws (all axes
        averaged).

    Returns
    -------
    float or xarray.DataArray
        A float for an array or a DataArray with only sample dims, else a DataArray.

    Examples
    --------
    >>> round(log_mean_exp(np.log([0.1, 0.3])), 4) == round(float(np.log(0.2)), 4)
    True
    """
    if isinstance(log_lik, xr.DataArray):
        dims = [d for d in SAMPLE_DIMS if d in log_lik.dims]
        n = int(np.prod([log_lik.sizes[d] for d in dims]))
        result = xr.apply_ufunc(
            special.logsumexp,
            log_lik,
            input_core_dims=[dims],
            kwargs={"axis": tuple(range(-len(dims), 0))},
        ) - np.log(n)
        return float(result) if result.ndim == 0 else result
    values = np.asarray(log_lik, dtype=float).ravel()
    return float(special.logsumexp(values) - np.log(values.size))


def _block_loo(
    design: np.ndarray,
    y: np.ndarray,
    prior_cov: np.ndarray,
    sigma: float,
    blocks: Sequence[np.ndarray],
) -> tuple[np.ndarray, float]:
    """Log ``p(y_G | y_-G)`` per block and ``log p(y)`` of ``y ~ N(D theta, sigma)``, ``theta ~ N(0, S)``."""
    s2 = sigma**2
    precision = np.linalg.inv(prior_cov) + design.T @ design / s2
    post_cov = np.linalg.inv(precision)
    post_mean = post_cov @ (design.T @ y) / s2
    gradient = (y - design @ post_mean) / s2  # P y, with P the precision of y's marginal
    # y_g | y_-g has precision P_gg = (I - d C d' / s2) / s2 (C: posterior covariance, d: the
    # group's design rows) and residual P_gg^-1 (P y)_g. Woodbury and Sylvester reduce both to
    # the k x k matrix s2 C^-1 - d'd, the scaled posterior precision without the group.
    _, logdet_scaled = np.linalg.slogdet(s2 * precision)
    out = []
    for rows in blocks:
        d, g = design[rows], gradient[rows]
        inner = s2 * precision - d.T @ d
        _, logdet_inner = np.linalg.slogdet(inner)
        logdet_p = -rows.size * np.log(s2) + logdet_inner - logdet_scaled
        u = d.T @ g
        quad = s2 * (g @ g + u @ np.linalg.solve(inner, u))
        out.append(-0.5 * (rows.size * np.log(2 * np.pi) - logdet_p + quad))
    _, logdet_prior = np.linalg.slogdet(prior_cov)
    _, logdet_post = np.linalg.slogdet(post_cov)
    quad = y @ y / s2 - post_mean @ precision @ post_mean
    log_marginal = -0.5 * (y.size * np.log(2 * np.pi * s2) + logdet_prior - logdet_post + quad)
    return np.asarray(out, dtype=float), float(log_marginal)


def exact_group_loo(
    data: pd.DataFrame,
    *,
    pooling: str,
    sigma: float,
    outcome: str = "y",
    group: str = "level",
    predictors: str | Sequence[str] = ("x",),
    grid: np.ndarray | None = None,
) -> pd.Series:
    """Exact leave-one-group-out log predictive density of each group, with the noise known.

    Introduced in ``notebooks/08_is_it_worth_it.ipynb``.

    For each group ``g``, ``log p(y_g | y_-g)``: the model fitted without any of the group's
    rows predicts all of them jointly. The pooled and partially pooled models predict the
    left-out group from what the other groups taught them (the shared intercept; the
    population ``Normal(w, tau)``). The unpooled model learns nothing about a group from the
    others: its prediction of a new group is its prior, ``a ~ Normal(0, 10)``. Same models
    and priors as :mod:`companion.models`; for the partially pooled model ``tau`` is
    integrated over a grid with its ``HalfNormal`` prior.

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
        Evenly spaced grid of ``tau``; ``companion.exact.tau_grid(200)`` by default.

    Returns
    -------
    pandas.Series
        ``log p(y_g | y_-g)`` indexed by group label (sorted); its sum is the
        leave-one-group-out ELPD.

    Raises
    ------
    ValueError
        If ``pooling`` is unknown, ``sigma`` is not positive or the grid is not positive.

    Examples
    --------
    >>> from companion.simulate import simulate_scenario
    >>> data, truth = simulate_scenario("differ", random_seed=1)
    >>> elpd = {p: exact_group_loo(data, pooling=p, sigma=truth.sigma).sum() for p in POOLINGS}
    >>> max(elpd, key=elpd.get), min(elpd, key=elpd.get)
    ('partial', 'unpooled')
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a positive number, got {sigma!r}")
    columns = {"outcome": outcome, "group": group, "predictors": predictors}
    onehot, _, _, _, index = exact.linear_system(data, pooling="unpooled", **columns)
    is_level = index.get_level_values("variable") == "a"
    labels = [str(v) for v in index[is_level].get_level_values("label")]
    n_levels = len(labels)
    member = onehot[:, :n_levels].argmax(axis=1)
    blocks = [np.flatnonzero(member == k) for k in range(n_levels)]
    design, y, _, prior_cov, _ = exact.linear_system(data, pooling=pooling, **columns)
    result = pd.Series(np.nan, index=pd.Index(labels, name=group), name="elpd_group")
    if pooling != "partial":
        result[:] = _block_loo(design, y, prior_cov, sigma, blocks)[0]
        return result
    grid = np.asarray(exact.tau_grid(200) if grid is None else grid, dtype=float)
    if grid.ndim != 1 or grid.size < 2 or np.any(grid <= 0):
        raise ValueError("grid must be a 1-d grid of at least two positive values")
    block = np.zeros_like(prior_cov)
    block[1 : 1 + n_levels, 1 : 1 + n_levels] = np.eye(n_levels)
    loo, joint = [], []
    for tau in grid:
        loo_tau, log_marginal = _block_loo(
            design, y, prior_cov + (tau**2 - 1.0) * block, sigma, blocks
        )
        loo.append(loo_tau)
        joint.append(log_marginal + stats.halfnorm.logpdf(tau, scale=PRIORS["tau_sd"]))
    loo, joint = np.asarray(loo), np.asarray(joint)
    # p(y_g | y_-g) = sum_t p(y | t) p(t) / sum_t p(y | t) p(t) / p(y_g | y_-g, t)
    result[:] = special.logsumexp(joint) - special.logsumexp(joint[:, None] - loo, axis=0)
    return result
