"""Validated loaders for the CSV files in ``data/``, and the command that regenerates them.

Every loader checks what it reads before returning it: a missing column, a missing value, a
value of the wrong type or an unknown level raises ``ValueError`` naming the column and the
value at fault. The simulated files are written by :func:`regenerate` from fixed seeds, byte
for byte the same on every machine::

    python -m companion.data regenerate         # rewrite the simulated CSVs
    python -m companion.data regenerate --check  # fail if a file differs from its seed

Introduced in ``notebooks/01_pooled_intercept.ipynb``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from collections.abc import Callable, Collection, Mapping
from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd

from companion import simulate

__all__ = [
    "DATA_DIR",
    "SIMULATED",
    "check_counts",
    "check_levels",
    "load_coins",
    "load_levels",
    "load_long_tail",
    "load_retail",
    "load_surgical",
    "read_csv",
    "regenerate",
    "sha256",
    "validate_frame",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

KINDS = ("float", "int", "count", "string")


def _first_bad(values: pd.Series, mask: np.ndarray) -> tuple[object, object]:
    position = int(np.flatnonzero(mask)[0])
    row, value = values.index[position], values.iloc[position]
    row = row.item() if isinstance(row, np.generic) else row
    value = value.item() if isinstance(value, np.generic) else value
    return row, value


def validate_frame(
    data: pd.DataFrame,
    schema: Mapping[str, str],
    *,
    levels: Mapping[str, Collection[str]] | None = None,
    source: str = "data",
) -> pd.DataFrame:
    """Check columns, types, missing values and level names of a data frame.

    Parameters
    ----------
    data : pandas.DataFrame
        The table to check.
    schema : mapping of str to str
        Required columns and their kind: ``"float"`` (finite number), ``"int"`` (whole
        number), ``"count"`` (whole number >= 0) or ``"string"`` (text label).
    levels : mapping of str to collection of str, optional
        Allowed labels of some string columns.
    source : str
        Name of the table, used in error messages (a file name, say).

    Returns
    -------
    pandas.DataFrame
        A copy holding only the schema's columns, in schema order, with numbers as
        ``float64`` or ``int64`` and labels as pandas strings.

    Raises
    ------
    ValueError
        Naming the column and the first offending value and row.

    Examples
    --------
    >>> frame = pd.DataFrame({"level": ["a", "b"], "y": [1.0, 2.5]})
    >>> checked = validate_frame(frame, {"level": "string", "y": "float"})
    >>> [str(dtype) for dtype in checked.dtypes]
    ['string', 'float64']
    >>> validate_frame(frame, {"level": "string", "x": "float"}, source="toy.csv")
    Traceback (most recent call last):
    ...
    ValueError: toy.csv: missing column 'x' (columns present: 'level', 'y')
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{source}: expected a pandas DataFrame, got {type(data).__name__}")
    missing = [col for col in schema if col not in data.columns]
    if missing:
        present = ", ".join(repr(str(c)) for c in data.columns)
        raise ValueError(
            f"{source}: missing column {missing[0]!r} (columns present: {present or 'none'})"
        )
    if len(data) == 0:
        raise ValueError(f"{source}: the table has no rows")
    out = {}
    for col, kind in schema.items():
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} for column {col!r}; use one of {KINDS}")
        values = data[col]
        na = values.isna().to_numpy()
        if na.any():
            row, _ = _first_bad(values, na)
            raise ValueError(
                f"{source}: column {col!r} has {int(na.sum())} missing value(s), first at row {row!r}"
            )
        if kind == "string":
            if not (
                pd.api.types.is_string_dtype(values)
                or isinstance(values.dtype, pd.CategoricalDtype)
            ):
                raise ValueError(
                    f"{source}: column {col!r} should hold text labels, found dtype {values.dtype}"
                )
            out[col] = values.astype("string")
            continue
        numeric = pd.to_numeric(values, errors="coerce")
        bad = numeric.isna().to_numpy() | (pd.api.types.is_bool_dtype(values))
        if bad.any():
            row, value = _first_bad(values, bad)
            raise ValueError(
                f"{source}: column {col!r} should hold numbers, found {value!r} at row {row!r}"
            )
        numeric = numeric.astype(float)
        if not np.isfinite(numeric.to_numpy()).all():
            row, value = _first_bad(values, ~np.isfinite(numeric.to_numpy()))
            raise ValueError(
                f"{source}: column {col!r} has a non-finite value {value!r} at row {row!r}"
            )
        if kind in ("int", "count"):
            frac = numeric.to_numpy() != np.round(numeric.to_numpy())
            if frac.any():
                row, value = _first_bad(values, frac)
                raise ValueError(
                    f"{source}: column {col!r} should hold whole numbers, found {value!r} at row {row!r}"
                )
            if kind == "count" and (numeric < 0).any():
                row, value = _first_bad(values, (numeric < 0).to_numpy())
                raise ValueError(
                    f"{source}: column {col!r} holds counts, found negative value {value!r} at row {row!r}"
                )
            out[col] = numeric.astype("int64")
        else:
            out[col] = numeric
    result = pd.DataFrame(out, index=data.index)
    for col, allowed in (levels or {}).items():
        check_levels(result[col], allowed, column=col, source=source)
    return result


