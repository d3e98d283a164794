"""Numbers from a fit: one interval table, one way to stack draws, group sizes, shrinkage.

Every posterior summary the notebooks print goes through :func:`interval_table`, built on
ArviZ's equal-tailed interval (``az.eti``); every computation that needs the draws as one flat
sample goes through :func:`stack_draws`. Both know the sample dims once, as
:data:`SAMPLE_DIMS`. :func:`group_sizes` reads how much data each group has from a fit, and
:func:`shrinkage_summary` puts an unpooled and a partially pooled fit side by side, the table
:func:`companion.plots.plot_shrinkage` draws. Introduced in ``notebooks/00_why_hierarchical.ipynb``.
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from companion.validate import check_probability

__all__ = [
    "SAMPLE_DIMS",
    "group_sizes",
    "interval_table",
    "shrinkage_summary",
    "stack_draws",
]

#: The dims that index draws (not parameters) in a fit.
SAMPLE_DIMS: tuple[str, str] = ("chain", "draw")


def _draws(data: xr.DataTree | xr.DataArray, var_name: str | None) -> xr.DataArray:
    if isinstance(data, xr.DataArray):
        if var_name is not None:
            raise ValueError("var_name selects a variable of a fit; pass draws or a fit, not both")
        return data
    if var_name is None:
        raise ValueError("var_name is required when data is a fit (an xarray.DataTree)")
    post = data.posterior if "posterior" in data.children else data
    if var_name not in post:
        raise KeyError(f"posterior has no variable {var_name!r}; it has {sorted(post.data_vars)}")
    return post[var_name]


def stack_draws(draws: xr.DataArray) -> xr.DataArray:
    """Stack the sample dims of draws into one ``sample`` dim, placed last.

    Not called in the notebooks; :mod:`companion.forecast`, :mod:`companion.realdata` use it.

    Parameters
    ----------
    draws : xarray.DataArray
        Draws with dims ``chain`` and ``draw`` (either may be absent) and any others.

    Returns
    -------
    xarray.DataArray
        The same values with dims ``(*other, "sample")``.

    Raises
    ------
    ValueError
        If ``draws`` has neither ``chain`` nor ``draw``.

    Examples
    --------
    >>> draws = xr.DataArray(np.zeros((2, 5, 3)), dims=("chain", "draw", "level"))
    >>> stack_draws(draws).dims, stack_draws(draws).sizes["sample"]
    (('level', 'sample'), 10)
    """
    present = [d for d in SAMPLE_DIMS if d in draws.dims]
    if not present:
        raise ValueError(f"draws have dims {list(draws.dims)}; expected chain and/or draw")
    stacked = draws.stack(sample=present)
    other = [d for d in stacked.dims if d != "sample"]
    return stacked.transpose(*other, "sample")


def interval_table(
    data: xr.DataTree | xr.DataArray,
    var_name: str | None = None,
    *,
    ci_prob: float = 0.9,
) -> pd.DataFrame:
    """Posterior mean, sd and equal-tailed interval, one row per coordinate.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    The interval is ArviZ's ``az.eti`` (the central ``ci_prob`` of the draws).

    Parameters
    ----------
    data : xarray.DataTree or xarray.DataArray
        A fit (then name the variable with ``var_name``) or draws with dims ``chain``,
        ``draw`` and at most one other.
    var_name : str, optional
        The posterior variable, when ``data`` is a fit.
    ci_prob : float, default 0.9
        Probability mass of the interval.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean``, ``sd``, ``lower``, ``upper``, ``width``; indexed by the variable's
        other dim (a single row named after the variable for a scalar).

    Raises
    ------
    KeyError
        If the fit has no such variable.
    ValueError
        If ``ci_prob`` is not between 0 and 1 or the draws have more than one other dim.

    Examples
    --------
    >>> post = xr.Dataset({"a": (("chain", "draw", "level"),
    ...                          np.linspace(0, 1, 101)[None, :, None] + [0.0, 5.0])},
    ...                   coords={"level": [1, 2]})
    >>> fit = xr.DataTree.from_dict({"posterior": post})
    >>> interval_table(fit, "a", ci_prob=0.8).round(2)[["mean", "lower", "upper"]]
           mean  lower  upper
    level
    1       0.5    0.1    0.9
    2       5.5    5.1    5.9
    """
    check_probability(ci_prob)
    draws = _draws(data, var_name)
    sample = [d for d in SAMPLE_DIMS if d in draws.dims]
    other = [d for d in draws.dims if d not in SAMPLE_DIMS]
    if len(other) > 1:
        raise ValueError(
            f"{draws.name or 'draws'} has dims {other} besides chain and draw; select one first"
        )
    bounds = az.eti(draws, prob=ci_prob, dim=sample)
    name = var_name or draws.name or "value"
    index = pd.Index(draws[other[0]].to_numpy(), name=other[0]) if other else pd.Index([name])
    lower = np.atleast_1d(bounds.sel(ci_bound="lower").to_numpy())
    upper = np.atleast_1d(bounds.sel(ci_bound="upper").to_numpy())
    return pd.DataFrame(
        {
            "mean": np.atleast_1d(draws.mean(sample).to_numpy()),
            "sd": np.atleast_1d(draws.std(sample).to_numpy()),
            "lower": lower,
            "upper": upper,
            "width": upper - lower,
        },
        index=index,
    )


def group_sizes(
    idata: xr.DataTree, *, group: str = "level", weights: str | None = None
) -> pd.Series:
    """Rows (or the sum of a weight, such as trials) per group, from the data a builder stores.

    Not called in the notebooks; :func:`shrinkage_summary` uses it.

    Counts the ``{group}_idx`` codes of the fit's ``constant_data``; with ``weights``, sums
    that data variable per group instead (the trials of a binomial outcome measure how much
    data a group has better than its rows do).

    Parameters
    ----------
    idata : xarray.DataTree
        Fit of an unpooled or partially pooled model.
    group : str, default "level"
        The group column (and dim) name.
    weights : str, optional
        A ``constant_data`` variable with dim ``obs`` to sum per group (``"trials"``).

    Returns
    -------
    pandas.Series
        Size of each group, indexed by group label, named ``rows`` or ``weights``.

    Raises
    ------
    KeyError
        If the fit holds no ``{group}_idx`` or no ``weights`` data.

    Examples
    --------
    >>> const = xr.Dataset({"level_idx": ("obs", [0, 1, 1]), "trials": ("obs", [5, 2, 3])})
    >>> post = xr.Dataset(coords={"level": ["a", "b"]})
    >>> fit = xr.DataTree.from_dict({"posterior": post, "constant_data": const})
    >>> group_sizes(fit).to_dict(), group_sizes(fit, weights="trials").to_dict()
    ({'a': 1, 'b': 2}, {'a': 5, 'b': 5})
    """
    name = f"{group}_idx"
    if "constant_data" not in idata.children or name not in idata.constant_data:
        raise KeyError(f"the fit holds no {name!r} data; pass the group sizes explicitly")
    codes = idata.constant_data[name].to_numpy()
    labels = pd.Index(idata.posterior[group].to_numpy(), name=group)
    if weights is None:
        return pd.Series(np.bincount(codes, minlength=len(labels)), index=labels, name="rows")
    if weights not in idata.constant_data:
        raise KeyError(f"the fit holds no {weights!r} data to weight the groups by")
    values = idata.constant_data[weights].to_numpy()
    counts = np.bincount(codes, weights=values, minlength=len(labels)).astype(int)
    return pd.Series(counts, index=labels, name=weights)


def shrinkage_summary(
    unpooled: xr.DataTree,
    partial: xr.DataTree,
    *,
    group: str = "level",
    var_name: str = "a",
    population_mean: str = "w",
    sizes: pd.Series | None = None,
    weights: str | None = None,
) -> pd.DataFrame:
    """Each group's unpooled and partially pooled estimate, smallest group first.

    Introduced in ``notebooks/03_partial_pooling.ipynb``.

    Parameters
    ----------
    unpooled, partial : xarray.DataTree
        Fits of :func:`~companion.models.unpooled_model` and
        :func:`~companion.models.partial_pooling_model` on the same data.
    group : str, default "level"
        The group dim.
    var_name : str, default "a"
        The per-group variable.
    population_mean : str, default "w"
        The population-mean variable of the partially pooled fit.
    sizes : pandas.Series, optional
        Size of each group; :func:`group_sizes` of the partial fit when omitted.
    weights : str, optional
        Passed to :func:`group_sizes` (``"trials"`` for a binomial outcome).

    Returns
    -------
    pandas.DataFrame
        Indexed by group, sorted by size: ``rows``, ``unpooled_mean``, ``unpooled_sd``,
        ``partial_mean``, ``partial_sd``, ``population_mean`` (posterior mean).

    Raises
    ------
    ValueError
        If the fits have different groups or ``sizes`` lacks one.

    Examples
    --------
    >>> def toy(values, w=None):
    ...     post = {"a": (("chain", "draw", "level"), np.asarray(values)[None, None, :]
    ...                   + np.zeros((1, 4, 2)))}
    ...     if w is not None:
    ...         post["w"] = (("chain", "draw"), np.full((1, 4), w))
    ...     return xr.DataTree.from_dict({"posterior": xr.Dataset(
    ...         post, coords={"level": ["big", "small"]})})
    >>> table = shrinkage_summary(toy([3.0, 8.0]), toy([3.1, 6.0], w=4.0),
    ...                           sizes=pd.Series({"big": 350, "small": 5}))
    >>> table.index.tolist(), table["partial_mean"].tolist()
    (['small', 'big'], [6.0, 3.1])
    """
    raw = interval_table(unpooled, var_name)
    pooled = interval_table(partial, var_name)
    if list(raw.index) != list(pooled.index):
        raise ValueError(
            f"the two fits have different {group} levels: {list(raw.index)} vs {list(pooled.index)}"
        )
    if sizes is None:
        sizes = group_sizes(partial, group=group, weights=weights)
    sizes = sizes.reindex(raw.index)
    if sizes.isna().any():
        raise ValueError(f"sizes is missing groups {list(sizes.index[sizes.isna()])}")
    if population_mean not in partial.posterior:
        raise KeyError(f"the partial fit has no population mean {population_mean!r}")
    table = pd.DataFrame(
        {
            "rows": sizes.astype("int64"),
            "unpooled_mean": raw["mean"],
            "unpooled_sd": raw["sd"],
            "partial_mean": pooled["mean"],
            "partial_sd": pooled["sd"],
            "population_mean": float(partial.posterior[population_mean].mean()),
        },
        index=raw.index,
    )
    table.index.name = group
    return table.sort_values("rows", kind="stable")
