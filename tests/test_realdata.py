import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from companion import data, realdata

CSV = data.DATA_DIR / "efron_morris_1975.csv"


@pytest.fixture(scope="module")
def table():
    return realdata.load_efron_morris()


def _write(tmp_path, frame):
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


# The typed table against figures its sources print -------------------------------------


def test_table_has_the_published_shape(table):
    assert len(table) == 18
    assert table["player"].is_unique
    assert (table["at_bats"] == 45).all()
    # Published order: by first-45 average, highest first (Clemente 18 hits ... Alvis 7).
    assert table["hits"].is_monotonic_decreasing
    assert table["hits"].iloc[[0, -1]].tolist() == [18, 7]


def test_grand_mean_is_the_published_0_265(table):
    # Efron & Morris (1975, 1977): the 18 averages after 45 at-bats average .265.
    assert round(float(table["average"].mean()), 3) == 0.265
    assert round(float((table["hits"] / table["at_bats"]).mean()), 3) == 0.265


def test_james_stein_factor_is_the_published_0_212(table):
    # Efron & Morris (1977, Scientific American): shrinkage factor c = .212.
    result = realdata.james_stein(table["hits"] / table["at_bats"], trials=45)
    assert round(result.factor, 3) == 0.212
    # Their rule z = .265 + .212 (y - .265) takes Clemente's .400 to .294 and Alvis's .156
    # to .242; the recomputed factor and mean must give the same estimates.
    assert round(float(result.estimates.iloc[0]), 3) == 0.294
    assert round(float(result.estimates.iloc[-1]), 3) == 0.242


def test_total_squared_errors_match_the_quoted_figures(table):
    # Quoted totals against the rest-of-season averages: .077 (raw) and .022 (James-Stein),
    # "3.5 times" smaller; the table reproduces them to within 0.002 (see data/README.md).
    raw = table["hits"] / table["at_bats"]
    shrunk = realdata.james_stein(raw, trials=45).estimates
    truth = table["remaining_average"]
    raw_error = float(((raw - truth) ** 2).sum())
    js_error = float(((shrunk - truth) ** 2).sum())
    assert abs(raw_error - 0.077) < 0.002
    assert abs(js_error - 0.022) < 0.001
    assert round(raw_error / js_error, 1) == 3.5


def test_printed_averages_are_hits_over_at_bats(table):
    assert np.allclose(np.round(table["hits"] / table["at_bats"], 3), table["average"])
    again = np.round(table["remaining_hits"] / table["remaining_at_bats"], 3)
    assert np.allclose(again, table["remaining_average"])


def test_remaining_at_bats_range_is_strongly_unequal(table):
    # The rest-of-season part is the notebook's second, unbalanced data set.
    assert table["remaining_at_bats"].min() == 70
    assert table["remaining_at_bats"].max() == 586


def test_checksum_in_readme_matches_the_file():
    readme = (data.DATA_DIR / "README.md").read_text()
    assert "## efron_morris_1975.csv" in readme
    assert data.sha256(CSV) in readme


# The loader refuses what the source cannot contain ----------------------------------------


def test_repeated_player_is_refused(tmp_path, table):
    raw = pd.read_csv(CSV)
    raw.loc[1, "player"] = raw.loc[0, "player"]
    with pytest.raises(ValueError, match="repeats the label 'Roberto Clemente'"):
        realdata.load_efron_morris(_write(tmp_path, raw))


def test_more_hits_than_at_bats_is_refused(tmp_path):
    raw = pd.read_csv(CSV)
    raw.loc[3, "hits"] = 46
    with pytest.raises(ValueError, match="46 successes .* only 45 trials"):
        realdata.load_efron_morris(_write(tmp_path, raw))


def test_average_that_disagrees_with_hits_is_refused(tmp_path):
    raw = pd.read_csv(CSV)
    raw.loc[2, "average"] = 0.365  # a slip for .356
    with pytest.raises(ValueError, match="Frank Howard.*'average' is 0.365"):
        realdata.load_efron_morris(_write(tmp_path, raw))


def test_remaining_average_impossible_for_its_at_bats_is_refused(tmp_path):
    raw = pd.read_csv(CSV)
    raw.loc[17, "remaining_average"] = 0.207  # no count out of 70 rounds to .207
    with pytest.raises(ValueError, match="out of 70 trials rounds to 0.207"):
        realdata.load_efron_morris(_write(tmp_path, raw))


