"""Checks shared by every module: tables, counts, numbers, probabilities and group labels.

The bottom layer of the package: it imports nothing from :mod:`companion`, so any module can
use it. Every check raises ``ValueError`` naming the column, value or argument at fault, and
each message is written once, here.

Group labels keep their type and natural order: integer labels stay integers and sort as
numbers (``1, 2, ..., 10``, not ``'1', '10', '2'``), text labels sort as text. The builders
take their coords from :func:`group_levels`, and every label that reaches a model goes through
:func:`encode_levels` first, because compiled indexing does not check bounds.

Introduced in ``notebooks/01_pooled_intercept.ipynb``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "KINDS",
    "as_list",
    "check_counts",
    "check_levels",
    "check_positive",
    "check_positive_column",
    "check_probability",
    "check_successes",
    "encode_levels",
    "group_column",
    "group_levels",
    "require_columns",
    "validate_frame",
]

#: Column kinds understood by :func:`validate_frame`.
KINDS = ("float", "int", "count", "string")


def check_positive_column(
    frame: pd.DataFrame, column: str, *, source: str = "data", what: str | None = None
) -> None:
    """Refuse a column with a value at or below zero, naming the first such row and value.

    Not called in the notebooks; the builders check their ``sigma=`` and ``exposure=`` columns
    with it (``notebooks/09_your_data.ipynb``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The validated table.
    column : str
        The column that must be positive (an exposure, a known sd).
    source : str, default "data"
        What the table is, for the message.
    what : str, optional
        The column's role, for the message.

    Raises
    ------
    ValueError
        If a value is zero or negative.

    Examples
    --------
    >>> check_positive_column(pd.DataFrame({"hours": [1.0, 0.0]}), "hours", what="exposure")
    Traceback (most recent call last):
    ...
    ValueError: data: column 'hours' (exposure) must be positive, found 0.0 at row 1
    """
    bad = (frame[column] <= 0).to_numpy()
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        row, value = frame.index[position], float(frame[column].iloc[position])
        row = row.item() if isinstance(row, np.generic) else row
        role = f" ({what})" if what else ""
        raise ValueError(
            f"{source}: column {column!r}{role} must be positive, found {value!r} at row {row!r}"
        )


def as_list(names: str | Iterable[str]) -> list[str]:
    """Return one column name or several as a list of names.

    Not called in the notebooks; :mod:`companion.exact`, :mod:`companion.models`,
    :mod:`companion.retail` use it.

    Parameters
    ----------
    names : str or iterable of str
        A single name, or several.

    Returns
    -------
    list of str
        ``[names]`` for a single string, ``list(names)`` otherwise.

    Examples
    --------
    >>> as_list("x"), as_list(("x", "z")), as_list(())
    (['x'], ['x', 'z'], [])
    """
    return [names] if isinstance(names, str) else list(names)


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _first_bad(values: pd.Series, mask: np.ndarray) -> tuple[object, object]:
    position = int(np.flatnonzero(mask)[0])
    return _plain(values.index[position]), _plain(values.iloc[position])


def check_positive(value: object, *, name: str, allow_none: bool = False) -> object:
    """Raise unless ``value`` is a positive finite number (or an array of them).

    Not called in the notebooks; :mod:`companion.exact`, :mod:`companion.explore`,
    :mod:`companion.fit`, :mod:`companion.models`, :mod:`companion.simulate` use it.

    Parameters
    ----------
    value : float or array-like
        The number(s) to check.
    name : str
        Argument name, for the message.
    allow_none : bool, default False
        Accept ``None`` (meaning "learned" or "not given").

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    ValueError
        ``"<name> must be a positive number, got <value>"``.

    Examples
    --------
    >>> check_positive(2.0, name="sigma")
    2.0
    >>> check_positive(0, name="group_sd", allow_none=True)
    Traceback (most recent call last):
    ...
    ValueError: group_sd must be a positive number or None, got 0
    """
    if value is None and allow_none:
        return value
    try:
        arr = np.asarray(value, dtype=float)
        ok = arr.size > 0 and bool(np.all(np.isfinite(arr) & (arr > 0)))
    except (TypeError, ValueError):
        ok = False
    if isinstance(value, bool | str) or not ok:
        alternative = " or None" if allow_none else ""
        raise ValueError(f"{name} must be a positive number{alternative}, got {value!r}")
    return value


def check_probability(value: float, *, name: str = "ci_prob") -> float:
    """Raise unless ``value`` is a probability strictly between 0 and 1.

    Not called in the notebooks; :mod:`companion.compare`, :mod:`companion.exact`,
    :mod:`companion.summaries` use it.

    Parameters
    ----------
    value : float
        The probability (an interval's mass, say).
    name : str, default "ci_prob"
        Argument name, for the message.

    Returns
    -------
    float
        ``value`` as a float.

    Raises
    ------
    ValueError
        ``"<name> must be between 0 and 1, got <value>"``.

    Examples
    --------
    >>> check_probability(0.9)
    0.9
    >>> check_probability(90)
    Traceback (most recent call last):
    ...
    ValueError: ci_prob must be between 0 and 1, got 90
    """
    try:
        ok = 0 < float(value) < 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    return float(value)


def require_columns(data: pd.DataFrame, columns: Iterable[str], *, source: str = "data") -> None:
    """Raise if a column is missing from a table.

    Not called in the notebooks; :mod:`companion.coins` uses it.

    Parameters
    ----------
    data : pandas.DataFrame
        The table.
    columns : iterable of str
        Columns it must have.
    source : str, default "data"
        Name of the table, for the message.

    Raises
    ------
    TypeError
        If ``data`` is not a data frame.
    ValueError
        Naming the first missing column and listing those present.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"y": [1.0]}), ["y", "x"], source="toy.csv")
    Traceback (most recent call last):
    ...
    ValueError: toy.csv: missing column 'x' (columns present: 'y')
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{source}: expected a pandas DataFrame, got {type(data).__name__}")
    missing = [col for col in columns if col not in data.columns]
    if missing:
        present = ", ".join(repr(str(c)) for c in data.columns)
        raise ValueError(
            f"{source}: missing column {missing[0]!r} (columns present: {present or 'none'})"
        )


