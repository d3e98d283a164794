import pytest

from companion import coins, exercises, fit, simulate

LEVELS = ["line", "coin"]


def test_05_1_accepts_both_spellings():
    assert exercises.check("05-1", {"poor": "non-centred", "rich": "centred"}).correct
    assert exercises.check("05-1", {"poor": "Non-Centered", "rich": "centered"}).correct
    message = exercises.check("05-1", {"poor": "non-centred", "rich": "centred"}).message
    assert "held mostly by the population" in message


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ({"poor": "centred", "rich": "non-centred"}, "swapped"),
        ({"poor": "centred", "rich": "centred"}, "different forms"),
        ({"poor": "non-centred"}, "dict"),
        ({"poor": "offset", "rich": "centred"}, '"centred" or "non-centred"'),
    ],
)
def test_05_1_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("05-1", answer)
    assert not feedback.correct
    assert hint in feedback.message


@pytest.fixture(scope="module")
def poor_coins():
    frame, _ = simulate.simulate_coins(
        n_regions=1, n_factories=1, n_lines=8, n_coins=(2, 4), n_flips=(3, 10), random_seed=2026
    )
    return frame


@pytest.fixture(scope="module")
def careful_refit(poor_coins):
    model = coins.nested_model(poor_coins, hierarchy=LEVELS, centered=True)
    return fit.sample(model, random_seed=2026, target_accept=0.99, draws=300, tune=300)


@pytest.mark.sampling
def test_05_2_judges_the_prediction_against_the_refit(careful_refit):
    healthy = fit.diagnose(careful_refit).ok
    right = exercises.check("05-2", {"healthy": healthy, "idata": careful_refit})
    wrong = exercises.check("05-2", {"healthy": not healthy, "idata": careful_refit})
    assert right.correct and "divergences" in right.message
    assert not wrong.correct


@pytest.mark.sampling
def test_05_2_rejects_the_wrong_fit(poor_coins, careful_refit):
    default_steps = fit.sample(
        coins.nested_model(poor_coins, hierarchy=LEVELS, centered=True),
        random_seed=1,
        draws=50,
        tune=50,
    )
    feedback = exercises.check("05-2", {"healthy": False, "idata": default_steps})
    assert not feedback.correct and "target_accept=0.99" in feedback.message
    non_centred = fit.sample(
        coins.nested_model(poor_coins, hierarchy=LEVELS),
        random_seed=1,
        draws=50,
        tune=50,
        target_accept=0.99,
    )
    feedback = exercises.check("05-2", {"healthy": False, "idata": non_centred})
    assert not feedback.correct and "centered=True" in feedback.message
    feedback = exercises.check("05-2", {"healthy": "maybe", "idata": careful_refit})
    assert not feedback.correct and "prediction" in feedback.message


@pytest.mark.parametrize(
    ("centered", "correct", "hint"),
    [
        (["line"], True, "coin_offset"),
        (True, False, "only the lines"),
        (False, False, "no level is centred"),
        (["coin"], False, "swapped"),
    ],
)
def test_05_3_accepts_centred_lines_with_non_centred_coins(poor_coins, centered, correct, hint):
    model = coins.nested_model(poor_coins, hierarchy=LEVELS, centered=centered)
    feedback = exercises.check("05-3", model)
    assert feedback.correct is correct
    assert hint in feedback.message


def test_05_3_asks_for_the_model_itself(poor_coins):
    feedback = exercises.check("05-3", ["line"])
    assert not feedback.correct and "pm.Model" in feedback.message
    one_level = coins.nested_model(poor_coins.assign(line="L"), hierarchy=["coin"])
    assert "hierarchy=" in exercises.check("05-3", one_level).message
