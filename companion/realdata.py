"""Published tables of successes out of trials, their validated loaders, and held-out scores.

The course's real data set is Efron and Morris's (1975) table of 18 major-league batters:
hits in their first 45 at-bats of the 1970 season, and their batting average over the rest
of that season, which serves as an out-of-sample truth. :func:`load_efron_morris` reads it
from ``data/efron_morris_1975.csv`` and checks it cell by cell against the way the table was
built (every published average must be a whole number of hits divided by the at-bats, rounded
to three decimals). The other functions turn a fitted binomial model into what the held-out
comparison needs:

- :func:`james_stein`: the estimator Efron and Morris applied to this table;
- :func:`rate_draws`: posterior draws of each group's rate from a log-odds intercept;
- :func:`predict_rates`: draws of the rate a group will show in its next ``n`` trials;
- :func:`heldout_log_score`: log predictive density of held-out successes;
- :func:`trials_to_match`: trials a group would need on its own to be as certain.

Introduced in ``notebooks/07_real_data.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy import special, stats

from companion.data import read_csv
from companion.summaries import SAMPLE_DIMS, stack_draws
from companion.validate import check_counts

__all__ = [
    "EFRON_MORRIS_SCHEMA",
    "JamesStein",
    "check_counts",  # re-exported from companion.data
    "heldout_log_score",
    "james_stein",
    "load_efron_morris",
    "predict_rates",
    "rate_draws",
    "recover_successes",
    "trials_to_match",
]

#: Columns of ``data/efron_morris_1975.csv`` and their kinds (see :func:`companion.data.read_csv`).
EFRON_MORRIS_SCHEMA: dict[str, str] = {
    "player": "string",
    "hits": "count",
    "at_bats": "count",
    "average": "float",
    "remaining_at_bats": "count",
    "remaining_average": "float",
}


def recover_successes(
    rate: pd.Series, trials: pd.Series, *, decimals: int = 3, source: str = "data"
) -> pd.Series:
    """Recover the whole number of successes behind a published, rounded rate.

    Not called in the notebooks; :func:`load_efron_morris` uses it.

    A table that prints averages to ``decimals`` places and has fewer than
    ``10 ** decimals`` trials per row pins down the number of successes: it is the only
    whole ``k`` with ``round(k / n, decimals) == rate``. A row where no such ``k`` exists
    holds a typing error (in the rate or in the trials).

    Parameters
    ----------
    rate : pandas.Series
        Published rates, between 0 and 1.
    trials : pandas.Series
        Trials of each row, same index; each below ``10 ** decimals``.
    decimals : int, default 3
        Decimal places the rates were printed with.
    source : str
        Name of the table, for messages.

    Returns
    -------
    pandas.Series
        ``int64`` successes, same index, named ``"successes"``.

    Raises
    ------
    ValueError
        If a rate is outside [0, 1], a row has too many trials for the count to be unique,
        or no whole number of successes rounds to the published rate.

    Examples
    --------
    >>> recover_successes(pd.Series([0.346, 0.2]), pd.Series([367, 70])).tolist()
    [127, 14]
    >>> recover_successes(pd.Series([0.347]), pd.Series([10]))
    Traceback (most recent call last):
    ...
    ValueError: data: row 0: no whole number of successes out of 10 trials rounds to 0.347
    """
    rate = pd.Series(rate, dtype=float)
    trials = pd.Series(trials).astype("int64")
    if not rate.index.equals(trials.index):
        raise ValueError(f"{source}: rate and trials must share an index")
    if ((rate < 0) | (rate > 1)).any():
        row = rate.index[((rate < 0) | (rate > 1)).to_numpy()][0]
        raise ValueError(f"{source}: row {row!r}: rate {rate[row]} is outside [0, 1]")
    if (trials >= 10**decimals).any():
        row = trials.index[(trials >= 10**decimals).to_numpy()][0]
        raise ValueError(
            f"{source}: row {row!r}: {trials[row]} trials is too many for a rate printed "
            f"with {decimals} decimals to fix the number of successes"
        )
    k = np.rint(rate * trials).astype("int64")
    exact = np.round(k / trials, decimals) == np.round(rate, decimals)
    if not exact.all():
        row = rate.index[~exact.to_numpy()][0]
        raise ValueError(
            f"{source}: row {row!r}: no whole number of successes out of {trials[row]} "
            f"trials rounds to {rate[row]}"
        )
    return pd.Series(k, index=rate.index, name="successes")


def load_efron_morris(path: str | Path = "efron_morris_1975.csv") -> pd.DataFrame:
    """Load Efron and Morris's (1975) 18 batters: first 45 at-bats and the rest of 1970.

    Introduced in ``notebooks/07_real_data.ipynb``.

    Validates the schema, that players are unique and hits do not exceed at-bats, that each
    printed average is the hits over the at-bats rounded to three decimals, and that each
    rest-of-season average is a whole number of hits over the remaining at-bats. The
    remaining hits are recovered from that average (see :func:`recover_successes`).

    Parameters
    ----------
    path : str or pathlib.Path, default ``"efron_morris_1975.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        In the published order (by first-45 average): ``player``, ``hits``, ``at_bats``
        (45 for everyone), ``average`` (hits / at-bats as printed), ``remaining_at_bats``,
        ``remaining_average`` (as printed) and the derived ``remaining_hits``.

    Raises
    ------
    ValueError
        If any of the checks above fails, naming the row and column.

    Examples
    --------
    >>> table = load_efron_morris()
    >>> len(table), round(float(table["average"].mean()), 3)
    (18, 0.265)
    >>> clemente = table.iloc[0]
    >>> clemente["player"], int(clemente["hits"]), int(clemente["remaining_hits"])
    ('Roberto Clemente', 18, 127)
    """
    table = read_csv(path, EFRON_MORRIS_SCHEMA)
    source = Path(path).name
    check_counts(table, successes="hits", trials="at_bats", group="player", source=source)
    printed = np.round(table["hits"] / table["at_bats"], 3)
    off = ~np.isclose(printed, table["average"], atol=1e-9)
    if off.any():
        row = table.index[off][0]
        raise ValueError(
            f"{source}: row {row!r} ({table.loc[row, 'player']!r}): column 'average' is "
            f"{table.loc[row, 'average']} but hits / at_bats = {printed[row]:.3f}"
        )
    remaining = recover_successes(
        table["remaining_average"], table["remaining_at_bats"], source=source
    )
    return table.assign(remaining_hits=remaining.to_numpy())


@dataclass(frozen=True)
class JamesStein:
    """The James-Stein estimate of a set of rates, as Efron and Morris (1975) computed it.

    Returned by :func:`james_stein`; introduced in ``notebooks/07_real_data.ipynb``.

    Attributes
    ----------
    estimates : pandas.Series
        Shrunken rate of each group, same index as the input.
    factor : float
        The shrinkage factor ``c``: the fraction of each group's distance from the grand mean
        that is kept (0 pools completely, 1 keeps the raw rates).
    grand_mean : float
        The mean of the raw rates, towards which they are pulled.
    """

    estimates: pd.Series
    factor: float
    grand_mean: float


def james_stein(rates: pd.Series, *, trials: int) -> JamesStein:
    """Shrink raw rates towards their mean with the James-Stein rule.

    Introduced in ``notebooks/07_real_data.ipynb``.

    ``z = ybar + c (y - ybar)`` with ``c = 1 - (k - 3) sigma2 / sum((y - ybar) ** 2)`` and
    the binomial variance ``sigma2 = ybar (1 - ybar) / trials``, for ``k`` groups that each
    had ``trials`` trials (Efron and Morris 1975, 1977). ``c`` is not allowed below 0.

    Parameters
    ----------
    rates : pandas.Series
        Raw rates of at least four groups.
    trials : int
        Trials behind each rate (the same for every group).

    Returns
    -------
    JamesStein
        Estimates, the factor ``c`` and the grand mean.

    Raises
    ------
    ValueError
        With fewer than four groups, rates outside [0, 1] or ``trials`` below 1.

    Examples
    --------
    >>> result = james_stein(pd.Series([0.4, 0.3, 0.2, 0.1]), trials=100)
    >>> round(result.factor, 3), result.estimates.round(3).tolist()
    (0.963, [0.394, 0.298, 0.202, 0.106])
    """
    values = pd.Series(rates, dtype=float)
    if len(values) < 4:
        raise ValueError(f"james_stein needs at least 4 groups, got {len(values)}")
    if ((values < 0) | (values > 1)).any() or values.isna().any():
        raise ValueError("rates must lie between 0 and 1")
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials!r}")
    grand = float(values.mean())
    spread = float(((values - grand) ** 2).sum())
    sigma2 = grand * (1 - grand) / trials
    factor = 1.0 if spread == 0 else max(0.0, 1 - (len(values) - 3) * sigma2 / spread)
    estimates = (grand + factor * (values - grand)).rename("james_stein")
    return JamesStein(estimates=estimates, factor=factor, grand_mean=grand)


def rate_draws(
    idata: xr.DataTree,
    *,
    var_name: str = "a",
    group: str | None = None,
    labels: Sequence[str] | None = None,
) -> xr.DataArray:
    """Posterior draws of each group's rate, ``logit^-1`` of a log-odds intercept.

    Introduced in ``notebooks/07_real_data.ipynb``.

    Parameters
    ----------
    idata : xarray.DataTree
        A binomial fit (for example :func:`companion.models.unpooled_model` with ``trials``).
    var_name : str, default "a"
        The log-odds variable.
    group : str, optional
        Name of the group dim. When the variable has no such dim (the pooled model's single
        intercept), its draws are repeated for every label in ``labels``.
    labels : sequence of str, optional
        Group labels for a variable without the group dim.

    Returns
    -------
    xarray.DataArray
        Rates in (0, 1) with dims ``(chain, draw)`` plus ``group`` when known.

    Raises
    ------
    KeyError
        If the posterior has no ``var_name``.

    Examples
    --------
    >>> post = xr.Dataset({"a": (("chain", "draw"), np.zeros((1, 3)))})
    >>> tree = xr.DataTree.from_dict({"posterior": post})
    >>> rate_draws(tree, group="player", labels=["x", "y"]).sizes
    Frozen({'chain': 1, 'draw': 3, 'player': 2})
    """
    if var_name not in idata.posterior:
        raise KeyError(f"posterior has no {var_name!r}; it has {sorted(idata.posterior.data_vars)}")
    logit = idata.posterior[var_name]
    if group is not None and group not in logit.dims:
        if labels is None:
            raise ValueError(f"{var_name!r} has no dim {group!r}; pass the group labels")
        logit = logit.expand_dims({group: list(labels)}, axis=-1)
    return xr.apply_ufunc(special.expit, logit).rename("rate")


def predict_rates(rates: xr.DataArray, trials: pd.Series, *, random_seed: int) -> xr.DataArray:
    """Draw the rate each group will show in its next ``trials`` trials.

    Introduced in ``notebooks/07_real_data.ipynb``.

    For every posterior draw of a group's rate ``p``, draws ``Binomial(n, p) / n``: the
    prediction carries both the uncertainty about ``p`` and the luck of ``n`` new trials.

    Parameters
    ----------
    rates : xarray.DataArray
        Draws of the rates with dims ``(chain, draw, group)``, as from :func:`rate_draws`.
    trials : pandas.Series
        Number of new trials of each group, indexed by the group labels.
    random_seed : int
        Seed of the binomial draws.

    Returns
    -------
    xarray.DataArray
        Predicted rates, same dims as ``rates``.

    Raises
    ------
    ValueError
        If a label of ``rates`` has no entry in ``trials`` or a count is not positive.

    Examples
    --------
    >>> p = xr.DataArray(np.full((1, 2000, 1), 0.25), dims=("chain", "draw", "g"),
    ...                  coords={"g": ["x"]})
    >>> round(float(predict_rates(p, pd.Series({"x": 400}), random_seed=1).std()), 2)
    0.02
    """
    dim = [d for d in rates.dims if d not in SAMPLE_DIMS]
    if len(dim) != 1:
        raise ValueError(f"rates must have one group dim besides chain and draw, has {dim}")
    labels = [str(label) for label in rates[dim[0]].to_numpy()]
    n = pd.Series(trials).reindex(labels)
    if n.isna().any():
        raise ValueError(f"trials has no entry for {n.index[n.isna()][0]!r}")
    if (n <= 0).any():
        raise ValueError("trials must be positive")
    counts = xr.DataArray(n.to_numpy(dtype="int64"), dims=dim, coords={dim[0]: rates[dim[0]]})
    p, n_b = xr.broadcast(rates, counts)
    hits = np.random.default_rng(random_seed).binomial(n_b.to_numpy(), p.to_numpy())
    return (p.copy(data=hits) / counts).rename("predicted_rate")


def heldout_log_score(rates: xr.DataArray, successes: pd.Series, trials: pd.Series) -> pd.Series:
    """Log predictive density of held-out successes, one value per group.

    Introduced in ``notebooks/07_real_data.ipynb``.

    ``log mean_s Binomial(k | n, p_s)`` over the posterior draws ``p_s`` of each group's
    rate: the held-out counterpart of the ELPD that LOO estimates. Higher is better; sum
    over groups for a model's total.

    Parameters
    ----------
    rates : xarray.DataArray
        Draws with dims ``(chain, draw, group)``.
    successes, trials : pandas.Series
        Held-out successes and trials of each group, indexed by group label.

    Returns
    -------
    pandas.Series
        Log predictive density per group.

    Examples
    --------
    >>> p = xr.DataArray(np.full((1, 10, 1), 0.5), dims=("chain", "draw", "g"),
    ...                  coords={"g": ["x"]})
    >>> round(float(heldout_log_score(p, pd.Series({"x": 1}), pd.Series({"x": 2}))["x"]), 3)
    -0.693
    """
    dim = [d for d in rates.dims if d not in SAMPLE_DIMS]
    if len(dim) != 1:
        raise ValueError(f"rates must have one group dim besides chain and draw, has {dim}")
    labels = [str(label) for label in rates[dim[0]].to_numpy()]
    k = pd.Series(successes).reindex(labels)
    n = pd.Series(trials).reindex(labels)
    if k.isna().any() or n.isna().any():
        raise ValueError("successes and trials need an entry for every group of rates")
    draws = stack_draws(rates).transpose("sample", dim[0]).to_numpy()
    logp = stats.binom.logpmf(k.to_numpy(), n.to_numpy(), draws)
    score = special.logsumexp(logp, axis=0) - np.log(draws.shape[0])
    return pd.Series(score, index=pd.Index(labels, name=dim[0]), name="heldout_lpd")


def trials_to_match(rate: float | np.ndarray, sd: float | np.ndarray) -> float | np.ndarray:
    """Trials a group needs on its own (no pooling) to estimate its rate with a given sd.

    Introduced in ``notebooks/07_real_data.ipynb``.

    A rate estimated from ``n`` trials has sd about ``sqrt(p (1 - p) / n)``, so reaching
    ``sd`` takes ``p (1 - p) / sd ** 2`` trials: the binomial version of
    :func:`companion.exact.rows_to_match`.

    Parameters
    ----------
    rate : float or numpy.ndarray
        The rate ``p``, strictly between 0 and 1.
    sd : float or numpy.ndarray
        Target standard deviation (positive).

    Returns
    -------
    float or numpy.ndarray
        Number of trials (not rounded).

    Raises
    ------
    ValueError
        If a rate is not in (0, 1) or an sd is not positive.

    Examples
    --------
    >>> round(trials_to_match(0.25, 0.02), 1)
    468.8
    """
    p = np.asarray(rate, dtype=float)
    s = np.asarray(sd, dtype=float)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError(f"rate must be strictly between 0 and 1, got {rate!r}")
    if np.any(s <= 0):
        raise ValueError(f"sd must be positive, got {sd!r}")
    result = p * (1 - p) / s**2
    return float(result) if result.ndim == 0 else result
