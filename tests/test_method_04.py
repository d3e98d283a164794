"""Notebook 04's in-sample posterior predictive check, on many simulated mints.

Each coin of the nested model has a parameter of its own, fitted to its own flips, so a
coin's observed number of heads sits near the middle of its posterior predictive
distribution more often than a new count would: the randomised PIT values of an in-sample
check crowd the centre. The notebook reads its PIT that way: at most 10% of the coins
outside ``(0.05, 0.95)`` (a uniform sample would put 10% there) and at least half inside
``(0.25, 0.75)`` (a uniform sample would put half there). Both are checked here on mints
simulated with different seeds and the same design (so the model is compiled once and
refitted on new flips and heads).
"""

import numpy as np
import pytest

from companion import coins, simulate

SEEDS = [0, 1, 2, 3, 4, 5, 6, 7]
DESIGN = {"n_regions": 3, "n_factories": 2, "n_lines": 3, "n_coins": 4}


def mint(seed):
    frame, _ = simulate.simulate_coins(random_seed=seed, **DESIGN)
    return frame


@pytest.fixture(scope="module")
def compiled_nested():
    import nutpie

    model = coins.nested_model(mint(SEEDS[0]), centered=["line"])
    return nutpie, nutpie.compile_pymc_model(model, freeze_model=False)


def randomised_pit(p_draws, flips, heads, rng):
    simulated = rng.binomial(flips, p_draws)
    below = (simulated < heads).mean(axis=0)
    ties = (simulated == heads).mean(axis=0)
    return below + rng.uniform(size=heads.size) * ties


@pytest.fixture(scope="module")
def pits(compiled_nested):
    return {}


def mint_pit(compiled_nested, pits, seed):
    if seed in pits:
        return pits[seed]
    nutpie, compiled = compiled_nested
    frame = mint(seed)
    fitted = nutpie.sample(
        compiled.with_data(
            flips=frame["flips"].to_numpy(), heads_observed=frame["heads"].to_numpy()
        ),
        draws=1000,
        tune=1000,
        chains=2,
        seed=seed,
        target_accept=0.95,
        progress_bar=False,
    )
    # A small mint leaves some spreads vague: a handful of divergences can occur, and they do
    # not bear on the claim; a fit that is broken (over 1% divergent draws) would.
    assert int(fitted.sample_stats["diverging"].sum()) < 20
    p = fitted.posterior["p"].stack(sample=("chain", "draw")).transpose("sample", "coin")
    order = np.argsort(frame["coin"].to_numpy())
    assert list(frame["coin"].to_numpy()[order]) == [str(c) for c in p["coin"].to_numpy()]
    pits[seed] = randomised_pit(
        p.to_numpy(),
        frame["flips"].to_numpy()[order],
        frame["heads"].to_numpy()[order],
        np.random.default_rng(seed),
    )
    return pits[seed]


def shares(pit):
    return np.mean((pit < 0.05) | (pit > 0.95)), np.mean((pit > 0.25) & (pit < 0.75))


@pytest.mark.sampling
@pytest.mark.parametrize("seed", SEEDS)
def test_in_sample_pit_crowds_the_middle(compiled_nested, pits, seed):
    extreme, middle = shares(mint_pit(compiled_nested, pits, seed))
    assert extreme <= 0.10
    assert middle >= 0.5


@pytest.mark.sampling
def test_in_sample_pit_crowds_the_middle_pooled_over_mints(compiled_nested, pits):
    pooled = np.concatenate([mint_pit(compiled_nested, pits, seed) for seed in SEEDS])
    extreme, middle = shares(pooled)
    assert extreme <= 0.10
    assert middle > 0.6
