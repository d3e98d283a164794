"""Weekly retail demand: the sales table, its validation and three model builders.

The forum thread's last question: a probabilistic forecast of weekly demand for many products
whose attributes (colour, brand, category) link them, so that the blue shirt's sales inform
the red shirt's. The builders take a data frame of weekly unit sales, one row per product and
week, plus the names of its columns, and return a ``pm.Model`` whose dims are named after
those columns:

The course's table is loaded by :func:`load_retail` (simulated by
:func:`companion.simulate.simulate_retail`) and checked by :func:`validate_sales`.

1. :func:`no_pooling_model`, one expected demand per product, each learnt from that product's
   own weeks only (a wide prior, nothing shared);
2. :func:`attribute_model`, the thread's snippet ``beta_mu ~ Normal(0, 1)``,
   ``beta ~ Normal(beta_mu, 1)`` with one entry per colour;
3. :func:`crossed_model`, crossed attribute effects (colour + brand + category + product) on
   the log of expected demand.

All three use a negative binomial likelihood, whose variance ``mu + mu**2 / alpha`` exceeds the
Poisson's: weekly sales are over-dispersed. Every week of one product (of one colour, in the
attribute model) has the same expected demand, so the builders compute the log-likelihood of
the observed sales from each group's number of weeks and total sales, and the count of each
distinct weekly value: the same number as the sum over rows, at a cost per evaluation that
grows with the number of products rather than of rows. It is one number for the whole table
(``pm.compute_log_likelihood`` has no per-row values to give). Forecasts, scores and the fan
chart live in :mod:`companion.forecast`. Introduced in ``notebooks/06_retail_demand.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
from pymc.distributions.dist_math import check_parameters
from pytensor.graph.basic import Variable
from scipy.special import gammaln

from companion.data import read_csv
from companion.simulate import RETAIL_ATTRIBUTES, RETAIL_LEVELS
from companion.validate import as_list, encode_levels, group_levels, validate_frame

__all__ = [
    "PRIORS",
    "SCHEMA",
    "attribute_model",
    "load_retail",
    "model_kind",
    "crossed_model",
    "negative_binomial_logp",
    "no_pooling_model",
    "product_table",
    "split_holdout",
    "validate_sales",
]

#: Columns of ``data/retail.csv`` and their kinds (see :func:`companion.data.validate_frame`).
SCHEMA: dict[str, str] = {
    "product": "string",
    **dict.fromkeys(RETAIL_LEVELS, "string"),
    "week": "int",
    "sales": "count",
}

#: Prior scales of the builders (all on the log scale of expected weekly units).
PRIORS: dict[str, float] = {
    "unpooled_sd": 3.0,  # no pooling: log_demand[p] ~ Normal(0, 3)
    "intercept_sd": 2.5,  # crossed: intercept ~ Normal(0, 2.5)
    "effect_sd": 1.0,  # crossed: {attribute}_sd ~ HalfNormal(1), product_sd ~ HalfNormal(1)
    "alpha_shape": 2.0,  # alpha ~ Gamma(2, 0.1): mean 20, allows strong over-dispersion
    "alpha_rate": 0.1,
}


def _columns(
    outcome: str, product: str, attributes: Sequence[str], week: str
) -> tuple[str, str, list[str], str]:
    attributes = as_list(attributes)
    names = [outcome, product, *attributes, week]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"column {repeated[0]!r} is given for two different roles")
    return outcome, product, attributes, week


def validate_sales(
    data: pd.DataFrame,
    *,
    outcome: str = "sales",
    product: str = "product",
    attributes: str | Sequence[str] = RETAIL_ATTRIBUTES,
    week: str = "week",
    source: str = "data",
) -> pd.DataFrame:
    """Check a table of weekly sales: columns, counts, one attribute value per product, no gaps.

    Not called in the notebooks; :func:`attribute_model`, :func:`crossed_model`,
    :func:`load_retail`, :func:`no_pooling_model`, :func:`product_table` use it.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per product and week.
    outcome : str, default "sales"
        Column of weekly units sold: whole numbers >= 0.
    product : str, default "product"
        Column of product labels.
    attributes : str or sequence of str, default ("colour", "brand", "category")
        Columns of product attributes (text labels, constant within a product).
    week : str, default "week"
        Column of week numbers (whole numbers).
    source : str, default "data"
        Name of the table, for error messages.

    Returns
    -------
    pandas.DataFrame
        A copy with only these columns, labels as strings and numbers as ``int64``, sorted by
        product and week.

    Raises
    ------
    ValueError
        On a missing column or value, negative or non-integer sales, a product whose
        attributes change, two rows for one product and week, or a missing week inside a
        product's history (a week without sales is a row with 0, not a missing row).

    Examples
    --------
    >>> frame = pd.DataFrame(
    ...     {"product": ["a", "a", "b"], "colour": ["red", "red", "blue"],
    ...      "week": [1, 3, 1], "sales": [4, 2, 0]}
    ... )
    >>> validate_sales(frame, attributes="colour")
    Traceback (most recent call last):
    ...
    ValueError: data: product 'a' has no row for week 2 (its rows run from week 1 to week 3); record a week without sales as a row with 0
    >>> validate_sales(frame.assign(sales=[4, -1, 0]), attributes="colour")
    Traceback (most recent call last):
    ...
    ValueError: data: column 'sales' holds counts, found negative value -1 at row 1
    """
    outcome, product, attributes, week = _columns(outcome, product, attributes, week)
    schema = {
        product: "string",
        **dict.fromkeys(attributes, "string"),
        week: "int",
        outcome: "count",
    }
    frame = validate_frame(data, schema, source=source)
    frame = frame.sort_values([product, week], kind="stable").reset_index(drop=True)
    groups = frame.groupby(product, sort=True)
    for attribute in attributes:
        distinct = groups[attribute].nunique()
        if (distinct > 1).any():
            label = distinct.index[np.flatnonzero(distinct.to_numpy() > 1)[0]]
            values = sorted(frame.loc[frame[product] == label, attribute].unique())
            raise ValueError(
                f"{source}: product {label!r} has {len(values)} different values in column "
                f"{attribute!r} ({', '.join(map(repr, values))}); a product's attributes must "
                "not change"
            )
    twice = frame.duplicated([product, week])
    if twice.any():
        row = frame.loc[twice.to_numpy()].iloc[0]
        raise ValueError(
            f"{source}: product {row[product]!r} has more than one row for {week} {row[week]}"
        )
    first, last, count = groups[week].min(), groups[week].max(), groups[week].size()
    gappy = (last - first + 1) != count
    if gappy.any():
        label = gappy.index[np.flatnonzero(gappy.to_numpy())[0]]
        present = set(frame.loc[frame[product] == label, week])
        missing = min(set(range(first[label], last[label] + 1)) - present)
        raise ValueError(
            f"{source}: product {label!r} has no row for {week} {missing} (its rows run from "
            f"{week} {first[label]} to {week} {last[label]}); record a {week} without sales as "
            "a row with 0"
        )
    return frame


def load_retail(path: str | Path = "retail.csv") -> pd.DataFrame:
    """Load the simulated weekly unit sales of 200 products (``data/retail.csv``).

    Checks the columns, the counts (whole, not negative), the attribute labels, one set of
    attributes per product and no missing week inside a product's history, see
    :func:`validate_sales`. The file is written from its seed by
    :func:`companion.data.regenerate`. Introduced in ``notebooks/06_retail_demand.ipynb``.

    Parameters
    ----------
    path : str or pathlib.Path, default ``"retail.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        One row per product and week: ``product``, ``colour``, ``brand``, ``category``,
        ``price_band`` (labels), ``week`` (1 to 52) and ``sales`` (units), sorted by product
        and week.

    Raises
    ------
    ValueError
        If a column is missing, a value is invalid, or a product's weeks have a gap.

    Examples
    --------
    >>> sales = load_retail()
    >>> sales["product"].nunique(), int(sales["week"].max())
    (200, 52)
    """
    table = read_csv(path, SCHEMA, allowed=RETAIL_LEVELS)
    return validate_sales(table, attributes=list(RETAIL_LEVELS), source=Path(path).name)


def split_holdout(
    data: pd.DataFrame, *, holdout_weeks: int = 8, week: str = "week"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split sales into the weeks a model learns from and the final block it is scored on.

    Introduced in ``notebooks/06_retail_demand.ipynb``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per product and week.
    holdout_weeks : int, default 8
        Number of final weeks to hold out.
    week : str, default "week"
        Column of week numbers.

    Returns
    -------
    train, test : pandas.DataFrame
        Rows before the final ``holdout_weeks`` weeks, and rows in them.

    Raises
    ------
    ValueError
        If the column is missing or fewer than ``holdout_weeks + 1`` distinct weeks exist.

    Examples
    --------
    >>> frame = pd.DataFrame({"week": [1, 2, 3, 4, 4]})
    >>> [len(part) for part in split_holdout(frame, holdout_weeks=1)]
    [3, 2]
    """
    if week not in data.columns:
        raise ValueError(f"data: missing column {week!r}")
    weeks = np.sort(pd.unique(data[week].to_numpy()))
    if holdout_weeks < 1 or len(weeks) <= holdout_weeks:
        raise ValueError(
            f"holdout_weeks={holdout_weeks} needs at least {holdout_weeks + 1} distinct weeks; "
            f"the data has {len(weeks)}"
        )
    held = data[week] > weeks[-holdout_weeks - 1]
    return data.loc[~held].copy(), data.loc[held].copy()


