"""Seeded simulators with known true parameters.

Every simulator takes keyword-only options and a ``random_seed``, and returns the simulated
data frame together with the true parameters, so that a notebook can fit a model and check
that it recovers the truth:

- :func:`simulate_levels` and :func:`simulate_long_tail`: ``y = a[level] + b x + noise``
  (notebooks 00-03);
- :func:`simulate_coins`: coin flips from a nested mint (notebook 04);
- :func:`simulate_retail`: weekly sales of products with crossed attributes (notebook 06);
- :func:`simulate_scenario`: the worlds of :data:`SCENARIOS`, where pooling choices are
  compared (notebook 08).

Introduced in ``notebooks/00_why_hierarchical.ipynb``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from companion.validate import check_positive

__all__ = [
    "COIN_HIERARCHY",
    "DEFAULT_LEVEL_SD",
    "RETAIL_ATTRIBUTES",
    "RETAIL_LEVELS",
    "CoinTruth",
    "LevelTruth",
    "RetailTruth",
    "SCENARIOS",
    "Scenario",
    "allocate_rows",
    "simulate_coins",
    "simulate_levels",
    "simulate_long_tail",
    "simulate_retail",
    "simulate_scenario",
]


@dataclass(frozen=True)
class LevelTruth:
    """True parameters of ``y = a[level] + b * x + noise``.

    Returned by :func:`simulate_levels`; introduced in ``notebooks/00_why_hierarchical.ipynb``.

    Attributes
    ----------
    a : pandas.Series
        True intercept of each level, indexed by level label.
    w : float
        Population mean the intercepts were drawn around.
    tau : float
        Population spread (standard deviation) of the intercepts.
    b : float
        Slope of the continuous predictor ``x``.
    sigma : float
        Standard deviation of the observation noise.
    counts : pandas.Series
        Number of rows of each level.
    """

    a: pd.Series
    w: float
    tau: float
    b: float
    sigma: float
    counts: pd.Series


def allocate_rows(n_rows: int, shares: Sequence[float]) -> np.ndarray:
    """Split ``n_rows`` rows into groups whose sizes follow ``shares`` as closely as integers can.

    Not called in the notebooks; :func:`simulate_levels`, :func:`simulate_long_tail` use it.

    Uses the largest-remainder rule and gives every group at least one row.

    Parameters
    ----------
    n_rows : int
        Total number of rows; at least the number of groups.
    shares : sequence of float
        Positive shares; they are normalised to sum to one.

    Returns
    -------
    numpy.ndarray
        Integer group sizes summing to ``n_rows``.

    Raises
    ------
    ValueError
        If a share is not positive or ``n_rows`` is smaller than the number of groups.

    Examples
    --------
    >>> allocate_rows(500, [0.01, 0.29, 0.70]).tolist()
    [5, 145, 350]
    """
    shares = np.asarray(shares, dtype=float)
    if shares.ndim != 1 or shares.size == 0 or np.any(~np.isfinite(shares)) or np.any(shares <= 0):
        raise ValueError(f"shares must be positive numbers, got {shares.tolist()}")
    if n_rows < shares.size:
        raise ValueError(f"n_rows={n_rows} is smaller than the number of groups ({shares.size})")
    shares = shares / shares.sum()
    raw = shares * n_rows
    counts = np.floor(raw).astype(int)
    remainder = n_rows - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:remainder]] += 1
    while np.any(counts == 0):
        counts[np.argmax(counts)] -= 1
        counts[np.argmin(counts)] += 1
    return counts


def _simulate(
    counts: np.ndarray,
    labels: list[str],
    *,
    w: float,
    tau: float,
    b: float,
    sigma: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, LevelTruth]:
    a = w + tau * rng.standard_normal(len(labels))
    level_idx = np.repeat(np.arange(len(labels)), counts)
    level_idx = level_idx[rng.permutation(level_idx.size)]
    x = rng.standard_normal(level_idx.size)
    y = a[level_idx] + b * x + sigma * rng.standard_normal(level_idx.size)
    data = pd.DataFrame(
        {
            "level": pd.array(np.asarray(labels)[level_idx], dtype="string"),
            "x": x.round(6),
            "y": y.round(6),
        }
    )
    truth = LevelTruth(
        a=pd.Series(a, index=pd.Index(labels, name="level"), name="a"),
        w=float(w),
        tau=float(tau),
        b=float(b),
        sigma=float(sigma),
        counts=pd.Series(counts, index=pd.Index(labels, name="level"), name="rows"),
    )
    return data, truth


def simulate_levels(
    n_rows: int = 500,
    *,
    shares: Sequence[float] = (0.01, 0.29, 0.70),
    w: float = 5.0,
    tau: float = 1.0,
    b: float = 0.5,
    sigma: float = 2.0,
    random_seed: int = 0,
) -> tuple[pd.DataFrame, LevelTruth]:
    """Simulate ``y = a[level] + b * x + noise`` with imbalanced levels.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    The intercepts are drawn as ``a[h] ~ Normal(w, tau)``, the predictor as
    ``x ~ Normal(0, 1)`` and the noise as ``Normal(0, sigma)``. By default the three levels
    ``h1``, ``h2``, ``h3`` hold 1%, 29% and 70% of the rows, as in the forum thread.

    Parameters
    ----------
    n_rows : int, default 500
        Number of rows.
    shares : sequence of float, default (0.01, 0.29, 0.70)
        Share of the rows in each level, in level order (``h1``, ``h2``, ...).
    w, tau : float
        Population mean and spread of the intercepts.
    b : float
        Slope of ``x``.
    sigma : float
        Noise standard deviation.
    random_seed : int
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    data : pandas.DataFrame
        Columns ``level`` (string), ``x`` and ``y`` (float), rows in random order.
    truth : LevelTruth
        The true parameters.

    Raises
    ------
    ValueError
        If ``tau`` or ``sigma`` is not positive, or a share is not positive.

    Examples
    --------
    >>> data, truth = simulate_levels(random_seed=1)
    >>> data["level"].value_counts().sort_index().tolist()
    [5, 145, 350]
    >>> truth.counts.to_dict()
    {'h1': 5, 'h2': 145, 'h3': 350}
    """
    check_positive(tau, name="tau")
    check_positive(sigma, name="sigma")
    counts = allocate_rows(n_rows, shares)
    labels = [f"h{k + 1}" for k in range(len(counts))]
    return _simulate(
        counts, labels, w=w, tau=tau, b=b, sigma=sigma, rng=np.random.default_rng(random_seed)
    )


def simulate_long_tail(
    n_rows: int = 600,
    *,
    n_levels: int = 20,
    exponent: float = 1.3,
    w: float = 5.0,
    tau: float = 1.0,
    b: float = 0.5,
    sigma: float = 2.0,
    random_seed: int = 0,
) -> tuple[pd.DataFrame, LevelTruth]:
    """Simulate the same regression with many levels whose sizes follow a long tail.

    It makes ``data/levels_long_tail.csv`` (:func:`companion.data.load_long_tail`), a data set
    for a learner's own exploration; no notebook calls it.

    Level ``k`` (counting from 1) gets a share proportional to ``k ** -exponent``, so a few
    levels hold most rows and many hold only a handful.

    Parameters
    ----------
    n_rows : int, default 600
        Number of rows.
    n_levels : int, default 20
        Number of levels, labelled ``L01``, ``L02``, ...
    exponent : float, default 1.3
        How fast the shares fall with rank; larger means a longer tail.
    w, tau, b, sigma, random_seed
        As in :func:`simulate_levels`.

    Returns
    -------
    data : pandas.DataFrame
        Columns ``level``, ``x``, ``y``.
    truth : LevelTruth
        The true parameters.

    Examples
    --------
    >>> data, truth = simulate_long_tail(random_seed=2)
    >>> int(truth.counts.iloc[0]) > 10 * int(truth.counts.iloc[-1])
    True
    """
    check_positive(tau, name="tau")
    check_positive(sigma, name="sigma")
    check_positive(exponent, name="exponent")
    if n_levels < 2:
        raise ValueError(f"n_levels must be at least 2, got {n_levels}")
    shares = np.arange(1, n_levels + 1, dtype=float) ** -exponent
    counts = allocate_rows(n_rows, shares)
    labels = [f"L{k + 1:02d}" for k in range(n_levels)]
    return _simulate(
        counts, labels, w=w, tau=tau, b=b, sigma=sigma, rng=np.random.default_rng(random_seed)
    )


#: The nesting of the course's coin data, from the top level down.
COIN_HIERARCHY: tuple[str, ...] = ("region", "factory", "line", "coin")

#: True spreads (sd of the log-odds deviation) that :func:`simulate_coins` uses by default.
DEFAULT_LEVEL_SD: dict[str, float] = {"region": 0.15, "factory": 0.2, "line": 0.5, "coin": 0.15}


@dataclass(frozen=True)
class CoinTruth:
    """True parameters behind a :func:`simulate_coins` table.

    Returned by :func:`simulate_coins`; introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    Attributes
    ----------
    mu : float
        Log-odds of heads of the average coin.
    level_sd : dict of str to float
        Spread (standard deviation of the log-odds deviation) added at each level.
    logit : dict of str to pandas.Series
        Log-odds of heads of every group at every level (a line's value is the average
        log-odds of the coins it makes), indexed by label.
    p : pandas.Series
        Probability of heads of every coin.
    """

    mu: float
    level_sd: dict[str, float]
    logit: dict[str, pd.Series]
    p: pd.Series


def _counts(
    rng: np.random.Generator, n: int, bounds: int | tuple[int, int], name: str
) -> np.ndarray:
    low, high = (bounds, bounds) if isinstance(bounds, int) else tuple(bounds)
    if not (1 <= low <= high):
        raise ValueError(f"{name} must be a count >= 1 or a range (low, high), got {bounds!r}")
    return rng.integers(low, high + 1, size=n)


def simulate_coins(
    *,
    n_regions: int = 3,
    n_factories: int | tuple[int, int] = (2, 4),
    n_lines: int | tuple[int, int] = (1, 4),
    n_coins: int | tuple[int, int] = (2, 8),
    n_flips: tuple[int, int] = (3, 400),
    mu: float = 0.0,
    level_sd: Mapping[str, float] | None = None,
    labels: str = "path",
    random_seed: int = 0,
) -> tuple[pd.DataFrame, CoinTruth]:
    """Simulate coin flips from a nested mint: regions, factories, assembly lines, coins.

    Introduced in ``notebooks/04_nested_coin_mints.ipynb``.

    Each level adds a normal deviation to the log-odds of heads: ``region ~ Normal(mu,
    sigma_region)``, ``factory ~ Normal(region, sigma_factory)``, ``line ~ Normal(factory,
    sigma_line)``, ``coin ~ Normal(line, sigma_coin)``, and ``heads ~ Binomial(flips,
    invlogit(coin))``. The number of factories per region, lines per factory and coins per
    line are drawn uniformly from their ranges, and each coin's number of flips log-uniformly
    from ``n_flips``, so some coins are flipped a handful of times and some hundreds.

    Parameters
    ----------
    n_regions : int, default 3
        Number of regions.
    n_factories, n_lines, n_coins : int or tuple of (int, int)
        Number (or inclusive range) of factories per region, lines per factory, coins per line.
    n_flips : tuple of (int, int), default (3, 400)
        Smallest and largest number of flips of a coin.
    mu : float, default 0.0
        Log-odds of heads of the average coin (0 is a fair coin).
    level_sd : mapping of str to float, optional
        Spread added at each level (keys ``region``, ``factory``, ``line``, ``coin``);
        missing keys take the defaults 0.15, 0.2, 0.5, 0.15 (the lines vary most).
    labels : {"path", "local"}, default "path"
        ``"path"`` writes labels unique by path (``R1/F2/L1``); ``"local"`` restarts the
        numbering within each parent (``F2``, ``L1``), as many real tables do.
    random_seed : int, default 0
        Seed of the random generator.

    Returns
    -------
    data : pandas.DataFrame
        One row per coin: ``region``, ``factory``, ``line``, ``coin`` (labels), ``flips``,
        ``heads`` (counts).
    truth : CoinTruth
        The true log-odds at every level and each coin's probability of heads (indexed by
        path labels whatever ``labels`` is).

    Raises
    ------
    ValueError
        If a count, range, spread or ``labels`` is invalid.

    Examples
    --------
    >>> data, truth = simulate_coins(random_seed=1)
    >>> list(data.columns)
    ['region', 'factory', 'line', 'coin', 'flips', 'heads']
    >>> bool((data["heads"] <= data["flips"]).all()), data["region"].nunique()
    (True, 3)
    >>> sorted(truth.logit) == sorted(COIN_HIERARCHY)
    True
    """
    if labels not in ("path", "local"):
        raise ValueError(f"labels must be 'path' or 'local', got {labels!r}")
    spread = dict(DEFAULT_LEVEL_SD)
    for key, value in (level_sd or {}).items():
        if key not in spread:
            raise ValueError(f"level_sd has unknown level {key!r}; levels: {list(COIN_HIERARCHY)}")
        spread[key] = value
    for key, value in spread.items():
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"level_sd[{key!r}] must be a number >= 0, got {value!r}")
    low, high = n_flips
    if not (1 <= low <= high):
        raise ValueError(
            f"n_flips must be a range (low, high) with 1 <= low <= high, got {n_flips}"
        )
    if n_regions < 1:
        raise ValueError(f"n_regions must be at least 1, got {n_regions}")
    rng = np.random.default_rng(random_seed)
    # Walk down the levels: each child gets its parent's index and a local number.
    parent = {"region": np.zeros(n_regions, dtype=int)}
    local = {"region": np.arange(n_regions) + 1}
    for level, above, bounds in (
        ("factory", "region", n_factories),
        ("line", "factory", n_lines),
        ("coin", "line", n_coins),
    ):
        per_parent = _counts(rng, len(local[above]), bounds, f"n_{level}s")
        parent[level] = np.repeat(np.arange(len(local[above])), per_parent)
        local[level] = np.concatenate([np.arange(k) + 1 for k in per_parent])
    prefix = {"region": "R", "factory": "F", "line": "L", "coin": "C"}
    width = {"region": 1, "factory": 1, "line": 1, "coin": 2}
    short = {
        level: np.array([f"{prefix[level]}{k:0{width[level]}d}" for k in local[level]])
        for level in COIN_HIERARCHY
    }
    path = {"region": short["region"]}
    for above, level in zip(COIN_HIERARCHY[:-1], COIN_HIERARCHY[1:], strict=True):
        path[level] = np.char.add(np.char.add(path[above][parent[level]], "/"), short[level])
    logit = {"region": mu + spread["region"] * rng.standard_normal(n_regions)}
    for above, level in zip(COIN_HIERARCHY[:-1], COIN_HIERARCHY[1:], strict=True):
        n = len(local[level])
        logit[level] = logit[above][parent[level]] + spread[level] * rng.standard_normal(n)
    total = len(local["coin"])
    flips = np.round(np.exp(rng.uniform(np.log(low), np.log(high), total))).astype(int)
    p = 1.0 / (1.0 + np.exp(-logit["coin"]))
    heads = rng.binomial(flips, p)
    # Ancestors of every coin at every level.
    ancestor = {"coin": np.arange(total)}
    for above, level in zip(COIN_HIERARCHY[-2::-1], COIN_HIERARCHY[:0:-1], strict=True):
        ancestor[above] = parent[level][ancestor[level]]
    names = path if labels == "path" else short
    data = pd.DataFrame(
        {level: pd.array(names[level][ancestor[level]], dtype="string") for level in COIN_HIERARCHY}
    )
    data["flips"] = flips.astype("int64")
    data["heads"] = heads.astype("int64")
    truth = CoinTruth(
        mu=float(mu),
        level_sd={k: float(v) for k, v in spread.items()},
        logit={
            level: pd.Series(logit[level], index=pd.Index(path[level], name=level), name="logit")
            for level in COIN_HIERARCHY
        },
        p=pd.Series(p, index=pd.Index(path["coin"], name="coin"), name="p"),
    )
    return data, truth


#: Level labels of each simulated attribute. ``price_band`` is simulated but left out of
#: :mod:`companion.retail`'s default model, so that a learner can add it (exercise 06-2).
RETAIL_LEVELS: dict[str, tuple[str, ...]] = {
    "colour": ("black", "blue", "green", "grey", "pink", "red", "white", "yellow"),
    "brand": ("alder", "birch", "cedar", "elm", "fir", "hazel", "larch", "maple", "oak", "rowan"),
    "category": ("dress", "jacket", "shirt", "shoes", "trousers"),
    "price_band": ("budget", "mid", "premium"),
}

#: The attributes the retail builders use by default.
RETAIL_ATTRIBUTES: tuple[str, ...] = ("colour", "brand", "category")


@dataclass(frozen=True)
class RetailTruth:
    """True parameters behind :func:`simulate_retail`.

    Returned by :func:`simulate_retail`; introduced in ``notebooks/06_retail_demand.ipynb``.

    Attributes
    ----------
    intercept : float
        Log expected weekly units of an average product.
    effects : dict of str to pandas.Series
        Effect of each attribute level on the log scale, summing to zero over the levels
        (``price_band`` included).
    sd : dict of str to float
        Spread the colour, brand and category effects were drawn with, and ``"product"`` for
        the products' own deviations.
    alpha : float
        Negative binomial shape: weekly sales have variance ``mu + mu**2 / alpha``.
    products : pandas.DataFrame
        One row per product (indexed by label): attributes, ``log_demand`` (true log expected
        weekly units), ``launch_week`` and ``history_weeks`` (weeks of sales before the
        held-out block).
    last_train_week : int
        Last week before the held-out block.
    """

    intercept: float
    effects: dict[str, pd.Series]
    sd: dict[str, float]
    alpha: float
    products: pd.DataFrame
    last_train_week: int


def simulate_retail(
    n_products: int = 200,
    n_weeks: int = 52,
    *,
    holdout_weeks: int = 8,
    history_power: float = 2.5,
    intercept: float = 1.8,
    sd: dict[str, float] | None = None,
    price_step: float = 0.3,
    alpha: float = 4.0,
    random_seed: int = 0,
) -> tuple[pd.DataFrame, RetailTruth]:
    """Simulate weekly unit sales of a catalogue of products with colour, brand and category.

    Introduced in ``notebooks/06_retail_demand.ipynb``.

    Each product ``p`` has a constant expected demand
    ``log mu[p] = intercept + colour[c] + brand[b] + category[k] + price_band[q] + product[p]``,
    with the colour, brand and category effects drawn from ``Normal(0, sd[attribute])`` and
    centred to sum to zero, the price band's fixed (``+price_step`` for ``budget``, 0 for
    ``mid``, ``-price_step`` for ``premium``: cheaper products sell more units), and the
    product's own deviation drawn from ``Normal(0, sd["product"])``. Its weekly
    sales are ``NegativeBinomial(mu[p], alpha)``. The products are launched at different
    weeks: weeks of history before the held-out block follow a long tail,
    ``ceil(n_train * u ** history_power)`` with ``u ~ Uniform(0, 1)``, so many products have
    only a few weeks. Every product is sold through the last ``holdout_weeks`` weeks, which a
    forecast is scored on.

    Parameters
    ----------
    n_products : int, default 200
        Number of products, labelled ``P001``, ``P002``, ...
    n_weeks : int, default 52
        Number of weeks, numbered from 1; the last ``holdout_weeks`` are held out.
    holdout_weeks : int, default 8
        Length of the final block of weeks.
    history_power : float, default 2.5
        Larger means more products with a short history (with 44 training weeks, 2.5 gives
        about 38% with at most 4 weeks).
    intercept : float, default 1.8
        Log expected weekly units of an average product (about 6 units).
    sd : dict of str to float, optional
        Spreads of the effects, keys ``colour``, ``brand``, ``category`` and ``product``;
        defaults 0.4, 0.5, 0.6 and 0.25.
    price_step : float, default 0.3
        Log-scale gap in demand between neighbouring price bands.
    alpha : float, default 4.0
        Negative binomial shape (smaller means more over-dispersion).
    random_seed : int
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    data : pandas.DataFrame
        Columns ``product``, ``colour``, ``brand``, ``category``, ``price_band`` (text),
        ``week`` and ``sales`` (whole numbers), sorted by product and week.
    truth : RetailTruth
        The true parameters.

    Raises
    ------
    ValueError
        If a size is too small or a spread, ``alpha`` or ``history_power`` is not positive.

    Examples
    --------
    >>> data, truth = simulate_retail(random_seed=1)
    >>> data["product"].nunique(), int(data["week"].max()), truth.last_train_week
    (200, 52, 44)
    >>> bool((truth.products["history_weeks"] <= 4).mean() > 0.25)
    True
    """
    spreads = {"colour": 0.4, "brand": 0.5, "category": 0.6, "product": 0.25}
    unknown = set(sd or {}) - set(spreads)
    if unknown:
        raise ValueError(f"sd has unknown key(s) {sorted(unknown)}; use {sorted(spreads)}")
    spreads.update(sd or {})
    for name, value in {**spreads, "alpha": alpha, "history_power": history_power}.items():
        check_positive(value, name=name)
    if not np.isfinite(price_step):
        raise ValueError(f"price_step must be a finite number, got {price_step!r}")
    if n_products < 2:
        raise ValueError(f"n_products must be at least 2, got {n_products}")
    if holdout_weeks < 1 or n_weeks - holdout_weeks < 2:
        raise ValueError(
            f"need holdout_weeks >= 1 and at least 2 weeks before them; got n_weeks={n_weeks}, "
            f"holdout_weeks={holdout_weeks}"
        )
    rng = np.random.default_rng(random_seed)
    n_train = n_weeks - holdout_weeks
    width = len(str(n_products))
    labels = [f"P{k:0{width}d}" for k in range(1, n_products + 1)]
    effects, columns = {}, {}
    log_demand = np.full(n_products, float(intercept))
    for attribute, levels in RETAIL_LEVELS.items():
        if attribute == "price_band":
            raw = np.array([price_step, 0.0, -price_step])
        else:
            raw = rng.normal(0.0, spreads[attribute], len(levels))
        effects[attribute] = pd.Series(
            raw - raw.mean(), index=pd.Index(levels, name=attribute), name=attribute
        )
        # Balanced: every level appears about equally often, in random order.
        columns[attribute] = rng.permutation(np.resize(np.asarray(levels), n_products))
        log_demand += effects[attribute].loc[columns[attribute]].to_numpy()
    log_demand += spreads["product"] * rng.standard_normal(n_products)
    history = np.ceil(n_train * rng.uniform(size=n_products) ** history_power).astype(int)
    history = np.clip(history, 1, n_train)
    launch = n_train - history + 1
    weeks = [np.arange(start, n_weeks + 1) for start in launch]
    rows = np.repeat(np.arange(n_products), [len(w) for w in weeks])
    mu = np.exp(log_demand[rows])
    sales = rng.negative_binomial(alpha, alpha / (alpha + mu))
    data = pd.DataFrame(
        {
            "product": pd.array(np.asarray(labels)[rows], dtype="string"),
            **{a: pd.array(columns[a][rows], dtype="string") for a in RETAIL_LEVELS},
            "week": np.concatenate(weeks).astype("int64"),
            "sales": sales.astype("int64"),
        }
    )
    products = pd.DataFrame(
        {
            **{a: columns[a] for a in RETAIL_LEVELS},
            "log_demand": log_demand,
            "launch_week": launch,
            "history_weeks": history,
        },
        index=pd.Index(labels, name="product"),
    )
    truth = RetailTruth(
        intercept=float(intercept),
        effects=effects,
        sd=dict(spreads),
        alpha=float(alpha),
        products=products,
        last_train_week=int(n_train),
    )
    return data, truth


@dataclass(frozen=True)
class Scenario:
    """A simulated world: ``groups`` groups of ``rows`` rows each.

    The worlds of ``notebooks/08_is_it_worth_it.ipynb``.

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


#: The three worlds of ``notebooks/08_is_it_worth_it.ipynb``.
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


def simulate_scenario(
    scenario: str | Scenario, *, random_seed: int
) -> tuple[pd.DataFrame, LevelTruth]:
    """Simulate one world of :data:`SCENARIOS` (or any :class:`Scenario`).

    Introduced in ``notebooks/08_is_it_worth_it.ipynb``.

    Parameters
    ----------
    scenario : str or Scenario
        A key of :data:`SCENARIOS` or a scenario.
    random_seed : int
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
    >>> data, truth = simulate_scenario("identical", random_seed=1)
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
    check_positive(s.sigma, name="sigma")
    rng = np.random.default_rng(random_seed)
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
