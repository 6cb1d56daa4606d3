"""One error family: every error says what the user should do."""

from __future__ import annotations


class SymbackpropError(Exception):
    """Base class of every error symbackprop raises on purpose."""

    exit_code = 2


class SpecError(SymbackpropError):
    """A network spec is malformed: fix the file, key or value named in the message."""


class ModelError(SymbackpropError):
    """A network was built with values the model does not allow."""


class SizeError(ModelError):
    """Concrete sizes whose work cannot fit the bounds: the message gives the estimate and the bound."""


class UnknownRuleError(ModelError):
    """An activation or loss name is not in the registry; use one of the listed names."""


class ParseError(SymbackpropError):
    """A LaTeX fragment could not be read; the message says where and why."""


class ParamsError(SymbackpropError):
    """Numeric parameters (JSON) do not fit the network; the message names the field."""


class SpecNameClash(SpecError):
    """Two names of a spec (or a name and a function the printers write) print alike: rename one."""


INTERNAL_ERROR = 4  # exit code of a failure that is a bug of symbackprop, not of the input

#: (exception type, words in its message, the reason a user reads) — first match wins
_REASONS: tuple[tuple[type, str, str], ...] = (
    (MemoryError, "", "the computation needed more memory than the bound allows (SYMBACKPROP_MEMORY_MB, default 2048)"),
    (RecursionError, "", "the expression is nested too deeply to compute"),
    (ValueError, "integer string conversion", "a number too large to evaluate exactly"),
    (OverflowError, "", "a number too large to evaluate (overflow)"),
    (ZeroDivisionError, "", "a division by zero while evaluating"),
    (TypeError, "truth value of Relational", "a comparison whose truth depends on unknown values"),
)


def is_internal(exc: BaseException) -> bool:
    """True for a failure that is a bug of symbackprop: neither our own error nor a known
    failure of the arithmetic on a too-large input (:data:`_REASONS`)."""
    return not isinstance(exc, SymbackpropError) and not any(
        isinstance(exc, kind) and words in str(exc) for kind, words, _ in _REASONS)


def reason_of(exc: BaseException) -> str:
    """The reason, in words, why a piece of work stopped with ``exc``.

    Known failures of the arithmetic (memory, depth, huge numbers, undecidable comparisons)
    read as what happened; anything else is named as an internal error of symbackprop, so
    no bare exception text (``ValueError: ``) reaches a verdict's reason."""
    text = str(exc)
    if isinstance(exc, SymbackpropError):  # our own message, its kind kept for the callers
        return f"{type(exc).__name__}: {text}"
    for kind, words, reason in _REASONS:
        if isinstance(exc, kind) and words in text:
            return reason
    first = text.splitlines()[0][:120] if text.strip() else ""
    return f"an internal error ({type(exc).__name__}{': ' + first if first else ''}); please report it"