def product_table(
    data: pd.DataFrame,
    *,
    outcome: str = "sales",
    product: str = "product",
    attributes: str | Sequence[str] = RETAIL_ATTRIBUTES,
    week: str = "week",
) -> pd.DataFrame:
    """One row per product: its attributes, weeks of history and mean weekly sales.

    Introduced in ``notebooks/06_retail_demand.ipynb``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per product and week; validated with :func:`validate_sales`.
    outcome, product, attributes, week
        Column names, as in :func:`validate_sales`.

    Returns
    -------
    pandas.DataFrame
        Indexed by product label (sorted), with the attribute columns, ``weeks`` and
        ``mean_sales``.

    Examples
    --------
    >>> frame = pd.DataFrame(
    ...     {"product": ["a", "a", "b"], "colour": ["red", "red", "blue"],
    ...      "week": [1, 2, 2], "sales": [4, 2, 0]}
    ... )
    >>> product_table(frame, attributes="colour")["weeks"].to_dict()
    {'a': 2, 'b': 1}
    """
    outcome, product, attributes, week = _columns(outcome, product, attributes, week)
    frame = validate_sales(data, outcome=outcome, product=product, attributes=attributes, week=week)
    groups = frame.groupby(product, sort=True)
    table = groups[attributes].first()
    table["weeks"] = groups[week].size()
    table["mean_sales"] = groups[outcome].mean()
    table.index = pd.Index(table.index.astype(str), name=product)
    return table


