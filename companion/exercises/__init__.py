"""Exercise checkers: ``check("03-2", answer_03_2)`` gives feedback on exercise 2 of notebook 03.

Each notebook's exercises have a checker registered under ``"NN-k"`` (notebook ``NN``,
exercise ``k``) in a module ``companion.exercises.chNN``. A checker never just says
"wrong": it answers with a hint pointing at the likely slip. An answer cell run unchanged
(``...``) or an answer that is ``None`` is answered by :func:`check` itself, before any
checker is called, so checkers only see real answers. A checker that cannot read an answer
raises :class:`AnswerError`, which :func:`check` turns into a hint on the answer's form; any
other exception is a fault of the checker and propagates.

The reference solutions live in the teacher's notebooks (``teacher/``), between nbgrader's
``### BEGIN SOLUTION`` and ``### END SOLUTION`` markers; CI runs them, so every checker is
proven to accept its solution. The learner's notebooks (``notebooks/``) are generated from
them by ``nbgrader generate_assignment`` (``make learner``).

Introduced in ``notebooks/00_why_hierarchical.ipynb``.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "NO_ANSWER",
    "NONE_ANSWER",
    "AnswerError",
    "Feedback",
    "as_number",
    "available",
    "check",
    "is_missing",
    "register",
    "unregister",
]

#: What a checker says to an answer cell that was run unchanged.
NO_ANSWER = "no answer yet: replace `...` with your answer and run the cell again."

#: What a checker says to an answer that is ``None``.
NONE_ANSWER = (
    "the answer is None: did you assign the result of a function that returns nothing, "
    "such as print? Assign the value itself."
)


class AnswerError(ValueError):
    """A learner's answer that a checker cannot read, such as text where a number is due.

    Part of the machinery behind :func:`companion.exercises.check`, which every notebook's exercises
    call.

    :func:`check` turns it into a hint on the answer's form; every other exception raised
    inside a checker is a fault of the checker and reaches the caller.

    Examples
    --------
    >>> check("03-2", "about a half").message
    "could not read this answer ('about a half' is not a number); check its form."
    """


@dataclass(frozen=True)
class Feedback:
    """The answer of a checker.

    Part of the machinery behind :func:`companion.exercises.check`, which every notebook's exercises
    call.

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
    """Whether an answer still holds a placeholder (``...`` or ``None``).

    Part of the machinery behind :func:`companion.exercises.check`, which every notebook's exercises
    call.

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

    Part of the machinery behind :func:`companion.exercises.check`, which every notebook's exercises
    call.

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
    AnswerError
        If the answer is not a finite number (:func:`check` turns this into a hint).

    Examples
    --------
    >>> as_number("2.5")
    2.5
    """
    if isinstance(answer, bool):
        raise AnswerError(f"{answer!r} is not a number")
    try:
        value = float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AnswerError(f"{answer!r} is not a number") from None
    if not math.isfinite(value):
        raise AnswerError(f"{answer!r} is not a finite number")
    return value


Checker = Callable[[object], tuple[bool, str]]
_REGISTRY: dict[str, Checker] = {}


def register(key: str) -> Callable[[Checker], Checker]:
    """Register a checker function under ``key`` (used by the ``chNN`` modules).

    Part of the machinery behind :func:`companion.exercises.check`, which every notebook's exercises
    call.

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


def unregister(key: str) -> None:
    """Remove the checker registered under ``key`` (for tests that register a scratch checker).

    Part of the machinery behind :func:`companion.exercises.check`, which every notebook's exercises
    call.

    Parameters
    ----------
    key : str
        ``"NN-k"``.

    Raises
    ------
    KeyError
        If no checker is registered under ``key``.

    Examples
    --------
    >>> register("99-9")(lambda answer: (answer == 1, "ok")) is not None
    True
    >>> unregister("99-9")
    >>> "99-9" in available()
    False
    """
    if key not in _REGISTRY:
        raise KeyError(f"no checker is registered under {key!r}")
    del _REGISTRY[key]


def _load_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("ch"):
            importlib.import_module(f"{__name__}.{info.name}")


def available() -> list[str]:
    """List the exercises that have a checker.

    Part of the machinery behind :func:`companion.exercises.check`, which every notebook's exercises
    call.

    Returns
    -------
    list of str
        Keys such as ``"03-2"``, sorted.
    """
    _load_all()
    return sorted(_REGISTRY)


def check(key: str, answer: object) -> Feedback:
    """Check an answer to an exercise and say why it passes or what to look at.

    Introduced in ``notebooks/00_why_hierarchical.ipynb``.

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

    Examples
    --------
    >>> check("03-1", ...).message == NO_ANSWER
    True
    >>> bool(check("03-1", {"small": "pooled", "large": "unpooled"}))
    True
    """
    _load_all()
    if key not in _REGISTRY:
        raise KeyError(f"no exercise {key!r}; exercises with checkers: {', '.join(available())}")
    if answer is Ellipsis:
        return Feedback(key=key, correct=False, message=NO_ANSWER)
    if answer is None:
        return Feedback(key=key, correct=False, message=NONE_ANSWER)
    try:
        correct, message = _REGISTRY[key](answer)
    except AnswerError as error:
        correct, message = False, f"could not read this answer ({error}); check its form."
    return Feedback(key=key, correct=bool(correct), message=message)
