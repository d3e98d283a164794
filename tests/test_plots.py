import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from companion import fit, models, plots  # noqa: E402


@pytest.fixture(scope="module")
def fits(levels):
    frame, _ = levels
    kw = {"random_seed": 1, "draws": 300, "tune": 300}
    return {
        "pooled": fit.sample(models.pooled_model(frame), **kw),
        "unpooled": fit.sample(models.unpooled_model(frame), **kw),
        "partial": fit.sample(models.partial_pooling_model(frame, group_sd=1.0), **kw),
    }


def test_posterior_table(fits):
    table = plots.posterior_table(fits["unpooled"], "a", prob=0.8)
    assert table.index.tolist() == ["h1", "h2", "h3"]
    assert (table["lower"] < table["mean"]).all() and (table["mean"] < table["upper"]).all()
    assert plots.posterior_table(fits["pooled"], "a").index.tolist() == ["a"]
    with pytest.raises(KeyError, match="no variable 'tau'"):
        plots.posterior_table(fits["pooled"], "tau")


def test_group_sizes(fits, levels):
    frame, _ = levels
    sizes = plots.group_sizes(fits["partial"])
    assert sizes.to_dict() == frame["level"].value_counts().to_dict()
    with pytest.raises(KeyError, match="level_idx"):
        plots.group_sizes(fits["pooled"])


def test_shrinkage_plot_draws_arrows_from_unpooled_to_partial(fits):
    fig, ax = plt.subplots()
    out = plots.plot_shrinkage(fits["unpooled"], fits["partial"], ax=ax)
    assert out is ax
    arrows = {tuple(a.xyann): a.xy for a in ax.texts}
    raw = plots.posterior_table(fits["unpooled"])["mean"]
    pooled = plots.posterior_table(fits["partial"])["mean"]
    starts = sorted(round(x, 6) for x, _ in arrows)
    ends = sorted(round(x, 6) for x, _ in arrows.values())
    assert starts == sorted(raw.round(6)) and ends == sorted(pooled.round(6))
    by_height = {t.get_position()[1]: t.get_text() for t in ax.get_yticklabels()}
    assert by_height[max(by_height)] == "h1 (n=5)"  # smallest group at the top
    assert by_height[min(by_height)].startswith("h3")
    sizes = sorted(ax.collections[0].get_sizes())
    assert sizes[0] < sizes[-1]
    plt.close(fig)


def test_shrinkage_plot_refuses_mismatched_fits(fits, levels):
    frame, _ = levels
    other = fits["unpooled"].copy()
    with pytest.raises(ValueError, match="sizes is missing levels"):
        plots.plot_shrinkage(other, fits["partial"], sizes=pd.Series({"h1": 5}))


def test_pooling_comparison_draws_each_model_at_each_level(fits, levels):
    frame, truth = levels
    ax = plots.plot_pooling_comparison(fits, truth=None)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(fits)
    pooled_line = ax.containers[0]
    ys = pooled_line.lines[0].get_ydata()
    assert np.allclose(ys, ys[0])  # one pooled value at every level
    assert len(ys) == 3
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="fits is empty"):
        plots.plot_pooling_comparison({})


def test_group_sizes_counts_trials_for_a_binomial_outcome():
    from companion import data

    surgical = data.load_surgical()
    model = models.unpooled_model(
        surgical, outcome="deaths", trials="operations", group="hospital", predictors=()
    )
    idata = fit.sample(model, random_seed=1, draws=100, tune=100)
    sizes = plots.group_sizes(idata, "hospital")
    assert sizes.to_dict() == dict(zip(surgical["hospital"], surgical["operations"], strict=True))
