import dataclasses

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import special, stats

from companion import compare, exact, models, simulate
from companion.models import PRIORS

# Simulated worlds ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(simulate.SCENARIOS))
def test_scenario_has_the_promised_groups_and_spread(name):
    scenario = simulate.SCENARIOS[name]
    data, truth = simulate.simulate_scenario(name, random_seed=4)
    assert len(data) == scenario.groups * scenario.rows
    assert (data["level"].value_counts() == scenario.rows).all()
    spread = float(truth.a.std(ddof=0))
    quantile_sd = stats.norm.ppf((np.arange(scenario.groups) + 0.5) / scenario.groups).std()
    assert spread == pytest.approx(scenario.tau * quantile_sd)
    assert truth.a.index.tolist() == sorted(data["level"].unique())


def test_scenario_repeats_with_its_seed_and_changes_with_another():
    first, _ = simulate.simulate_scenario("differ", random_seed=1)
    again, _ = simulate.simulate_scenario("differ", random_seed=1)
    other, _ = simulate.simulate_scenario("differ", random_seed=2)
    pd.testing.assert_frame_equal(first, again)
    assert not first["y"].equals(other["y"])


def test_scenario_refuses_bad_settings():
    with pytest.raises(ValueError, match="unknown scenario 'huge'"):
        simulate.simulate_scenario("huge", random_seed=1)
    bad = dataclasses.replace(simulate.SCENARIOS["differ"], sigma=0.0)
    with pytest.raises(ValueError, match="sigma"):
        simulate.simulate_scenario(bad, random_seed=1)
    with pytest.raises(ValueError, match="tau"):
        simulate.simulate_scenario(dataclasses.replace(bad, sigma=1.0, tau=-1.0), random_seed=1)


# Exact LOO against brute force -----------------------------------------------------------


def _small(random_seed=0):
    world = simulate.Scenario(groups=3, rows=4, tau=1.0, sigma=1.2)
    return simulate.simulate_scenario(world, random_seed=random_seed)


def _design(data, pooling, tau):
    design, y, _, cov, _ = exact.linear_system(data, pooling=pooling, group_sd=tau)
    return design, y, cov


def _refit_loo(design, y, cov, sigma):
    """Leave each row out, refit exactly, return log p(y_i | y_-i) and log p(y_-i)."""
    lpd, log_rest = [], []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        mean, post_cov, log_marginal = exact.linear_gaussian_posterior(
            design[keep], y[keep], prior_mean=np.zeros(design.shape[1]), prior_cov=cov, sigma=sigma
        )
        sd = np.sqrt(sigma**2 + design[i] @ post_cov @ design[i])
        lpd.append(stats.norm.logpdf(y[i], design[i] @ mean, sd))
        log_rest.append(log_marginal)
    return np.array(lpd), np.array(log_rest)


@pytest.mark.parametrize("pooling", ["pooled", "unpooled"])
def test_exact_loo_equals_refitting_without_each_row(pooling):
    data, truth = _small()
    design, y, cov = _design(data, pooling, 1.0)
    brute, _ = _refit_loo(design, y, cov, truth.sigma)
    fast = exact.exact_loo(data, pooling=pooling, sigma=truth.sigma)
    assert np.allclose(fast, brute)


def test_exact_loo_with_learned_spread_equals_refitting_on_the_same_grid():
    data, truth = _small(random_seed=3)
    grid = np.linspace(0.01, 6.0, 60)
    per_tau, weight = [], []
    for tau in grid:
        design, y, cov = _design(data, "partial", tau)
        lpd, log_rest = _refit_loo(design, y, cov, truth.sigma)
        per_tau.append(lpd)
        weight.append(log_rest + stats.halfnorm.logpdf(tau, scale=PRIORS["tau_sd"]))
    per_tau, weight = np.array(per_tau), np.array(weight)
    # p(y_i | y_-i) = sum_t p(y_i | y_-i, t) p(t | y_-i)
    brute = special.logsumexp(weight + per_tau, axis=0) - special.logsumexp(weight, axis=0)
    fast = exact.exact_loo(data, pooling="partial", sigma=truth.sigma, grid=grid)
    assert np.allclose(fast, brute)


def test_exact_loo_refuses_unknown_pooling_and_bad_sigma():
    data, _ = _small()
    with pytest.raises(ValueError, match="pooling"):
        exact.exact_loo(data, pooling="complete", sigma=1.0)
    with pytest.raises(ValueError, match="sigma"):
        exact.exact_loo(data, pooling="pooled", sigma=-1.0)


@pytest.mark.sampling
def test_psis_loo_of_a_sampled_fit_agrees_with_the_exact_loo():
    world = simulate.Scenario(groups=8, rows=3, tau=1.0, sigma=1.4)
    data, truth = simulate.simulate_scenario(world, random_seed=11)
    model = models.partial_pooling_model(data, sigma=truth.sigma)
    fits = compare.fit_models({"partial": model}, random_seed=11, draws=2000)
    table = compare.loo_table(fits)
    exact_elpd = exact.exact_loo(data, pooling="partial", sigma=truth.sigma).sum()
    assert table.loc["partial", "elpd"] == pytest.approx(exact_elpd, abs=1.0)


# The three worlds rank the models as notebook 08 says, on many seeds -----------------------


def _similar(data, sigma):
    elpd = {p: exact.exact_loo(data, pooling=p, sigma=sigma).sum() for p in exact.POOLINGS}
    return set(compare.similar_models(pd.DataFrame({"elpd": elpd})))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("differ", {"partial"}),
        ("identical", {"pooled", "partial"}),
        ("large", {"unpooled", "partial"}),
    ],
)
def test_each_world_ranks_the_models_the_same_way_on_every_seed(name, expected):
    for seed in range(8):
        data, truth = simulate.simulate_scenario(name, random_seed=seed)
        assert _similar(data, truth.sigma) == expected, f"seed {seed}"


