"""Method claims of ``notebooks/09_your_data.ipynb``, checked on several seeds."""

import pytest

from companion import data, fit, models, summaries

SEEDS = range(8)
COLUMNS = {"outcome": "deaths", "trials": "operations", "predictors": ()}


def _move_of_a(table):
    """Log-odds distance and share of the way hospital A moves toward the population mean."""
    row = table.loc["A"]
    moved = row["partial_mean"] - row["unpooled_mean"]
    return moved, moved / (row["population_mean"] - row["unpooled_mean"])


@pytest.mark.sampling
@pytest.mark.parametrize("random_seed", SEEDS)
def test_a_with_470_operations_moves_less_but_more_than_half_a_unit(random_seed):
    # Exercise 09-2: A with 0 deaths in 470 operations instead of 47.
    surgical = data.load_surgical()
    tables = []
    for operations in (47, 470):
        frame = surgical.copy()
        frame.loc[frame["hospital"] == "A", "operations"] = operations
        kwargs = {"random_seed": random_seed, "draws": 3000, "target_accept": 0.95}
        unpooled = fit.sample(models.unpooled_model(frame, group="hospital", **COLUMNS), **kwargs)
        partial = fit.sample(
            models.partial_pooling_model(frame, group="hospital", **COLUMNS), **kwargs
        )
        fit.check_health(unpooled)
        fit.check_health(partial)
        tables.append(
            summaries.shrinkage_summary(unpooled, partial, group="hospital", weights="trials")
        )
    (small_move, small_share), (big_move, big_share) = map(_move_of_a, tables)
    assert 0.5 < big_move < small_move
    assert big_share < small_share
