import pytest
from scipy import stats

from companion import coins, data, exercises


@pytest.mark.parametrize("key", ["04-1", "04-2", "04-3"])
@pytest.mark.parametrize("blank", [None, ...])
def test_blank_answer_is_not_yet_without_error(key, blank):
    feedback = exercises.check(key, blank)
    assert not feedback.correct
    assert "no answer yet" in feedback.message


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
    table = data.load_coins()
    coin = table.loc[table["flips"] == 6].iloc[0]
    posterior = stats.beta(1 + coin["heads"], 1 + coin["flips"] - coin["heads"])
    return posterior.cdf(0.5 + tolerance) - posterior.cdf(0.5 - tolerance)


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


def test_04_3_accepts_the_share_from_the_simulator_defaults():
    sigma = dict(coins.DEFAULT_SIGMA, line=0.25)
    variance = {level: value**2 for level, value in sigma.items()}
    assert exercises.check("04-3", variance["line"] / sum(variance.values())).correct


@pytest.mark.parametrize(
    ("answer", "hint"),
    [(0.7463, "original"), (0.25 / 0.75, "square"), (42.4, "percentage"), (0.2, "divide")],
)
def test_04_3_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("04-3", answer)
    assert not feedback.correct
    assert hint in feedback.message