def test_negative_or_fractional_counts_are_refused(tmp_path):
    raw = pd.read_csv(CSV)
    raw.loc[0, "remaining_at_bats"] = -367
    with pytest.raises(ValueError, match="negative"):
        realdata.load_efron_morris(_write(tmp_path, raw))
    raw = pd.read_csv(CSV)
    raw["hits"] = raw["hits"].astype(float)
    raw.loc[0, "hits"] = 17.5
    with pytest.raises(ValueError, match="whole numbers"):
        realdata.load_efron_morris(_write(tmp_path, raw))


def test_missing_column_is_refused(tmp_path):
    raw = pd.read_csv(CSV).drop(columns="remaining_at_bats")
    with pytest.raises(ValueError, match="missing column 'remaining_at_bats'"):
        realdata.load_efron_morris(_write(tmp_path, raw))


def test_check_counts_refuses_zero_trials():
    frame = pd.DataFrame({"g": ["a"], "k": [0], "n": [0]})
    with pytest.raises(ValueError, match="0 trials"):
        realdata.check_counts(frame, successes="k", trials="n", group="g")


# Helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [7, 70, 586, 999])
def test_recover_successes_inverts_rounding_for_every_count(n):
    k = np.arange(n + 1)
    rate = pd.Series(np.round(k / n, 3))
    recovered = realdata.recover_successes(rate, pd.Series(np.full(n + 1, n)))
    assert recovered.tolist() == k.tolist()


def test_recover_successes_refuses_too_many_trials_and_bad_rates():
    with pytest.raises(ValueError, match="too many"):
        realdata.recover_successes(pd.Series([0.5]), pd.Series([1000]))
    with pytest.raises(ValueError, match="outside"):
        realdata.recover_successes(pd.Series([1.2]), pd.Series([10]))


def test_james_stein_keeps_raw_rates_when_they_are_far_apart_and_pools_when_close():
    far = realdata.james_stein(pd.Series([0.1, 0.4, 0.7, 0.9]), trials=1000)
    close = realdata.james_stein(pd.Series([0.30, 0.31, 0.29, 0.30, 0.32]), trials=20)
    assert far.factor > 0.99
    assert close.factor == 0.0
    assert np.allclose(close.estimates, close.grand_mean)
    with pytest.raises(ValueError, match="at least 4"):
        realdata.james_stein(pd.Series([0.1, 0.2, 0.3]), trials=10)


def _rates(values, labels, draws=4000):
    arr = np.broadcast_to(np.asarray(values, dtype=float), (1, draws, len(labels))).copy()
    return xr.DataArray(arr, dims=("chain", "draw", "g"), coords={"g": labels})


def test_predict_rates_has_binomial_spread_and_repeats_with_its_seed():
    p = _rates([0.25, 0.25], ["small", "large"], draws=20000)
    trials = pd.Series({"small": 50, "large": 800})
    pred = realdata.predict_rates(p, trials, random_seed=3)
    sd = pred.std(("chain", "draw")).to_series()
    assert abs(sd["small"] - np.sqrt(0.25 * 0.75 / 50)) < 0.003
    assert abs(sd["large"] - np.sqrt(0.25 * 0.75 / 800)) < 0.001
    assert pred.equals(realdata.predict_rates(p, trials, random_seed=3))
    with pytest.raises(ValueError, match="no entry for 'large'"):
        realdata.predict_rates(p, pd.Series({"small": 50}), random_seed=1)


def test_heldout_log_score_is_the_binomial_log_pmf_for_a_known_rate():
    p = _rates([0.3, 0.6], ["a", "b"], draws=10)
    score = realdata.heldout_log_score(
        p, pd.Series({"a": 4, "b": 9}), pd.Series({"a": 10, "b": 12})
    )
    assert np.allclose(score.to_numpy(), stats.binom.logpmf([4, 9], [10, 12], [0.3, 0.6]))


def test_rate_draws_repeats_a_scalar_for_every_label():
    post = xr.Dataset({"a": (("chain", "draw"), np.zeros((2, 5)))})
    tree = xr.DataTree.from_dict({"posterior": post})
    rates = realdata.rate_draws(tree, group="player", labels=["x", "y", "z"])
    assert rates.sizes == {"chain": 2, "draw": 5, "player": 3}
    assert np.allclose(rates, 0.5)
    with pytest.raises(ValueError, match="pass the group labels"):
        realdata.rate_draws(tree, group="player")


def test_trials_to_match_inverts_the_binomial_sd():
    n = realdata.trials_to_match(0.3, np.sqrt(0.3 * 0.7 / 120))
    assert n == pytest.approx(120)
    with pytest.raises(ValueError):
        realdata.trials_to_match(1.0, 0.1)
