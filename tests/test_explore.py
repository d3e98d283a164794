import contextlib
import io

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from companion import exact, explore, simulate

SIZES = [1, 2, 5, 10, 20, 50, 100, 300]
SPREADS = [0.1, 0.25, 0.5, 1.0, 2.0, 4.0]


def small_level(n_small, group_sd, sigma=2.0, **kwargs):
    return explore.shrinkage_table(n_small, group_sd=group_sd, sigma=sigma, **kwargs).iloc[0]


def test_shrinkage_grows_as_the_group_shrinks():
    for group_sd in SPREADS:
        shrinkage = [small_level(n, group_sd)["shrinkage"] for n in SIZES]
        assert np.all(np.diff(shrinkage) < 0), (group_sd, shrinkage)


def test_shrinkage_grows_as_the_spread_falls():
    for n in SIZES:
        shrinkage = [small_level(n, group_sd)["shrinkage"] for group_sd in SPREADS]
        assert np.all(np.diff(shrinkage) < 0), (n, shrinkage)


def test_shrinkage_matches_the_closed_form_factor():
    for n in SIZES:
        for group_sd in SPREADS:
            for sigma in (0.5, 2.0, 5.0):
                measured = small_level(n, group_sd, sigma)["shrinkage"]
                formula = exact.shrinkage_factor(n, sigma=sigma, group_sd=group_sd)
                assert measured == pytest.approx(formula, rel=1e-6)


def test_pooling_always_narrows_the_small_group():
    for n in SIZES:
        for group_sd in SPREADS:
            level = small_level(n, group_sd)
            assert level["partial_sd"] < level["unpooled_sd"]
            assert level["rows_alone"] > n


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_table_equals_exact_posterior_of_the_full_data(seed):
    data, truth = simulate.simulate_levels(500, random_seed=seed)
    means = data.groupby("level")["y"].mean()
    counts = data["level"].value_counts().sort_index()
    table = explore.shrinkage_table(
        int(counts.iloc[0]),
        group_sd=1.3,
        sigma=truth.sigma,
        means=means,
        other_sizes=counts.iloc[1:].tolist(),
    )
    partial = exact.partial_pooling_posterior(data, sigma=truth.sigma, group_sd=1.3, predictors=())
    unpooled = exact.unpooled_posterior(data, sigma=truth.sigma, predictors=())
    np.testing.assert_allclose(table["partial_mean"], partial.loc["a", "mean"], rtol=1e-8)
    np.testing.assert_allclose(table["partial_sd"], partial.loc["a", "sd"], rtol=1e-8)
    np.testing.assert_allclose(table["unpooled_mean"], unpooled.loc["a", "mean"], rtol=1e-8)
    np.testing.assert_allclose(table["unpooled_sd"], unpooled.loc["a", "sd"], rtol=1e-8)
    assert table["population_mean"].iloc[0] == pytest.approx(partial.loc[("w", ""), "mean"])
    assert table.index.tolist() == ["h1", "h2", "h3"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_small": 0}, "n_small"),
        ({"n_small": 2.5}, "n_small"),
        ({"other_sizes": (10, -1)}, "other_sizes"),
        ({"group_sd": 0.0}, "group_sd"),
        ({"sigma": -1.0}, "sigma"),
        ({"means": (1.0, 2.0)}, "means"),
        ({"means": (1.0, np.nan, 2.0)}, "means"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs, message):
    args = {"n_small": 5, "group_sd": 1.0, "sigma": 2.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        explore.shrinkage_table(args.pop("n_small"), **args)


def test_series_means_name_the_levels():
    means = pd.Series([1.0, 2.0, 3.0], index=["small", "mid", "big"])
    table = explore.shrinkage_table(3, group_sd=1.0, sigma=1.0, means=means)
    assert table.index.tolist() == ["small", "mid", "big"]


def test_plot_draws_one_arrow_per_level_at_the_table_values():
    fig, ax = plt.subplots()
    drawn = explore.plot_explorer(7, group_sd=0.5, sigma=2.0, ax=ax)
    table = explore.shrinkage_table(7, group_sd=0.5, sigma=2.0)
    assert drawn is ax
    assert len(ax.texts) == len(table)
    unpooled, partial = ax.containers
    np.testing.assert_allclose(
        np.asarray(unpooled.lines[0].get_xdata(), dtype=float), table["unpooled_mean"]
    )
    np.testing.assert_allclose(
        np.asarray(partial.lines[0].get_xdata(), dtype=float), table["partial_mean"]
    )
    assert "h1" in ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    plt.close(fig)


def build_quietly(**kwargs):
    # Outside a kernel, the widget's output area prints terminal escape codes.
    with contextlib.redirect_stdout(io.StringIO()):
        return explore.shrinkage_explorer(**kwargs)


def test_widget_builds_headless_with_the_expected_sliders():
    explorer = build_quietly()
    assert isinstance(explorer, widgets.interactive)
    sliders = {child.description: child for child in explorer.children[:3]}
    assert set(sliders) == {"rows of h1", "spread tau", "noise sigma"}
    assert isinstance(sliders["rows of h1"], widgets.IntSlider)
    assert (sliders["rows of h1"].min, sliders["rows of h1"].max) == (1, 400)
    assert isinstance(explorer.children[-1], widgets.Output)
    assert explorer.result.loc["h1", "rows"] == 5
    plt.close("all")


def test_moving_a_slider_recomputes_the_table():
    explorer = build_quietly()
    before = explorer.result.loc["h1", "shrinkage"]
    with contextlib.redirect_stdout(io.StringIO()):
        explorer.children[0].value = 100
    after = explorer.result.loc["h1", "shrinkage"]
    assert explorer.result.loc["h1", "rows"] == 100
    assert after < before
    plt.close("all")


def test_widget_refuses_a_start_outside_the_slider():
    with pytest.raises(ValueError, match="group_sd"):
        explore.shrinkage_explorer(group_sd=9.0)
