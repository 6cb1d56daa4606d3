"""Runners: how one bounded piece of work is run — in a forked child, or here under a timer.

Both have the signature of :func:`symbackprop.bounded.bounded`::

    runner(fn, *args, seconds=S, **kwargs) -> Outcome

and the prover's one engine (:func:`symbackprop.prover.engine.prove`) takes either, so
every route to a verdict runs the same pass loop; only the cost of the bound differs.

* :func:`forked` — a forked child killed when its time is up (safe for anything; a
  fork costs ~10 ms, more than most document steps).
* :func:`inline` — this process, under a ``SIGALRM`` interval timer.  Nested calls
  share the outer deadline: an inner call never extends it, and when the inner call
  ends the outer timer is re-armed with what is left.  Off the main thread (where
  signals cannot be used) it falls back to :func:`forked`.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any, Callable, TypeVar

from ..bounded import Outcome, bounded
from ..errors import reason_of

T = TypeVar("T")

__all__ = ["Runner", "forked", "inline", "alarm_usable", "TimedOut"]

Runner = Callable[..., Outcome]

forked: Runner = bounded


class TimedOut(BaseException):
    """The interval timer of an inline call ran out (a BaseException, so that SymPy's own
    ``except Exception`` clauses cannot swallow it)."""


def alarm_usable() -> bool:
    """SIGALRM can bound work here: a POSIX interval timer and the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


#: Seconds until the timer fires again after it ran out: a ``TimedOut`` raised where Python cannot
#: pass it on (a ``__del__``, a weakref callback run by the garbage collector: "Exception ignored")
#: must not leave the work unbounded.
AGAIN = 0.05


def _raise(signum: int, frame: Any) -> None:
    signal.setitimer(signal.ITIMER_REAL, AGAIN)  # disarmed by the inline call that catches it
    raise TimedOut()


def inline(fn: Callable[..., T], *args: Any, seconds: float = 5.0, **kwargs: Any) -> Outcome:
    """Call ``fn(*args, **kwargs)`` in this process with a wall-clock limit of ``seconds``."""
    if not alarm_usable():
        return forked(fn, *args, seconds=seconds, **kwargs)
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
    outer_end = time.monotonic() + outer_left if outer_left > 0 else None
    limit = max(0.001, min(seconds, outer_left) if outer_end is not None else seconds)
    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return Outcome(value=fn(*args, **kwargs))
    except TimedOut:
        return Outcome(timed_out=True)
    except Exception as exc:  # a failure is a note, never a crash (RecursionError, MemoryError too)
        return Outcome(error=reason_of(exc))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer_end is not None:  # give the outer call what is left of its time
            signal.setitimer(signal.ITIMER_REAL, max(0.001, outer_end - time.monotonic()))