def test_exercise_worlds_rank_as_their_solutions_say():
    more_rows = dataclasses.replace(simulate.SCENARIOS["differ"], rows=30)
    small_spread = dataclasses.replace(simulate.SCENARIOS["differ"], tau=0.3)
    for seed in range(8):
        data, truth = simulate.simulate_scenario(more_rows, random_seed=seed)
        assert _similar(data, truth.sigma) == {"unpooled", "partial"}
        data, truth = simulate.simulate_scenario(small_spread, random_seed=seed)
        assert _similar(data, truth.sigma) == {"pooled", "partial"}


# Tables -----------------------------------------------------------------------------------


def _toy_fit(center, rng, *, with_loglik=True, n=30):
    a = rng.normal(center, 0.1, (2, 400))
    y = np.linspace(-1.5, 1.5, n)
    groups = {"posterior": xr.Dataset({"a": (("chain", "draw"), a)})}
    if with_loglik:
        loglik = stats.norm.logpdf(y, a[..., None], 1.0)
        groups["log_likelihood"] = xr.Dataset({"y": (("chain", "draw", "obs"), loglik)})
    return xr.DataTree.from_dict(groups)


@pytest.mark.sampling
def test_loo_table_ranks_and_reports_diagnostics():
    rng = np.random.default_rng(5)
    table = compare.loo_table({"far": _toy_fit(3.0, rng), "near": _toy_fit(0.0, rng)})
    assert table.index.tolist() == ["near", "far"]
    assert table["rank"].tolist() == [0, 1]
    assert table.loc["near", "elpd_diff"] == 0
    assert table.loc["far", "elpd_diff"] < -50
    # ArviZ's columns on the difference are kept: the best has no p_worse and no caution
    assert np.isnan(table.loc["near", "p_worse"]) and table.loc["far", "p_worse"] > 0.99
    assert table["diag_diff"].tolist() == ["", "N < 100"]  # 30 observations
    assert (table["high_k"] == 0).all()
    assert (table["max_k"] < 0.7).all()


@pytest.mark.sampling
def test_loo_table_asks_for_the_log_likelihood():
    rng = np.random.default_rng(5)
    with pytest.raises(ValueError, match="compute_log_likelihood"):
        compare.loo_table({"m": _toy_fit(0.0, rng, with_loglik=False)})


def test_score_estimates_by_hand():
    truth = pd.Series({"g1": 0.0, "g2": 2.0})
    draws = xr.DataArray(
        np.tile([[-0.5, 1.5], [0.5, 2.5]], (1, 50, 1)).reshape(1, 100, 2),
        dims=("chain", "draw", "level"),
        coords={"level": ["g2", "g1"]},  # order differs from the truth's on purpose
    )
    table = compare.score_estimates({"m": draws}, truth, ci_prob=0.5)
    # posterior means: g2 -> 0.0, g1 -> 2.0, so errors of 2 each
    assert table.loc["m", "sq_error"] == pytest.approx(8.0)
    assert table.loc["m", "coverage"] == 0.0
    with pytest.raises(ValueError, match="no group 'g3'"):
        compare.score_estimates({"m": draws}, pd.Series({"g3": 1.0}))
    with pytest.raises(ValueError, match="prob"):
        compare.score_estimates({"m": draws}, truth, ci_prob=1.0)


def test_score_estimates_repeats_a_pooled_scalar_for_every_group():
    truth = pd.Series({"g1": 0.0, "g2": 1.0, "g3": 2.0})
    scalar = xr.DataArray(np.full((2, 10), 1.0), dims=("chain", "draw"))
    table = compare.score_estimates({"pooled": scalar}, truth)
    assert table.loc["pooled", "sq_error"] == pytest.approx(2.0)
    assert table.loc["pooled", "width"] == 0.0


def test_similar_models_uses_the_threshold():
    table = pd.DataFrame({"elpd": [-10.0, -13.9, -14.1]}, index=["a", "b", "c"])
    assert compare.similar_models(table) == ["a", "b"]
    assert compare.similar_models(table, within=5) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="elpd"):
        compare.similar_models(pd.DataFrame({"x": [1.0]}))


def test_in_the_large_world_the_hierarchy_barely_moves_any_intercept():
    grid = np.linspace(0.01, 6.0, 150)
    for seed in range(4):
        data, truth = simulate.simulate_scenario("large", random_seed=seed)
        partial = exact.learned_spread_posterior(data, sigma=truth.sigma, grid=grid).loc["a"]
        unpooled = exact.unpooled_posterior(data, sigma=truth.sigma).loc["a"]
        moved = (partial["mean"] - unpooled["mean"]).abs() / unpooled["sd"]
        assert (moved < 0.25).all(), f"seed {seed}"


def test_in_the_differ_world_the_hierarchy_has_the_smaller_squared_error():
    grid = np.linspace(0.01, 6.0, 150)
    for seed in range(4):
        data, truth = simulate.simulate_scenario("differ", random_seed=seed)
        partial = exact.learned_spread_posterior(data, sigma=truth.sigma, grid=grid).loc["a"]
        unpooled = exact.unpooled_posterior(data, sigma=truth.sigma).loc["a"]
        error = {
            name: float(((post["mean"] - truth.a) ** 2).sum())
            for name, post in [("partial", partial), ("unpooled", unpooled)]
        }
        assert error["partial"] < 0.8 * error["unpooled"], f"seed {seed}"
