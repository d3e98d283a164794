"""Interactive shrinkage explorer: how pooling pulls a small group, computed exactly.

The explorer keeps the course's three-level picture (a small level ``h1`` beside two large
ones) and lets a learner change the small level's number of rows, the spread ``tau`` of the
intercepts and the noise ``sigma``. Nothing is sampled: with ``sigma`` known, the level means
are sufficient statistics and the posteriors of the unpooled and partially pooled intercept
models are Gaussian, computed by :func:`companion.exact.linear_gaussian_posterior`. The slope
of ``x`` is left out: it barely moves the intercepts when ``x`` is unrelated to the level.

- :func:`shrinkage_table`: per level, the unpooled and partially pooled mean and sd, the
  fraction of the way each level moves to the population mean, and the rows it would need
  on its own to be as certain.
- :func:`plot_explorer`: the shrinkage picture of that table
  (:func:`companion.plots.plot_shrinkage`, titled with the small level's numbers).
- :func:`shrinkage_explorer`: sliders wired to :func:`plot_explorer` with ``ipywidgets``.

Introduced in ``notebooks/03_partial_pooling.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from companion import exact, plots
from companion.models import PRIORS
from companion.validate import check_positive

__all__ = [
    "DEFAULT_MEANS",
    "DEFAULT_OTHER_SIZES",
    "plot_explorer",
    "shrinkage_explorer",
    "shrinkage_table",
]

#: Level means of the explorer when none are given (close to those of ``data/levels.csv``).
DEFAULT_MEANS: tuple[float, ...] = (5.0, 5.2, 3.0)
#: Rows of the large levels ``h2`` and ``h3`` (as in ``data/levels.csv``).
DEFAULT_OTHER_SIZES: tuple[int, ...] = (145, 350)


def _levels(
    n_small: int, means: pd.Series | Sequence[float], other_sizes: Sequence[int]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    if isinstance(means, pd.Series):
        labels = [str(label) for label in means.index]
        values = means.to_numpy(dtype=float)
    else:
        values = np.asarray(means, dtype=float)
        labels = [f"h{k + 1}" for k in range(values.size)]
    if values.ndim != 1 or not np.all(np.isfinite(values)):
        raise ValueError(f"means must be finite numbers, one per level, got {list(values)}")
    sizes = np.asarray([n_small, *other_sizes])
    if values.size != sizes.size:
        raise ValueError(
            f"means has {values.size} levels but n_small and other_sizes give {sizes.size}"
        )
    if values.size < 2:
        raise ValueError("the explorer needs at least two levels (n_small and one other size)")
    for name, size in zip(["n_small"] + ["other_sizes"] * (sizes.size - 1), sizes, strict=True):
        if int(size) != size or size < 1:
            raise ValueError(f"{name} must hold whole numbers >= 1, got {size!r}")
    return labels, values, sizes.astype(float)


def shrinkage_table(
    n_small: int,
    *,
    group_sd: float,
    sigma: float,
    means: pd.Series | Sequence[float] = DEFAULT_MEANS,
    other_sizes: Sequence[int] = DEFAULT_OTHER_SIZES,
) -> pd.DataFrame:
    """Exact unpooled and partially pooled intercepts of levels whose means are given.

    Introduced in ``notebooks/03_partial_pooling.ipynb``.

    Each level ``h`` has ``rows`` observations with mean ``ybar[h] ~ Normal(a[h], sigma**2 /
    rows)``. Unpooled: ``a[h] ~ Normal(0, 10)`` independently. Partially pooled:
    ``a[h] ~ Normal(w, group_sd)``, ``w ~ Normal(0, 10)``: the priors of
    :mod:`companion.models`, with ``sigma`` known.

    Parameters
    ----------
    n_small : int
        Rows of the first (small) level.
    group_sd : float
        Spread ``tau`` of the intercepts in the partially pooled model.
    sigma : float
        Noise standard deviation of one row.
    means : pandas.Series or sequence of float, default :data:`DEFAULT_MEANS`
        Observed mean of each level, the small one first; a Series names the levels by its
        index, otherwise they are ``h1``, ``h2``, ...
    other_sizes : sequence of int, default :data:`DEFAULT_OTHER_SIZES`
        Rows of the other levels, in order.

    Returns
    -------
    pandas.DataFrame
        One row per level (index ``level``) with columns ``rows``, ``observed_mean``,
        ``unpooled_mean``, ``unpooled_sd``, ``partial_mean``, ``partial_sd``,
        ``population_mean`` (posterior mean of ``w``), ``shrinkage`` (fraction of the way
        from ``observed_mean`` to ``population_mean`` that the partially pooled mean moved)
        and ``rows_alone`` (rows the level would need without pooling to reach
        ``partial_sd``, :func:`companion.exact.rows_to_match`).

    Raises
    ------
    ValueError
        If a size is not a whole number >= 1, ``group_sd`` or ``sigma`` is not positive, or
        ``means`` does not hold one finite value per level.

    Examples
    --------
    >>> table = shrinkage_table(5, group_sd=1.0, sigma=2.0)
    >>> table["rows"].tolist()
    [5, 145, 350]
    >>> table["shrinkage"].round(3).tolist()
    [0.444, 0.027, 0.011]
    >>> bool(table.loc["h1", "partial_sd"] < table.loc["h1", "unpooled_sd"])
    True
    """
    if group_sd is None:
        raise ValueError(
            "the explorer needs a fixed group_sd: it shows the exact posterior for one value "
            "of the spread, and group_sd=None (learned) has no single one"
        )
    check_positive(group_sd, name="group_sd")
    check_positive(sigma, name="sigma")
    labels, ybar, rows = _levels(n_small, means, other_sizes)
    h = len(labels)
    # Row h of the design, scaled by sqrt(rows), turns ybar[h] into one observation with
    # noise sigma: the posterior is that of the full data set (the means are sufficient).
    scale = np.sqrt(rows)
    prior_sd = PRIORS["intercept_sd"]
    un_mean, un_cov, _ = exact.linear_gaussian_posterior(
        np.diag(scale),
        scale * ybar,
        prior_mean=np.zeros(h),
        prior_cov=np.eye(h) * prior_sd**2,
        sigma=sigma,
    )
    cov = np.full((h + 1, h + 1), prior_sd**2)
    cov[1:, 1:] += np.eye(h) * group_sd**2
    pp_mean, pp_cov, _ = exact.linear_gaussian_posterior(
        np.hstack([np.zeros((h, 1)), np.diag(scale)]),
        scale * ybar,
        prior_mean=np.zeros(h + 1),
        prior_cov=cov,
        sigma=sigma,
    )
    population = float(pp_mean[0])
    partial_mean, partial_sd = pp_mean[1:], np.sqrt(np.diag(pp_cov)[1:])
    gap = ybar - population
    with np.errstate(divide="ignore", invalid="ignore"):
        shrinkage = np.where(np.abs(gap) > 1e-12, (ybar - partial_mean) / gap, np.nan)
    return pd.DataFrame(
        {
            "rows": rows.astype("int64"),
            "observed_mean": ybar,
            "unpooled_mean": un_mean,
            "unpooled_sd": np.sqrt(np.diag(un_cov)),
            "partial_mean": partial_mean,
            "partial_sd": partial_sd,
            "population_mean": population,
            "shrinkage": shrinkage,
            "rows_alone": exact.rows_to_match(partial_sd, sigma=sigma),
        },
        index=pd.Index(labels, name="level"),
    )


def plot_explorer(
    n_small: int,
    *,
    group_sd: float,
    sigma: float,
    means: pd.Series | Sequence[float] = DEFAULT_MEANS,
    other_sizes: Sequence[int] = DEFAULT_OTHER_SIZES,
    ax: Axes | None = None,
) -> Axes:
    """Draw each level's intercept moving from unpooled to partially pooled, with its sd.

    Introduced in ``notebooks/03_partial_pooling.ipynb``.

    One row per level, small level at the top: an open circle at the unpooled mean and a
    filled one at the partially pooled mean, each with a bar of plus or minus one posterior
    sd, an arrow between them, and a dashed line at the population mean. The title gives the
    small level's shrinkage and the rows it would need on its own.

    Parameters
    ----------
    n_small, group_sd, sigma, means, other_sizes
        As in :func:`shrinkage_table`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        As :func:`shrinkage_table`.

    Examples
    --------
    >>> ax = plot_explorer(5, group_sd=1.0, sigma=2.0)
    >>> len(ax.texts), len(ax.containers)  # one arrow per level, two interval sets
    (3, 2)
    >>> plt.close(ax.figure)
    """
    table = shrinkage_table(
        n_small, group_sd=group_sd, sigma=sigma, means=means, other_sizes=other_sizes
    )
    ax = plots.plot_shrinkage(table, ax=ax)
    small = table.iloc[0]
    ax.set_title(
        f"{table.index[0]} moves {small['shrinkage']:.0%} of the way to w; "
        f"alone it would need {small['rows_alone']:.0f} rows",
        fontsize="medium",
    )
    return ax


def shrinkage_explorer(
    *,
    means: pd.Series | Sequence[float] = DEFAULT_MEANS,
    other_sizes: Sequence[int] = DEFAULT_OTHER_SIZES,
    n_small: int = 5,
    group_sd: float = 1.0,
    sigma: float = 2.0,
) -> widgets.interactive:
    """Sliders for the small level's rows, the spread and the noise, wired to the picture.

    Introduced in ``notebooks/03_partial_pooling.ipynb``.

    Moving a slider redraws :func:`plot_explorer`; the widget's ``result`` holds the
    :func:`shrinkage_table` of the current setting. Widgets need a live Jupyter kernel;
    on a static page (a repository viewer) only their text description shows.

    Parameters
    ----------
    means, other_sizes
        As in :func:`shrinkage_table`; fixed while the sliders move.
    n_small : int, default 5
        Starting rows of the small level (slider from 1 to 400).
    group_sd : float, default 1.0
        Starting spread ``tau`` (slider from 0.1 to 5).
    sigma : float, default 2.0
        Starting noise sd (slider from 0.5 to 6).

    Returns
    -------
    ipywidgets.interactive
        A box holding the three sliders and the output area.

    Raises
    ------
    ValueError
        If a starting value is outside its slider's range, or as :func:`shrinkage_table`.

    Examples
    --------
    >>> shrinkage_explorer(n_small=500)
    Traceback (most recent call last):
    ...
    ValueError: n_small=500 is outside the slider's range [1, 400]
    """
    labels, _, _ = _levels(n_small, means, other_sizes)
    specs = {
        "n_small": (widgets.IntSlider, f"rows of {labels[0]}", 1, 400, 1, n_small),
        "group_sd": (widgets.FloatSlider, "spread tau", 0.1, 5.0, 0.1, group_sd),
        "sigma": (widgets.FloatSlider, "noise sigma", 0.5, 6.0, 0.1, sigma),
    }
    sliders = {}
    for name, (kind, label, low, high, step, start) in specs.items():
        if not low <= start <= high:
            raise ValueError(f"{name}={start!r} is outside the slider's range [{low}, {high}]")
        sliders[name] = kind(
            value=start,
            min=low,
            max=high,
            step=step,
            description=label,
            continuous_update=False,
            style={"description_width": "initial"},
        )

    def draw(n_small: int, group_sd: float, sigma: float) -> pd.DataFrame:
        _, ax = plt.subplots(figsize=(6, 3.2))
        plot_explorer(
            n_small, group_sd=group_sd, sigma=sigma, means=means, other_sizes=other_sizes, ax=ax
        )
        plt.show()
        return shrinkage_table(
            n_small, group_sd=group_sd, sigma=sigma, means=means, other_sizes=other_sizes
        )

    return widgets.interactive(draw, **sliders)
