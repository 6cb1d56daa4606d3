"""Bounded computation: run a SymPy call that may blow up in a forked child with a time limit.

SymPy cannot be interrupted from another thread, so a call that may explode
(``simplify``, ``cancel`` of a large rational function, ``expand`` of a power)
runs in a forked process that is killed when the limit passes; the child's address space
is capped too (:func:`limit_memory`), so an allocation past the bound is a MemoryError
reported as such, not a machine brought to a halt.  On platforms
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


MEMORY_BYTES = 2 * 1024 ** 3  # default memory bound of one bounded call (SYMBACKPROP_MEMORY_MB)


def memory_bound() -> int:
    """Bytes one bounded call may allocate beyond what the process holds when it forks:
    ``SYMBACKPROP_MEMORY_MB`` (0 switches the bound off), else :data:`MEMORY_BYTES`."""
    raw = os.environ.get("SYMBACKPROP_MEMORY_MB", "")
    try:
        return int(float(raw) * 1024 ** 2) if raw.strip() else MEMORY_BYTES
    except ValueError:
        return MEMORY_BYTES


def _address_space() -> int:
    """The process's virtual size in bytes (Linux /proc), 0 where it cannot be read."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(extra: int) -> None:
    """Cap this process's address space at its present size + ``extra`` bytes (RLIMIT_AS):
    an allocation past the cap raises MemoryError instead of exhausting the machine."""
    try:
        import resource
    except ImportError:  # not on this platform: the time bound still holds
        return
    size = _address_space()
    if extra <= 0 or not size:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = size + extra
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft == resource.RLIM_INFINITY or want < soft:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def _child(conn, fn, args, kwargs) -> None:
    from .errors import reason_of

    try:
        limit_memory(memory_bound())
        result = Outcome(value=fn(*args, **kwargs))
    except BaseException as exc:  # report every failure to the parent
        result = Outcome(error=reason_of(exc))
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
            from .errors import reason_of

            return Outcome(error=reason_of(exc))
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
