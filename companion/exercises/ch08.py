"""Checkers of the exercises in ``notebooks/08_is_it_worth_it.ipynb``.

- ``08-1``: in which world the pooled model predicted as well as the hierarchical one.
- ``08-2``: which models stay within 4 ELPD of the best when each group has 30 rows.
- ``08-3``: which models stay within 4 ELPD of the best when groups differ only a little.

The references of ``08-2`` and ``08-3`` hold on every seed the unit tests try
(``tests/test_compare.py``), computed with :func:`companion.exact.exact_loo`.
"""

from __future__ import annotations

from collections.abc import Iterable

from companion.exact import POOLINGS
from companion.exercises import AnswerError, register

__all__ = ["check_few_rows_small_spread", "check_more_rows", "check_pooling_world"]


def _model_set(answer: object) -> set[str]:
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        raise AnswerError("answer with a list of model names, such as ['pooled', 'partial']")
    names = {str(name).strip().lower() for name in answer}
    unknown = names - set(POOLINGS)
    if unknown:
        raise AnswerError(f"unknown model {sorted(unknown)[0]!r}; use {', '.join(POOLINGS)}")
    return names


@register("08-1")
def check_pooling_world(answer: object) -> tuple[bool, str]:
    """Accept ``"identical"``: the world where the groups do not differ.

    Parameters
    ----------
    answer : str
        A world's name: ``"differ"``, ``"identical"`` or ``"large"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_pooling_world("identical")[0], check_pooling_world("large")[0]
    (True, False)
    """
    world = str(answer).strip().lower()
    if world == "identical":
        return True, (
            "with identical groups the hierarchy learns a spread near 0 and becomes the pooled "
            "model with extra parameters: same predictions, more machinery, so pool."
        )
    if world == "large":
        return False, (
            "with 200 rows per group the pooled model was over 100 ELPD behind: there the "
            "hierarchy agreed with no pooling instead."
        )
    if world == "differ":
        return False, (
            "when groups truly differ, one shared intercept misses their differences; look "
            "for the world where there is nothing to miss."
        )
    return False, 'answer with a world\'s name: "differ", "identical" or "large".'


def _check_set(
    answer: object, expected: set[str], why: str, hints: dict[tuple[str, ...], str]
) -> tuple[bool, str]:
    given = _model_set(answer)
    if given == expected:
        return True, why
    for wrong, hint in hints.items():
        if given == set(wrong):
            return False, hint
    return False, (
        "list every model whose ELPD is within 4 of the best: compare.similar_models on a "
        "table with an 'elpd' column gives them."
    )


@register("08-2")
def check_more_rows(answer: object) -> tuple[bool, str]:
    """Accept ``{"partial", "unpooled"}`` for the ``differ`` world with 30 rows per group.

    Parameters
    ----------
    answer : list of str
        Model names among ``"pooled"``, ``"unpooled"``, ``"partial"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_more_rows(["unpooled", "partial"])[0], check_more_rows(["partial"])[0]
    (True, False)
    """
    return _check_set(
        answer,
        {"partial", "unpooled"},
        "with 30 rows a group's own mean is precise, the population adds little, and the "
        "hierarchy and no pooling predict alike; pooling still misses the real differences.",
        {
            ("partial",): "with 30 rows per group does the unpooled model still overfit? "
            "Compare its ELPD with the hierarchy's.",
            ("partial", "pooled"): "the groups still differ by tau = 1: can one shared "
            "intercept predict them as well?",
        },
    )


@register("08-3")
def check_few_rows_small_spread(answer: object) -> tuple[bool, str]:
    """Accept ``{"partial", "pooled"}`` for the ``differ`` world with ``tau = 0.3``.

    Parameters
    ----------
    answer : list of str
        Model names among ``"pooled"``, ``"unpooled"``, ``"partial"``.

    Returns
    -------
    tuple of (bool, str)
        Whether the answer is right, and why (or a hint).

    Examples
    --------
    >>> check_few_rows_small_spread(["pooled", "partial"])[0]
    True
    >>> check_few_rows_small_spread(["partial"])[0]
    False
    """
    return _check_set(
        answer,
        {"partial", "pooled"},
        "differences of 0.3 are small next to the noise of a 3-row mean (1.4 / sqrt(3) = "
        "0.8): the hierarchy shrinks almost to the pooled model and both predict alike, "
        "while no pooling fits noise.",
        {
            ("partial",): "is a spread of 0.3 visible through 3 rows of noise 1.4? Compare "
            "the pooled model's ELPD with the hierarchy's.",
            ("partial", "unpooled"): "with 3 rows per group each unpooled intercept fits "
            "mostly noise: check its ELPD.",
        },
    )
