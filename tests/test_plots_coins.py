import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402

from companion import coins, plots, simulate  # noqa: E402


@pytest.fixture(scope="module")
def fake_fit():
    """A stand-in for a nested fit: draws scattered around the simulated truth."""
    frame, truth = simulate.simulate_coins(random_seed=7)
    model = coins.nested_model(frame)
    rng = np.random.default_rng(0)
    draws = 50
    posterior = {}
    for level in simulate.COIN_HIERARCHY:
        values = truth.logit[level]
        posterior[f"{level}_logit"] = (
            ("chain", "draw", level),
            values.to_numpy() + 0.1 * rng.standard_normal((1, draws, len(values))),
        )
        posterior[f"sigma_{level}"] = (
            ("chain", "draw"),
            np.abs(truth.level_sd[level] + 0.02 * rng.standard_normal((1, draws))),
        )
    coords = {level: list(model.coords[level]) for level in simulate.COIN_HIERARCHY}
    const = {
        name: (model.named_vars_to_dims[name], model[name].get_value())
        for name in ["factory_region_idx", "line_factory_idx", "coin_line_idx"]
    }
    diverging = np.zeros((1, draws), dtype=bool)
    diverging[0, :5] = True
    tree = xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(posterior, coords=coords),
            "constant_data": xr.Dataset(const, coords=coords),
            "sample_stats": xr.Dataset({"diverging": (("chain", "draw"), diverging)}),
        }
    )
    return frame, truth, tree


def test_tree_order_puts_children_under_their_parent(fake_fit):
    frame, _, tree = fake_fit
    order = plots.tree_order(tree, hierarchy=["region", "factory", "line"])
    n_groups = sum(frame[level].nunique() for level in ["region", "factory", "line"])
    assert len(order) == n_groups
    parent_of = {"factory": frame.set_index("factory")["region"].to_dict()}
    parent_of["line"] = frame.set_index("line")["factory"].to_dict()
    current = {}
    for level, label in order:
        if level != "region":
            above = {"factory": "region", "line": "factory"}[level]
            assert parent_of[level][label] == current[above]
        current[level] = label


def test_tree_order_needs_the_parent_index(fake_fit):
    _, _, tree = fake_fit
    bare = xr.DataTree.from_dict({"posterior": tree.posterior.to_dataset()})
    with pytest.raises(KeyError, match="factory_region_idx"):
        plots.tree_order(bare, hierarchy=["region", "factory"])
    with pytest.raises(KeyError, match="plant"):
        plots.tree_order(tree, hierarchy=["plant"])


def test_nested_forest_draws_every_group_and_the_truth(fake_fit):
    frame, truth, tree = fake_fit
    _, ax = plt.subplots()
    out = plots.plot_nested_forest(tree, truth=truth.logit, ax=ax)
    assert out is ax
    n_groups = sum(frame[level].nunique() for level in ["region", "factory", "line"])
    assert len(ax.get_yticks()) == n_groups
    assert len(ax.containers) == 3  # one errorbar per level
    # region points are at the posterior means on the probability scale
    region_x = ax.containers[0].lines[0].get_xdata()
    expected = (1 / (1 + np.exp(-tree.posterior["region_logit"]))).mean(("chain", "draw"))
    assert np.allclose(np.sort(region_x), np.sort(expected.to_numpy()))
    crosses = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in crosses) == n_groups
    plt.close("all")


def test_variance_shares_plot_matches_the_table(fake_fit):
    _, truth, tree = fake_fit
    table = coins.variance_shares(tree)
    ax = plots.plot_variance_shares(table, truth=truth.level_sd)
    assert np.allclose(ax.lines[0].get_xdata(), table["mean"].to_numpy())
    true_var = np.array([truth.level_sd[k] ** 2 for k in simulate.COIN_HIERARCHY])
    crosses = ax.collections[-1].get_offsets()[:, 0]
    assert np.allclose(crosses, true_var / true_var.sum())
    plt.close("all")


def test_funnel_marks_the_divergent_draws(fake_fit):
    _, _, tree = fake_fit
    ax = plots.plot_funnel(tree, spread="sigma_coin", effect="coin_logit")
    assert len(ax.collections[0].get_offsets()) == 45
    assert len(ax.collections[1].get_offsets()) == 5
    y = ax.collections[1].get_offsets()[:, 1]
    assert np.allclose(y, np.log(tree.posterior["sigma_coin"].to_numpy()[0, :5]))
    coord = str(tree.posterior["coin"].to_numpy()[3])
    ax = plots.plot_funnel(tree, spread="sigma_coin", effect="coin_logit", coord=coord)
    assert coord in ax.get_xlabel()
    with pytest.raises(KeyError, match="no coin 'nope'"):
        plots.plot_funnel(tree, effect="coin_logit", coord="nope")
    with pytest.raises(KeyError, match="sigma_x"):
        plots.plot_funnel(tree, spread="sigma_x")
    plt.close("all")
