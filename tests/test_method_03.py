"""Notebook 03's claims about the population mean w and the learned spread, on many data sets.

The thread says w "fits to a balanced mean of the levels". Given the spread ``tau`` and the
noise ``sigma``, w is the precision-weighted mean of the levels' own estimates, with weights
``1 / (tau**2 + sigma**2 / n_h)``: row shares as ``tau -> 0``, equal weights as
``tau -> inf``. These tests check that formula against exact posteriors, the part of the
"between" claim that holds on every data set (the weights of the rarest and the largest
level), and that the scalar "w lies between the row-weighted mean and the plain mean of the
levels" does not: it fails on some simulated data sets.
"""

import numpy as np
import pytest

from companion import exact, explore, simulate

SEEDS = [0, 1, 2, 3, 4, 5, 6, 7]
SIGMA = 2.0
W_PRIOR_SD = 10.0


def level_estimates(data):
    unpooled = exact.unpooled_posterior(data, sigma=SIGMA)
    sizes = data["level"].value_counts().sort_index()
    return unpooled.loc["a", "mean"], unpooled.loc["a", "sd"], sizes


def precision_weights(sd, group_sd):
    precision = 1 / (group_sd**2 + sd**2)
    return precision / precision.sum(), precision.sum()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("group_sd", [0.5, 1.0, 2.0])
def test_w_is_the_precision_weighted_mean_of_the_levels(seed, group_sd):
    data, _ = simulate.simulate_levels(500, random_seed=seed)
    a_hat, sd, _ = level_estimates(data)
    weights, total = precision_weights(sd, group_sd)
    # w's Normal(0, 10) prior adds precision 1 / 10**2 centred at 0.
    expected = (weights * a_hat).sum() * total / (total + 1 / W_PRIOR_SD**2)
    partial = exact.partial_pooling_posterior(data, sigma=SIGMA, group_sd=group_sd)
    assert partial.loc[("w", ""), "mean"] == pytest.approx(expected, abs=0.03)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("group_sd", [0.1, 0.5, 1.0, 2.0, 5.0])
def test_rarest_and_largest_weights_lie_between_row_share_and_equal(seed, group_sd):
    data, _ = simulate.simulate_levels(500, random_seed=seed)
    _, _, sizes = level_estimates(data)
    precision = 1 / (group_sd**2 + SIGMA**2 / sizes)
    weight, share, equal = precision / precision.sum(), sizes / sizes.sum(), 1 / len(sizes)
    rare, large = sizes.idxmin(), sizes.idxmax()
    assert share[rare] < weight[rare] < equal < weight[large] < share[large]


def test_the_middle_level_weight_can_overshoot_equal():
    # Why "between" is not a law for w itself: h2's weight passes above 1/3 on the way.
    sizes = np.array([5, 145, 350])
    precision = 1 / (0.3**2 + SIGMA**2 / sizes)
    assert precision[1] / precision.sum() > 0.4


def test_w_between_row_weighted_and_plain_mean_fails_on_some_data_sets():
    outside = []
    for seed in SEEDS:
        data, _ = simulate.simulate_levels(500, random_seed=seed)
        a_hat, _, sizes = level_estimates(data)
        ends = sorted([(a_hat * sizes).sum() / sizes.sum(), a_hat.mean()])
        w = exact.partial_pooling_posterior(data, sigma=SIGMA, group_sd=1.0).loc[("w", ""), "mean"]
        outside.append(not ends[0] < w < ends[1])
    assert any(outside) and not all(outside)


def learned_pull(data, level, shift=0.1):
    """Share of a shift in a level's rows that its learned-spread estimate does not follow."""
    moved = data.copy()
    rows = moved["level"] == level
    moved.loc[rows, "y"] = moved.loc[rows, "y"] + shift
    learned = [exact.learned_spread_posterior(d, sigma=SIGMA) for d in (data, moved)]
    alone = [exact.unpooled_posterior(d, sigma=SIGMA) for d in (data, moved)]
    follow = {
        "learned": learned[1].loc[("a", level), "mean"] - learned[0].loc[("a", level), "mean"],
        "alone": alone[1].loc[("a", level), "mean"] - alone[0].loc[("a", level), "mean"],
    }
    return 1 - follow["learned"] / follow["alone"]


@pytest.mark.parametrize("seed", SEEDS)
def test_learned_spread_h1_leans_on_the_population_more_than_h3(seed):
    # With tau learned, the share of the gap to E[w] that a level closes is not a clean
    # measure (E[a_h1] mixes over tau; h1 can sit almost on w). Its sensitivity to its own
    # rows is: h1 follows them less than h3 does.
    data, _ = simulate.simulate_levels(500, random_seed=seed)
    pull = {level: learned_pull(data, level) for level in ("h1", "h3")}
    assert pull["h1"] > 0 and pull["h1"] > pull["h3"] + 0.02
    unpooled = exact.unpooled_posterior(data, sigma=SIGMA)
    learned = exact.learned_spread_posterior(data, sigma=SIGMA)
    assert learned.loc[("a", "h1"), "sd"] < unpooled.loc[("a", "h1"), "sd"]


@pytest.mark.parametrize("seed", SEEDS)
def test_population_is_worth_sigma2_over_tau2_plus_var_w_rows(seed):
    # Notebook 03's explorer: whatever the small level's size, the population is worth
    # sigma**2 / (tau**2 + V) rows to it, V the variance of w given the other levels.
    rng = np.random.default_rng(seed)
    group_sd, sigma = rng.uniform(0.3, 3.0), rng.uniform(0.5, 4.0)
    other_sizes = rng.integers(2, 400, size=rng.integers(2, 5)).tolist()
    means = rng.normal(5.0, 2.0, size=len(other_sizes) + 1)
    precision = 1 / (group_sd**2 + sigma**2 / np.array(other_sizes))
    w_var = 1 / (precision.sum() + 1 / W_PRIOR_SD**2)
    for n_small in (1, 5, 50):
        table = explore.shrinkage_table(
            n_small, group_sd=group_sd, sigma=sigma, means=means, other_sizes=other_sizes
        )
        gift = table["rows_alone"].iloc[0] - n_small
        assert gift == pytest.approx(sigma**2 / (group_sd**2 + w_var), rel=1e-6)
        assert gift < sigma**2 / group_sd**2
