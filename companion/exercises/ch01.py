"""Checkers of the exercises in ``notebooks/01_pooled_intercept.ipynb``.

- ``01-1``: which assumption of the pooled model clustered residuals break.
- ``01-2``: the largest residual z-score by level when the levels barely differ
  (``tau=0.1``).
- ``01-3``: the integer codes of new rows' levels against a fitted model's coords.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from companion import simulate
from companion.exercises import as_number, register
from companion.fit import residual_z

__all__ = [
    "NEW_ROWS",
    "check_assumption",
    "check_new_row_codes",
    "check_residual_z",
]


#: The exercise's data: the course's simulation with the level spread cut from 1 to 0.1.
SMALL_SPREAD = {"n_rows": 500, "tau": 0.1, "random_seed": 2026}

#: Levels of the new rows in exercise 01-3, and the model's coords they are encoded against.
NEW_ROWS = ("h3", "h1", "h3", "h2")
COORDS = ("h1", "h2", "h3")


@register("01-1")
def check_assumption(answer: object) -> tuple[bool, str]:
    """Accept "independence": rows of one level share an error, so errors are correlated.

    Parameters
    ----------
    answer : str
        The assumption, in a word or two.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_assumption("independent errors")[0], check_assumption("normality")[0]
    (True, False)
    """
    if not isinstance(answer, str):
        return False, 'answer with a word, for example "linearity".'
    word = answer.strip().lower()
    if "indep" in word or "uncorrelat" in word or "iid" in word.replace(".", ""):
        return True, (
            "the pooled model treats every row's error as independent; rows of one level "
            "share that level's offset from a, so their errors are correlated."
        )
    if "normal" in word or "gauss" in word:
        return False, (
            "within a level the errors are still normal; what do two rows of the same level "
            "have in common that two rows of different levels do not?"
        )
    if "linear" in word:
        return False, (
            "y is still linear in x within each level (same slope b); look at what the "
            "residuals of one level share."
        )
    if "variance" in word or "homosced" in word or "constant" in word:
        return False, (
            "the spread of the residuals is about the same in every level; it is their "
            "centre that moves with the level. What does that do to two rows of one level?"
        )
    return False, "think of two rows of the same level: are their errors unrelated?"


def _least_squares_z(frame: pd.DataFrame) -> pd.Series:
    design = np.column_stack([np.ones(len(frame)), frame["x"].to_numpy()])
    (a, b), *_ = np.linalg.lstsq(design, frame["y"].to_numpy(), rcond=None)
    sigma = float(np.sqrt(np.mean((frame["y"].to_numpy() - design @ [a, b]) ** 2)))
    return residual_z(frame, a=float(a), b=float(b), sigma=sigma)


@lru_cache(maxsize=2)
def _max_abs_z(tau: float) -> float:
    frame, _ = simulate.simulate_levels(
        SMALL_SPREAD["n_rows"], tau=tau, random_seed=SMALL_SPREAD["random_seed"]
    )
    return float(_least_squares_z(frame).abs().max())


@register("01-2")
def check_residual_z(answer: object) -> tuple[bool, str]:
    """Accept the largest |z| of the level mean residuals on data simulated with ``tau=0.1``.

    The reference refits the pooled model by least squares (the posterior means of the
    pooled model with its wide priors agree to about 0.01) on
    ``simulate_levels(500, tau=0.1, random_seed=2026)``.

    Parameters
    ----------
    answer : float
        The largest absolute z-score over the three levels.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is within 0.2 (or 10%) of the reference, and why (or a hint).

    Examples
    --------
    >>> check_residual_z(_max_abs_z(0.1))[0], check_residual_z(_max_abs_z(1.0))[0]
    (True, False)
    """
    value = as_number(answer)
    reference = _max_abs_z(SMALL_SPREAD["tau"])

    def near(target: float) -> bool:
        return abs(value - target) <= max(0.2, 0.1 * abs(target))

    if near(reference):
        return True, (
            f"the largest |z| is {reference:.2f}, against {_max_abs_z(1.0):.1f} with tau = 1: "
            "when the levels barely differ, a level's residuals average out near zero, as "
            "independent errors would, and the pooled model is no longer contradicted."
        )
    if value < 0:
        return False, "take absolute values: a level far below the line counts as much."
    if near(_max_abs_z(1.0)):
        return False, (
            "that is the value for the course data (tau = 1); simulate with "
            "simulate.simulate_levels(500, tau=0.1, random_seed=2026), refit, and recompute."
        )
    return False, (
        "refit the pooled model on the new data, then use the posterior means of a, b and "
        "sigma in residual_z(...) and take the largest absolute value."
    )


@register("01-3")
def check_new_row_codes(answer: object) -> tuple[bool, str]:
    """Accept the codes of ``NEW_ROWS`` against the coords ``('h1', 'h2', 'h3')``.

    Parameters
    ----------
    answer : sequence of int
        One code per new row.

    Returns
    -------
    tuple of (bool, str)
        Whether the codes are right, and why (or a hint).

    Examples
    --------
    >>> check_new_row_codes([2, 0, 2, 1])[0], check_new_row_codes([0, 1, 0, 2])[0]
    (True, False)
    """
    if isinstance(answer, str) or not hasattr(answer, "__len__"):
        return False, "give one integer code per new row, as a list or array."
    codes = np.asarray(answer).tolist()
    reference = pd.Index(COORDS).get_indexer(list(NEW_ROWS)).tolist()
    if codes == reference:
        return True, (
            "each code is the position of the row's level in the model's coords, so code 0 "
            "reads the intercept of h1 whatever order the rows arrive in."
        )
    if len(codes) != len(NEW_ROWS):
        return False, f"there are {len(NEW_ROWS)} new rows: give {len(NEW_ROWS)} codes."
    if codes == pd.factorize(pd.Series(NEW_ROWS))[0].tolist():
        return False, (
            "these codes follow the order in which the levels first appear in the new rows, "
            "not the model's coords: encode against ('h1', 'h2', 'h3')."
        )
    if -1 in codes:
        return False, "every level of the new rows is known to the model: no code should be -1."
    return False, "use validate.encode_levels(new_rows, coords, column='level')."
