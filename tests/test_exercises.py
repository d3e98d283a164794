import nbformat
import pytest

from companion import exercises
from companion.exercises.__main__ import main, strip_solutions


def test_unknown_key_lists_the_known_ones():
    with pytest.raises(KeyError, match="no exercise '99-9'"):
        exercises.check("99-9", 1)


def test_feedback_reads_as_a_sentence():
    feedback = exercises.Feedback("00-1", False, "look at the group sizes")
    assert not feedback
    assert str(feedback) == "[00-1] Not yet: look at the group sizes"
    assert "Exercise 00-1" in feedback._repr_markdown_()


def test_register_refuses_a_second_checker_for_a_key():
    @exercises.register("98-1")
    def first(answer):
        return answer == 1, "ok"

    assert exercises.check("98-1", 1).correct
    assert not exercises.check("98-1", 2).correct
    assert "could not read" in exercises.check("98-1", object.__new__(_Broken)).message
    with pytest.raises(ValueError, match="already has a checker"):
        exercises.register("98-1")(lambda answer: (True, ""))
    exercises._REGISTRY.pop("98-1")


class _Broken:
    def __eq__(self, other):
        raise TypeError("cannot compare")


def _notebook():
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell("answer = 1", metadata={"tags": ["solution"]})
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), solution, nbformat.v4.new_code_cell("2")]
    return nb


def test_strip_removes_only_solution_cells(tmp_path):
    student, removed = strip_solutions(_notebook())
    assert removed == 1 and [c.source for c in student.cells] == ["# Title", "2"]
    source = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), source)
    assert main(["strip", str(source), "-o", str(tmp_path / "out")]) == 0
    assert len(nbformat.read(tmp_path / "out" / "nb.ipynb", as_version=4).cells) == 2
    assert len(nbformat.read(source, as_version=4).cells) == 3  # the original is untouched


def test_strip_refuses_to_overwrite_the_original(tmp_path):
    source = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), source)
    with pytest.raises(SystemExit):
        main(["strip", str(source), "-o", str(tmp_path)])
    assert len(nbformat.read(source, as_version=4).cells) == 3
