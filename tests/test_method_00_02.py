"""Method claims of notebooks 00-02, checked on many simulated data sets.

The notebooks assert what holds on their one data set, with margins a reader can see; the
claims below are about the methods themselves, so they are checked here on ten seeds each
(eight for the one that samples). All but the last use exact posteriors and closed-form
predictive intervals; the last samples the redundant-intercept model of notebook 02 with
nutpie, compiled once and given a new data set per seed.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from companion import exact, models, simulate, validate

SEEDS = list(range(10))
CI_PROB = 0.9


# Notebook 00: five instances of X and the next one.


def shared_intervals(random_seed, n_repeats, *, n_instances=5, mean=5.0, sd=2.0):
    rng = np.random.default_rng(random_seed)
    draws = rng.normal(mean, sd, size=(n_repeats, n_instances + 1))
    seen, nxt = draws[:, :n_instances], draws[:, n_instances]
    lower, upper = exact.predictive_interval(
        seen.mean(axis=1), seen.std(axis=1, ddof=1), n_instances=n_instances, ci_prob=CI_PROB
    )
    return lower, upper, nxt


@pytest.mark.parametrize("seed", SEEDS)
def test_shared_population_interval_covers_the_next_instance_90_percent(seed):
    lower, upper, nxt = shared_intervals(seed, 4000)
    coverage = np.mean((lower < nxt) & (nxt < upper))
    assert abs(coverage - CI_PROB) < 4 * np.sqrt(CI_PROB * (1 - CI_PROB) / 4000)


@pytest.mark.parametrize("seed", SEEDS)
def test_shared_interval_is_typically_a_quarter_as_wide_as_from_scratch(seed):
    scratch_width = 2 * stats.norm.ppf(0.95) * models.PRIORS["intercept_sd"]
    lower, upper, _ = shared_intervals(seed, 2000)
    ratio = (upper - lower) / scratch_width
    # Exact median: the width is proportional to s, and 4 s^2 / 2^2 is chi-square with 4 df.
    t = stats.t.ppf(0.95, df=4)
    exact_median = 2 * t * np.sqrt(1.2) * 2.0 * np.sqrt(stats.chi2.median(4) / 4) / scratch_width
    assert abs(np.median(ratio) - exact_median) < 0.02
    assert np.median(ratio) < 0.3
    # The same for the 95% quantile: 19 in 20 intervals are less than half as wide.
    exact_q95 = exact_median * np.sqrt(stats.chi2.ppf(0.95, 4) / stats.chi2.median(4))
    assert abs(np.quantile(ratio, 0.95) - exact_q95) < 0.03
    assert np.quantile(ratio, 0.95) < 0.5


def test_from_scratch_interval_misses_less_than_once_in_a_million():
    lower, upper = stats.norm(0, models.PRIORS["intercept_sd"]).interval(CI_PROB)
    population = stats.norm(5.0, 2.0)
    assert population.cdf(lower) + population.sf(upper) < 1e-6


# Notebook 01: the pooled model.


def pooled_fit(frame):
    """Exact pooled posterior (a, b) with sigma plugged in, as notebook 01 computes it."""
    design = np.column_stack([np.ones(len(frame)), frame["x"]])
    y = frame["y"].to_numpy()
    sigma = np.std(y - design @ np.linalg.lstsq(design, y, rcond=None)[0])
    prior_cov = np.diag([models.PRIORS["intercept_sd"] ** 2, models.PRIORS["slope_sd"] ** 2])
    mean, cov, _ = exact.linear_gaussian_posterior(
        design, y, prior_mean=np.zeros(2), prior_cov=prior_cov, sigma=sigma
    )
    return mean, cov, sigma


@pytest.mark.parametrize("block", SEEDS)
def test_pooled_slope_interval_is_calibrated(block):
    z = stats.norm.ppf((1 + CI_PROB) / 2)
    covers = []
    for seed in range(10_000 + 400 * block, 10_000 + 400 * (block + 1)):
        frame, truth = simulate.simulate_levels(500, random_seed=seed)
        mean, cov, _ = pooled_fit(frame)
        covers.append(abs(mean[1] - truth.b) < z * np.sqrt(cov[1, 1]))
    assert abs(np.mean(covers) - CI_PROB) < 4 * np.sqrt(CI_PROB * (1 - CI_PROB) / 400)


def within_level_correlation(residual, level_idx):
    """Correlation of the residuals of two different rows of one level (notebook 01's formula).

    Written with ``np.bincount`` on integer codes, so that a thousand shuffles stay fast.
    """
    centred = np.asarray(residual) - np.mean(residual)
    sums = np.bincount(level_idx, weights=centred)
    squares = np.bincount(level_idx, weights=centred**2)
    counts = np.bincount(level_idx)
    pairs = (counts * (counts - 1)).sum()
    return (sums**2 - squares).sum() / pairs / np.var(centred, ddof=1)


def test_bincount_formula_matches_the_pairwise_definition():
    rng = np.random.default_rng(0)
    residual, level_idx = rng.normal(size=40), rng.integers(0, 3, size=40)
    centred = residual - residual.mean()
    same = (level_idx[:, None] == level_idx[None, :]) & ~np.eye(40, dtype=bool)
    pairwise = (np.outer(centred, centred)[same]).mean() / centred.var(ddof=1)
    assert np.isclose(within_level_correlation(residual, level_idx), pairwise)


def level_codes(frame):
    return validate.encode_levels(frame["level"], ["h1", "h2", "h3"], column="level")


def pooled_residual(frame):
    mean, _, _ = pooled_fit(frame)
    return frame["y"] - mean[0] - mean[1] * frame["x"]


@pytest.mark.parametrize("seed", SEEDS)
def test_shuffled_labels_give_a_within_level_correlation_near_zero(seed):
    rng = np.random.default_rng(seed)
    frame, _ = simulate.simulate_levels(500, random_seed=seed)
    residual, labels = pooled_residual(frame), level_codes(frame)
    shuffled = [within_level_correlation(residual, rng.permutation(labels)) for _ in range(200)]
    assert abs(np.mean(shuffled)) < 0.005
    assert np.std(shuffled) < 0.01


@pytest.mark.parametrize("seed", SEEDS)
def test_within_level_correlation_raises_no_alarm_without_clusters(seed):
    rng = np.random.default_rng(seed)
    frame, _ = simulate.simulate_levels(500, tau=1e-9, random_seed=seed)
    residual, labels = pooled_residual(frame), level_codes(frame)
    observed = within_level_correlation(residual, labels)
    shuffled = np.array(
        [within_level_correlation(residual, rng.permutation(labels)) for _ in range(1000)]
    )
    assert np.mean(shuffled >= observed) > 0.001


@pytest.mark.parametrize("seed", SEEDS)
def test_pooled_coverage_falls_as_a_level_moves_away_from_the_pooled_intercept(seed):
    frame, truth = simulate.simulate_levels(500, random_seed=seed)
    mean, _, sigma_hat = pooled_fit(frame)
    x = frame["x"].to_numpy()
    z = stats.norm.ppf((1 + CI_PROB) / 2)
    lower = mean[0] + mean[1] * x - z * sigma_hat
    upper = mean[0] + mean[1] * x + z * sigma_hat
    expected = {}
    for level, a_true in truth.a.items():
        mu = a_true + truth.b * x  # a new row of this level at every observed x
        expected[level] = np.mean(
            stats.norm.cdf(upper, mu, truth.sigma) - stats.norm.cdf(lower, mu, truth.sigma)
        )
    table = pd.DataFrame(
        {"distance": (truth.a - mean[0]).abs(), "coverage": pd.Series(expected)}
    ).sort_values("distance")
    assert table["coverage"].is_monotonic_decreasing
    row_weighted = (table["coverage"] * truth.counts).sum() / truth.counts.sum()
    assert abs(row_weighted - CI_PROB) < 0.03


# Notebook 02: unpooled intercepts and the redundant global intercept.


@pytest.mark.parametrize("seed", SEEDS)
def test_unpooled_sd_follows_sigma_over_root_n(seed):
    frame, truth = simulate.simulate_levels(500, random_seed=seed)
    sd = exact.unpooled_posterior(frame, sigma=truth.sigma).loc["a", "sd"]
    ratio = sd * np.sqrt(truth.counts) / truth.sigma
    assert ratio.between(0.8, 1.2).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_rows_to_match_prices_the_rows_a_small_level_needs(seed):
    rng = np.random.default_rng(seed)
    frame, truth = simulate.simulate_levels(500, random_seed=seed)
    sd = exact.unpooled_posterior(frame, sigma=truth.sigma).loc["a", "sd"]
    n_new = round(exact.rows_to_match(sd["h3"], sigma=truth.sigma)) - truth.counts["h1"]
    x_new = rng.standard_normal(n_new)
    new_rows = pd.DataFrame(
        {
            "level": pd.array(["h1"] * n_new, dtype="string"),
            "x": x_new,
            "y": truth.a["h1"] + truth.b * x_new + truth.sigma * rng.standard_normal(n_new),
        }
    )
    grown = pd.concat([frame, new_rows], ignore_index=True)
    grown_sd = exact.unpooled_posterior(grown, sigma=truth.sigma).loc["a", "sd"]
    assert abs(grown_sd["h1"] / grown_sd["h3"] - 1) < 0.1


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_rows", [500, 5000])
def test_redundant_global_intercept_keeps_its_prior_sd(seed, n_rows):
    frame, truth = simulate.simulate_levels(n_rows, random_seed=seed)
    onehot = pd.get_dummies(frame["level"]).to_numpy(dtype=float)
    design = np.column_stack([np.ones(len(frame)), onehot, frame["x"]])
    prior_sd = np.array([10.0, 10.0, 10.0, 10.0, 5.0])
    _, cov, _ = exact.linear_gaussian_posterior(
        design,
        frame["y"].to_numpy(),
        prior_mean=np.zeros(5),
        prior_cov=np.diag(prior_sd**2),
        sigma=truth.sigma,
    )
    c_sd = np.sqrt(cov[0, 0])
    assert abs(c_sd / (10 / np.sqrt(4)) - 1) < 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_sum_to_zero_level_effects_identify_the_global_intercept(seed):
    # ZeroSumNormal(sigma=10) over 3 levels is iid Normal(0, 10) projected off the ones vector:
    # effects = basis @ z with an orthonormal basis of that complement and z ~ Normal(0, 10).
    frame, truth = simulate.simulate_levels(500, random_seed=seed)
    onehot = pd.get_dummies(frame["level"]).to_numpy(dtype=float)
    basis = np.linalg.svd(np.eye(3) - 1 / 3)[0][:, :2]
    design = np.column_stack([np.ones(len(frame)), onehot @ basis, frame["x"]])
    prior_sd = np.array([10.0, 10.0, 10.0, 5.0])
    mean, cov, _ = exact.linear_gaussian_posterior(
        design,
        frame["y"].to_numpy(),
        prior_mean=np.zeros(4),
        prior_cov=np.diag(prior_sd**2),
        sigma=truth.sigma,
    )
    unpooled = exact.unpooled_posterior(frame, sigma=truth.sigma).loc["a", "mean"]
    assert np.sqrt(cov[0, 0]) < 0.1 * 5
    assert abs(mean[0] - unpooled.mean()) < 0.1


# Notebook 02, sampled: the redundant intercept's symptom is a collapsing ESS on any data set.


@pytest.fixture(scope="module")
def redundant_compiled():
    """The redundant model of notebook 02 (c + a[h]), compiled once for nutpie."""
    nutpie = pytest.importorskip("nutpie")
    import pymc as pm

    level_idx, x, y = levels_as_arrays(0)
    coords = {"level": ["h1", "h2", "h3"], "obs": np.arange(len(y))}
    with pm.Model(coords=coords) as model:
        level_code = pm.Data("level_idx", level_idx, dims="obs")
        x_data = pm.Data("x", x, dims="obs")
        y_data = pm.Data("y_obs", y, dims="obs")
        c = pm.Normal("c", 0, 10)
        a = pm.Normal("a", 0, 10, dims="level")
        b = pm.Normal("b", 0, 5)
        sigma = pm.HalfNormal("sigma", 5)
        pm.Normal("y", c + a[level_code] + b * x_data, sigma, observed=y_data, dims="obs")
    return nutpie, nutpie.compile_pymc_model(model, freeze_model=False)


def levels_as_arrays(seed):
    frame, _ = simulate.simulate_levels(500, random_seed=seed)
    level_idx = validate.encode_levels(frame["level"], ["h1", "h2", "h3"], column="level")
    return level_idx, frame["x"].to_numpy(), frame["y"].to_numpy()


@pytest.mark.sampling
@pytest.mark.parametrize("seed", SEEDS[:8])
def test_redundant_intercept_has_a_collapsing_ess(redundant_compiled, seed):
    import arviz as az

    nutpie, compiled = redundant_compiled
    level_idx, x, y = levels_as_arrays(seed)
    fitted = nutpie.sample(
        compiled.with_data(level_idx=level_idx, x=x, y_obs=y),
        draws=1000,
        tune=1000,
        chains=2,
        seed=seed,
        progress_bar=False,
    )
    assert float(az.ess(fitted, var_names=["c"])["c"]) < 400
