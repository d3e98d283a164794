"""How long a learner's first run of each notebook takes, as a multiple of a floor.

Runs every notebook of the course in a fresh process, a fresh kernel and a fresh PyTensor
compile directory (what a learner sees the first time), the way CI runs it
(``pytest --nbval-lax``). In the same run it times a *floor*: a tiny notebook that imports the
stack and samples one small model (non-centred eight schools, the course's sampler defaults),
so that every figure can be given as a ratio to the floor. Machines differ by factors of two
or more; the ratio travels between them, the seconds do not.

Run it from the repository root::

    .venv/bin/python benchmarks/course_time.py                       # every notebook in teacher/
    .venv/bin/python benchmarks/course_time.py --only 03 06          # some notebooks
    .venv/bin/python benchmarks/course_time.py --update-readme       # refresh README's column
    .venv/bin/python benchmarks/course_time.py --before /tmp/old      # against another checkout

``--before DIR`` times a second checkout of the course (for instance ``git archive <commit> |
tar -x -C DIR``) in the same run: each of its notebooks runs with ``PYTHONPATH=DIR``, so it
imports its own version of :mod:`companion`, alternating with the current notebook of the same
number, and the table gains a before column and the ratio after/before.

The floor is timed before the first notebook and after the last; the ratio uses their median,
so that a machine that speeds up or slows down during the run shows as a spread of the two.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

FLOOR_CELLS = [
    "import arviz as az\nimport numpy as np\nimport pymc as pm\n\nimport companion",
    (
        "y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])\n"
        "sigma = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])\n"
        'with pm.Model(coords={"school": list("ABCDEFGH")}) as model:\n'
        '    mu = pm.Normal("mu", 0.0, 5.0)\n'
        '    tau = pm.HalfNormal("tau", 5.0)\n'
        '    z = pm.Normal("z", 0.0, 1.0, dims="school")\n'
        '    pm.Normal("y", mu + tau * z, sigma, observed=y, dims="school")\n'
        "    idata = pm.sample(chains=2, random_seed=1, progressbar=False)"
    ),
    'assert int(idata.sample_stats["diverging"].sum()) < 20',
]


def write_floor(directory: Path) -> Path:
    """Write the floor notebook into ``directory`` and return its path.

    Parameters
    ----------
    directory : Path
        Where to write ``floor.ipynb``.

    Returns
    -------
    Path
        The notebook's path.
    """
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in FLOOR_CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = directory / "floor.ipynb"
    nbformat.write(notebook, path)
    return path


def time_notebook(path: Path, *, package_root: Path | None = None) -> tuple[float, bool]:
    """Run one notebook under nbval on a fresh compile directory; return seconds and success.

    Parameters
    ----------
    path : Path
        The notebook.
    package_root : Path, optional
        A checkout whose ``companion`` package the notebook should import (put first on
        ``PYTHONPATH``); the installed one by default.

    Returns
    -------
    tuple of (float, bool)
        Wall seconds of the whole process, and whether every cell passed.
    """
    with tempfile.TemporaryDirectory(prefix="course-time-") as compiledir:
        env = dict(os.environ, PYTENSOR_FLAGS=f"base_compiledir={compiledir}")
        if package_root is not None:
            env["PYTHONPATH"] = str(package_root)
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--nbval-lax",
            "--nbval-current-env",
            "-o",
            "addopts=",
            str(path),
        ]
        start = time.perf_counter()
        result = subprocess.run(command, cwd=path.parent, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout[-3000:], file=sys.stderr)
    return seconds, result.returncode == 0


def update_readme(readme: Path, ratios: dict[str, float], seconds: dict[str, float], note: str):
    """Rewrite the run-time column of the README's notebook table.

    Parameters
    ----------
    readme : Path
        ``README.md``.
    ratios, seconds : dict
        Per notebook number (``"03"``): floors and seconds.
    note : str
        The sentence under the table that names the machine, the date and the floor.
    """
    lines = readme.read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| # | notebook"))
    columns = [cell.strip() for cell in lines[header].strip("|").split("|")]
    column = next(i for i, name in enumerate(columns) if name.startswith("run time"))
    columns[column] = "run time (floors; s)"
    lines[header] = "| " + " | ".join(columns) + " |"
    for i in range(header + 2, len(lines)):
        if not lines[i].startswith("|"):
            break
        cells = [cell.strip() for cell in lines[i].strip("|").split("|")]
        number = cells[0]
        if number in ratios:
            cells[column] = f"{ratios[number]:.1f} ({seconds[number]:.0f} s)"
        lines[i] = "| " + " | ".join(cells) + " |"
    text = "\n".join(lines) + "\n"
    text = re.sub(
        r"<!-- course-time -->.*?<!-- /course-time -->",
        f"<!-- course-time -->\n{note}\n<!-- /course-time -->",
        text,
        flags=re.S,
    )
    readme.write_text(text)


def main(argv: list[str] | None = None) -> int:
    """Time the floor and the notebooks; print a table; optionally refresh the README.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments.

    Returns
    -------
    int
        0 when every notebook passed, 1 otherwise.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "teacher")
    parser.add_argument("--only", nargs="*", default=None, help="notebook numbers, e.g. 03 06")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument(
        "--before", type=Path, default=None, help="another checkout, timed in the same run"
    )
    args = parser.parse_args(argv)
    before_paths: dict[str, Path] = {}
    if args.before is not None:
        folder = args.before / "teacher"
        folder = folder if folder.is_dir() else args.before / "notebooks"
        before_paths = {p.name[:2]: p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}
        if not before_paths:
            parser.error(f"no notebook in {folder}")

    paths = sorted(args.notebooks.glob("[0-9][0-9]_*.ipynb"))
    if args.only:
        paths = [p for p in paths if p.name[:2] in set(args.only)]
    if not paths:
        parser.error(f"no notebook matches in {args.notebooks}")

    with tempfile.TemporaryDirectory(prefix="course-floor-") as scratch:
        floor_path = write_floor(Path(scratch))
        floors = [time_notebook(floor_path)[0]]
        print(f"floor (before)  {floors[0]:7.1f} s", flush=True)
        seconds: dict[str, float] = {}
        before: dict[str, float] = {}
        failed: list[str] = []
        for path in paths:
            old = before_paths.get(path.name[:2])
            if old is not None:
                before[path.name[:2]], old_ok = time_notebook(old, package_root=args.before)
                label = f"before/{old.name}"
                print(f"{label:40s} {before[path.name[:2]]:7.1f} s {'' if old_ok else 'FAILED'}")
            elapsed, ok = time_notebook(path)
            seconds[path.name[:2]] = elapsed
            if not ok:
                failed.append(path.name)
            print(f"{path.name:40s} {elapsed:7.1f} s {'' if ok else 'FAILED'}", flush=True)
        floors.append(time_notebook(floor_path)[0])
        print(f"floor (after)   {floors[1]:7.1f} s", flush=True)

    floor = statistics.median(floors)
    ratios = {number: value / floor for number, value in seconds.items()}
    total = sum(seconds.values())
    print()
    print(f"floor: {floor:.1f} s (before {floors[0]:.1f} s, after {floors[1]:.1f} s)")
    if before:
        old_total = sum(before.values())
        print("| notebook | before s | before floors | after s | after floors | after/before |")
        print("|---|---|---|---|---|---|")
        for number in seconds:
            if number in before:
                old = before[number]
                print(
                    f"| {number} | {old:.0f} | {old / floor:.1f} | {seconds[number]:.0f} | "
                    f"{ratios[number]:.1f} | {seconds[number] / old:.2f} |"
                )
            else:
                print(f"| {number} | - | - | {seconds[number]:.0f} | {ratios[number]:.1f} | - |")
        print(
            f"| all | {old_total:.0f} | {old_total / floor:.1f} | {total:.0f} | "
            f"{total / floor:.1f} | {total / old_total:.2f} |"
        )
    else:
        print("| notebook | seconds | floors |")
        print("|---|---|---|")
        for number in seconds:
            print(f"| {number} | {seconds[number]:.0f} | {ratios[number]:.1f} |")
        print(f"| all | {total:.0f} | {total / floor:.1f} |")

    if args.update_readme:
        machine = (
            f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
        )
        note = (
            f"Run times from `benchmarks/course_time.py` on {dt.date.today().isoformat()} "
            f"({machine}): each notebook in a fresh kernel on a fresh PyTensor compile directory, "
            f"as a multiple of a floor measured in the same run (a notebook that imports the stack "
            f"and samples one small model: {floor:.0f} s here), with seconds in brackets. "
            f"The whole course: {total / floor:.1f} floors ({total / 60:.1f} min)."
        )
        update_readme(ROOT / "README.md", ratios, seconds, note)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
