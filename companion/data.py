"""Validated loaders for the CSV files in ``data/``, and the command that regenerates them.

Every loader checks what it reads before returning it (with :mod:`companion.validate`): a
missing column, a missing value, a value of the wrong type or an unknown level raises
``ValueError`` naming the column and the value at fault. A chapter's own table is loaded by its
chapter module (:func:`companion.coins.load_coins`, :func:`companion.retail.load_retail`,
:func:`companion.realdata.load_efron_morris`) through :func:`read_csv`. The simulated files are
written by :func:`regenerate` from the simulators of :mod:`companion.simulate` and fixed seeds,
byte for byte the same on every machine::

    python -m companion.data regenerate         # rewrite the simulated CSVs
    python -m companion.data regenerate --check  # fail if a file differs from its seed

Introduced in ``notebooks/00_why_hierarchical.ipynb``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import pandas as pd

from companion import simulate
from companion.validate import check_counts, validate_frame

__all__ = [
    "DATA_DIR",
    "SIMULATED",
    "load_eight_schools",
    "load_levels",
    "load_long_tail",
    "load_pumps",
    "load_surgical",
    "read_csv",
    "regenerate",
    "sha256",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def read_csv(
    name: str | Path,
    schema: Mapping[str, str],
    *,
    allowed: Mapping[str, Collection[object]] | None = None,
) -> pd.DataFrame:
    """Read a CSV (a name in ``data/`` or any path) and validate it.

    Introduced in ``notebooks/09_your_data.ipynb``; :mod:`companion.coins`,
    :mod:`companion.radon`, :mod:`companion.realdata` and :mod:`companion.retail` use it too.

    Parameters
    ----------
    name : str or pathlib.Path
        File name inside ``data/``, or a path to any CSV file.
    schema, allowed
        As in :func:`companion.validate.validate_frame`.

    Returns
    -------
    pandas.DataFrame
        The validated table.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the table does not pass validation.

    Examples
    --------
    >>> read_csv("levels.csv", {"level": "string", "y": "float"}).shape
    (500, 2)
    """
    path = Path(name)
    if not path.is_absolute() and not path.exists():
        path = DATA_DIR / path
    if not path.exists():
        raise FileNotFoundError(f"no such data file: {path}")
    raw = pd.read_csv(path, dtype={c: "string" for c, k in schema.items() if k == "string"})
    return validate_frame(raw, schema, allowed=allowed, source=path.name)


LEVELS_SCHEMA = {"level": "string", "x": "float", "y": "float"}


def load_levels(path: str | Path = "levels.csv") -> pd.DataFrame:
    """Load the simulated three-level regression data (``data/levels.csv``).

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

    Parameters
    ----------
    path : str or pathlib.Path, default ``"levels.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        Columns ``level`` (``h1``, ``h2``, ``h3``), ``x``, ``y``.

    Examples
    --------
    >>> load_levels()["level"].value_counts().sort_index().tolist()
    [5, 145, 350]
    """
    return read_csv(path, LEVELS_SCHEMA, allowed={"level": ["h1", "h2", "h3"]})


def load_long_tail(path: str | Path = "levels_long_tail.csv") -> pd.DataFrame:
    """Load the simulated many-level, long-tailed regression data.

    No notebook loads it: a data set for a learner's own exploration (``data/README.md``).

    Parameters
    ----------
    path : str or pathlib.Path, default ``"levels_long_tail.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        Columns ``level`` (``L01`` ... ``L20``), ``x``, ``y``.

    Examples
    --------
    >>> load_long_tail()["level"].nunique()
    20
    """
    return read_csv(path, LEVELS_SCHEMA, allowed={"level": [f"L{k:02d}" for k in range(1, 21)]})


def load_surgical(path: str | Path = "surgical.csv") -> pd.DataFrame:
    """Load the cardiac-surgery mortality of 12 hospitals (BUGS examples, "Surgical").

    Introduced in ``notebooks/09_your_data.ipynb``.

    Deaths after cardiac surgery on babies in 12 hospitals, from Spiegelhalter, Thomas, Best
    and Gilks, *BUGS Examples Volume 1* (1996), "Surgical: institutional ranking"; see
    ``data/README.md``.

    Parameters
    ----------
    path : str or pathlib.Path, default ``"surgical.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        Columns ``hospital`` (``A`` ... ``L``), ``operations`` and ``deaths`` (counts).

    Raises
    ------
    ValueError
        If a column is missing, a count is negative or not whole, a hospital repeats, or a
        hospital has more deaths than operations.

    Examples
    --------
    >>> surgical = load_surgical()
    >>> int(surgical["operations"].sum()), int(surgical["deaths"].sum())
    (2814, 208)
    """
    table = read_csv(path, {"hospital": "string", "operations": "count", "deaths": "count"})
    check_counts(
        table, successes="deaths", trials="operations", group="hospital", source=Path(path).name
    )
    return table


def _unique_positive(
    table: pd.DataFrame, *, label: str, positive: str, source: str
) -> pd.DataFrame:
    repeated = table[label][table[label].duplicated()]
    if len(repeated):
        raise ValueError(f"{source}: column {label!r} repeats the label {repeated.iloc[0]!r}")
    bad = (table[positive] <= 0).to_numpy()
    if bad.any():
        row = table.index[bad.argmax()]
        raise ValueError(
            f"{source}: column {positive!r} must be positive, found "
            f"{float(table.loc[row, positive])!r} at row {row!r}"
        )
    return table


def load_eight_schools(path: str | Path = "eight_schools.csv") -> pd.DataFrame:
    """Load the eight schools: coaching effects on SAT scores and their standard errors.

    Introduced in ``notebooks/09_your_data.ipynb``.

    Rubin (1981), as printed in Gelman et al., *Bayesian Data Analysis* (3rd ed., 2013),
    Table 5.2; see ``data/README.md``.

    Parameters
    ----------
    path : str or pathlib.Path, default ``"eight_schools.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        Columns ``school`` (``A`` ... ``H``), ``effect`` (estimated effect, SAT points) and
        ``se`` (its standard error, SAT points).

    Raises
    ------
    ValueError
        If a column is missing, a value is missing or not a number, a school repeats, or a
        standard error is not positive.

    Examples
    --------
    >>> schools = load_eight_schools()
    >>> schools["effect"].tolist()[:3], schools["se"].tolist()[:3]
    ([28.0, 8.0, -3.0], [15.0, 10.0, 16.0])
    """
    table = read_csv(path, {"school": "string", "effect": "float", "se": "float"})
    return _unique_positive(table, label="school", positive="se", source=Path(path).name)


def load_pumps(path: str | Path = "pumps.csv") -> pd.DataFrame:
    """Load the failures of ten power-plant pumps and their operating times.

    Introduced in ``notebooks/09_your_data.ipynb``.

    Gaver and O'Muircheartaigh (1987), as given in the BUGS example "Pumps" (Spiegelhalter
    et al., *BUGS Examples Volume 1*, 1996); see ``data/README.md``.

    Parameters
    ----------
    path : str or pathlib.Path, default ``"pumps.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        Columns ``pump`` (1 ... 10, integers), ``failures`` (count) and ``thousand_hours``
        (operating time, thousands of hours).

    Raises
    ------
    ValueError
        If a column is missing, a count is negative or not whole, a pump repeats, or an
        operating time is not positive.

    Examples
    --------
    >>> pumps = load_pumps()
    >>> int(pumps["failures"].sum()), round(float(pumps["thousand_hours"].sum()), 2)
    (75, 350.24)
    """
    table = read_csv(path, {"pump": "int", "failures": "count", "thousand_hours": "float"})
    return _unique_positive(table, label="pump", positive="thousand_hours", source=Path(path).name)


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", float_format="%.6f")
    return buffer.getvalue().encode()


# File name -> function returning the frame written to it. The seeds live here, so the
# files can always be rebuilt and checked.
SIMULATED: dict[str, Callable[[], pd.DataFrame]] = {
    "levels.csv": lambda: simulate.simulate_levels(500, random_seed=2026)[0],
    "levels_long_tail.csv": lambda: simulate.simulate_long_tail(600, random_seed=2026)[0],
    "coins.csv": lambda: simulate.simulate_coins(random_seed=2026)[0],
    "retail.csv": lambda: simulate.simulate_retail(random_seed=2026)[0],
}


def sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file.

    Not called in the notebooks; ``python -m companion.data regenerate`` prints it for each file.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.

    Returns
    -------
    str
        Hex digest.

    Examples
    --------
    >>> len(sha256(DATA_DIR / "levels.csv"))
    64
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def regenerate(data_dir: str | Path | None = None, *, check: bool = False) -> list[str]:
    """Write every simulated CSV from its seed, or check the files on disk against them.

    Not called in the notebooks; :mod:`companion.coins`, :mod:`companion.retail` use it.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Folder to write to; ``data/`` of the repository by default.
    check : bool, default False
        If true, write nothing and return the names of files that are missing or differ.

    Returns
    -------
    list of str
        With ``check=True``, the files that differ; otherwise the files written.

    Examples
    --------
    >>> regenerate(check=True)
    []
    """
    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    touched = []
    for name, make in SIMULATED.items():
        content = _csv_bytes(make())
        path = folder / name
        if check:
            if not path.exists() or path.read_bytes() != content:
                touched.append(name)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            touched.append(name)
    return touched


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m companion.data regenerate [--check]``."""
    parser = argparse.ArgumentParser(
        prog="python -m companion.data", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    regen = sub.add_parser("regenerate", help="rewrite (or --check) the simulated CSVs in data/")
    regen.add_argument("--check", action="store_true", help="compare instead of writing")
    regen.add_argument("--dir", default=None, help="folder to write to (default: data/)")
    args = parser.parse_args(argv)
    names = regenerate(args.dir, check=args.check)
    if args.check:
        for name in names:
            print(f"differs from its seed: {name}")
        return 1 if names else 0
    for name in names:
        print(f"wrote {name}  sha256={sha256(Path(args.dir or DATA_DIR) / name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
