"""Learner notebooks and nbgrader course directories, made from the teacher's notebooks.

The teacher's notebooks (``teacher/NN_*.ipynb``) hold every exercise's reference solution
between nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers and its grading
asserts between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``. Two commands:

``python scripts/coursework.py learner``
    Runs ``nbgrader generate_assignment`` on every teacher notebook in a temporary course
    directory and writes the learner versions to ``notebooks/``: solutions and hidden tests
    removed, the answer and check cells without output, every other cell with the teacher's
    committed outputs (figures, tables). ``--check`` writes nothing and fails if
    ``notebooks/`` differs from what would be written.

``python scripts/coursework.py course DIR``
    Makes an nbgrader course directory in ``DIR`` (``source/<notebook>/<notebook>.ipynb`` and
    ``nbgrader_config.py``) in which a teacher runs nbgrader's own commands:
    ``nbgrader generate_assignment``, ``nbgrader collect``, ``nbgrader autograde``.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TEACHER = ROOT / "teacher"
LEARNER = ROOT / "notebooks"

#: nbgrader settings shared by the learner versions and the teachers' course directories.
NBGRADER_CONFIG = """\
c = get_config()  # noqa: F821
# An answer cell keeps its placeholder line (answer_NN_k = ...); the solution goes, no stub.
c.ClearSolutions.code_stub = {"python": ""}
# Autograding runs whole notebooks, with sampling cells that take minutes on a small machine.
c.ExecutePreprocessor.timeout = 1800
"""


def solution_lines(path: Path, *, min_length: int = 8) -> list[str]:
    """Lines of a teacher notebook that stand only between solution or hidden-test markers.

    Lines shorter than ``min_length`` (``)``, ``else:``) are left out: they say nothing about
    an answer and stand everywhere. The tests look for these lines in what a learner sees.
    """
    hidden, shown = [], set()
    for cell in nbformat.read(path, as_version=4).cells:
        inside = False
        for line in cell.source.splitlines():
            if line.startswith("### BEGIN"):
                inside = True
            elif line.startswith("### END"):
                inside = False
            else:
                (hidden.append if inside else shown.add)(line.strip())
    return [line for line in hidden if line not in shown and len(line) >= min_length]


def _assignment_name(path: Path) -> str:
    return path.stem


def teacher_notebooks(teacher: Path = TEACHER) -> list[Path]:
    """List the teacher's notebooks, in course order.

    Parameters
    ----------
    teacher : pathlib.Path
        Folder of the teacher's notebooks.

    Returns
    -------
    list of pathlib.Path
        ``NN_*.ipynb`` files, sorted by number.
    """
    found = sorted(teacher.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise ValueError(f"no notebooks NN_*.ipynb in {teacher}")
    return found


def make_course(directory: Path, notebooks: list[Path]) -> None:
    """Write an nbgrader course directory with one assignment per notebook.

    Parameters
    ----------
    directory : pathlib.Path
        The course directory; created if missing. Its ``source/`` must not hold the
        notebooks already (nothing is overwritten).
    notebooks : list of pathlib.Path
        Teacher notebooks; each becomes the assignment named after its file.
    """
    for path in notebooks:
        target = directory / "source" / _assignment_name(path) / path.name
        if target.exists():
            raise ValueError(f"{target} exists already; choose an empty course directory")
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "nbgrader_config.py"
    if not config.exists():
        config.write_text(NBGRADER_CONFIG)
    for path in notebooks:
        target = directory / "source" / _assignment_name(path) / path.name
        target.parent.mkdir(parents=True)
        shutil.copyfile(path, target)


def _is_exercise_cell(cell: nbformat.NotebookNode) -> bool:
    grading = cell.metadata.get("nbgrader", {})
    return bool(grading.get("solution") or grading.get("grade"))


def _finish(released: nbformat.NotebookNode, teacher: nbformat.NotebookNode) -> None:
    """Give ordinary cells back the teacher's outputs; answer and check cells get none."""
    if [c.get("id") for c in released.cells] != [c.get("id") for c in teacher.cells]:
        raise RuntimeError("nbgrader changed the cells of the notebook; cannot restore outputs")
    for cell, original in zip(released.cells, teacher.cells, strict=True):
        cell.metadata.pop("execution", None)
        if cell.cell_type == "markdown":
            continue
        if cell.cell_type == "code" and _is_exercise_cell(cell):
            cell.source = cell.source.rstrip()
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "code":
            cell.outputs = original.outputs
            cell.execution_count = original.execution_count