def negative_binomial_logp(value: object, mu: object, alpha: object) -> object:
    """Log-probability of the negative binomial with mean ``mu`` and shape ``alpha``.

    Not called in the notebooks: the per-row form of the retail models' likelihood, which they
    compute grouped by product (the tests compare the two).

    ``log p(y) = lgamma(y + alpha) - lgamma(alpha) - lgamma(y + 1)
    + alpha log(alpha / (mu + alpha)) + y log(mu / (mu + alpha))``: the same numbers as
    ``pm.NegativeBinomial.logp``, written in the mean form (PyMC's own goes through the
    ``(n, p)`` form and guards its Poisson limit). The builders sum it over the observed rows
    in a regrouped form, from per-product totals, which gives the same number.

    Parameters
    ----------
    value, mu, alpha : tensor-like
        Counts, means (> 0) and shape (> 0).

    Returns
    -------
    pytensor.tensor.TensorVariable
        Elementwise log-probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> direct = negative_binomial_logp(np.array([0, 3, 10]), 4.0, 2.0).eval()
    >>> exact = pm.logp(pm.NegativeBinomial.dist(mu=4.0, alpha=2.0), [0, 3, 10]).eval()
    >>> bool(np.allclose(direct, exact))
    True
    """
    # Plain numbers become float64 constants (PyTensor would store 60.0 as float32).
    value, mu, alpha = (
        x if isinstance(x, Variable) else pt.as_tensor_variable(np.asarray(x, dtype="float64"))
        for x in (value, mu, alpha)
    )
    return (
        pt.gammaln(value + alpha)
        - pt.gammaln(alpha)
        - pt.gammaln(value + 1)
        + alpha * pt.log(alpha)
        + value * pt.log(mu)
        - (value + alpha) * pt.log(mu + alpha)
    )


