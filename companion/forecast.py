"""Probabilistic demand forecasts: predictive draws, a tidy summary, scores and a fan chart.

- :func:`predict_sales` draws weekly sales for any product and week from a fitted model of
  :mod:`companion.retail`, including products the model has never seen (from their
  attributes, with a fresh draw of the product's own deviation from the population, by
  :func:`companion.predict.population_draws`);
- :func:`forecast_table` summarises draws as a tidy data frame (median, 50% and 90%
  intervals), with the observed sales and their CRPS when given;
- :func:`crps` and :func:`interval_coverage` score forecasts on held-out weeks; the fan chart
  of a forecast table is :func:`companion.plots.plot_forecast_fan`.

The draws are computed from the posterior with NumPy (nothing is compiled). Every label in a
forecast request is checked against the fitted model's coords before it becomes an index: an
unknown label encoded as ``-1`` would silently read the last product's numbers, and compiled
indexing (in a model) does not check bounds at all. Introduced in
``notebooks/06_retail_demand.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from companion.predict import population_draws
from companion.retail import model_kind
from companion.summaries import SAMPLE_DIMS, stack_draws
from companion.validate import encode_levels, validate_frame

__all__ = [
    "crps",
    "forecast_table",
    "interval_coverage",
    "predict_sales",
]


def _check_codes(codes: np.ndarray, size: int, name: str) -> np.ndarray:
    """Refuse any code outside ``range(size)`` (compiled indexing would read past the array)."""
    codes = np.asarray(codes, dtype="int64")
    if codes.size and (codes.min() < 0 or codes.max() >= size):
        raise ValueError(f"{name}: code outside 0..{size - 1}; an index must match its coords")
    return codes


def _product_codes(
    request: pd.DataFrame,
    model: pm.Model,
    *,
    kind: str,
    product: str,
    attributes: Sequence[str],
) -> tuple[np.ndarray, list[str]]:
    """Codes of the requested products; unseen products get codes after the fitted ones."""
    known = [str(label) for label in model.coords[product]]
    position = pd.Index(known)
    labels = request[product].astype(str)
    unseen = [label for label in pd.unique(labels) if label not in set(known)]
    if unseen and kind == "no_pooling":
        raise ValueError(
            f"prediction request: {product} {unseen[0]!r} is not among the {len(known)} products "
            "this no-pooling model was fitted to, so it has no parameter to forecast from; a "
            "hierarchical model (crossed_model) forecasts a new product from its attributes"
        )
    if kind == "crossed":
        for attribute in attributes:
            fitted = np.asarray(model[f"{product}_{attribute}_idx"].get_value())
            levels = np.asarray(model.coords[attribute], dtype=object)
            seen = labels.isin(known).to_numpy()
            expected = levels[fitted[position.get_indexer(labels[seen])]]
            given = request.loc[seen, attribute].astype(str).to_numpy()
            clash = expected != given
            if clash.any():
                i = int(np.flatnonzero(clash)[0])
                raise ValueError(
                    f"prediction request: {product} {labels[seen].iloc[i]!r} has {attribute} "
                    f"{expected[i]!r} in the fitted data, not {given[i]!r}"
                )
        new_rows = request.loc[labels.isin(unseen).to_numpy()]
        for attribute in attributes:
            distinct = new_rows.groupby(product)[attribute].nunique()
            if (distinct > 1).any():
                label = distinct.index[np.flatnonzero(distinct.to_numpy() > 1)[0]]
                raise ValueError(
                    f"prediction request: new {product} {label!r} is given more than one "
                    f"{attribute}; a product's attributes must not change"
                )
    codes = pd.Index(known + unseen).get_indexer(labels)
    return _check_codes(codes, len(known) + len(unseen), product), unseen


def predict_sales(
    model: pm.Model,
    idata: xr.DataTree,
    request: pd.DataFrame,
    *,
    random_seed: int,
    product: str = "product",
    week: str = "week",
) -> xr.DataArray:
    """Draw weekly sales for each row of a forecast request, from a fitted demand model.

    Computed from the posterior with NumPy, one forecast per posterior draw and request row;
    nothing is compiled and the fitted model is left unchanged (it is read only for its coords
    and codes). A known product's log demand is its posterior ``log_demand`` (``beta`` of its
    attribute level for :func:`~companion.retail.attribute_model`). A product the model has
    not seen gets, per posterior draw, ``intercept`` plus its attributes' ``{attribute}_effect``
    plus ``product_sd * z`` with a fresh ``z ~ Normal(0, 1)``
    (:func:`companion.predict.population_draws`): it is drawn from the population of products
    with its attributes. The sales are then drawn from ``NegativeBinomial(mu, alpha)``, with
    ``mu = exp(log demand)`` and ``alpha`` as in ``pm.NegativeBinomial``, as a gamma-Poisson
    mixture: ``rate ~ Gamma(shape=alpha, scale=mu / alpha)``, ``sales ~ Poisson(rate)``.
    Introduced in ``notebooks/06_retail_demand.ipynb``.

    Parameters
    ----------
    model : pymc.Model
        Built by :func:`companion.retail.no_pooling_model`, :func:`~companion.retail.attribute_model`
        or :func:`~companion.retail.crossed_model`.
    idata : xarray.DataTree
        Its fit (a ``posterior`` group).
    request : pandas.DataFrame
        One row per product and week to forecast: the product column, the week column and
        the attribute columns the model uses (extra columns are ignored).
    random_seed : int
        Seed of the predictive draws: one generator made from it draws the new products'
        deviations and the sales, so one seed gives one forecast.
    product, week : str
        Column names, as given to the builder.

    Returns
    -------
    xarray.DataArray
        ``forecast_sales`` with dims ``(chain, draw, forecast)``; non-dim coords ``product``
        and ``week`` label each forecast row.

    Raises
    ------
    ValueError
        If a column is missing or holds missing values, a label is not in the model's coords
        (an unknown colour; any unseen product for the no-pooling model), a known product's
        attributes differ from the fitted ones, or a product and week appear twice.

    Examples
    --------
    >>> from companion import fit, retail, simulate
    >>> data, _ = simulate.simulate_retail(12, 10, holdout_weeks=2, random_seed=3)
    >>> model = retail.attribute_model(data)
    >>> idata = fit.sample(model, random_seed=1, draws=100, tune=100)
    >>> request = pd.DataFrame({"product": ["new"], "colour": ["purple"], "week": [11]})
    >>> predict_sales(model, idata, request, random_seed=1)
    Traceback (most recent call last):
    ...
    ValueError: prediction request: column 'colour' has unknown level 'purple'; known levels: ...
    """
    kind, attributes = model_kind(model, product=product)
    schema = {product: "string", week: "int", **dict.fromkeys(attributes, "string")}
    frame = validate_frame(request, schema, source="prediction request")
    frame = frame.reset_index(drop=True)
    twice = frame.duplicated([product, week])
    if twice.any():
        row = frame.loc[twice].iloc[0]
        raise ValueError(
            f"prediction request: {product} {row[product]!r} appears twice for {week} {row[week]}"
        )
    attribute_codes = {
        a: _check_codes(
            encode_levels(frame[a], model.coords[a], column=a, source="prediction request"),
            len(model.coords[a]),
            a,
        )
        for a in attributes
    }
    if kind == "attribute":
        codes, unseen = attribute_codes[attributes[0]], []
    else:
        codes, unseen = _product_codes(
            frame, model, kind=kind, product=product, attributes=attributes
        )
    post = idata.posterior
    rng = np.random.default_rng(random_seed)
    if kind == "attribute":
        table = post["beta"].transpose(*SAMPLE_DIMS, attributes[0]).to_numpy()
    else:
        table = post["log_demand"].transpose(*SAMPLE_DIMS, product).to_numpy()
        if unseen:
            labels = frame[product].astype(str)
            rows = np.array([np.flatnonzero(labels == label)[0] for label in unseen])
            new = _new_log_demand(post, rows, unseen, attribute_codes, product, rng)
            table = np.concatenate([table, new], axis=-1)
    mu = np.exp(table[..., codes])
    alpha = post["alpha"].transpose(*SAMPLE_DIMS).to_numpy()[..., None]
    # NegativeBinomial(mu, alpha) as a gamma-Poisson mixture: the Poisson rate of each week
    # is Gamma(shape alpha, mean mu); the sales have mean mu and variance mu + mu**2 / alpha.
    sales = rng.poisson(rng.gamma(alpha, mu / alpha))
    coords = {
        d: post[d].to_numpy() if d in post.coords else np.arange(post.sizes[d]) for d in SAMPLE_DIMS
    }
    return xr.DataArray(
        sales,
        dims=(*SAMPLE_DIMS, "forecast"),
        coords={
            **coords,
            "forecast": np.arange(len(frame)),
            product: ("forecast", frame[product].astype(str).to_numpy()),
            week: ("forecast", frame[week].to_numpy()),
        },
        name="forecast_sales",
    )


def _new_log_demand(
    post: xr.Dataset,
    rows: np.ndarray,
    unseen: list[str],
    attribute_codes: dict[str, np.ndarray],
    product: str,
    rng: np.random.Generator,
) -> np.ndarray:
    """Log demand of new products, ``(chain, draw, new product)``, from the population.

    The intercept, plus the product's own deviation drawn by
    :func:`companion.predict.population_draws` with the fitted ``{product}_sd``, plus each
    attribute's effect at the level of the new product (read at its first request row,
    ``rows``; the codes were checked against the model's coords).
    """
    log_demand = population_draws(
        post["intercept"],
        sd=post[f"{product}_sd"],
        labels=unseen,
        dim="new_product",
        random_seed=rng,
    )
    for a, codes in attribute_codes.items():
        level = xr.DataArray(codes[rows], dims="new_product")
        log_demand = log_demand + post[f"{a}_effect"].isel({a: level}).drop_vars(a, errors="ignore")
    return log_demand.transpose(*SAMPLE_DIMS, "new_product").to_numpy()


def _stacked(draws: xr.DataArray | np.ndarray) -> np.ndarray:
    """Draws as a ``(sample, row)`` array."""
    if isinstance(draws, xr.DataArray):
        other = [d for d in draws.dims if d not in SAMPLE_DIMS]
        if len(other) != 1 or not set(SAMPLE_DIMS) <= set(draws.dims):
            raise ValueError(f"draws need dims chain, draw and one row dim; got {draws.dims}")
        return stack_draws(draws).transpose("sample", other[0]).to_numpy()
    values = np.asarray(draws, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"draws must be a (sample, row) array, got shape {values.shape}")
    return values


def crps(draws: xr.DataArray | np.ndarray, observed: Sequence[float] | np.ndarray) -> np.ndarray:
    """Continuous ranked probability score of each row's predictive draws (lower is better).

    ``CRPS = E|X - y| - E|X - X'| / 2`` with ``X, X'`` independent predictive draws: a proper
    score, in the units of the outcome, that rewards forecasts both sharp and calibrated. It
    equals the mean absolute error when the forecast is a single number.

    Not called in the notebooks; :func:`forecast_table` uses it for its ``crps`` column.

    Parameters
    ----------
    draws : xarray.DataArray or numpy.ndarray
        Predictive draws, dims ``(chain, draw, row)`` or a ``(sample, row)`` array.
    observed : sequence of float
        The value that happened, one per row.

    Returns
    -------
    numpy.ndarray
        One score per row.

    Raises
    ------
    ValueError
        If the number of observed values differs from the number of rows.

    Examples
    --------
    >>> crps(np.array([[3.0], [3.0]]), [5.0]).round(3).tolist()
    [2.0]
    >>> crps(np.array([[0.0, 0.0], [2.0, 1.0]]), [1.0, 1.0]).round(3).tolist()
    [0.5, 0.25]
    """
    values = _stacked(draws)
    y = np.asarray(observed, dtype=float)
    if y.shape != (values.shape[1],):
        raise ValueError(f"observed has {y.size} values for {values.shape[1]} forecast rows")
    n = values.shape[0]
    ordered = np.sort(values, axis=0)
    # E|X - X'| from sorted draws: 2 / n**2 * sum_i (2 i - n - 1) x_(i), i = 1..n.
    weights = (2 * np.arange(1, n + 1) - n - 1)[:, None]
    spread = 2.0 / n**2 * (weights * ordered).sum(axis=0)
    return np.abs(values - y).mean(axis=0) - spread / 2


def forecast_table(
    draws: xr.DataArray,
    observed: pd.DataFrame | None = None,
    *,
    outcome: str = "sales",
    product: str = "product",
    week: str = "week",
) -> pd.DataFrame:
    """Summarise predictive draws as one row per product and week.

    Intervals are equal-tailed and use quantiles that are themselves possible counts
    (``method="inverted_cdf"``); an observation covered by an interval lies within its two
    ends, ends included. Introduced in ``notebooks/06_retail_demand.ipynb``.

    Parameters
    ----------
    draws : xarray.DataArray
        As returned by :func:`predict_sales` (dims ``chain``, ``draw`` and one row dim, with
        ``product`` and ``week`` coords).
    observed : pandas.DataFrame, optional
        Actual sales with columns ``product``, ``week`` and ``outcome``; when given, the table
        gains the ``outcome`` column and a ``crps`` column.
    outcome, product, week : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Columns ``product``, ``week``, ``mean``, ``median``, ``lower_90``, ``lower_50``,
        ``upper_50``, ``upper_90`` (and ``outcome``, ``crps``), one row per forecast row.

    Raises
    ------
    ValueError
        If ``observed`` lacks a requested product and week.

    Examples
    --------
    >>> draws = xr.DataArray(
    ...     np.arange(200.0).reshape(1, 100, 2), dims=("chain", "draw", "forecast"),
    ...     coords={"product": ("forecast", ["a", "b"]), "week": ("forecast", [9, 9])},
    ... )
    >>> forecast_table(draws)[["product", "median", "lower_90", "upper_90"]].to_numpy().tolist()
    [['a', 98.0, 8.0, 188.0], ['b', 99.0, 9.0, 189.0]]
    """
    values = _stacked(draws)
    row_dim = [d for d in draws.dims if d not in SAMPLE_DIMS][0]
    probs = [0.05, 0.25, 0.5, 0.75, 0.95]
    q = np.quantile(values, probs, axis=0, method="inverted_cdf")
    table = pd.DataFrame(
        {
            product: draws[product].to_numpy().astype(str),
            week: draws[week].to_numpy(),
            "mean": values.mean(axis=0),
            "median": q[2],
            "lower_90": q[0],
            "lower_50": q[1],
            "upper_50": q[3],
            "upper_90": q[4],
        },
        index=pd.Index(draws[row_dim].to_numpy(), name=row_dim),
    )
    if observed is not None:
        checked = validate_frame(
            observed, {product: "string", week: "int", outcome: "count"}, source="observed"
        )
        checked[product] = checked[product].astype(str)
        merged = table.merge(checked, on=[product, week], how="left")
        if merged[outcome].isna().any():
            row = merged.loc[merged[outcome].isna()].iloc[0]
            raise ValueError(
                f"observed: no {outcome} for {product} {row[product]!r}, {week} {row[week]}"
            )
        table[outcome] = merged[outcome].to_numpy().astype("int64")
        table["crps"] = crps(values, table[outcome].to_numpy())
    return table


def interval_coverage(
    table: pd.DataFrame, *, ci_prob: float = 0.9, outcome: str = "sales"
) -> float:
    """Share of rows whose observed value lies within the ``ci_prob`` interval, ends included.

    Introduced in ``notebooks/06_retail_demand.ipynb``.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`forecast_table` with observed values.
    ci_prob : {0.9, 0.5}
        Which interval.
    outcome : str, default "sales"
        Column of observed values.

    Returns
    -------
    float
        Between 0 and 1; a calibrated 90% interval covers about 90% of held-out weeks.

    Raises
    ------
    ValueError
        If ``ci_prob`` is not 0.9 or 0.5, or the table has no ``outcome`` column.

    Examples
    --------
    >>> table = pd.DataFrame({"lower_90": [0, 0], "upper_90": [5, 5], "sales": [3, 7]})
    >>> interval_coverage(table)
    0.5
    """
    key = {0.9: "90", 0.5: "50"}.get(ci_prob)
    if key is None:
        raise ValueError(
            f"ci_prob must be 0.9 or 0.5 (the intervals forecast_table gives), got {ci_prob!r}"
        )
    if outcome not in table.columns:
        raise ValueError(f"table has no {outcome!r} column; pass observed= to forecast_table")
    inside = (table[outcome] >= table[f"lower_{key}"]) & (table[outcome] <= table[f"upper_{key}"])
    return float(inside.mean())