def check_levels(
    values: pd.Series | Collection[str],
    allowed: Collection[str],
    *,
    column: str,
    source: str = "data",
) -> None:
    """Raise if a value is not one of the allowed level labels.

    Parameters
    ----------
    values : pandas.Series or collection of str
        Labels to check.
    allowed : collection of str
        The known levels.
    column : str
        Column name, for the message.
    source : str
        Table name, for the message.

    Raises
    ------
    ValueError
        Naming the first unknown label and listing the known ones.

    Examples
    --------
    >>> check_levels(["h1", "h4"], ["h1", "h2", "h3"], column="level")
    Traceback (most recent call last):
    ...
    ValueError: data: column 'level' has unknown level 'h4'; known levels: 'h1', 'h2', 'h3'
    """
    known = {str(a) for a in allowed}
    for value in pd.unique(pd.Series(list(values), dtype="string")):
        if value not in known:
            listed = ", ".join(repr(a) for a in sorted(known))
            raise ValueError(
                f"{source}: column {column!r} has unknown level {value!r}; known levels: {listed}"
            )


def check_counts(
    data: pd.DataFrame,
    *,
    successes: str,
    trials: str,
    group: str,
    source: str = "data",
) -> None:
    """Check a table of successes out of trials: one row per group, successes <= trials.

    Parameters
    ----------
    data : pandas.DataFrame
        A table already validated by :func:`companion.data.validate_frame` (counts are
        whole numbers >= 0).
    successes, trials, group : str
        Column names.
    source : str
        Name of the table, for messages.

    Raises
    ------
    ValueError
        Naming the first repeated group label, the first row with no trials, or the first
        row with more successes than trials.

    Examples
    --------
    >>> table = pd.DataFrame({"team": ["a", "b"], "wins": [3, 9], "games": [10, 8]})
    >>> check_counts(table, successes="wins", trials="games", group="team")
    Traceback (most recent call last):
    ...
    ValueError: data: row 1 (team 'b') has 9 successes in column 'wins' but only 8 trials in column 'games'
    """
    repeated = data[group][data[group].duplicated()]
    if len(repeated):
        raise ValueError(f"{source}: column {group!r} repeats the label {repeated.iloc[0]!r}")
    for row, label, k, n in zip(
        data.index, data[group], data[successes], data[trials], strict=True
    ):
        if n <= 0:
            raise ValueError(
                f"{source}: row {row!r} ({group} {label!r}) has {n} trials in column {trials!r}; "
                "every group needs at least one"
            )
        if k > n:
            raise ValueError(
                f"{source}: row {row!r} ({group} {label!r}) has {k} successes in column "
                f"{successes!r} but only {n} trials in column {trials!r}"
            )


