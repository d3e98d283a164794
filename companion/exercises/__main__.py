"""``python -m companion.exercises strip NOTEBOOK... -o DIR``: student copies without solutions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

SOLUTION_TAG = "solution"


def strip_solutions(notebook: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``notebook`` without its solution-tagged cells, and how many went.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        A notebook read with ``nbformat.read``.

    Returns
    -------
    tuple of (nbformat.NotebookNode, int)
        The student copy and the number of cells removed.
    """
    copy = nbformat.from_dict(notebook)
    kept = [c for c in copy.cells if SOLUTION_TAG not in c.get("metadata", {}).get("tags", [])]
    removed = len(copy.cells) - len(kept)
    copy.cells = kept
    return copy, removed


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m companion.exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    strip = sub.add_parser("strip", help="write copies of notebooks without solution cells")
    strip.add_argument("notebooks", nargs="+", type=Path)
    strip.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if not path.exists():
            parser.error(f"no such notebook: {path}")
    for path in args.notebooks:
        if args.output.resolve() == path.parent.resolve():
            parser.error(f"output folder {args.output} would overwrite {path}")
    args.output.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        student, removed = strip_solutions(nbformat.read(path, as_version=4))
        nbformat.write(student, args.output / path.name)
        print(f"{path.name}: removed {removed} solution cell(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
