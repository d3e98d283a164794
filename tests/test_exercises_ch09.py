import csv

import pandas as pd
import pytest

from companion import data, exercises


def _table():
    # Read with the standard library, not the course's loader the checker uses.
    with open(data.DATA_DIR / "surgical.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    deaths = pd.Series({row["hospital"]: int(row["deaths"]) for row in rows})
    operations = pd.Series({row["hospital"]: int(row["operations"]) for row in rows})
    return deaths / operations, operations


def _standard_errors():
    rate, operations = _table()
    return (rate * (1 - rate) / operations) ** 0.5


def test_09_1_accepts_the_standard_errors_and_explains_common_slips():
    rate, _ = _table()
    assert exercises.check("09-1", _standard_errors()).correct
    assert exercises.check("09-1", _standard_errors()).message.startswith("A's standard error is 0")
    assert "variances" in exercises.check("09-1", _standard_errors() ** 2).message
    assert "divide" in exercises.check("09-1", (rate * (1 - rate)) ** 0.5).message
    assert "index" in exercises.check("09-1", _standard_errors().reset_index(drop=True)).message
    assert not exercises.check("09-1", rate).correct


def test_09_2_between_not_more_or_little():
    assert exercises.check("09-2", "between").correct
    assert exercises.check("09-2", " Between ").correct
    wrong = exercises.check("09-2", "more")
    assert not wrong.correct and "shrinkage factor" in wrong.message
    little = exercises.check("09-2", "little")
    assert not little.correct and "where does A start" in little.message
    assert not exercises.check("09-2", "less").correct
    assert not exercises.check("09-2", 3).correct


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        (0.095, True),
        (0.09, True),
        (0.1, True),
        (0.14, False),
        (0.08, False),
        (0.15, False),
        (0.05, False),
        (0.2, False),
        (1.5, False),
    ],
)
def test_09_3_the_new_hospital_is_pulled_toward_the_overall_rate(answer, correct):
    assert exercises.check("09-3", answer).correct is correct


def test_09_3_reads_words_as_a_hint():
    assert "could not read" in exercises.check("09-3", "a lot").message


def test_09_3_says_which_side_a_loose_answer_falls():
    assert "too near M's raw" in exercises.check("09-3", 0.14).message
    assert "too near the overall" in exercises.check("09-3", 0.08).message
