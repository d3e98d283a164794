"""Notebook 05's claims about the centred and non-centred nested model, on several seeds.

A seed's spot checks and batch tests share its mint (the same coins and lines), so each
parametrisation is compiled once per seed and sampled on both sets of flips.
"""

from functools import cache

import numpy as np
import nutpie
import pytest

from companion import coins, fit, simulate

LEVELS = ["line", "coin"]
DESIGN = {"n_regions": 1, "n_factories": 1, "n_lines": 8, "n_coins": (2, 4)}
POOR = (3, 10)  # flips per coin: a handful
RICH = (500, 2000)  # flips per coin: plenty


@pytest.fixture(scope="module")
def fitted(refit):
    """``fitted(seed, flips, centered)``: each case fitted once, several tests read it."""

    @cache
    def compiled(seed, centered):
        frame, _ = simulate.simulate_coins(random_seed=seed, n_flips=POOR, **DESIGN)
        model = coins.nested_model(frame, hierarchy=LEVELS, centered=centered)
        return nutpie.compile_pymc_model(model)

    @cache
    def fitted(seed, flips, centered):
        frame, _ = simulate.simulate_coins(random_seed=seed, n_flips=flips, **DESIGN)
        poor, _ = simulate.simulate_coins(random_seed=seed, n_flips=POOR, **DESIGN)
        assert frame[LEVELS].equals(poor[LEVELS])  # the compiled model's lines and coins
        return refit(
            compiled(seed, centered),
            {"flips": frame["flips"].to_numpy(), "heads_observed": frame["heads"].to_numpy()},
            random_seed=seed,
            draws=2000 if flips == POOR else 1000,
        )

    return fitted


def _ess_per_gradient(idata):
    health = fit.diagnose(idata)
    return health.min_ess_bulk / float(idata.sample_stats["n_steps"].sum())


@pytest.mark.sampling
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_centred_model_diverges_in_the_neck_on_data_poor_groups(fitted, seed):
    idata = fitted(seed, POOR, True)
    health = fit.diagnose(idata)
    assert health.divergences > 0
    assert not health.ok
    log_sigma = np.log(idata.posterior["sigma_line"].to_numpy())
    diverging = idata.sample_stats["diverging"].to_numpy()
    assert np.median(log_sigma[diverging]) <= np.quantile(log_sigma, 0.25)


@pytest.mark.sampling
@pytest.mark.parametrize("seed", [1, 2])
def test_non_centred_model_fixes_data_poor_groups(fitted, seed):
    non_centred = fitted(seed, POOR, False)
    health = fit.diagnose(non_centred)
    assert health.divergences == 0
    assert health.max_rhat <= 1.01
    # the centred fit cannot enter the funnel's neck: it misses small spreads
    centred = fitted(seed, POOR, True)
    for level in LEVELS:
        name = f"sigma_{level}"
        low_centred = float(centred.posterior[name].quantile(0.1))
        assert low_centred > float(non_centred.posterior[name].quantile(0.1)), name


@pytest.mark.sampling
@pytest.mark.parametrize("seed", [1, 2])
def test_centred_model_wins_on_data_rich_groups(fitted, seed):
    centred = fitted(seed, RICH, True)
    non_centred = fitted(seed, RICH, False)
    assert fit.diagnose(centred).ok
    # effective draws per gradient evaluation: the cost of a draw, free of timing noise
    assert _ess_per_gradient(centred) > 3 * _ess_per_gradient(non_centred)
