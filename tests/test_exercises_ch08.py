import pytest

from companion import exercises


def test_08_1_accepts_the_identical_world():
    assert exercises.check("08-1", " Identical ").correct


@pytest.mark.parametrize(
    ("answer", "hint"), [("large", "200 rows"), ("differ", "nothing to miss"), ("b", "name")]
)
def test_08_1_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("08-1", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_08_2_and_08_3_accept_the_sets_in_any_order_and_case():
    assert exercises.check("08-2", ("Partial", "unpooled")).correct
    assert exercises.check("08-3", {"pooled", "partial"}).correct


@pytest.mark.parametrize(
    ("key", "answer", "hint"),
    [
        ("08-2", ["partial"], "overfit"),
        ("08-2", ["partial", "pooled"], "shared"),
        ("08-3", ["partial"], "visible"),
        ("08-3", ["partial", "unpooled"], "noise"),
        ("08-3", ["pooled", "unpooled", "partial"], "similar_models"),
        ("08-2", "partial", "list of model names"),
        ("08-2", ["hierarchical"], "unknown model"),
    ],
)
def test_08_2_and_08_3_reject_with_a_hint(key, answer, hint):
    feedback = exercises.check(key, answer)
    assert not feedback.correct
    assert hint in feedback.message