def _negative_binomial(log_mu: object, codes: object, alpha: object, size: object) -> object:
    return pm.NegativeBinomial.dist(mu=pt.exp(log_mu[codes]), alpha=alpha, size=size)


def _grouped_logp(counts: np.ndarray, codes: np.ndarray, n_groups: int) -> object:
    """Build the summed log-probability of ``counts`` (row ``i`` in group ``codes[i]``).

    Every row of a group has the same mean ``mu[g]`` and all share ``alpha``, so the sum over
    rows of :func:`negative_binomial_logp` regroups exactly into

    ``sum_k n_k lgamma(k + alpha) - N lgamma(alpha) - sum_i lgamma(y_i + 1)
    + N alpha log(alpha) + sum_g [S_g log(mu_g) - (S_g + N_g alpha) log(mu_g + alpha)]``

    with ``N_g`` and ``S_g`` the number of rows and the total of group ``g``, and ``n_k`` the
    number of rows with count ``k``: a cost per evaluation that grows with the number of
    groups and of distinct counts, not of rows.
    """
    counts = np.asarray(counts, dtype="int64")
    codes = np.asarray(codes, dtype="int64")
    rows = np.bincount(codes, minlength=n_groups).astype("float64")
    totals = np.bincount(codes, weights=counts, minlength=n_groups)
    distinct, times = np.unique(counts, return_counts=True)
    constant = float(gammaln(counts + 1.0).sum())

    def logp(value: object, log_mu: object, group: object, alpha: object) -> object:
        data = getattr(value, "data", None)
        if data is None or not np.array_equal(data, counts):
            raise NotImplementedError(
                "the retail models' likelihood is computed from per-group totals of the "
                "observed sales: it gives one number for the observed table, not one per "
                "row or for other values (use negative_binomial_logp for those)"
            )
        total = (
            (times * pt.gammaln(distinct + alpha)).sum()
            - len(counts) * (pt.gammaln(alpha) - alpha * pt.log(alpha))
            - constant
            + (totals * log_mu - (totals + rows * alpha) * pt.log(pt.exp(log_mu) + alpha)).sum()
        )
        # The totals were counted with the groups the model was built with: if the rows'
        # group codes change (pm.set_data, with_data), the log-density is -inf, not stale.
        same_groups = pt.all(pt.eq(group, codes)) & pt.eq(group.shape[0], codes.size)
        return check_parameters(total, same_groups, msg="groups of the observed rows changed")

    return logp


