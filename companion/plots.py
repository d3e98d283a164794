"""Every plot of the course: data first, options by keyword, the Axes or PlotCollection returned.

One rule: a plot takes the numbers it draws (a table, or a fit it only reads) and draws
them; the numbers come from :mod:`companion.summaries`, :mod:`companion.exact` or a chapter
module, so each plot can be tested on a small table built by hand. No plot sets global style.
A plot drawn with matplotlib takes ``ax=None`` and returns the Axes; a plot drawn by ArviZ
returns its ``PlotCollection`` (the figure is ``pc.viz["figure"].item()``).

- :func:`plot_shrinkage`: arrows from each group's unpooled estimate to its partially pooled
  one (a table of :func:`companion.summaries.shrinkage_summary` or of
  :func:`companion.explore.shrinkage_table`);
- :func:`plot_pooling_comparison`: pooled, unpooled and partially pooled intercepts side by
  side, ArviZ's forest plot of a dict of fits with the true values added;
- :func:`plot_nested_forest`, :func:`plot_variance_shares`, :func:`plot_funnel`: the nested
  coin model level by level, its variance shares, and the funnel with divergences;
- :func:`plot_forecast_fan`: one product's past sales and forecast fan.

Where ArviZ draws the picture, the notebooks call it directly: ``az.plot_forest`` with a
dict of fits, ``az.plot_ppc_pit``, ``az.plot_rank``, ``az.plot_dist``, ``az.plot_trace``.
:func:`plot_funnel` stays drawn here: ``az.plot_pair_focus`` with
``visuals={"divergence": True}`` draws the same scatter but makes its own figure, so the
centred and non-centred funnels cannot share one y axis side by side.
Introduced in ``notebooks/00_why_hierarchical.ipynb``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from arviz_plots import PlotCollection
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from companion.summaries import SAMPLE_DIMS, interval_table

__all__ = [
    "plot_forecast_fan",
    "plot_funnel",
    "plot_nested_forest",
    "plot_pooling_comparison",
    "plot_shrinkage",
    "plot_variance_shares",
    "tree_order",
]


def plot_shrinkage(
    table: pd.DataFrame,
    *,
    xlabel: str = "intercept a (posterior mean ± 1 sd)",
    ax: Axes | None = None,
) -> Axes:
    """Draw each group's estimate moving from unpooled to partially pooled.

    Introduced in ``notebooks/03_partial_pooling.ipynb``.

    One row per group, in table order (the first at the top): an open circle at the
    unpooled posterior mean and a filled one at the partially pooled mean, each with a bar
    of plus or minus one posterior sd when the table has them, an arrow between them, and a
    dashed line at the population mean. The tick labels give each group's size.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by group; columns ``rows``, ``unpooled_mean``, ``partial_mean``,
        ``population_mean`` and optionally ``unpooled_sd``, ``partial_sd``
        (:func:`companion.summaries.shrinkage_summary`,
        :func:`companion.explore.shrinkage_table`).
    xlabel : str
        Label of the x axis.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: one arrow (``ax.texts``) per group.

    Raises
    ------
    ValueError
        If a column is missing.

    Examples
    --------
    >>> table = pd.DataFrame({"rows": [5, 350], "unpooled_mean": [8.0, 3.0],
    ...                       "partial_mean": [6.0, 3.1], "population_mean": 4.0},
    ...                      index=pd.Index(["h1", "h3"], name="level"))
    >>> ax = plot_shrinkage(table)
    >>> len(ax.texts), [t.get_text() for t in ax.get_yticklabels()]
    (2, ['h1 (n=5)', 'h3 (n=350)'])
    """
    needed = ["rows", "unpooled_mean", "partial_mean", "population_mean"]
    missing = [column for column in needed if column not in table.columns]
    if missing:
        raise ValueError(f"table has no {missing[0]!r} column; it needs {needed}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.5 * len(table) + 1.5))
    rows = np.arange(len(table))[::-1].astype(float)
    lift = 0.12
    with_sd = {"unpooled_sd", "partial_sd"} <= set(table.columns)
    population = float(table["population_mean"].iloc[0])
    ax.axvline(population, color="0.4", ls="--", lw=1, label="population mean w")
    for column, shift, style, name in (
        ("unpooled", lift, {"mfc": "white"}, "unpooled"),
        ("partial", -lift, {}, "partially pooled"),
    ):
        ax.errorbar(
            table[f"{column}_mean"],
            rows + shift,
            xerr=table[f"{column}_sd"] if with_sd else None,
            fmt="o",
            color="C0" if column == "unpooled" else "C1",
            capsize=3,
            label=name + (" (mean ± 1 sd)" if with_sd else ""),
            **style,
        )
    for row, (_, group) in zip(rows, table.iterrows(), strict=True):
        ax.annotate(
            "",
            xy=(group["partial_mean"], row - lift),
            xytext=(group["unpooled_mean"], row + lift),
            arrowprops={"arrowstyle": "->", "color": "0.2", "lw": 1.2},
        )
    ax.set_yticks(rows, [f"{label} (n={int(n)})" for label, n in table["rows"].items()])
    ax.set_ylim(rows.min() - 0.6, rows.max() + 0.6)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(table.index.name or "group")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_pooling_comparison(
    fits: Mapping[str, xr.DataTree],
    *,
    group: str = "level",
    var_name: str = "a",
    truth: pd.Series | None = None,
    truth_label: str = "truth",
    ci_prob: float = 0.9,
    figsize: tuple[float, float] | None = None,
) -> PlotCollection:
    """Draw every level's intercept under several models side by side: ArviZ's forest plot.

    ``az.plot_forest`` with the dict of fits (``combined=True``): one row per level and model,
    the posterior mean as a dot, the central 50% interval as a thick bar and the ``ci_prob``
    one as a thin bar (equal-tailed, as :func:`companion.summaries.interval_table`), one colour
    per model. A model whose variable has no ``group`` dim (the pooled intercept) gives the
    same interval at every level. What this adds to ArviZ: the true values, when given, as a
    short black line across each level's rows.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    Parameters
    ----------
    fits : mapping of str to xarray.DataTree
        Model name -> fit, in drawing order from the top (for example pooled, unpooled,
        partial).
    group : str, default "level"
        The group dim; every fit that has it must hold the same labels, drawn from the top in
        the order of the first such fit.
    var_name : str, default "a"
        The intercept variable.
    truth : pandas.Series, optional
        True value per level (every level needs one), for simulated data, or any reference
        value per level (a later observation).
    truth_label : str, default "truth"
        Legend entry of the ``truth`` lines.
    ci_prob : float, default 0.9
        Probability of the thin interval.
    figsize : (float, float), optional
        Figure size in inches; by default it grows with the number of rows.

    Returns
    -------
    arviz_plots.PlotCollection
        ``pc.viz["plot"].sel(column="forest").item()`` is the Axes with the intervals (its
        ``collections`` end with the truth lines when given), ``pc.viz["twig"][var_name]``
        the thin interval of each ``(model, group)``.

    Raises
    ------
    ValueError
        If ``fits`` is empty, no fit has ``var_name`` with dim ``group``, the fits hold
        different labels or numbers of draws, or ``truth`` lacks a level.
    KeyError
        If a fit has no ``var_name``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> def toy(values):
    ...     dims = ("chain", "draw", "level")[: 2 + np.ndim(values)]
    ...     draws = np.asarray(values) + rng.normal(0, 0.1, (2, 100, *np.shape(values)))
    ...     post = xr.Dataset({"a": (dims, draws)}, coords={"level": ["h1", "h2"]})
    ...     return xr.DataTree.from_dict({"posterior": post})
    >>> pc = plot_pooling_comparison({"pooled": toy(1.0), "unpooled": toy([0.0, 2.0])},
    ...                              truth=pd.Series({"h1": 0.1, "h2": 1.9}))
    >>> dict(pc.viz["twig"]["a"].sizes)
    {'model': 2, 'level': 2}
    """
    if not fits:
        raise ValueError("fits is empty; pass at least one model's result")
    draws = {}
    for name, idata in fits.items():
        post = idata.posterior if "posterior" in idata.children else idata
        if var_name not in post:
            raise KeyError(f"fit {name!r} has no variable {var_name!r}")
        draws[name] = post[var_name]
    if not any(group in values.dims for values in draws.values()):
        raise ValueError(f"no fit has a {var_name!r} with dim {group!r}")
    shapes = {
        name: tuple(values.sizes.get(d, 0) for d in SAMPLE_DIMS) for name, values in draws.items()
    }
    if len(set(shapes.values())) > 1:
        raise ValueError(f"the fits hold different numbers of (chains, draws): {shapes}")
    levels = next(values for values in draws.values() if group in values.dims)[group].to_numpy()
    for name, values in draws.items():
        if group in values.dims:
            missing = set(levels.tolist()) ^ set(values[group].to_numpy().tolist())
            if missing:
                raise ValueError(
                    f"fit {name!r} and the first fit differ in {group} {sorted(missing)[0]!r}"
                )
            draws[name] = values.sel({group: levels})  # one order: the first fit's
    probs = (0.5, ci_prob) if ci_prob > 0.5 else (ci_prob / 2, ci_prob)
    if figsize is None:
        figsize = (7.0, max(3.0, 1.5 + 0.12 * levels.size * len(fits)))
    pc = az.plot_forest(
        {
            name: xr.DataTree.from_dict({"posterior": values.to_dataset()})
            for name, values in draws.items()
        },
        var_names=[var_name],
        combined=True,
        point_estimate="mean",
        ci_kind="eti",
        ci_probs=probs,
        labels=[group],
        figure_kwargs={
            "figsize": figsize,
            "figsize_units": "inches",
            "width_ratios": [1, 5],
            "layout": "constrained",
        },
    )
    ax = pc.viz["plot"].sel(column="forest").item()
    twigs = pc.viz["twig"][var_name]
    handles = [
        Line2D([], [], color=twigs.sel(model=name)[0].item().get_color(), lw=2) for name in fits
    ]
    names = list(fits)
    if truth is not None:
        rows = pc.get_aes_as_dataset("y")[var_name]
        labels = [str(v) for v in rows[group].to_numpy()]
        by_label = truth.rename(index=str)
        missing = [label for label in labels if label not in by_label.index]
        if missing:
            raise ValueError(f"truth has no value for {group} {missing[0]!r}")
        ax.vlines(
            by_label.loc[labels].to_numpy(),
            rows.min("model").to_numpy() - 0.15,
            rows.max("model").to_numpy() + 0.15,
            color="k",
            lw=2,
            zorder=4,
        )
        handles.append(Line2D([], [], color="k", lw=2))
        names.append(truth_label)
    pc.viz["figure"].item().legend(handles, names, loc="outside right upper", fontsize="small")
    percent = int(round(ci_prob * 100))
    ax.set_xlabel(
        f"{var_name}: posterior mean, {int(round(probs[0] * 100))}% and {percent}% intervals"
    )
    return pc


def tree_order(idata: xr.DataTree, *, hierarchy: Sequence[str]) -> list[tuple[str, str]]:
    """List the groups of the levels of a nested fit, each parent before its children.

    Not called in the notebooks; :func:`plot_nested_forest` uses it.

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of :func:`companion.coins.nested_model` (its ``constant_data`` holds the
        ``<level>_<parent>_idx`` arrays).
    hierarchy : sequence of str
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
    >>> tree_order(tree, hierarchy=["factory", "line"])
    [('factory', 'F1'), ('line', 'b'), ('factory', 'F2'), ('line', 'a'), ('line', 'c')]
    """
    names = list(hierarchy)
    if not names:
        raise ValueError("hierarchy is empty")
    labels = {}
    for level in names:
        if level not in idata.posterior.coords:
            raise KeyError(
                f"the fit has no {level!r} coords; the hierarchy must be the model's own"
            )
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
    *,
    hierarchy: Sequence[str] = ("region", "factory", "line"),
    truth: Mapping[str, pd.Series] | None = None,
    ci_prob: float = 0.9,
    ax: Axes | None = None,
) -> Axes:
    """Draw every group's probability of heads, level by level, in tree order.

    Introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    One row per group: the posterior mean of ``invlogit(<level>_logit)`` and its ``ci_prob``
    interval, coloured by level, its label (the last part of a path label) set to the right
    of its parent's, with a dashed line at 0.5 (a fair coin). True values, when given, are
    black crosses.

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of :func:`companion.coins.nested_model`.
    hierarchy : sequence of str, default ("region", "factory", "line")
        Consecutive levels from the top down.
    truth : mapping of str to pandas.Series, optional
        True log-odds per level (``CoinTruth.logit``), drawn on the probability scale.
    ci_prob : float, default 0.9
        Interval probability (:func:`companion.summaries.interval_table`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; one errorbar container per level, in ``hierarchy`` order.

    Examples
    --------
    >>> post = xr.Dataset(
    ...     {"factory_logit": (("chain", "draw", "factory"), np.zeros((1, 10, 2))),
    ...      "line_logit": (("chain", "draw", "line"), np.ones((1, 10, 3)))},
    ...     coords={"factory": ["F1", "F2"], "line": ["a", "b", "c"]})
    >>> const = xr.Dataset({"line_factory_idx": ("line", [0, 0, 1])})
    >>> tree = xr.DataTree.from_dict({"posterior": post, "constant_data": const})
    >>> ax = plot_nested_forest(tree, hierarchy=["factory", "line"])
    >>> [t.get_text().strip() for t in ax.get_yticklabels()]
    ['F1', 'a', 'b', 'F2', 'c']
    """
    names = list(hierarchy)
    order = tree_order(idata, hierarchy=names)
    tables = {
        level: interval_table(
            1 / (1 + np.exp(-idata.posterior[f"{level}_logit"])), ci_prob=ci_prob
        ).rename(index=str)
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
    ax.set_xlabel(f"probability of heads ({int(round(ci_prob * 100))}% interval)")
    ax.set_ylabel(" > ".join(names))
    ax.legend(fontsize="small", loc="best")
    return ax


def plot_variance_shares(
    table: pd.DataFrame,
    *,
    truth: Mapping[str, float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the share of the coins' log-odds variance that each level explains.

    Introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    The dot is the posterior mean of each share, the bar its interval.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`companion.coins.variance_shares`: indexed by level (top down), columns
        ``mean``, ``lower``, ``upper``.
    truth : mapping of str to float, optional
        True spread per level (``CoinTruth.level_sd``); its shares are drawn as crosses.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"mean": [0.9, 0.1], "lower": [0.8, 0.05], "upper": [0.95, 0.2]},
    ...                      index=pd.Index(["line", "coin"], name="level"))
    >>> ax = plot_variance_shares(table)
    >>> [round(x, 2) for x in ax.lines[0].get_xdata()]
    [0.9, 0.1]
    """
    names = [str(name) for name in table.index]
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
    ax.set_xlabel("share of the variance in log-odds")
    ax.set_ylabel("level")
    ax.legend(fontsize="small", loc="best")
    return ax


def plot_funnel(
    idata: xr.DataTree,
    *,
    spread: str = "sigma_coin",
    effect: str = "coin_logit",
    coord: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Scatter one group effect against the log of its level's spread, marking divergences.

    Introduced in ``notebooks/05_sampling_geometry.ipynb``.

    In a centred hierarchy with little data per group, the effect is squeezed as the spread
    shrinks: the draws form a funnel whose neck the sampler cannot enter, and divergent
    transitions pile up there. Plotting the non-centred offset instead shows the shape the
    sampler explores after reparametrisation.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit with ``posterior`` and ``sample_stats["diverging"]``.
    spread : str, default "sigma_coin"
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
    >>> ax = plot_funnel(tree, spread="sigma", effect="a")
    >>> len(ax.collections[0].get_offsets()), len(ax.collections[1].get_offsets())
    (2, 1)
    """
    for name in (spread, effect):
        if name not in idata.posterior:
            raise KeyError(f"posterior has no variable {name!r}")
    spread_draws = idata.posterior[spread]
    values = idata.posterior[effect]
    other = [d for d in values.dims if d not in SAMPLE_DIMS]
    label = effect
    if other:
        dim = other[0]
        chosen = str(values[dim].to_numpy()[0]) if coord is None else coord
        if chosen not in [str(v) for v in values[dim].to_numpy()]:
            raise KeyError(f"{effect!r} has no {dim} {chosen!r}")
        values = values.sel({dim: chosen})
        label = f"{effect}[{chosen}]"
    x = values.to_numpy().ravel()
    y = np.log(spread_draws.to_numpy().ravel())
    diverging = idata.sample_stats["diverging"].to_numpy().ravel().astype(bool)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.5))
    ax.scatter(x[~diverging], y[~diverging], s=4, alpha=0.3, color="C0", label="draws")
    ax.scatter(
        x[diverging], y[diverging], s=14, color="C3", label=f"divergent ({int(diverging.sum())})"
    )
    ax.set_xlabel(label)
    ax.set_ylabel(f"log {spread}")
    ax.legend(fontsize="small", loc="lower right")
    return ax


def plot_forecast_fan(
    table: pd.DataFrame,
    *,
    label: str,
    history: pd.DataFrame | None = None,
    outcome: str = "sales",
    product: str = "product",
    week: str = "week",
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw one product's past sales and its forecast fan (median, 50% and 90% intervals).

    Introduced in ``notebooks/06_retail_demand.ipynb``.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`companion.forecast.forecast_table`; the held-out sales are drawn too when present.
    label : str
        The product to draw.
    history : pandas.DataFrame, optional
        Past weekly sales (columns ``product``, ``week``, ``outcome``).
    outcome, product, week : str
        Column names.
    legend : bool, default True
        Whether to add a legend.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If the table holds no forecast for ``label``.

    Examples
    --------
    >>> table = pd.DataFrame({"product": "a", "week": [5, 6], "median": [3.0, 3.0],
    ...     "lower_90": [0.0, 0.0], "upper_90": [8.0, 8.0], "lower_50": [1.0, 1.0],
    ...     "upper_50": [5.0, 5.0]})
    >>> ax = plot_forecast_fan(table, label="a")
    >>> len(ax.collections), ax.get_xlabel()
    (2, 'week')
    """
    rows = table.loc[table[product].astype(str) == str(label)].sort_values(week)
    if rows.empty:
        raise ValueError(f"the table has no forecast for {product} {label!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    x = rows[week].to_numpy()
    ax.fill_between(
        x,
        rows["lower_90"],
        rows["upper_90"],
        step="mid",
        alpha=0.25,
        color="C0",
        label="90% interval",
    )
    ax.fill_between(
        x,
        rows["lower_50"],
        rows["upper_50"],
        step="mid",
        alpha=0.45,
        color="C0",
        label="50% interval",
    )
    ax.step(x, rows["median"], where="mid", color="C0", label="median forecast")
    if history is not None:
        past = history.loc[history[product].astype(str) == str(label)]
        ax.plot(past[week], past[outcome], "o-", color="0.3", ms=3, lw=1, label="past sales")
    if outcome in rows.columns:
        ax.plot(x, rows[outcome], "o", color="C3", ms=4, label="held-out sales")
    ax.set_xlabel(week)
    ax.set_ylabel(f"{outcome} per {week}")
    ax.set_title(f"{product} {label}")
    if legend:
        ax.legend(fontsize="x-small", loc="upper left")
    return ax