def validate_frame(
    data: pd.DataFrame,
    schema: Mapping[str, str],
    *,
    allowed: Mapping[str, Collection[object]] | None = None,
    source: str = "data",
) -> pd.DataFrame:
    """Check columns, types, missing values and level labels of a data frame.

    Not called in the notebooks; :mod:`companion.coins`, :mod:`companion.data`,
    :mod:`companion.exact`, :mod:`companion.forecast`, :mod:`companion.models`,
    :mod:`companion.predict`, :mod:`companion.radon`, :mod:`companion.retail` use it.

    Parameters
    ----------
    data : pandas.DataFrame
        The table to check.
    schema : mapping of str to str
        Required columns and their kind: ``"float"`` (finite number), ``"int"`` (whole
        number), ``"count"`` (whole number >= 0) or ``"string"`` (text label).
    allowed : mapping of str to collection, optional
        The allowed level labels of some columns (see :func:`check_levels`).
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
    require_columns(data, schema, source=source)
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
    for col, labels in (allowed or {}).items():
        check_levels(result[col], labels, column=col, source=source)
    return result


def _label_kind(values: pd.Index) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_integer_dtype(values) or pd.api.types.is_float_dtype(values):
        return "number"
    return "text"


def _typed_index(values: Iterable[object]) -> pd.Index:
    """Labels as an index: numbers stay numbers, anything else becomes text."""
    index = pd.Index(list(values) if not isinstance(values, pd.Index) else values)
    if _label_kind(index) == "text":
        index = index.astype("string")
    return index


def _sorted_labels(labels: Iterable[object]) -> list[object]:
    items = list(labels)
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=str)


def check_levels(
    values: pd.Series | Collection[object],
    levels: Collection[object],
    *,
    column: str,
    source: str = "data",
) -> None:
    """Raise if a value is not one of the known level labels.

    Not called in the notebooks; :func:`encode_levels`, :func:`validate_frame` use it.

    Labels compare with their type: the integer ``71`` is a level of ``[1, ..., 71]``, the
    text ``'71'`` is not.

    Parameters
    ----------
    values : pandas.Series or collection
        Labels to check.
    levels : collection
        The known levels (a model's coords for this column, say).
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
    >>> check_levels([2, 3], [1, 2, 3], column="experiment")
    """
    known = _typed_index(levels)
    given = _typed_index(pd.unique(pd.Series(list(values), dtype=object)))
    missing = given[known.get_indexer(given) < 0] if len(given) else given
    if len(missing):
        value = _plain(missing[0])
        shown = _sorted_labels(known)
        listed = ", ".join(repr(_plain(a)) for a in shown[:30]) + (
            ", ..." if len(shown) > 30 else ""
        )
        hint = ""
        if _label_kind(known) != _label_kind(given):
            words = {"number": "numbers", "text": "text", "bool": "booleans"}
            hint = (
                f" (the known levels are {words[_label_kind(known)]}, "
                f"this label is {words[_label_kind(given)]})"
            )
        raise ValueError(
            f"{source}: column {column!r} has unknown level {value!r}{hint}; known levels: {listed}"
        )


def check_successes(
    data: pd.DataFrame,
    *,
    successes: str,
    trials: str,
    group: str | None = None,
    source: str = "data",
) -> None:
    """Raise if a row has more successes than trials.

    Not called in the notebooks; :mod:`companion.coins`, :mod:`companion.models` use it.

    Parameters
    ----------
    data : pandas.DataFrame
        A table whose count columns are validated (whole numbers >= 0).
    successes, trials : str
        Column names.
    group : str, optional
        Group column, named in the message when given.
    source : str
        Name of the table, for the message.

    Raises
    ------
    ValueError
        Naming the first such row, its counts and columns.

    Examples
    --------
    >>> table = pd.DataFrame({"heads": [7, 4], "flips": [6, 10]})
    >>> check_successes(table, successes="heads", trials="flips")
    Traceback (most recent call last):
    ...
    ValueError: data: row 0 has 7 successes in column 'heads' but only 6 trials in column 'flips'
    """
    above = (data[successes] > data[trials]).to_numpy()
    if above.any():
        position = int(np.flatnonzero(above)[0])
        row = _plain(data.index[position])
        label = f" ({group} {_plain(data[group].iloc[position])!r})" if group else ""
        k, n = _plain(data[successes].iloc[position]), _plain(data[trials].iloc[position])
        raise ValueError(
            f"{source}: row {row!r}{label} has {k} successes in column {successes!r} "
            f"but only {n} trials in column {trials!r}"
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

    Not called in the notebooks; :mod:`companion.data`, :mod:`companion.realdata` use it.

    Parameters
    ----------
    data : pandas.DataFrame
        A table already validated by :func:`validate_frame` (counts are whole numbers >= 0).
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
    empty = (data[trials] <= 0).to_numpy()
    if empty.any():
        position = int(np.flatnonzero(empty)[0])
        raise ValueError(
            f"{source}: row {_plain(data.index[position])!r} ({group} "
            f"{_plain(data[group].iloc[position])!r}) has {_plain(data[trials].iloc[position])} "
            f"trials in column {trials!r}; every group needs at least one"
        )
    check_successes(data, successes=successes, trials=trials, group=group, source=source)


def group_column(data: pd.DataFrame, group: str, *, source: str = "data") -> pd.Series:
    """Return a group column's labels: numbers stay numbers, anything else becomes text.

    Not called in the notebooks; :mod:`companion.exact`, :mod:`companion.models` use it.

    Parameters
    ----------
    data : pandas.DataFrame
        The data.
    group : str
        Name of the group column.
    source : str, default "data"
        Name of the table, for messages.

    Returns
    -------
    pandas.Series
        The labels: ``int64`` (or ``float64``) for numeric labels, pandas strings otherwise.

    Raises
    ------
    ValueError
        If the column is missing or holds a missing label.

    Examples
    --------
    >>> group_column(pd.DataFrame({"ward": [3, 1]}), "ward").tolist()
    [3, 1]
    """
    if not isinstance(data, pd.DataFrame) or group not in data.columns:
        present = ", ".join(repr(str(c)) for c in getattr(data, "columns", []))
        raise ValueError(f"{source}: missing group column {group!r} (columns present: {present})")
    values = data[group]
    if values.isna().any():
        row = _plain(values.index[np.flatnonzero(values.isna().to_numpy())[0]])
        raise ValueError(f"{source}: group column {group!r} has a missing value at row {row!r}")
    kind = _label_kind(pd.Index(values))
    if kind == "text":
        return values.astype("string")
    if kind == "number" and pd.api.types.is_float_dtype(values):
        whole = values.to_numpy() == np.round(values.to_numpy())
        if whole.all():
            return values.astype("int64")
    return values


def group_levels(data: pd.DataFrame, group: str) -> pd.Index:
    """Return the sorted level labels of a group column, as the builders use them for coords.

    Introduced in ``notebooks/01_pooled_intercept.ipynb``.

    Integer labels stay integers and sort as numbers; text labels sort as text.

    Parameters
    ----------
    data : pandas.DataFrame
        The data.
    group : str
        Name of the group column.

    Returns
    -------
    pandas.Index
        Sorted unique labels, named ``group``.

    Examples
    --------
    >>> group_levels(pd.DataFrame({"ward": ["b", "a", "b"]}), "ward").tolist()
    ['a', 'b']
    >>> group_levels(pd.DataFrame({"experiment": [10, 2, 1]}), "experiment").tolist()
    [1, 2, 10]
    """
    labels = pd.unique(group_column(data, group).to_numpy())
    return pd.Index(np.sort(labels), name=group)


def encode_levels(
    values: pd.Series | Collection[object],
    levels: Sequence[object],
    *,
    column: str,
    source: str = "data",
) -> np.ndarray:
    """Turn level labels into integer codes of ``levels``, refusing unknown labels.

    Introduced in ``notebooks/01_pooled_intercept.ipynb``.

    Compiled indexing does not check bounds, so a code outside a model's coords would read
    garbage silently; every index that reaches a model goes through this check first.

    Parameters
    ----------
    values : pandas.Series or collection
        Labels to encode.
    levels : sequence
        The model's coords for this column, in order.
    column : str
        Column name, for the error message.
    source : str, default "data"
        What the labels are, for the error message (``"prediction request"`` when they are
        new rows to predict).

    Returns
    -------
    numpy.ndarray
        ``int64`` codes, each in ``range(len(levels))``.

    Raises
    ------
    ValueError
        If a label is missing or not in ``levels``.

    Examples
    --------
    >>> encode_levels(["h3", "h1"], ["h1", "h2", "h3"], column="level").tolist()
    [2, 0]
    >>> encode_levels([71, 1], list(range(1, 72)), column="experiment").tolist()
    [70, 0]
    """
    labels = pd.Series(list(values), dtype=object)
    if labels.isna().any():
        raise ValueError(f"column {column!r} has a missing level label")
    check_levels(labels, levels, column=column, source=source)
    codes = _typed_index(levels).get_indexer(_typed_index(labels.to_numpy()))
    return codes.astype("int64")
