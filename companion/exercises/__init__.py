"""Exercise checkers: call ``check("03-2", answer)`` on your answer to exercise 2 of notebook 03.

Each notebook's exercises have a checker registered under ``"NN-k"`` (notebook ``NN``,
exercise ``k``) in a module ``companion.exercises.chNN``. A checker never just says
"wrong": it answers with a hint pointing at the likely slip. An answer cell run unchanged
(``None`` or ``...``) is answered by :func:`check` itself, before any checker is called, so
checkers only see real answers. Reference solutions live in the
notebooks themselves, in cells tagged ``solution`` whose source is collapsed in JupyterLab;
they run in CI, so every checker is proven to accept its solution. Teachers can hand out
copies without them::

    python -m companion.exercises strip notebooks/03_partial_pooling.ipynb -o student/

Introduced in ``notebooks/00_why_hierarchical.ipynb``.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["NO_ANSWER", "Feedback", "as_number", "available", "check", "is_missing", "register"]

#: What a checker says to an answer cell that was run unchanged.
NO_ANSWER = "no answer yet: replace `...` with your answer and run the cell again."


@dataclass(frozen=True)
class Feedback:
    """The answer of a checker.

    Attributes
    ----------
    key : str
        The exercise, ``"NN-k"``.
    correct : bool
        Whether the answer passes.
    message : str
        What to do next: a confirmation with the reason, or a hint.
    """

    key: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        mark = "Correct" if self.correct else "Not yet"
        return f"[{self.key}] {mark}: {self.message}"

    def _repr_markdown_(self) -> str:
        icon = "✅" if self.correct else "💡"
        return f"{icon} **Exercise {self.key}.** {self.message}"


def is_missing(answer: object) -> bool:
    """Whether an answer cell still holds its placeholder (``None`` or ``...``).

    Parameters
    ----------
    answer : object
        The learner's answer.

    Returns
    -------
    bool
        True for ``None`` and ``...``.

    Examples
    --------
    >>> is_missing(...), is_missing(0)
    (True, False)
    """
    return answer is None or answer is Ellipsis


def as_number(answer: object) -> float:
    """Read an answer as a finite number, for checkers of numeric answers.

    Parameters
    ----------
    answer : object
        The learner's answer.

    Returns
    -------
    float
        The number.

    Raises
    ------
    TypeError, ValueError
        If the answer is not a finite number (:func:`check` turns this into a hint).

    Examples
    --------
    >>> as_number("2.5")
    2.5
    """
    value = float(answer)
    if not math.isfinite(value):
        raise ValueError(f"{answer!r} is not a finite number")
    return value


Checker = Callable[[object], tuple[bool, str]]
_REGISTRY: dict[str, Checker] = {}


def register(key: str) -> Callable[[Checker], Checker]:
    """Register a checker function under ``key`` (used by the ``chNN`` modules).

    The checker takes the learner's answer and returns ``(correct, message)``.

    Parameters
    ----------
    key : str
        ``"NN-k"``.

    Returns
    -------
    callable
        A decorator that registers and returns the function unchanged.
    """

    def decorate(func: Checker) -> Checker:
        if key in _REGISTRY and _REGISTRY[key] is not func:
            raise ValueError(f"exercise {key!r} already has a checker")
        _REGISTRY[key] = func
        return func

    return decorate


def _load_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("ch"):
            importlib.import_module(f"{__name__}.{info.name}")


def available() -> list[str]:
    """List the exercises that have a checker.

    Returns
    -------
    list of str
        Keys such as ``"03-2"``, sorted.
    """
    _load_all()
    return sorted(_REGISTRY)


def check(key: str, answer: object) -> Feedback:
    """Check an answer to an exercise and say why it passes or what to look at.

    Parameters
    ----------
    key : str
        ``"NN-k"``: notebook number and exercise number, as printed in the notebook.
    answer : object
        Your answer, in the form the exercise asks for.

    Returns
    -------
    Feedback
        ``bool(feedback)`` is True when the answer is right; printing it shows the message.

    Raises
    ------
    KeyError
        If no exercise has that key (the message lists the keys that exist).
    """
    _load_all()
    if key not in _REGISTRY:
        raise KeyError(f"no exercise {key!r}; exercises with checkers: {', '.join(available())}")
    if is_missing(answer):
        return Feedback(key=key, correct=False, message=NO_ANSWER)
    try:
        correct, message = _REGISTRY[key](answer)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        correct, message = False, f"could not read this answer ({error}); check its form."
    return Feedback(key=key, correct=bool(correct), message=message)
