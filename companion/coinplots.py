"""Plots of the nested coin model: the hierarchy level by level, its variance, its funnel.

- :func:`plot_nested_forest`: every group's probability of heads with its interval, in tree
  order (each region followed by its factories, each factory by its lines), so that a
  child's estimate sits under its parent's;
- :func:`plot_variance_shares`: the share of the spread in log-odds each level explains;
- :func:`plot_funnel`: a group effect against the log of its level's spread, draw by draw,
  with divergent transitions marked: the funnel of a centred hierarchy.

Each takes an optional matplotlib ``ax``, draws on it and returns it; none sets global
style. Introduced in ``notebooks/04_nested_coin_mints.ipynb`` (the funnel in
``notebooks/05_sampling_geometry.ipynb``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes

from companion.coins import interval_table, variance_shares

__all__ = ["plot_funnel", "plot_nested_forest", "plot_variance_shares", "tree_order"]


def tree_order(idata: xr.DataTree, levels: Sequence[str]) -> list[tuple[str, str]]:
    """List the groups of the top ``levels`` of a nested fit, each parent before its children.

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of :func:`companion.coins.nested_model` (its ``constant_data`` holds the
        ``<level>_<parent>_idx`` arrays).
    levels : sequence of str
        Consecutive levels from the model's top level down, e.g. ``["region", "factory"]``.

    Returns
    -------
    list of (str, str)
        ``(level, label)`` pairs in depth-first order.

    Raises
    ------
    KeyError
        If the fit lacks a level's coords or parent index.

    Examples
    --------
    >>> post = xr.Dataset(coords={"factory": ["F1", "F2"], "line": ["a", "b", "c"]})
    >>> const = xr.Dataset({"line_factory_idx": ("line", [1, 0, 1])})
    >>> tree = xr.DataTree.from_dict({"posterior": post, "constant_data": const})
    >>> tree_order(tree, ["factory", "line"])
    [('factory', 'F1'), ('line', 'b'), ('factory', 'F2'), ('line', 'a'), ('line', 'c')]
    """
    names = list(levels)
    if not names:
        raise ValueError("levels is empty")
    labels = {}
    for level in names:
        if level not in idata.posterior.coords:
            raise KeyError(f"the fit has no {level!r} coords; levels must be the model's own")
        labels[level] = [str(v) for v in idata.posterior[level].to_numpy()]
    children: dict[str, np.ndarray] = {}
    for above, level in zip(names[:-1], names[1:], strict=True):
        name = f"{level}_{above}_idx"
        if "constant_data" not in idata.children or name not in idata.constant_data:
            raise KeyError(f"the fit holds no {name!r}; is it a nested_model fit?")
        children[level] = idata.constant_data[name].to_numpy()

    def visit(k: int, parent: int | None) -> list[tuple[str, str]]:
        level = names[k]
        if parent is None:
            members = range(len(labels[level]))
        else:
            members = np.flatnonzero(children[level] == parent)
        out = []
        for member in members:
            out.append((level, labels[level][member]))
            if k + 1 < len(names):
                out.extend(visit(k + 1, int(member)))
        return out

    return visit(0, None)


def plot_nested_forest(
    idata: xr.DataTree,
    levels: Sequence[str] = ("region", "factory", "line"),
    *,
    truth: Mapping[str, pd.Series] | None = None,
    prob: float = 0.9,
    ax: Axes | None = None,
) -> Axes:
    """Draw every group's probability of heads, level by level, in tree order.

    One row per group: the posterior mean of ``invlogit(<level>_logit)`` and its ``prob``
    interval, coloured by level, its label (the last part of a path label) set to the right
    of its parent's, with a dashed line at 0.5 (a fair coin). True values, when given, are
    black crosses.

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of :func:`companion.coins.nested_model`.
    levels : sequence of str, default ("region", "factory", "line")
        Consecutive levels from the top down.
    truth : mapping of str to pandas.Series, optional
        True log-odds per level (``CoinTruth.logit``), drawn on the probability scale.
    prob : float, default 0.9
        Interval probability.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; one errorbar container per level, in ``levels`` order.

    Examples
    --------
    >>> post = xr.Dataset(
    ...     {"factory_logit": (("chain", "draw", "factory"), np.zeros((1, 10, 2))),
    ...      "line_logit": (("chain", "draw", "line"), np.ones((1, 10, 3)))},
    ...     coords={"factory": ["F1", "F2"], "line": ["a", "b", "c"]})
    >>> const = xr.Dataset({"line_factory_idx": ("line", [0, 0, 1])})
    >>> tree = xr.DataTree.from_dict({"posterior": post, "constant_data": const})
    >>> ax = plot_nested_forest(tree, ["factory", "line"])
    >>> [t.get_text().strip() for t in ax.get_yticklabels()]
    ['F1', 'a', 'b', 'F2', 'c']
    """
    names = list(levels)
    order = tree_order(idata, names)
    tables = {
        level: interval_table(1 / (1 + np.exp(-idata.posterior[f"{level}_logit"])), prob=prob)
        for level in names
    }
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.22 * len(order) + 1.2))
    rows = np.arange(len(order))[::-1]
    ax.axvline(0.5, color="0.5", ls="--", lw=1)
    for k, level in enumerate(names):
        picked = [i for i, (lev, _) in enumerate(order) if lev == level]
        labels = [order[i][1] for i in picked]
        table = tables[level].loc[labels]
        err = np.vstack([table["mean"] - table["lower"], table["upper"] - table["mean"]])
        err = np.clip(err, 0, None)  # equal draws give -1e-17, which matplotlib refuses
        ax.errorbar(
            table["mean"],
            rows[picked],
            xerr=err,
            fmt="o",
            ms=7 - 1.5 * k,
            lw=2.2 - 0.5 * k,
            color=f"C{k}",
            label=level,
        )
        if truth is not None and level in truth:
            true_p = 1 / (1 + np.exp(-truth[level].reindex(labels).to_numpy()))
            ax.scatter(true_p, rows[picked], marker="x", color="k", s=25, zorder=4)
    if truth is not None:
        ax.scatter([], [], marker="x", color="k", s=25, label="truth")
    # right-aligned tick labels: trailing spaces set each parent to the left of its children
    pad = {level: "    " * (len(names) - 1 - k) for k, level in enumerate(names)}
    ax.set_yticks(rows, [lab.rsplit("/", 1)[-1] + pad[lev] for lev, lab in order])
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_xlabel(f"probability of heads ({int(round(prob * 100))}% interval)")
    ax.set_ylabel(" > ".join(names))
    ax.legend(fontsize="small", loc="best")
    return ax


def plot_variance_shares(
    idata: xr.DataTree,
    levels: Sequence[str] = ("region", "factory", "line", "coin"),
    *,
    truth: Mapping[str, float] | None = None,
    prob: float = 0.9,
    ax: Axes | None = None,
) -> Axes:
    """Draw the share of the coins' log-odds variance that each level explains.

    Shares come from :func:`companion.coins.variance_shares`: ``sigma_<level>**2`` over the
    sum, draw by draw; the dot is the posterior mean, the bar the ``prob`` interval.

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of :func:`companion.coins.nested_model`.
    levels : sequence of str
        The model's levels, top down.
    truth : mapping of str to float, optional
        True spread per level (``CoinTruth.sigma``); its shares are drawn as crosses.
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
    >>> sigma = {f"sigma_{k}": (("chain", "draw"), np.full((1, 4), v))
    ...          for k, v in [("line", 3.0), ("coin", 1.0)]}
    >>> tree = xr.DataTree.from_dict({"posterior": xr.Dataset(sigma)})
    >>> ax = plot_variance_shares(tree, ["line", "coin"])
    >>> [round(x, 2) for x in ax.lines[0].get_xdata()]
    [0.9, 0.1]
    """
    names = list(levels)
    table = variance_shares(idata, names, prob=prob)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.5 * len(names) + 1.2))
    rows = np.arange(len(names))[::-1]
    err = np.clip(
        np.vstack([table["mean"] - table["lower"], table["upper"] - table["mean"]]), 0, None
    )
    ax.errorbar(table["mean"], rows, xerr=err, fmt="o", color="C0", capsize=3, label="posterior")
    if truth is not None:
        true_var = np.array([truth[k] ** 2 for k in names])
        ax.scatter(true_var / true_var.sum(), rows, marker="x", color="k", s=50, label="truth")
    ax.set_yticks(rows, names)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of the variance in log-odds ({int(round(prob * 100))}% interval)")
    ax.set_ylabel("level")
    ax.legend(fontsize="small", loc="best")
    return ax


def plot_funnel(
    idata: xr.DataTree,
    *,
    sigma: str = "sigma_coin",
    effect: str = "coin_logit",
    coord: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Scatter one group effect against the log of its level's spread, marking divergences.

    In a centred hierarchy with little data per group, the effect is squeezed as the spread
    shrinks: the draws form a funnel whose neck the sampler cannot enter, and divergent
    transitions pile up there. Plotting the non-centred offset instead shows the shape the
    sampler explores after reparametrisation.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit with ``posterior`` and ``sample_stats["diverging"]``.
    sigma : str, default "sigma_coin"
        Scalar spread variable (drawn on a log scale, as the sampler sees it).
    effect : str, default "coin_logit"
        Group-level variable (``coin_logit`` for the centred model, ``coin_offset`` for the
        non-centred one).
    coord : str, optional
        Which group to draw; the first of the effect's dim by default.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: ``ax.collections[0]`` holds the non-divergent draws,
        ``ax.collections[1]`` the divergent ones.

    Raises
    ------
    KeyError
        If a variable or the coord is missing.

    Examples
    --------
    >>> post = xr.Dataset({"sigma": (("chain", "draw"), [[0.1, 1.0, 2.0]]),
    ...                    "a": (("chain", "draw", "g"), [[[0.0], [1.0], [2.0]]])},
    ...                   coords={"g": ["x"]})
    >>> stats = xr.Dataset({"diverging": (("chain", "draw"), [[True, False, False]])})
    >>> tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    >>> ax = plot_funnel(tree, sigma="sigma", effect="a")
    >>> len(ax.collections[0].get_offsets()), len(ax.collections[1].get_offsets())
    (2, 1)
    """
    for name in (sigma, effect):
        if name not in idata.posterior:
            raise KeyError(f"posterior has no variable {name!r}")
    spread = idata.posterior[sigma]
    values = idata.posterior[effect]
    other = [d for d in values.dims if d not in ("chain", "draw")]
    label = effect
    if other:
        dim = other[0]
        chosen = str(values[dim].to_numpy()[0]) if coord is None else coord
        if chosen not in [str(v) for v in values[dim].to_numpy()]:
            raise KeyError(f"{effect!r} has no {dim} {chosen!r}")
        values = values.sel({dim: chosen})
        label = f"{effect}[{chosen}]"
    x = values.to_numpy().ravel()
    y = np.log(spread.to_numpy().ravel())
    diverging = idata.sample_stats["diverging"].to_numpy().ravel().astype(bool)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.5))
    ax.scatter(x[~diverging], y[~diverging], s=4, alpha=0.3, color="C0", label="draws")
    ax.scatter(
        x[diverging], y[diverging], s=14, color="C3", label=f"divergent ({int(diverging.sum())})"
    )
    ax.set_xlabel(label)
    ax.set_ylabel(f"log {sigma}")
    ax.legend(fontsize="small", loc="lower right")
    return ax