def read_csv(
    name: str | Path,
    schema: Mapping[str, str],
    *,
    levels: Mapping[str, Collection[str]] | None = None,
) -> pd.DataFrame:
    """Read a CSV (a name in ``data/`` or any path) and validate it with :func:`validate_frame`.

    Parameters
    ----------
    name : str or pathlib.Path
        File name inside ``data/``, or a path to any CSV file.
    schema, levels
        As in :func:`validate_frame`.

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
    return validate_frame(raw, schema, levels=levels, source=path.name)


LEVELS_SCHEMA = {"level": "string", "x": "float", "y": "float"}


def load_levels(path: str | Path = "levels.csv") -> pd.DataFrame:
    """Load the simulated three-level regression data (``data/levels.csv``).

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
    return read_csv(path, LEVELS_SCHEMA, levels={"level": ["h1", "h2", "h3"]})


def load_long_tail(path: str | Path = "levels_long_tail.csv") -> pd.DataFrame:
    """Load the simulated many-level, long-tailed regression data.

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
    return read_csv(path, LEVELS_SCHEMA, levels={"level": [f"L{k:02d}" for k in range(1, 21)]})


def load_surgical(path: str | Path = "surgical.csv") -> pd.DataFrame:
    """Load the cardiac-surgery mortality of 12 hospitals (BUGS examples, "Surgical").

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


def load_coins(path: str | Path = "coins.csv") -> pd.DataFrame:
    """Load the simulated coin flips of the nested mint (``data/coins.csv``).

    Checks the counts (whole, not negative, heads not above flips) and the nesting: a
    label that appears under two parents (a line listed under two factories) is refused,
    see :func:`companion.coins.check_nesting`. Introduced in
    ``notebooks/04_nested_coin_mints.ipynb``.

    Parameters
    ----------
    path : str or pathlib.Path, default ``"coins.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        One row per coin: ``region``, ``factory``, ``line``, ``coin`` (labels unique by
        path, such as ``R1/F2/L1``), ``flips`` and ``heads`` (counts).

    Raises
    ------
    ValueError
        If a column is missing, a count is invalid, or the nesting is inconsistent.

    Examples
    --------
    >>> coins = load_coins()
    >>> coins["line"].nunique(), bool((coins["heads"] <= coins["flips"]).all())
    (19, True)
    """
    coins = import_module("companion.coins")  # coins builds on this module: import late
    table = read_csv(path, coins.COIN_SCHEMA)
    return coins.validate_coins(table, source=Path(path).name)


def load_retail(path: str | Path = "retail.csv") -> pd.DataFrame:
    """Load the simulated weekly unit sales of 200 products (``data/retail.csv``).

    Checks the columns, the counts (whole, not negative), the attribute labels, one set of
    attributes per product and no missing week inside a product's history, see
    :func:`companion.retail.validate_sales`. Introduced in
    ``notebooks/06_retail_demand.ipynb``.

    Parameters
    ----------
    path : str or pathlib.Path, default ``"retail.csv"``
        File name in ``data/`` or a path.

    Returns
    -------
    pandas.DataFrame
        One row per product and week: ``product``, ``colour``, ``brand``, ``category``,
        ``price_band`` (labels), ``week`` (1 to 52) and ``sales`` (units), sorted by product
        and week.

    Raises
    ------
    ValueError
        If a column is missing, a value is invalid, or a product's weeks have a gap.

    Examples
    --------
    >>> sales = load_retail()
    >>> sales["product"].nunique(), int(sales["week"].max())
    (200, 52)
    """
    retail = import_module("companion.retail")  # retail builds on this module: import late
    table = read_csv(path, retail.SCHEMA, levels=retail.LEVELS)
    return retail.validate_sales(table, attributes=list(retail.LEVELS), source=Path(path).name)


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", float_format="%.6f")
    return buffer.getvalue().encode()


# File name -> function returning the frame written to it. The seeds live here, so the
# files can always be rebuilt and checked.
SIMULATED: dict[str, Callable[[], pd.DataFrame]] = {
    "levels.csv": lambda: simulate.simulate_levels(500, seed=2026)[0],
    "levels_long_tail.csv": lambda: simulate.simulate_long_tail(600, seed=2026)[0],
    "coins.csv": lambda: import_module("companion.coins").simulate_coins(seed=2026)[0],
    "retail.csv": lambda: import_module("companion.retail").simulate_retail(seed=2026)[0],
}


def sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file.

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