def _likelihood(
    frame: pd.DataFrame,
    log_mu: object,
    idx: object,
    codes: np.ndarray,
    n_groups: int,
    *,
    outcome: str,
) -> None:
    """``outcome[i] ~ NegativeBinomial(exp(log_mu[codes[i]]), alpha)``, one group per row.

    ``idx`` is the ``pm.Data`` holding ``codes``: it places new rows for predictions. The
    fit's log-probability is :func:`_grouped_logp` of the observed rows (exact; draws come
    from ``pm.NegativeBinomial``).
    """
    alpha = pm.Gamma("alpha", PRIORS["alpha_shape"], PRIORS["alpha_rate"])
    counts = frame[outcome].to_numpy()
    pm.CustomDist(
        outcome,
        log_mu,
        idx,
        alpha,
        dist=_negative_binomial,
        logp=_grouped_logp(counts, codes, n_groups),
        class_name="NegativeBinomial",
        observed=counts,
        dims="obs",
    )


def no_pooling_model(
    data: pd.DataFrame,
    *,
    outcome: str = "sales",
    product: str = "product",
    week: str = "week",
) -> pm.Model:
    """Build the no-pooling model: each product's demand learnt from its own weeks only.

    Introduced in ``notebooks/06_retail_demand.ipynb``.

    ``sales[p, t] ~ NegativeBinomial(exp(log_demand[p]), alpha)`` with
    ``log_demand[p] ~ Normal(0, 3)`` independently: a product with one week of history has
    one week of evidence and nothing else. Only the dispersion ``alpha`` is common, as the
    noise ``sigma`` is in notebook 02's unpooled model.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per product and week.
    outcome : str, default "sales"
        Column of weekly units sold.
    product : str, default "product"
        Column of product labels; it names the ``log_demand`` dim.
    week : str, default "week"
        Column of week numbers (checked for gaps, not modelled).

    Returns
    -------
    pymc.Model
        Dims ``obs`` and ``product``; data ``product_idx`` holds each row's product code.

    Raises
    ------
    ValueError
        As :func:`validate_sales`.

    Examples
    --------
    >>> from companion.simulate import simulate_retail
    >>> data, _ = simulate_retail(random_seed=1)
    >>> model = no_pooling_model(data)
    >>> len(model.coords["product"]), sorted(model.free_RVs, key=str)
    (200, [alpha, log_demand])
    """
    frame = validate_sales(data, outcome=outcome, product=product, attributes=(), week=week)
    levels = group_levels(frame, product).tolist()
    coords = {product: levels, "obs": np.arange(len(frame))}
    with pm.Model(coords=coords) as model:
        codes = encode_levels(frame[product], levels, column=product)
        idx = pm.Data(f"{product}_idx", codes, dims="obs")
        log_demand = pm.Normal("log_demand", 0.0, PRIORS["unpooled_sd"], dims=product)
        _likelihood(frame, log_demand, idx, codes, len(levels), outcome=outcome)
    return model


def attribute_model(
    data: pd.DataFrame,
    *,
    attribute: str = "colour",
    outcome: str = "sales",
    product: str = "product",
    week: str = "week",
    group_sd: float = 1.0,
) -> pm.Model:
    """Build the thread's model: one log demand ``beta`` per level of one attribute.

    Introduced in ``notebooks/06_retail_demand.ipynb``.

    ``beta_mu ~ Normal(0, 1)``, ``beta[c] ~ Normal(beta_mu, group_sd)`` and
    ``sales ~ NegativeBinomial(exp(beta[colour]), alpha)``: every product of a colour shares
    that colour's demand, and the colours share ``beta_mu``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per product and week.
    attribute : str, default "colour"
        The attribute column; it names the dim of ``beta``.
    outcome, product, week : str
        Column names, as in :func:`no_pooling_model`.
    group_sd : float, default 1.0
        Spread of ``beta`` around ``beta_mu`` (the thread's ``sigma=1``).

    Returns
    -------
    pymc.Model
        Dims ``obs`` and ``attribute``; data ``{attribute}_idx`` holds each row's level code.

    Raises
    ------
    ValueError
        As :func:`validate_sales`, or if ``group_sd`` is not positive.

    Examples
    --------
    >>> from companion.simulate import simulate_retail
    >>> data, _ = simulate_retail(random_seed=1)
    >>> attribute_model(data).coords["colour"][:3]
    ('black', 'blue', 'green')
    """
    if not np.isfinite(group_sd) or group_sd <= 0:
        raise ValueError(f"group_sd must be a positive number, got {group_sd!r}")
    frame = validate_sales(data, outcome=outcome, product=product, attributes=attribute, week=week)
    levels = group_levels(frame, attribute).tolist()
    coords = {attribute: levels, "obs": np.arange(len(frame))}
    with pm.Model(coords=coords) as model:
        codes = encode_levels(frame[attribute], levels, column=attribute)
        idx = pm.Data(f"{attribute}_idx", codes, dims="obs")
        beta_mu = pm.Normal("beta_mu", mu=0.0, sigma=1.0)
        beta = pm.Normal("beta", mu=beta_mu, sigma=float(group_sd), dims=attribute)
        _likelihood(frame, beta, idx, codes, len(levels), outcome=outcome)
    return model


