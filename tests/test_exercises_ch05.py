import pytest

from companion import coins, exercises, fit


@pytest.mark.parametrize("key", ["05-1", "05-2"])
@pytest.mark.parametrize("blank", [None, ...])
def test_blank_answer_is_not_yet_without_error(key, blank):
    feedback = exercises.check(key, blank)
    assert not feedback.correct
    assert "no answer yet" in feedback.message


def test_05_1_accepts_both_spellings():
    assert exercises.check("05-1", {"poor": "non-centred", "rich": "centred"}).correct
    assert exercises.check("05-1", {"poor": "Non-Centered", "rich": "centered"}).correct


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
    frame, _ = coins.simulate_coins(
        regions=1, factories=1, lines=8, coins=(2, 4), flips=(3, 10), seed=2026
    )
    return frame


@pytest.fixture(scope="module")
def careful_refit(poor_coins):
    model = coins.nested_model(poor_coins, levels=["line", "coin"], centered=True)
    return fit.sample(model, random_seed=2026, target_accept=0.99, draws=300, tune=300)


def test_05_2_judges_the_prediction_against_the_refit(careful_refit):
    healthy = fit.diagnose(careful_refit).ok
    right = exercises.check("05-2", {"healthy": healthy, "idata": careful_refit})
    wrong = exercises.check("05-2", {"healthy": not healthy, "idata": careful_refit})
    assert right.correct and "divergences" in right.message
    assert not wrong.correct


def test_05_2_rejects_the_wrong_fit(poor_coins, careful_refit):
    default_steps = fit.sample(
        coins.nested_model(poor_coins, levels=["line", "coin"], centered=True),
        random_seed=1,
        draws=50,
        tune=50,
    )
    feedback = exercises.check("05-2", {"healthy": False, "idata": default_steps})
    assert not feedback.correct and "target_accept=0.99" in feedback.message
    non_centred = fit.sample(
        coins.nested_model(poor_coins, levels=["line", "coin"]),
        random_seed=1,
        draws=50,
        tune=50,
        target_accept=0.99,
    )
    feedback = exercises.check("05-2", {"healthy": False, "idata": non_centred})
    assert not feedback.correct and "centered=True" in feedback.message
    feedback = exercises.check("05-2", {"healthy": "maybe", "idata": careful_refit})
    assert not feedback.correct and "prediction" in feedback.message
