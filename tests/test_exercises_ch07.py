import pytest

from companion import exercises, realdata


@pytest.mark.parametrize("key", ["07-1", "07-2", "07-3"])
@pytest.mark.parametrize("blank", [None, ...])
def test_blank_answer_is_not_yet_without_error(key, blank):
    feedback = exercises.check(key, blank)
    assert not feedback.correct
    assert "no answer yet" in feedback.message


def test_07_1_accepts_luck_that_does_not_repeat():
    assert exercises.check("07-1", "(b)").correct


@pytest.mark.parametrize(
    ("answer", "hint"), [("a", "unbiased"), ("c", "tiredness"), ("d", "one letter")]
)
def test_07_1_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("07-1", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_07_2_accepts_the_factor_with_180_at_bats():
    table = realdata.load_efron_morris()
    factor = realdata.james_stein(table["hits"] / table["at_bats"], trials=180).factor
    assert exercises.check("07-2", factor).correct
    # The printed three-decimal averages give the same factor to within the tolerance.
    assert exercises.check("07-2", realdata.james_stein(table["average"], trials=180).factor)


@pytest.mark.parametrize(
    ("answer", "hint"), [(0.212, "45 at-bats"), (0.1, "more or less"), (80, "fraction")]
)
def test_07_2_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("07-2", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_07_3_accepts_the_binomial_variance_of_the_truth():
    table = realdata.load_efron_morris()
    p, n = table["remaining_average"], table["remaining_at_bats"]
    assert exercises.check("07-3", float((p * (1 - p) / n).sum())).correct


def test_07_3_rejects_with_a_hint():
    table = realdata.load_efron_morris()
    p, n = table["remaining_average"], table["remaining_at_bats"]
    luck = float((p * (1 - p) / n).sum())
    assert "45 early at-bats" in exercises.check("07-3", float((p * (1 - p) / 45).sum())).message
    assert "standard deviation" in exercises.check("07-3", luck**0.5).message
    assert "mean over players" in exercises.check("07-3", luck / 18).message
    assert not exercises.check("07-3", "a lot").correct