def crossed_model(
    data: pd.DataFrame,
    *,
    outcome: str = "sales",
    product: str = "product",
    attributes: str | Sequence[str] = RETAIL_ATTRIBUTES,
    week: str = "week",
    centre_weeks: int = 8,
) -> pm.Model:
    """Build the crossed-attribute model: colour + brand + category + product on log demand.

    Introduced in ``notebooks/06_retail_demand.ipynb``.

    ``log_demand[p] ~ Normal(intercept + colour_effect[c] + brand_effect[b]
    + category_effect[k], product_sd)`` and
    ``sales[p, t] ~ NegativeBinomial(exp(log_demand[p]), alpha)``. Each attribute's effects
    are ``ZeroSumNormal(sigma={attribute}_sd)``: centred, because every level has many rows,
    and summing to zero, so that the intercept is identified. A product with little history
    is pulled toward what its attributes predict; a product never seen is forecast from its
    attributes and a fresh draw from the population of products
    (:func:`companion.forecast.predict_sales`).

    The products' own deviations are sampled in the form that suits their data (notebook
    05): a product with at least ``centre_weeks`` weeks is centred (``product_raw`` is its
    log demand), one with fewer is non-centred (``product_raw`` is a standard-normal offset
    scaled by ``product_sd``). All non-centred, the attribute effects mix slowly against the
    offsets of data-rich products; all centred, data-poor products form funnels.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per product and week.
    outcome, product, week : str
        Column names, as in :func:`no_pooling_model`.
    attributes : str or sequence of str, default ("colour", "brand", "category")
        Attribute columns; each names a dim and gets ``{attribute}_sd`` and
        ``{attribute}_effect``.
    centre_weeks : int, default 8
        Products with at least this many weeks of history are sampled centred.

    Returns
    -------
    pymc.Model
        Dims ``obs``, ``product`` and one per attribute. Data ``product_idx`` (per row),
        ``product_{attribute}_idx`` and ``product_centred`` (per product) hold the codes;
        ``log_demand`` (per product) is kept in the trace.

    Raises
    ------
    ValueError
        As :func:`validate_sales`, or if no attribute is given.

    Examples
    --------
    >>> from companion.simulate import simulate_retail
    >>> data, _ = simulate_retail(random_seed=1)
    >>> model = crossed_model(data)
    >>> [name for name in model.coords if name != "obs"]
    ['colour', 'brand', 'category', 'product']
    >>> model["colour_effect"].owner.op.__class__.__name__
    'ZeroSumNormalRV'
    """
    outcome, product, attributes, week = _columns(outcome, product, attributes, week)
    if not attributes:
        raise ValueError("crossed_model needs at least one attribute column")
    if int(centre_weeks) != centre_weeks or centre_weeks < 1:
        raise ValueError(f"centre_weeks must be a whole number >= 1, got {centre_weeks!r}")
    frame = validate_sales(data, outcome=outcome, product=product, attributes=attributes, week=week)
    table = product_table(frame, outcome=outcome, product=product, attributes=attributes, week=week)
    coords: dict[str, object] = {a: group_levels(frame, a).tolist() for a in attributes}
    coords[product] = table.index.tolist()
    coords["obs"] = np.arange(len(frame))
    with pm.Model(coords=coords) as model:
        row_codes = encode_levels(frame[product], coords[product], column=product)
        idx = pm.Data(f"{product}_idx", row_codes, dims="obs")
        expected = pm.Normal("intercept", 0.0, PRIORS["intercept_sd"])
        for attribute in attributes:
            codes = encode_levels(table[attribute], coords[attribute], column=attribute)
            attribute_idx = pm.Data(f"{product}_{attribute}_idx", codes, dims=product)
            spread = pm.HalfNormal(f"{attribute}_sd", PRIORS["effect_sd"])
            effect = pm.ZeroSumNormal(f"{attribute}_effect", sigma=spread, dims=attribute)
            expected = expected + effect[attribute_idx]
        product_sd = pm.HalfNormal(f"{product}_sd", PRIORS["effect_sd"])
        centred = (table["weeks"].to_numpy() >= centre_weeks).astype(float)
        weight = pm.Data(f"{product}_centred", centred, dims=product)
        # weight 1: raw ~ Normal(expected, sd), log_demand = raw (centred);
        # weight 0: raw ~ Normal(0, 1), log_demand = expected + sd * raw (non-centred).
        # Sums and products of the 0/1 weight give these exactly; a power such as
        # sd ** weight gives the same numbers at the cost of a log and an exp per product.
        raw = pm.Normal(
            f"{product}_raw",
            mu=weight * expected,
            sigma=weight * product_sd + (1 - weight),
            dims=product,
        )
        log_demand = pm.Deterministic(
            "log_demand",
            expected + (weight + (1 - weight) * product_sd) * (raw - weight * expected),
            dims=product,
        )
        n_products = len(coords[product])
        _likelihood(frame, log_demand, idx, row_codes, n_products, outcome=outcome)
    return model