def generate_learner(notebooks: list[Path]) -> dict[str, str]:
    """Make the learner version of each notebook with ``nbgrader generate_assignment``.

    Parameters
    ----------
    notebooks : list of pathlib.Path
        Teacher notebooks.

    Returns
    -------
    dict of str to str
        File name to the learner notebook's JSON text.
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    # nbgrader runs the ``alembic`` program of its environment to set up its database.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])
    learner = {}
    with tempfile.TemporaryDirectory(prefix="course-nbgrader-") as tmp:
        course = Path(tmp)
        make_course(course, notebooks)
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        config.ClearSolutions.code_stub = {"python": ""}
        api = NbGraderAPI(config=config)
        for path in notebooks:
            result = api.generate_assignment(_assignment_name(path))
            if not result["success"]:
                raise RuntimeError(f"nbgrader failed on {path.name}:\n{result.get('log', '')}")
            released_path = course / "release" / _assignment_name(path) / path.name
            released = nbformat.read(released_path, as_version=4)
            _finish(released, nbformat.read(path, as_version=4))
            learner[path.name] = nbformat.writes(released) + "\n"
    return learner


def _learner(args: argparse.Namespace) -> int:
    notebooks = teacher_notebooks(args.teacher)
    generated = generate_learner(notebooks)
    stale = []
    for name, text in generated.items():
        target = args.output / name
        current = target.read_text() if target.exists() else ""
        if current == text:
            continue
        stale.append(name)
        if args.check:
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), f"{target}", "generated", lineterm="", n=1
            )
            print("\n".join(list(diff)[:40]))
        else:
            target.write_text(text)
            print(f"wrote {target}")
    extra = sorted(
        p.name for p in args.output.glob("[0-9][0-9]_*.ipynb") if p.name not in generated
    )
    if args.check:
        if stale or extra:
            print(f"learner notebooks out of date: {', '.join(stale + extra)}; run `make learner`")
            return 1
        print(f"{len(generated)} learner notebooks up to date")
        return 0
    for name in extra:
        (args.output / name).unlink()
        print(f"removed {args.output / name}: no teacher notebook of that name")
    return 0


def _course(args: argparse.Namespace) -> int:
    notebooks = teacher_notebooks(args.teacher)
    if args.notebooks:
        wanted = set(args.notebooks)
        unknown = wanted - {p.stem for p in notebooks} - {p.name for p in notebooks}
        if unknown:
            raise SystemExit(f"no teacher notebook named {', '.join(sorted(unknown))}")
        notebooks = [p for p in notebooks if p.stem in wanted or p.name in wanted]
    make_course(args.directory, notebooks)
    print(f"nbgrader course directory ready: {args.directory}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python scripts/coursework.py", description=__doc__)
    parser.add_argument("--teacher", type=Path, default=TEACHER, help="teacher notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    learner = sub.add_parser("learner", help="write the learner notebooks with nbgrader")
    learner.add_argument("--output", type=Path, default=LEARNER, help="learner notebooks")
    learner.add_argument("--check", action="store_true", help="compare only, write nothing")
    learner.set_defaults(run=_learner)
    course = sub.add_parser("course", help="make an nbgrader course directory")
    course.add_argument("directory", type=Path)
    course.add_argument("notebooks", nargs="*", help="notebook names (default: all)")
    course.set_defaults(run=_course)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
