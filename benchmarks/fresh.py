"""Run a benchmark's worker as a learner's first run: a new process, an empty compile directory.

The benchmarks time compiling as much as sampling, so each measurement runs in a fresh Python
process whose PyTensor compile directory (``PYTENSOR_FLAGS=base_compiledir=...``) is new and
empty, and is deleted afterwards. The worker prints its result as JSON on its last line of
standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
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
