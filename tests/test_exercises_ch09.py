import csv

import pandas as pd
import pytest

from companion import data, exercises


def _rates():
    # Read with the standard library, not the course's loader the checker uses.
    with open(data.DATA_DIR / "surgical.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return pd.Series({row["hospital"]: int(row["deaths"]) / int(row["operations"]) for row in rows})


def test_09_1_accepts_the_rates_and_explains_common_slips():
    assert exercises.check("09-1", _rates()).correct
    assert "percentages" in exercises.check("09-1", 100 * _rates()).message
    assert "index" in exercises.check("09-1", _rates().reset_index(drop=True)).message
    assert not exercises.check("09-1", _rates().sample(frac=1, random_state=1) * 1.1).correct


def test_09_2_less_not_more():
    assert exercises.check("09-2", "less").correct
    assert exercises.check("09-2", " Less ").correct
    wrong = exercises.check("09-2", "more")
    assert not wrong.correct and "shrinkage factor" in wrong.message
    assert not exercises.check("09-2", 3).correct


@pytest.mark.parametrize(
    ("answer", "correct"),
    [(0.11, True), (0.15, False), (0.05, False), (0.2, False), (1.5, False)],
)
def test_09_3_the_new_hospital_is_pulled_toward_the_overall_rate(answer, correct):
    assert exercises.check("09-3", answer).correct is correct


def test_09_3_reads_words_as_a_hint():
    assert "could not read" in exercises.check("09-3", "a lot").message
