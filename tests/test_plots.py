"""Plots draw the numbers they are given: tested on small tables and trees built by hand."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

from companion import plots  # noqa: E402


def _tree(values, levels=("h1", "h2", "h3"), seed=0):
    """A fit-like tree: draws of ``a`` around ``values`` (a scalar gives a pooled ``a``)."""
    rng = np.random.default_rng(seed)
    values = np.asarray(values, dtype=float)
    dims = ("chain", "draw", "level")[: 2 + values.ndim]
    draws = values + 0.1 * rng.standard_normal((2, 200, *values.shape))
    post = xr.Dataset({"a": (dims, draws)}, coords={"level": list(levels)} if values.ndim else {})
    return xr.DataTree.from_dict({"posterior": post})


@pytest.fixture
def shrinkage():
    return pd.DataFrame(
        {
            "rows": [5, 145, 350],
            "unpooled_mean": [8.0, 5.2, 3.0],
            "unpooled_sd": [0.9, 0.2, 0.1],
            "partial_mean": [6.0, 5.1, 3.1],
            "partial_sd": [0.7, 0.2, 0.1],
            "population_mean": 4.5,
        },
        index=pd.Index(["h1", "h2", "h3"], name="level"),
    )


def test_shrinkage_plot_draws_one_arrow_per_group_from_unpooled_to_partial(shrinkage):
    fig, ax = plt.subplots()
    assert plots.plot_shrinkage(shrinkage, ax=ax) is ax
    arrows = sorted((a.xyann[0], a.xy[0]) for a in ax.texts)
    expected = sorted(zip(shrinkage["unpooled_mean"], shrinkage["partial_mean"], strict=True))
    assert arrows == expected
    by_height = {t.get_position()[1]: t.get_text() for t in ax.get_yticklabels()}
    assert by_height[max(by_height)] == "h1 (n=5)"  # the table's first row at the top
    assert ax.lines[0].get_xdata()[0] == 4.5  # the population mean
    assert len(ax.containers) == 2  # unpooled and partial, each with +-1 sd bars
    plt.close(fig)


def test_shrinkage_plot_without_sds_draws_points_only(shrinkage):
    ax = plots.plot_shrinkage(shrinkage.drop(columns=["unpooled_sd", "partial_sd"]))
    assert all(not container.has_xerr for container in ax.containers)
    plt.close("all")
    with pytest.raises(ValueError, match="no 'population_mean' column"):
        plots.plot_shrinkage(shrinkage.drop(columns="population_mean"))


def _forest(pc):
    return pc.viz["plot"].sel(column="forest").item()


def test_pooling_comparison_draws_each_model_at_each_level():
    fits = {"pooled": _tree(4.0), "unpooled": _tree([1.0, 4.0, 7.0])}
    truth = pd.Series({"h1": 1.5, "h2": 4.0, "h3": 6.5})
    pc = plots.plot_pooling_comparison(fits, truth=truth, ci_prob=0.8)
    means = pc.viz["point_estimate"]["a"]
    assert list(means["model"].to_numpy()) == ["pooled", "unpooled"]
    assert list(means["level"].to_numpy()) == ["h1", "h2", "h3"]
    x = {
        name: [
            float(means.sel(model=name, level=lev).item().get_offsets()[0, 0])
            for lev in truth.index
        ]
        for name in fits
    }
    assert np.allclose(x["pooled"], x["pooled"][0])  # one value at every level
    assert np.allclose(x["unpooled"], [1.0, 4.0, 7.0], atol=0.05)
    # the thin bar is the 80% equal-tailed interval of the draws
    draws = fits["unpooled"].posterior["a"].sel(level="h3").to_numpy().ravel()
    twig = pc.viz["twig"]["a"].sel(model="unpooled", level="h3").item().get_xdata()
    assert np.allclose(sorted(twig), np.quantile(draws, [0.1, 0.9]), atol=1e-6)
    # one black line per level at the true value, across that level's rows
    truth_lines = _forest(pc).collections[-1].get_segments()
    assert [segment[0, 0] for segment in truth_lines] == list(truth)
    rows = pc.get_aes_as_dataset("y")["a"]
    for segment, level in zip(truth_lines, truth.index, strict=True):
        low, high = sorted(segment[:, 1])
        assert low < float(rows.sel(level=level).min()) < float(rows.sel(level=level).max()) < high
    assert {
        t.get_text() for legend in pc.viz["figure"].item().legends for t in legend.get_texts()
    } == {
        "pooled",
        "unpooled",
        "truth",
    }
    plt.close("all")


def test_pooling_comparison_orders_levels_as_the_first_fit_and_names_the_truth():
    backwards = _tree([7.0, 4.0, 1.0], levels=("h3", "h2", "h1"))
    fits = {"unpooled": _tree([1.0, 4.0, 7.0]), "reversed": backwards}
    later = pd.Series({"h3": 7.0, "h1": 1.0, "h2": 4.0})
    pc = plots.plot_pooling_comparison(fits, truth=later, truth_label="later")
    means = pc.viz["point_estimate"]["a"]
    assert list(means["level"].to_numpy()) == ["h1", "h2", "h3"]
    for level in ["h1", "h2", "h3"]:  # both fits agree once aligned by label
        x = [means.sel(model=m, level=level).item().get_offsets()[0, 0] for m in fits]
        assert abs(x[0] - x[1]) < 0.05
    segments = _forest(pc).collections[-1].get_segments()
    assert [segment[0, 0] for segment in segments] == [1.0, 4.0, 7.0]
    (legend,) = pc.viz["figure"].item().legends
    assert [t.get_text() for t in legend.get_texts()] == ["unpooled", "reversed", "later"]
    plt.close("all")
    with pytest.raises(ValueError, match="'other' and the first fit differ in level 'h3'"):
        plots.plot_pooling_comparison(
            {
                "unpooled": _tree([1.0, 4.0, 7.0]),
                "other": _tree([1.0, 4.0, 7.0], ("h1", "h2", "h4")),
            }
        )


def test_pooling_comparison_refuses_bad_input():
    with pytest.raises(ValueError, match="fits is empty"):
        plots.plot_pooling_comparison({})
    with pytest.raises(ValueError, match="no fit has"):
        plots.plot_pooling_comparison({"pooled": _tree(4.0)})
    with pytest.raises(KeyError, match="'b'"):
        plots.plot_pooling_comparison({"unpooled": _tree([1.0, 2.0, 3.0])}, var_name="b")
    short = _tree([1.0, 2.0, 3.0]).posterior.to_dataset().isel(draw=slice(0, 50))
    with pytest.raises(ValueError, match="different numbers"):
        plots.plot_pooling_comparison(
            {"pooled": _tree(4.0), "unpooled": xr.DataTree.from_dict({"posterior": short})}
        )
    with pytest.raises(ValueError, match="truth has no value for level 'h3'"):
        plots.plot_pooling_comparison(
            {"unpooled": _tree([1.0, 2.0, 3.0])}, truth=pd.Series({"h1": 1.0, "h2": 2.0})
        )
    plt.close("all")
