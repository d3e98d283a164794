"""The interval table, stacked draws, group sizes and the shrinkage summary."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from companion import fit, models, summaries


def _fit(draws, levels=None, **extra):
    dims = ("chain", "draw") + (("level",) if levels is not None else ())
    data = {"a": (dims, draws), **extra}
    coords = {"level": levels} if levels is not None else {}
    return xr.DataTree.from_dict({"posterior": xr.Dataset(data, coords=coords)})


@pytest.mark.parametrize("ci_prob", [0.5, 0.8, 0.9])
def test_interval_table_is_the_equal_tailed_interval_of_the_draws(ci_prob):
    rng = np.random.default_rng(3)
    draws = rng.normal([0.0, 10.0], [1.0, 2.0], size=(2, 4000, 2))
    table = summaries.interval_table(_fit(draws, [1, 2]), "a", ci_prob=ci_prob)
    flat = draws.reshape(-1, 2)
    tail = (1 - ci_prob) / 2
    assert table.index.tolist() == [1, 2]  # integer labels stay integers
    assert np.allclose(table["lower"], np.quantile(flat, tail, axis=0))
    assert np.allclose(table["upper"], np.quantile(flat, 1 - tail, axis=0))
    assert np.allclose(table["mean"], flat.mean(axis=0))
    assert np.allclose(table["width"], table["upper"] - table["lower"])


def test_interval_table_of_a_scalar_and_of_bare_draws():
    draws = np.linspace(0, 1, 101)[None, :]
    by_fit = summaries.interval_table(_fit(draws), "a", ci_prob=0.8)
    by_draws = summaries.interval_table(xr.DataArray(draws, dims=("chain", "draw"), name="a"))
    assert by_fit.index.tolist() == ["a"] == by_draws.index.tolist()
    assert by_fit.loc["a", ["lower", "upper"]].round(6).tolist() == [0.1, 0.9]


def test_interval_table_refuses_bad_requests():
    tree = _fit(np.zeros((1, 10, 2)), ["x", "y"])
    with pytest.raises(KeyError, match="no variable 'tau'"):
        summaries.interval_table(tree, "tau")
    with pytest.raises(ValueError, match="var_name is required"):
        summaries.interval_table(tree)
    with pytest.raises(ValueError, match="ci_prob must be between 0 and 1"):
        summaries.interval_table(tree, "a", ci_prob=90)
    two = xr.DataArray(np.zeros((1, 5, 2, 2)), dims=("chain", "draw", "g", "h"))
    with pytest.raises(ValueError, match="besides chain and draw"):
        summaries.interval_table(two)


def test_stack_draws_keeps_every_draw_once():
    draws = xr.DataArray(np.arange(24.0).reshape(2, 4, 3), dims=("chain", "draw", "level"))
    stacked = summaries.stack_draws(draws)
    assert stacked.dims == ("level", "sample")
    assert sorted(stacked.to_numpy().ravel().tolist()) == list(range(24))
    with pytest.raises(ValueError, match="expected chain"):
        summaries.stack_draws(xr.DataArray([1.0], dims="x"))


def test_group_sizes_counts_rows_or_sums_a_weight():
    const = xr.Dataset({"ward_idx": ("obs", [0, 2, 2, 1, 2]), "trials": ("obs", [4, 1, 1, 7, 3])})
    tree = xr.DataTree.from_dict(
        {"posterior": xr.Dataset(coords={"ward": [10, 20, 30]}), "constant_data": const}
    )
    assert summaries.group_sizes(tree, group="ward").to_dict() == {10: 1, 20: 1, 30: 3}
    weighted = summaries.group_sizes(tree, group="ward", weights="trials")
    assert weighted.to_dict() == {10: 4, 20: 7, 30: 5}
    with pytest.raises(KeyError, match="level_idx"):
        summaries.group_sizes(tree)
    with pytest.raises(KeyError, match="'exposure'"):
        summaries.group_sizes(tree, group="ward", weights="exposure")


def test_shrinkage_summary_puts_the_fits_side_by_side_smallest_first():
    rng = np.random.default_rng(0)
    unpooled = _fit(rng.normal([8.0, 3.0], 0.1, (1, 500, 2)), ["small", "big"])
    partial = _fit(
        rng.normal([6.0, 3.1], 0.1, (1, 500, 2)),
        ["small", "big"],
        w=(("chain", "draw"), np.full((1, 500), 4.0)),
    )
    table = summaries.shrinkage_summary(
        unpooled, partial, sizes=pd.Series({"big": 350, "small": 5})
    )
    assert table.index.tolist() == ["small", "big"]
    assert table["population_mean"].tolist() == [4.0, 4.0]
    assert np.allclose(table["unpooled_mean"], [8.0, 3.0], atol=0.02)
    assert np.allclose(table["partial_mean"], [6.0, 3.1], atol=0.02)


def test_shrinkage_summary_refuses_fits_of_different_groups():
    draws = np.zeros((1, 10, 2))
    unpooled = _fit(draws, ["h1", "h2"])
    partial = _fit(draws, ["h1", "h9"], w=(("chain", "draw"), np.zeros((1, 10))))
    with pytest.raises(ValueError, match="different level levels"):
        summaries.shrinkage_summary(unpooled, partial, sizes=pd.Series({"h1": 1, "h2": 1}))
    same = _fit(draws, ["h1", "h2"], w=(("chain", "draw"), np.zeros((1, 10))))
    with pytest.raises(ValueError, match="sizes is missing groups"):
        summaries.shrinkage_summary(unpooled, same, sizes=pd.Series({"h1": 5}))


@pytest.mark.sampling
def test_group_sizes_of_a_binomial_fit_sum_its_trials():
    from companion import data

    surgical = data.load_surgical()
    model = models.unpooled_model(
        surgical, outcome="deaths", trials="operations", group="hospital", predictors=()
    )
    idata = fit.sample(model, random_seed=1, draws=100, tune=100)
    rows = summaries.group_sizes(idata, group="hospital")
    trials = summaries.group_sizes(idata, group="hospital", weights="trials")
    assert set(rows) == {1}
    assert trials.to_dict() == dict(zip(surgical["hospital"], surgical["operations"], strict=True))
