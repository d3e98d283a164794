"""The exercise machinery, and the one convention every notebook's exercises follow.

What every checker must do (answer a blank cell with "no answer yet", answer a malformed
answer with a hint rather than an exception) is tested here once for all exercises; the
``test_exercises_chNN.py`` files test what each checker says about right and wrong answers.
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from companion import exercises

ROOT = Path(__file__).resolve().parent.parent
TEACHER = sorted((ROOT / "teacher").glob("[0-9][0-9]_*.ipynb"))

#: Answers of the wrong form, as a learner might type them.
MALFORMED = [
    "abc",
    "",
    1.5,
    -3,
    True,
    [1, 2],
    (),
    {},
    {"a": 1},
    object(),
    np.array([1.0, 2.0]),
    pd.Series([1.0]),
    pd.Series(["x"], index=["A"]),
    float("nan"),
    "1e400",
    [None],
]


def test_unknown_key_lists_the_known_ones():
    with pytest.raises(KeyError, match="no exercise '99-9'"):
        exercises.check("99-9", 1)


def test_feedback_reads_as_a_sentence():
    feedback = exercises.Feedback("00-1", False, "look at the group sizes")
    assert not feedback
    assert str(feedback) == "[00-1] Not yet: look at the group sizes"
    assert "Exercise 00-1" in feedback._repr_markdown_()


@pytest.fixture
def scratch_checker():
    seen = []

    @exercises.register("98-1")
    def checker(answer):
        seen.append(answer)
        if answer == "unreadable":
            raise exercises.AnswerError("not a word I know")
        if answer == "bug":
            raise KeyError("a key the checker forgot")
        return answer == 1, "ok"

    yield seen
    exercises.unregister("98-1")


def test_register_refuses_a_second_checker_for_a_key(scratch_checker):
    assert exercises.check("98-1", 1).correct
    assert not exercises.check("98-1", 2).correct
    with pytest.raises(ValueError, match="already has a checker"):
        exercises.register("98-1")(lambda answer: (True, ""))


def test_an_unreadable_answer_is_a_hint_but_a_checker_bug_is_an_error(scratch_checker):
    feedback = exercises.check("98-1", "unreadable")
    assert not feedback.correct and "could not read this answer" in feedback.message
    assert "not a word I know" in feedback.message
    with pytest.raises(KeyError, match="forgot"):
        exercises.check("98-1", "bug")


def test_placeholders_are_answered_before_the_checker_is_called(scratch_checker):
    assert exercises.check("98-1", ...).message == exercises.NO_ANSWER
    assert exercises.check("98-1", None).message == exercises.NONE_ANSWER
    assert scratch_checker == []


@pytest.mark.parametrize("text", ["2.5", 2.5, np.float64(2.5), 5 / 2])
def test_as_number_reads_numbers(text):
    assert exercises.as_number(text) == 2.5


@pytest.mark.parametrize("bad", ["about 3", [1.0], True, float("inf"), float("nan"), None])
def test_as_number_raises_answer_error_naming_the_answer(bad):
    with pytest.raises(exercises.AnswerError, match=re.escape(repr(bad))):
        exercises.as_number(bad)


def test_every_checker_says_no_answer_yet_to_a_blank_cell():
    keys = exercises.available()
    assert len(keys) >= 30
    for key in keys:
        feedback = exercises.check(key, ...)
        assert not feedback.correct and feedback.message == exercises.NO_ANSWER, key
        assert exercises.check(key, None).message == exercises.NONE_ANSWER, key


def test_every_checker_answers_a_malformed_answer_with_a_hint():
    # A checker that raises on any of these would show the learner a traceback.
    for key in exercises.available():
        for answer in MALFORMED:
            feedback = exercises.check(key, answer)
            assert not feedback.correct, (key, answer)
            assert len(feedback.message) > 10, (key, answer)


def _exercise_cells(path):
    notebook = nbformat.read(path, as_version=4)
    cells = notebook.cells
    heading = [i for i, c in enumerate(cells) if c.source.startswith("## Exercises")]
    heading += [i for i, c in enumerate(cells) if "\n## Exercises" in c.source]
    assert len(heading) == 1, f"{path.name}: one '## Exercises' heading"
    return cells, heading[0]


@pytest.mark.parametrize("path", TEACHER, ids=lambda p: p.stem)
def test_exercise_cells_follow_the_convention(path):
    cells, start = _exercise_cells(path)
    number = path.name[:2]
    assert "collapsed" not in cells[start].source
    for k in (1, 2, 3):
        key, name = f"{number}-{k}", f"answer_{number}_{k}"
        text, answer, check = cells[start + 1 + 3 * (k - 1) : start + 4 + 3 * (k - 1)]
        assert re.match(rf"\*\*Exercise {key} \([^)]+\)\.\*\* \S", text.source), key
        assert answer.metadata["nbgrader"] == {
            "solution": True,
            "grade": False,
            "locked": False,
            "grade_id": f"ex-{number}-{k}-answer",
            "schema_version": 3,
        }
        lines = answer.source.splitlines()
        assert re.fullmatch(rf"{name} = \.\.\.  # your answer: .+", lines[0]), key
        assert lines[1] == "### BEGIN SOLUTION" and lines[-1] == "### END SOLUTION", key
        assert any(line.startswith(f"{name} = ") for line in lines[2:-1]), key
        assert check.metadata["nbgrader"] == {
            "grade": True,
            "solution": False,
            "locked": True,
            "points": 1,
            "grade_id": f"ex-{number}-{k}-check",
            "schema_version": 3,
        }
        assert check.source == (
            f'exercises.check("{key}", {name})\n### BEGIN HIDDEN TESTS\n'
            f'assert exercises.check("{key}", {name}).correct\n### END HIDDEN TESTS'
        )
    graded = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) == 3, f"{path.name}: exactly three graded cells"


def test_every_checker_has_its_exercise_and_every_exercise_its_checker():
    in_notebooks = set()
    for path in TEACHER:
        for cell in nbformat.read(path, as_version=4).cells:
            found = re.match(r'exercises\.check\("(\d\d-\d)"', cell.source)
            if found and cell.metadata.get("nbgrader", {}).get("grade"):
                in_notebooks.add(found.group(1))
    assert in_notebooks == set(exercises.available())
