"""Seeded simulators with known true parameters.

Every simulator takes keyword-only options and a ``seed``, and returns the simulated data
frame together with the true parameters, so that a notebook can fit a model and check that it
recovers the truth. Introduced in ``notebooks/01_pooled_intercept.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["LevelTruth", "allocate_rows", "simulate_levels", "simulate_long_tail"]


@dataclass(frozen=True)
class LevelTruth:
    """True parameters of ``y = a[level] + b * x + noise``.

    Attributes
    ----------
    a : pandas.Series
        True intercept of each level, indexed by level label.
    w : float
        Population mean the intercepts were drawn around.
    tau : float
        Population spread (standard deviation) of the intercepts.
    b : float
        Slope of the continuous predictor ``x``.
    sigma : float
        Standard deviation of the observation noise.
    counts : pandas.Series
        Number of rows of each level.
    """

    a: pd.Series
    w: float
    tau: float
    b: float
    sigma: float
    counts: pd.Series


def allocate_rows(n: int, shares: Sequence[float]) -> np.ndarray:
    """Split ``n`` rows into groups whose sizes follow ``shares`` as closely as integers can.

    Uses the largest-remainder rule and gives every group at least one row.

    Parameters
    ----------
    n : int
        Total number of rows; at least the number of groups.
    shares : sequence of float
        Positive shares; they are normalised to sum to one.

    Returns
    -------
    numpy.ndarray
        Integer group sizes summing to ``n``.

    Raises
    ------
    ValueError
        If a share is not positive or ``n`` is smaller than the number of groups.

    Examples
    --------
    >>> allocate_rows(500, [0.01, 0.29, 0.70]).tolist()
    [5, 145, 350]
    """
    shares = np.asarray(shares, dtype=float)
    if shares.ndim != 1 or shares.size == 0 or np.any(~np.isfinite(shares)) or np.any(shares <= 0):
        raise ValueError(f"shares must be positive numbers, got {shares.tolist()}")
    if n < shares.size:
        raise ValueError(f"n={n} is smaller than the number of groups ({shares.size})")
    shares = shares / shares.sum()
    raw = shares * n
    counts = np.floor(raw).astype(int)
    remainder = n - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:remainder]] += 1
    while np.any(counts == 0):
        counts[np.argmax(counts)] -= 1
        counts[np.argmin(counts)] += 1
    return counts


def _simulate(
    counts: np.ndarray,
    labels: list[str],
    *,
    w: float,
    tau: float,
    b: float,
    sigma: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, LevelTruth]:
    a = w + tau * rng.standard_normal(len(labels))
    level_idx = np.repeat(np.arange(len(labels)), counts)
    level_idx = level_idx[rng.permutation(level_idx.size)]
    x = rng.standard_normal(level_idx.size)
    y = a[level_idx] + b * x + sigma * rng.standard_normal(level_idx.size)
    data = pd.DataFrame(
        {
            "level": pd.array(np.asarray(labels)[level_idx], dtype="string"),
            "x": x.round(6),
            "y": y.round(6),
        }
    )
    truth = LevelTruth(
        a=pd.Series(a, index=pd.Index(labels, name="level"), name="a"),
        w=float(w),
        tau=float(tau),
        b=float(b),
        sigma=float(sigma),
        counts=pd.Series(counts, index=pd.Index(labels, name="level"), name="rows"),
    )
    return data, truth


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")


def simulate_levels(
    n: int = 500,
    *,
    shares: Sequence[float] = (0.01, 0.29, 0.70),
    w: float = 5.0,
    tau: float = 1.0,
    b: float = 0.5,
    sigma: float = 2.0,
    seed: int = 0,
) -> tuple[pd.DataFrame, LevelTruth]:
    """Simulate ``y = a[level] + b * x + noise`` with imbalanced levels.

    The intercepts are drawn as ``a[h] ~ Normal(w, tau)``, the predictor as
    ``x ~ Normal(0, 1)`` and the noise as ``Normal(0, sigma)``. By default the three levels
    ``h1``, ``h2``, ``h3`` hold 1%, 29% and 70% of the rows, as in the forum thread.

    Parameters
    ----------
    n : int, default 500
        Number of rows.
    shares : sequence of float, default (0.01, 0.29, 0.70)
        Share of the rows in each level, in level order (``h1``, ``h2``, ...).
    w, tau : float
        Population mean and spread of the intercepts.
    b : float
        Slope of ``x``.
    sigma : float
        Noise standard deviation.
    seed : int
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    data : pandas.DataFrame
        Columns ``level`` (string), ``x`` and ``y`` (float), rows in random order.
    truth : LevelTruth
        The true parameters.

    Raises
    ------
    ValueError
        If ``tau`` or ``sigma`` is not positive, or a share is not positive.

    Examples
    --------
    >>> data, truth = simulate_levels(seed=1)
    >>> data["level"].value_counts().sort_index().tolist()
    [5, 145, 350]
    >>> truth.counts.to_dict()
    {'h1': 5, 'h2': 145, 'h3': 350}
    """
    _check_positive(tau=tau, sigma=sigma)
    counts = allocate_rows(n, shares)
    labels = [f"h{k + 1}" for k in range(len(counts))]
    return _simulate(
        counts, labels, w=w, tau=tau, b=b, sigma=sigma, rng=np.random.default_rng(seed)
    )


def simulate_long_tail(
    n: int = 600,
    *,
    n_levels: int = 20,
    exponent: float = 1.3,
    w: float = 5.0,
    tau: float = 1.0,
    b: float = 0.5,
    sigma: float = 2.0,
    seed: int = 0,
) -> tuple[pd.DataFrame, LevelTruth]:
    """Simulate the same regression with many levels whose sizes follow a long tail.

    Level ``k`` (counting from 1) gets a share proportional to ``k ** -exponent``, so a few
    levels hold most rows and many hold only a handful.

    Parameters
    ----------
    n : int, default 600
        Number of rows.
    n_levels : int, default 20
        Number of levels, labelled ``L01``, ``L02``, ...
    exponent : float, default 1.3
        How fast the shares fall with rank; larger means a longer tail.
    w, tau, b, sigma, seed
        As in :func:`simulate_levels`.

    Returns
    -------
    data : pandas.DataFrame
        Columns ``level``, ``x``, ``y``.
    truth : LevelTruth
        The true parameters.

    Examples
    --------
    >>> data, truth = simulate_long_tail(seed=2)
    >>> int(truth.counts.iloc[0]) > 10 * int(truth.counts.iloc[-1])
    True
    """
    _check_positive(tau=tau, sigma=sigma, exponent=exponent)
    if n_levels < 2:
        raise ValueError(f"n_levels must be at least 2, got {n_levels}")
    shares = np.arange(1, n_levels + 1, dtype=float) ** -exponent
    counts = allocate_rows(n, shares)
    labels = [f"L{k + 1:02d}" for k in range(n_levels)]
    return _simulate(
        counts, labels, w=w, tau=tau, b=b, sigma=sigma, rng=np.random.default_rng(seed)
    )
