"""Notebook 05's "data-poor vs data-rich", as notebook 03's shrinkage factor, on many factories.

A coin flipped ``n`` times with probability ``p`` has noise ``1 / (n p (1 - p))`` on the
log-odds scale; a line's own estimate (the mean of its ``k`` coins) has noise
``sum_c (sigma_coin**2 + noise_c) / k**2``. Against the population spread ``tau`` of its
level, ``B = noise / (noise + tau**2)``. Spot checks (3-10 flips) make every coin data-poor
(``B > 0.9``) and every line at least partly so (``B > 0.3``); batch tests (500-2000 flips)
make every line data-rich (``B < 0.1``) and every coin ``B < 0.5``.
"""

import numpy as np
import pandas as pd
import pytest

from companion import simulate

SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 2026]
DESIGN = {"n_regions": 1, "n_factories": 1, "n_lines": 8, "n_coins": (2, 4)}


def shrinkage(df, truth):
    p = truth.p.loc[df["coin"]].to_numpy()
    coin_noise = 1 / (df["flips"].to_numpy() * p * (1 - p))
    coin_b = coin_noise / (coin_noise + truth.level_sd["coin"] ** 2)
    own = pd.Series(truth.level_sd["coin"] ** 2 + coin_noise).groupby(df["line"].to_numpy())
    line_noise = own.sum() / own.size() ** 2
    line_b = line_noise / (line_noise + truth.level_sd["line"] ** 2)
    return coin_b, line_b.to_numpy()


@pytest.mark.parametrize("seed", SEEDS)
def test_spot_checks_are_data_poor_and_batch_tests_data_rich(seed):
    poor, truth = simulate.simulate_coins(n_flips=(3, 10), random_seed=seed, **DESIGN)
    rich, _ = simulate.simulate_coins(n_flips=(500, 2000), random_seed=seed, **DESIGN)
    poor_coin, poor_line = shrinkage(poor, truth)
    rich_coin, rich_line = shrinkage(rich, truth)
    assert poor_coin.min() > 0.9 and poor_line.min() > 0.3
    assert rich_coin.max() < 0.5 and rich_line.max() < 0.1
    assert np.all(rich_coin < poor_coin)
