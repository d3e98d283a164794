"""Learner notebooks and grading: what ``make learner`` writes and what nbgrader makes of it.

The teacher's notebooks (``teacher/``) hold the solutions; the learner's (``notebooks/``) are
generated from them by ``scripts/coursework.py learner`` (``make learner``) with nbgrader.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
TEACHER = ROOT / "teacher"
LEARNER = ROOT / "notebooks"
BIN = Path(sys.executable).parent

_spec = importlib.util.spec_from_file_location("coursework", ROOT / "scripts" / "coursework.py")
coursework = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coursework)

TEACHER_NOTEBOOKS = coursework.teacher_notebooks(TEACHER)
#: The notebook run end to end by the slow tests below: the fastest of the course (no
#: sampling inside its exercises), so that the round trips stay under a minute each.
FAST = TEACHER / "00_why_hierarchical.ipynb"


def _grading(cell):
    return cell.metadata.get("nbgrader", {})


@pytest.fixture(scope="module")
def generated():
    return coursework.generate_learner(TEACHER_NOTEBOOKS)


def test_committed_learner_notebooks_are_what_make_learner_generates(generated):
    committed = {p.name for p in LEARNER.glob("[0-9][0-9]_*.ipynb")}
    assert committed == set(generated), "run `make learner`"
    for name, text in generated.items():
        assert (LEARNER / name).read_text() == text, f"{name} is stale: run `make learner`"


@pytest.mark.parametrize("path", TEACHER_NOTEBOOKS, ids=lambda p: p.stem)
def test_learner_notebook_holds_no_solution_and_no_answer_output(path):
    learner_path = LEARNER / path.name
    text = learner_path.read_text()
    learner = nbformat.read(learner_path, as_version=4)
    shown = {line.strip() for cell in learner.cells for line in cell.source.splitlines()}
    solution = coursework.solution_lines(path)
    assert len(solution) >= 6, "each exercise has a solution and a hidden test"
    for line in solution:
        assert line not in shown, f"{path.name} shows solution text: {line}"
    outputs = json.dumps([cell.get("outputs", []) for cell in learner.cells])
    for mark in ["Correct:", "✅", "Not yet:", "💡", "BEGIN SOLUTION", "HIDDEN TESTS"]:
        assert mark not in outputs and mark not in text, f"{path.name} shows {mark!r}"


@pytest.mark.parametrize("path", TEACHER_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_answer_cell_is_only_the_placeholder(path):
    learner = nbformat.read(LEARNER / path.name, as_version=4)
    teacher = nbformat.read(path, as_version=4)
    answers = [c for c in learner.cells if _grading(c).get("solution")]
    checks = [c for c in learner.cells if _grading(c).get("grade")]
    assert len(answers) == len(checks) == 3
    number = path.name[:2]
    for k, (answer, check) in enumerate(zip(answers, checks, strict=True), start=1):
        name = f"answer_{number}_{k}"
        assert re.fullmatch(rf"{name} = \.\.\.  # your answer: [^\n]+", answer.source)
        assert check.source == f'exercises.check("{number}-{k}", {name})'
        assert answer.outputs == [] and check.outputs == []
        assert check.metadata["editable"] is False
    # Ordinary cells keep the teacher's outputs, so the site shows its figures.
    for mine, theirs in zip(learner.cells, teacher.cells, strict=True):
        if mine.cell_type == "code" and not _grading(mine):
            assert mine.outputs == theirs.outputs


def _nbgrader(course, *args):
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    result = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _submit(course, student, notebook):
    target = course / "submitted" / student / FAST.stem / FAST.name
    target.parent.mkdir(parents=True)
    nbformat.write(notebook, target)


@pytest.mark.sampling
def test_nbgrader_gives_full_marks_to_the_solutions_and_none_to_blank_answers(tmp_path):
    course = tmp_path / "course"
    coursework.make_course(course, [FAST])
    config = (course / "nbgrader_config.py").read_text()
    assert "c.ExecutePreprocessor.timeout = " in config
    _nbgrader(course, "generate_assignment", FAST.stem)
    release = nbformat.read(course / "release" / FAST.stem / FAST.name, as_version=4)
    assert "BEGIN SOLUTION" not in nbformat.writes(release)

    # The committed learner notebook, every answer left blank, is the blank submission.
    _submit(course, "blank", nbformat.read(LEARNER / FAST.name, as_version=4))
    solved = nbformat.from_dict(json.loads(nbformat.writes(release)))
    teacher = nbformat.read(FAST, as_version=4)
    answers = {_grading(c)["grade_id"]: c.source for c in teacher.cells if _grading(c)}
    for cell in solved.cells:
        if _grading(cell).get("solution"):
            source = answers[_grading(cell)["grade_id"]]
            cell.source = "\n".join(
                line for line in source.splitlines() if not line.startswith("### ")
            )
    _submit(course, "solved", solved)

    _nbgrader(course, "autograde", FAST.stem)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {
            student: gradebook.find_submission(FAST.stem, student).score
            for student in ["solved", "blank"]
        }
        maximum = gradebook.find_assignment(FAST.stem).max_score
    assert maximum == 3
    assert scores == {"solved": 3, "blank": 0}
    # The blank notebook runs top to bottom: only the hidden tests of its checks fail.
    graded = nbformat.read(course / "autograded" / "blank" / FAST.stem / FAST.name, as_version=4)
    failed = {
        c.id: [o.ename for o in c.get("outputs", []) if o.output_type == "error"]
        for c in graded.cells
        if c.cell_type == "code"
    }
    checks = {c.id for c in graded.cells if _grading(c).get("grade")}
    assert checks and {k for k, v in failed.items() if v} == checks
    assert all(failed[k] == ["AssertionError"] for k in checks)


def test_course_directory_refuses_to_overwrite(tmp_path):
    coursework.make_course(tmp_path, [FAST])
    before = (tmp_path / "source" / FAST.stem / FAST.name).read_bytes()
    with pytest.raises(ValueError, match="exists already"):
        coursework.make_course(tmp_path, [FAST])
    assert (tmp_path / "source" / FAST.stem / FAST.name).read_bytes() == before


def test_learner_check_mode_reports_drift_without_writing(tmp_path):
    teacher, learner = tmp_path / "teacher", tmp_path / "learner"
    teacher.mkdir()
    learner.mkdir()
    shutil.copy(FAST, teacher / FAST.name)
    stale = learner / FAST.name
    stale.write_text((LEARNER / FAST.name).read_text().replace("Exercises", "Exercise list", 1))
    before = stale.read_text()
    command = ["--teacher", str(teacher), "learner", "--output", str(learner)]
    assert coursework.main([*command, "--check"]) == 1
    assert stale.read_text() == before
    assert coursework.main(command) == 0
    assert stale.read_text() != before
