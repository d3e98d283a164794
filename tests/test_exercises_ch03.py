import pytest

from companion import exact, exercises, explore


@pytest.mark.parametrize("key", ["03-1", "03-2", "03-3"])
@pytest.mark.parametrize("blank", [None, ...])
def test_blank_answer_is_not_yet_without_error(key, blank):
    feedback = exercises.check(key, blank)
    assert not feedback.correct
    assert "no answer yet" in feedback.message


def test_03_1_accepts_the_two_limits():
    assert exercises.check("03-1", {"small": "pooled", "large": "Unpooled"}).correct


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ({"small": "unpooled", "large": "pooled"}, "swapped"),
        ({"small": "pooled"}, "dict"),
        ({"small": "pooled", "large": "partial"}, "pooled"),
    ],
)
def test_03_1_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("03-1", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_03_2_accepts_the_explorer_shrinkage():
    shrinkage = explore.shrinkage_table(5, group_sd=0.5, sigma=2.0).loc["h1", "shrinkage"]
    assert exercises.check("03-2", shrinkage).correct


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (exact.shrinkage_factor(5, sigma=2.0, group_sd=1.0), "group_sd=0.5"),
        (1 - exact.shrinkage_factor(5, sigma=2.0, group_sd=0.5), "keeps"),
        (76, "fraction"),
    ],
)
def test_03_2_rejects_typical_slips(answer, hint):
    feedback = exercises.check("03-2", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_03_3_accepts_the_smallest_size_found_by_search():
    table = [
        (n, explore.shrinkage_table(n, group_sd=1.0, sigma=2.0).loc["h1", "shrinkage"])
        for n in range(1, 200)
    ]
    smallest = next(n for n, shrinkage in table if shrinkage < 0.15)
    assert exercises.check("03-3", smallest).correct


@pytest.mark.parametrize(
    ("answer", "hint"), [(22, "more rows"), (5, "more rows"), (40, "smallest"), (2.5, "whole")]
)
def test_03_3_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("03-3", answer)
    assert not feedback.correct
    assert hint in feedback.message
