import numpy as np
import pytest

from companion import exact, fit, models, simulate


def test_linear_gaussian_matches_the_one_mean_formula():
    rng = np.random.default_rng(0)
    y = rng.normal(3.0, 2.0, size=20)
    prior_sd, sigma = 4.0, 2.0
    mean, cov, log_marginal = exact.linear_gaussian_posterior(
        np.ones((20, 1)), y, prior_mean=np.zeros(1), prior_cov=np.eye(1) * prior_sd**2, sigma=sigma
    )
    precision = 1 / prior_sd**2 + 20 / sigma**2
    assert mean[0] == pytest.approx(y.sum() / sigma**2 / precision)
    assert cov[0, 0] == pytest.approx(1 / precision)
    # log p(y): y ~ Normal(0, sigma^2 I + prior_sd^2 11')
    joint = sigma**2 * np.eye(20) + prior_sd**2
    sign, logdet = np.linalg.slogdet(joint)
    direct = -0.5 * (20 * np.log(2 * np.pi) + logdet + y @ np.linalg.solve(joint, y))
    assert log_marginal == pytest.approx(direct)


@pytest.mark.parametrize("seed", range(8))
def test_shrinkage_is_strongest_for_the_smallest_group(seed):
    frame, truth = simulate.simulate_levels(500, random_seed=seed)
    raw = exact.unpooled_posterior(frame, sigma=truth.sigma)
    pooled = exact.partial_pooling_posterior(frame, sigma=truth.sigma, group_sd=1.0)
    w = pooled.loc[("w", ""), "mean"]
    gap = raw.loc["a", "mean"] - w
    closed = (raw.loc["a", "mean"] - pooled.loc["a", "mean"]) / gap
    # Every level moves toward w, and h1 (1% of rows) closes a far larger share of its gap
    # than h3 (70%); how far that is in absolute terms also depends on the gap itself.
    assert ((pooled.loc["a", "mean"] - w).abs() <= gap.abs()).all()
    assert closed["h1"] > 5 * closed["h3"]
    assert pooled.loc[("a", "h1"), "sd"] < raw.loc[("a", "h1"), "sd"]


def test_huge_spread_gives_back_the_unpooled_answer(levels):
    frame, truth = levels
    raw = exact.unpooled_posterior(frame, sigma=truth.sigma).loc["a"]
    wide = exact.partial_pooling_posterior(frame, sigma=truth.sigma, group_sd=1e4).loc["a"]
    # Equal up to the unpooled model's Normal(0, 10) prior, which a flat spread lacks.
    np.testing.assert_allclose(wide["mean"], raw["mean"], rtol=0.01)
    np.testing.assert_allclose(wide["sd"], raw["sd"], rtol=0.01)


def test_learned_spread_on_a_narrow_grid_is_the_fixed_spread_answer(levels):
    frame, truth = levels
    fixed = exact.partial_pooling_posterior(frame, sigma=truth.sigma, group_sd=1.0)
    grid = exact.learned_spread_posterior(frame, sigma=truth.sigma, grid=np.array([1.0, 1.0]))
    np.testing.assert_allclose(grid.loc[fixed.index, "mean"], fixed["mean"])
    np.testing.assert_allclose(grid.loc[fixed.index, "sd"], fixed["sd"])


def test_shrinkage_factor_grid():
    n = np.array([1, 2, 5, 20, 100])
    for tau in (0.3, 1.0, 3.0):
        b = exact.shrinkage_factor(n, sigma=2.0, group_sd=tau)
        assert np.all(np.diff(b) < 0), "shrinkage must fall as the group grows"
        assert np.all((b > 0) & (b < 1))
    by_tau = [exact.shrinkage_factor(5, sigma=2.0, group_sd=t) for t in (0.3, 1.0, 3.0)]
    assert by_tau[0] > by_tau[1] > by_tau[2]
    with pytest.raises(ValueError, match="n_rows must be a positive number"):
        exact.shrinkage_factor(0, sigma=1.0, group_sd=1.0)
    assert exact.rows_to_match(1.0, sigma=2.0) == pytest.approx(4.0)


@pytest.mark.sampling
def test_sampler_agrees_with_the_exact_posterior(levels):
    frame, truth = levels
    model = models.partial_pooling_model(frame, group_sd=1.0, sigma=truth.sigma, centered=True)
    idata = fit.sample(model, random_seed=7)
    assert fit.diagnose(idata).ok
    want = exact.partial_pooling_posterior(frame, sigma=truth.sigma, group_sd=1.0)
    got = idata.posterior["a"]
    mean = got.mean(("chain", "draw")).to_numpy()
    sd = got.std(("chain", "draw")).to_numpy()
    mcse = sd / np.sqrt(1000)  # ESS of at least ~1000 of 2000 draws, asserted by ok above
    assert np.all(np.abs(mean - want.loc["a", "mean"].to_numpy()) < 5 * mcse)
    np.testing.assert_allclose(sd, want.loc["a", "sd"].to_numpy(), rtol=0.1)
