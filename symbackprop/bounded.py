"""Bounded computation: run a SymPy call that may blow up in a forked child with a time limit.

SymPy cannot be interrupted from another thread, so a call that may explode
(``simplify``, ``cancel`` of a large rational function, ``expand`` of a power)
runs in a forked process that is killed when the limit passes.  On platforms
without ``fork`` the call runs inline (unbounded); inside a bounded child a nested
call runs inline too, under the outer call's limit.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
from dataclasses import dataclass
from typing import Any, Callable, Generic, Optional, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The value of a bounded call, or why there is none (``timed_out`` / ``error``)."""

    value: Optional[T] = None
    timed_out: bool = False
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.error is None


def _child(conn, fn, args, kwargs) -> None:
    try:
        result = Outcome(value=fn(*args, **kwargs))
    except BaseException as exc:  # report every failure to the parent
        result = Outcome(error=f"{type(exc).__name__}: {exc}")
    try:
        conn.send_bytes(pickle.dumps(result))
    except Exception as exc:
        conn.send_bytes(pickle.dumps(Outcome(error=f"result not transferable: {exc}")))
    finally:
        conn.close()


def bounded(fn: Callable[..., T], *args: Any, seconds: float = 5.0, **kwargs: Any) -> Outcome[T]:
    """Call ``fn(*args, **kwargs)`` with a wall-clock limit of ``seconds``."""
    inline = ("fork" not in mp.get_all_start_methods() or os.environ.get("SYMBACKPROP_NO_FORK")
              or mp.current_process().daemon)  # a bounded child runs nested calls inline
    if inline:
        try:
            return Outcome(value=fn(*args, **kwargs))
        except Exception as exc:
            return Outcome(error=f"{type(exc).__name__}: {exc}")
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(seconds):
            try:
                return pickle.loads(parent.recv_bytes())
            except EOFError:
                return Outcome(error="the worker process died")
        return Outcome(timed_out=True)
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(1)
