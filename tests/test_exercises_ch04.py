import numpy as np
import pytest

from companion import coins, exercises, simulate


def test_04_1_accepts_line_and_coin_in_any_form():
    assert exercises.check("04-1", ["line", "coin"]).correct
    assert exercises.check("04-1", ("Coin", "line")).correct


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (["coin"], "known line"),
        (["factory", "line", "coin"], "factory (and so its region) is known"),
        (["line"], "every level below"),
        (["plant"], "not a level"),
        ("line", "list"),
    ],
)
def test_04_1_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("04-1", answer)
    assert not feedback.correct
    assert hint in feedback.message


def _flat_fair(tolerance):
    # Posterior of p under a flat prior on a fine grid (the checker uses the Beta posterior).
    table = coins.load_coins()
    coin = table.loc[table["flips"] == 6].iloc[0]
    heads, tails = int(coin["heads"]), int(coin["flips"] - coin["heads"])
    p = np.linspace(0, 1, 200_001)
    weight = p**heads * (1 - p) ** tails
    return weight[np.abs(p - 0.5) < tolerance].sum() / weight.sum()


def test_04_2_accepts_the_exact_and_a_sampled_answer():
    exact = _flat_fair(0.1)
    assert exercises.check("04-2", exact).correct
    assert exercises.check("04-2", exact + 0.015).correct  # Monte Carlo error of the draws


@pytest.mark.parametrize(
    ("answer", "hint"),
    [(_flat_fair(0.05), "within 0.05"), (30.0, "percentage"), (0.9, "Beta")],
)
def test_04_2_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("04-2", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_04_3_accepts_the_share_seen_in_simulated_coins():
    # Independent deviations per level, the lines' at sd 0.25: the share of the coins'
    # log-odds variance that the lines' deviations explain, measured on a million coins.
    spreads = dict(simulate.DEFAULT_LEVEL_SD, line=0.25)
    rng = np.random.default_rng(4)
    parts = {level: rng.normal(0, sd, size=1_000_000) for level, sd in spreads.items()}
    share = parts["line"].var() / sum(parts.values()).var()
    assert exercises.check("04-3", share).correct


@pytest.mark.parametrize(
    ("answer", "hint"),
    [(0.7463, "original"), (0.25 / 0.75, "square"), (42.4, "percentage"), (0.2, "divide")],
)
def test_04_3_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("04-3", answer)
    assert not feedback.correct
    assert hint in feedback.message
