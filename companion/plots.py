"""Plots that ArviZ and seaborn do not already draw.

- :func:`plot_shrinkage`: arrows from each level's unpooled estimate to its partially pooled
  one, toward the population mean, with marker size by the level's number of rows.
- :func:`plot_pooling_comparison`: the pooled, unpooled and partially pooled intercepts of
  every level side by side, with intervals and (for simulated data) the truth.

Both take an optional matplotlib ``ax``, draw on it, and return it; they set no global style.
For forest, trace, pair and predictive-check plots call ``arviz`` (``az.plot_forest``,
``az.plot_trace_dist``, ``az.plot_pair``, ``az.plot_ppc_dist``). Introduced in
``notebooks/00_why_hierarchical.ipynb``.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes

__all__ = ["group_sizes", "plot_pooling_comparison", "plot_shrinkage", "posterior_table"]

SAMPLE_DIMS = ("chain", "draw")


def posterior_table(idata: xr.DataTree, var_name: str = "a", *, prob: float = 0.9) -> pd.DataFrame:
    """Posterior mean, sd and central interval of one variable, one row per coordinate.

    Parameters
    ----------
    idata : xarray.DataTree
        A fitted model's result.
    var_name : str, default "a"
        Variable with at most one dim besides chain and draw.
    prob : float, default 0.9
        Probability mass of the equal-tailed interval.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean``, ``sd``, ``lower``, ``upper``; indexed by the variable's coordinate
        (a single row labelled ``var_name`` for a scalar).

    Raises
    ------
    KeyError
        If the posterior has no such variable.

    Examples
    --------
    >>> import pymc as pm
    >>> from companion.fit import sample
    >>> with pm.Model(coords={"level": ["x", "y"]}) as model:
    ...     a = pm.Normal("a", [0, 5], 1, dims="level")
    >>> table = posterior_table(sample(model, random_seed=1, draws=500), "a")
    >>> table.index.tolist(), bool(table.loc["y", "mean"] > 4)
    (['x', 'y'], True)
    """
    if not 0 < prob < 1:
        raise ValueError(f"prob must be between 0 and 1, got {prob!r}")
    if var_name not in idata.posterior:
        raise KeyError(
            f"posterior has no variable {var_name!r}; it has {sorted(idata.posterior.data_vars)}"
        )
    values = idata.posterior[var_name]
    tail = (1 - prob) / 2
    quantiles = values.quantile([tail, 1 - tail], dim=SAMPLE_DIMS)
    other = [d for d in values.dims if d not in SAMPLE_DIMS]
    if len(other) > 1:
        raise ValueError(f"{var_name!r} has dims {other}; posterior_table takes at most one")
    index = pd.Index(values[other[0]].to_numpy(), name=other[0]) if other else [var_name]
    return pd.DataFrame(
        {
            "mean": np.atleast_1d(values.mean(SAMPLE_DIMS).to_numpy()),
            "sd": np.atleast_1d(values.std(SAMPLE_DIMS).to_numpy()),
            "lower": np.atleast_1d(quantiles.isel(quantile=0).to_numpy()),
            "upper": np.atleast_1d(quantiles.isel(quantile=1).to_numpy()),
        },
        index=index,
    )


def group_sizes(idata: xr.DataTree, group: str = "level") -> pd.Series:
    """Rows (or, for a binomial outcome, trials) per level, from the data a builder stores.

    Counts the ``{group}_idx`` codes; when the model has ``trials`` data (a count outcome),
    sums the trials of each level instead, since they measure how much data it has.

    Parameters
    ----------
    idata : xarray.DataTree
        Result of fitting an unpooled or partially pooled model.
    group : str, default "level"
        The group column (and dim) name.

    Returns
    -------
    pandas.Series
        Number of rows of each level, indexed by level label.

    Examples
    --------
    >>> import pymc as pm
    >>> from companion.fit import sample
    >>> with pm.Model(coords={"level": ["a", "b"], "obs": range(3)}) as model:
    ...     idx = pm.Data("level_idx", [0, 1, 1], dims="obs")
    ...     _ = pm.Normal("y", pm.Normal("a", 0, 1, dims="level")[idx], 1, observed=[0, 1, 2])
    >>> group_sizes(sample(model, random_seed=1, draws=100, tune=100)).to_dict()
    {'a': 1, 'b': 2}
    """
    name = f"{group}_idx"
    if "constant_data" not in idata.children or name not in idata.constant_data:
        raise KeyError(f"the result holds no {name!r} data; pass the group sizes explicitly")
    codes = idata.constant_data[name].to_numpy()
    labels = idata.posterior[group].to_numpy()
    if "trials" in idata.constant_data:
        weights = idata.constant_data["trials"].to_numpy()
        counts = np.bincount(codes, weights=weights, minlength=len(labels)).astype(int)
        return pd.Series(counts, index=pd.Index(labels, name=group), name="trials")
    counts = np.bincount(codes, minlength=len(labels))
    return pd.Series(counts, index=pd.Index(labels, name=group), name="rows")


def plot_shrinkage(
    unpooled: xr.DataTree,
    partial: xr.DataTree,
    *,
    group: str = "level",
    var_name: str = "a",
    population_mean: str = "w",
    sizes: pd.Series | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw each level's estimate moving from unpooled to partially pooled.

    One row per level (smallest group at the top): an open circle at the unpooled posterior
    mean, a filled one at the partially pooled mean, an arrow between them, and a dashed
    line at the population mean. Marker area grows with the level's number of rows, so the
    long arrows of small groups stand out.

    Parameters
    ----------
    unpooled, partial : xarray.DataTree
        Fits of :func:`~companion.models.unpooled_model` and
        :func:`~companion.models.partial_pooling_model` on the same data.
    group : str, default "level"
        The group dim.
    var_name : str, default "a"
        The per-level variable.
    population_mean : str, default "w"
        The population-mean variable of the partially pooled model.
    sizes : pandas.Series, optional
        Rows per level; read from the fit's ``{group}_idx`` data when omitted.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> from companion import fit, models, simulate
    >>> data, _ = simulate.simulate_levels(seed=1)
    >>> un = fit.sample(models.unpooled_model(data), random_seed=1, draws=200, tune=200)
    >>> pp = fit.sample(models.partial_pooling_model(data, group_sd=1.0), random_seed=1,
    ...                 draws=200, tune=200)
    >>> ax = plot_shrinkage(un, pp)
    >>> len(ax.texts)  # one arrow per level
    3
    """
    raw = posterior_table(unpooled, var_name)
    pooled = posterior_table(partial, var_name)
    if list(raw.index) != list(pooled.index):
        raise ValueError(
            f"the two fits have different {group} levels: {list(raw.index)} vs {list(pooled.index)}"
        )
    sizes = group_sizes(partial, group) if sizes is None else sizes.reindex(raw.index)
    if sizes.isna().any():
        raise ValueError(f"sizes is missing levels {list(sizes.index[sizes.isna()])}")
    order = sizes.sort_values(kind="stable").index
    mu = float(partial.posterior[population_mean].mean())
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.5 * len(order) + 1.5))
    rows = np.arange(len(order))[::-1]
    area = 30 + 300 * np.sqrt(sizes[order].to_numpy() / sizes.max())
    ax.axvline(mu, color="0.4", ls="--", lw=1, label=f"population mean {population_mean}")
    ax.scatter(
        raw.loc[order, "mean"],
        rows,
        s=area,
        facecolors="none",
        edgecolors="C0",
        label="unpooled",
        zorder=3,
    )
    ax.scatter(
        pooled.loc[order, "mean"], rows, s=area, color="C1", label="partially pooled", zorder=3
    )
    for row, level in zip(rows, order, strict=True):
        ax.annotate(
            "",
            xy=(pooled.loc[level, "mean"], row),
            xytext=(raw.loc[level, "mean"], row),
            arrowprops={"arrowstyle": "->", "color": "0.2", "lw": 1.2},
        )
    ax.set_yticks(rows, [f"{level} (n={int(sizes[level])})" for level in order])
    ax.set_ylim(rows.min() - 0.7, rows.max() + 0.7)
    ax.set_xlabel(f"posterior mean of {var_name}")
    ax.set_ylabel(group)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_pooling_comparison(
    fits: Mapping[str, xr.DataTree],
    *,
    group: str = "level",
    var_name: str = "a",
    truth: pd.Series | None = None,
    prob: float = 0.9,
    ax: Axes | None = None,
) -> Axes:
    """Draw every level's intercept under several models side by side.

    For each level, one point with its ``prob`` interval per model, slightly offset; a model
    whose variable has no ``group`` dim (the pooled intercept) gives the same value at every
    level. True values, when given, are drawn as black crosses.

    Parameters
    ----------
    fits : mapping of str to xarray.DataTree
        Model name -> fit, in drawing order (for example pooled, unpooled, partial).
    group : str, default "level"
        The group dim; its labels come from the first fit that has it.
    var_name : str, default "a"
        The intercept variable.
    truth : pandas.Series, optional
        True value per level, for simulated data.
    prob : float, default 0.9
        Interval probability.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> from companion import fit, models, simulate
    >>> data, truth = simulate.simulate_levels(seed=1)
    >>> fits = {name: fit.sample(build(data), random_seed=1, draws=200, tune=200)
    ...         for name, build in [("pooled", models.pooled_model),
    ...                             ("unpooled", models.unpooled_model)]}
    >>> ax = plot_pooling_comparison(fits, truth=truth.a)
    >>> len(ax.get_legend().get_texts())
    3
    """
    if not fits:
        raise ValueError("fits is empty; pass at least one model's result")
    tables = {name: posterior_table(idata, var_name, prob=prob) for name, idata in fits.items()}
    levels = next((list(t.index) for t in tables.values() if t.index.name == group), None)
    if levels is None:
        raise ValueError(f"no fit has a {var_name!r} with dim {group!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.5))
    positions = np.arange(len(levels))
    width = 0.6 / max(len(tables), 1)
    for k, (name, table) in enumerate(tables.items()):
        table = (
            table.reindex(levels)
            if table.index.name == group
            else pd.concat([table] * len(levels), ignore_index=True).set_index(pd.Index(levels))
        )
        shift = (k - (len(tables) - 1) / 2) * width
        err = np.vstack([table["mean"] - table["lower"], table["upper"] - table["mean"]])
        ax.errorbar(
            positions + shift,
            table["mean"],
            yerr=err,
            fmt="o",
            color=f"C{k}",
            capsize=3,
            label=name,
        )
    if truth is not None:
        ax.scatter(
            positions, truth.reindex(levels), marker="x", color="k", s=60, zorder=4, label="truth"
        )
    ax.set_xticks(positions, levels)
    ax.set_xlabel(group)
    ax.set_ylabel(f"{var_name} ({int(prob * 100)}% interval)")
    ax.legend(fontsize="small")
    return ax
