"""Run a benchmark's worker as a learner's first run: a new process, an empty compile directory.

The benchmarks time compiling as much as sampling, so each measurement runs in a fresh Python
process whose PyTensor compile directory (``PYTENSOR_FLAGS=base_compiledir=...``) is new and
empty, and is deleted afterwards. The worker prints its result as JSON on its last line of
standard output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import Any


def run_fresh(script: str, *args: str) -> Any:
    """Run ``python script *args`` in a fresh process on an empty compile directory.

    Parameters
    ----------
    script : str
        Path of the benchmark script (its ``__file__``).
    *args : str
        Its command-line arguments, e.g. ``"--worker", "python"``.

    Returns
    -------
    object
        The JSON the worker printed on its last line.

    Raises
    ------
    RuntimeError
        If the worker exits with an error; the message ends with its standard error.
    """
    with tempfile.TemporaryDirectory(prefix="benchmark-") as compiledir:
        env = dict(os.environ, PYTENSOR_FLAGS=f"base_compiledir={compiledir}")
        done = subprocess.run(
            [sys.executable, script, *args], env=env, capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ways(
    script: str,
    worker: Callable[[str], Any],
    ways: Sequence[str],
    argv: list[str] | None,
    description: str,
) -> dict[str, Any] | None:
    """Time a benchmark's ways, each by ``worker`` in a fresh process, or be that process.

    A benchmark script calls this from its ``main``. Run with ``--worker WAY`` (as
    :func:`run_fresh` runs it), it prints ``worker(WAY)`` as JSON and returns ``None``: the
    script then exits. Run without it, it runs every way in its own fresh process, prints the
    machine, and returns way -> the worker's result, for the script to tabulate.

    Parameters
    ----------
    script : str
        Path of the benchmark script (its ``__file__``).
    worker : callable
        Measures one way and returns JSON-serialisable results.
    ways : sequence of str
        The ways to measure, in order.
    argv : list of str, optional
        The command line (``None``: ``sys.argv[1:]``).
    description : str
        The script's one-line description, for ``--help``.

    Returns
    -------
    dict or None
        Way -> the worker's result, or ``None`` in a worker process.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--worker", choices=list(ways), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return None
    results = {way: run_fresh(script, "--worker", way) for way in ways}
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    return results
