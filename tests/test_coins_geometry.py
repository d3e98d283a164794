"""Notebook 05's claims about the centred and non-centred nested model, on eight seeds.

Each seed simulates its own factory (line and coin biases, spot-check and batch-test flips)
and samples it with its own sampler seed, with the notebook's settings (2 chains of 2,000
draws). Every factory has 8 lines of 3 coins (the notebook's has 2 to 4 per line), so each
form is compiled once and sampled on every factory's flips.

Thresholds are the notebook's. A claim that held on each of 48 seeds in a wider run is
checked on each of the 8 here; one that the notebook makes of its own seed and that held on
43 to 47 of the 48 is checked on at least ``MOST`` of the 8 (a claim failing on one seed in
ten fails that check on about 4% of sets of eight seeds).
"""

import numpy as np
import nutpie
import pytest
import xarray as xr

from companion import coins, fit, simulate

SEEDS = range(8)
MOST = 6
LEVELS = ["line", "coin"]
DESIGN = {"n_regions": 1, "n_factories": 1, "n_lines": 8, "n_coins": 3}
FLIPS = {"poor": (3, 10), "rich": (500, 2000)}  # flips per coin: spot checks, batch tests
FORMS = {"centred": True, "non-centred": False}
# The variables both forms have (the offsets exist only in the non-centred one).
SHARED = ["mu", "sigma_line", "sigma_coin", "line_logit", "coin_logit"]


@pytest.fixture(scope="module")
def fits(refit):
    """(seed, "poor" or "rich", form) -> fit; each form compiled once."""
    layout, _ = simulate.simulate_coins(random_seed=SEEDS[0], n_flips=FLIPS["poor"], **DESIGN)
    sampled = {}
    for form, centered in FORMS.items():
        model = coins.nested_model(layout, hierarchy=LEVELS, centered=centered)
        compiled = nutpie.compile_pymc_model(model)
        for seed in SEEDS:
            for flips, n_flips in FLIPS.items():
                frame, _ = simulate.simulate_coins(random_seed=seed, n_flips=n_flips, **DESIGN)
                assert frame[LEVELS].equals(layout[LEVELS])  # the compiled model's lines, coins
                data = {
                    "flips": frame["flips"].to_numpy(),
                    "heads_observed": frame["heads"].to_numpy(),
                }
                sampled[seed, flips, form] = refit(compiled, data, random_seed=seed, draws=2000)
    return sampled


def _holds(claim):
    """Seed -> whether ``claim(seed)`` holds, for every seed."""
    return {seed: bool(claim(seed)) for seed in SEEDS}


def _log_sigma_line(idata):
    return np.log(idata.posterior["sigma_line"])


def _per_gradient(idata):
    """Notebook 05's effective draws per 1000 gradient evaluations, on the shared variables."""
    health = fit.diagnose(idata, var_names=SHARED)
    return 1000 * health.min_ess_bulk / int(idata.sample_stats["n_steps"].sum())


@pytest.mark.sampling
def test_centred_model_diverges_and_fails_on_data_poor_coins(fits):
    # 48 of 48 seeds.
    def fails(seed):
        health = fit.diagnose(fits[seed, "poor", "centred"])
        return health.divergences > 0 and not health.ok

    held = _holds(fails)
    assert all(held.values()), held


@pytest.mark.sampling
def test_divergences_gather_in_the_neck(fits):
    # The divergent draws' median log sigma_line is at or below the lower quartile of all
    # draws: 45 of 48 seeds (the other three have 5 to 152 divergences spread higher up).
    def in_neck(seed):
        idata = fits[seed, "poor", "centred"]
        log_sigma = _log_sigma_line(idata).to_numpy()
        diverging = idata.sample_stats["diverging"].to_numpy()
        return np.median(log_sigma[diverging]) <= np.quantile(log_sigma, 0.25)

    held = _holds(in_neck)
    assert sum(held.values()) >= MOST, held


@pytest.mark.sampling
def test_non_centred_form_straightens_the_funnel(fits):
    # Correlation of a line's distance from mu with log sigma_line, over all lines: above
    # 0.3 in the centred fit on 47 of 48 seeds; between -0.2 and 0.2 for the non-centred
    # offsets on 48 of 48 (at most 0.11 in size).
    def link(seed, form):
        post = fits[seed, "poor", form].posterior
        if form == "centred":
            distance = abs(post["line_logit"] - post["mu"])
        else:
            distance = abs(post["line_offset"])
        return float(xr.corr(_log_sigma_line(fits[seed, "poor", form]), distance))

    funnel = _holds(lambda seed: link(seed, "centred") > 0.3)
    blob = _holds(lambda seed: abs(link(seed, "non-centred")) < 0.2)
    assert sum(funnel.values()) >= MOST, funnel
    assert all(blob.values()), blob


@pytest.mark.sampling
def test_non_centred_model_is_healthy_on_data_poor_coins(fits):
    # Healthy (no divergences, r-hat <= 1.01, bulk ESS >= 400) on 46 of 48 seeds: one had
    # an r-hat of 1.012, one a single divergence.
    healthy = _holds(lambda seed: fit.diagnose(fits[seed, "poor", "non-centred"]).ok)
    assert sum(healthy.values()) >= MOST, healthy

    # sigma_line's draws are worth more than the centred fit's: 48 of 48 seeds.
    def ess(seed, form):
        return fit.diagnose(fits[seed, "poor", form], var_names=["sigma_line"]).min_ess_bulk

    better = _holds(lambda seed: ess(seed, "non-centred") > ess(seed, "centred"))
    assert all(better.values()), better


@pytest.mark.sampling
def test_centred_fit_misses_the_neck(fits):
    # More than 1% of the non-centred draws lie below the smallest log sigma_line the
    # centred fit drew: 45 of 48 seeds.
    def missed(seed):
        floor = float(_log_sigma_line(fits[seed, "poor", "centred"]).min())
        return float((_log_sigma_line(fits[seed, "poor", "non-centred"]) < floor).mean())

    held = _holds(lambda seed: missed(seed) > 0.01)
    assert sum(held.values()) >= MOST, held


@pytest.mark.sampling
def test_each_form_wins_per_gradient_where_the_course_recommends_it(fits):
    # 48 of 48 seeds. Smallest ratios seen: 8.7 (data-poor, non-centred over centred) and
    # 4.2 (data-rich, centred over non-centred).
    def wins(seed):
        poor = {form: _per_gradient(fits[seed, "poor", form]) for form in FORMS}
        rich = {form: _per_gradient(fits[seed, "rich", form]) for form in FORMS}
        return poor["non-centred"] > poor["centred"] and rich["centred"] > 2 * rich["non-centred"]

    held = _holds(wins)
    assert all(held.values()), held


@pytest.mark.sampling
def test_centred_fit_of_data_rich_coins_is_usually_healthy(fits):
    # Notebook 05: healthy at its seed, not guaranteed; a few transitions can diverge.
    # r-hat <= 1.01 and bulk ESS >= 400 on 48 of 48 seeds (worst 1.008 and 881); no
    # divergence on 43 of 48; at most 30 of the 4,000 transitions on the other five.
    health = {seed: fit.diagnose(fits[seed, "rich", "centred"]) for seed in SEEDS}
    for seed, result in health.items():
        assert result.max_rhat <= 1.01 and result.min_ess_bulk >= 400, (seed, result)
        assert result.divergences < 0.01 * 4000, (seed, result)
    clean = {seed: result.divergences == 0 for seed, result in health.items()}
    assert sum(clean.values()) >= MOST, clean
