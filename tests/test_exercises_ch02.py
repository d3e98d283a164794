import numpy as np
import pytest

from companion import data, exact, exercises, simulate


def reference_sd_ratio():
    old = exact.unpooled_posterior(data.load_levels(), sigma=2.0)
    new = exact.unpooled_posterior(simulate.simulate_levels(2000, seed=2026)[0], sigma=2.0)
    return new.loc[("a", "h1"), "sd"] / old.loc[("a", "h1"), "sd"]


def reference_rows_h2():
    post = exact.unpooled_posterior(data.load_levels(), sigma=2.0)
    return exact.rows_to_match(post.loc[("a", "h2"), "sd"], sigma=2.0)


@pytest.mark.parametrize("key", ["02-1", "02-2", "02-3"])
@pytest.mark.parametrize("blank", [None, ...])
def test_blank_answer_is_not_yet_without_error(key, blank):
    feedback = exercises.check(key, blank)
    assert not feedback.correct
    assert "no answer yet" in feedback.message


@pytest.mark.parametrize("answer", ["c + a[h]", "a[h] + c", "C+A[H]"])
def test_02_1_accepts_the_sum(answer):
    assert exercises.check("02-1", answer).correct


@pytest.mark.parametrize("answer", ["c", "a[h]", 3])
def test_02_1_rejects_a_single_intercept_with_a_hint(answer):
    feedback = exercises.check("02-1", answer)
    assert not feedback.correct
    assert feedback.message


def test_02_2_accepts_the_exact_ratio_near_one_half():
    ratio = reference_sd_ratio()
    assert 0.45 < ratio < 0.55
    assert exercises.check("02-2", ratio).correct


@pytest.mark.parametrize(("answer", "hint"), [(0.25, "1/n"), (2.0, "divide"), (0.8, "exact")])
def test_02_2_rejects_typical_slips(answer, hint):
    feedback = exercises.check("02-2", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_02_3_accepts_the_rows_of_h2():
    rows = reference_rows_h2()
    assert exercises.check("02-3", rows).correct
    assert exercises.check("02-3", int(np.round(rows))).correct


@pytest.mark.parametrize(("answer", "hint"), [(12, "square"), (5, "rows_to_match"), (350, "rows")])
def test_02_3_rejects_typical_slips(answer, hint):
    feedback = exercises.check("02-3", answer)
    assert not feedback.correct
    assert hint in feedback.message