def model_kind(model: pm.Model, *, product: str = "product") -> tuple[str, list[str]]:
    """Name the builder of this module a model came from, and the attribute dims it uses.

    Not called in the notebooks; :func:`companion.forecast.predict_sales` uses it
    (``notebooks/06_retail_demand.ipynb``).

    Parameters
    ----------
    model : pymc.Model
        A model built by :func:`no_pooling_model`, :func:`attribute_model` or
        :func:`crossed_model`.
    product : str, default "product"
        The product column given to the builder.

    Returns
    -------
    kind : {"no_pooling", "attribute", "crossed"}
        The builder.
    attributes : list of str
        The attribute dims the model indexes (empty for no pooling).

    Raises
    ------
    ValueError
        If the model was not built by this module's builders.

    Examples
    --------
    >>> from companion.simulate import simulate_retail
    >>> data, _ = simulate_retail(12, 10, holdout_weeks=2, random_seed=3)
    >>> model_kind(crossed_model(data))
    ('crossed', ['colour', 'brand', 'category'])
    """
    names = model.named_vars
    if f"{product}_sd" in names and "log_demand" in names:
        prefix, suffix = f"{product}_", "_idx"
        attributes = [
            name[len(prefix) : -len(suffix)]
            for name in names
            if name.startswith(prefix) and name.endswith(suffix) and name != f"{product}_idx"
        ]
        return "crossed", attributes
    if "beta" in names:
        return "attribute", [model.named_vars_to_dims["beta"][0]]
    if "log_demand" in names and product in model.coords:
        return "no_pooling", []
    raise ValueError(
        "predict_sales needs a model built by companion.retail (no_pooling_model, "
        f"attribute_model or crossed_model) with product column {product!r}"
    )
