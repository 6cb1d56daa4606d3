"""Bounded calls: the time bound, the memory bound, and failures read as reasons."""

from __future__ import annotations

import pytest

from symbackprop.bounded import bounded
from symbackprop.errors import is_internal, reason_of


def _allocate(gib: float) -> int:
    block = bytearray(int(gib * 1024 ** 3))
    block[::4096] = b"\x01" * len(block[::4096])  # touch every page
    return len(block)


def test_an_allocation_past_the_memory_bound_is_a_reason(monkeypatch):
    monkeypatch.setenv("SYMBACKPROP_MEMORY_MB", "256")
    out = bounded(_allocate, 0.5, seconds=30)
    assert not out.ok and "more memory than the bound" in out.error


def test_within_the_memory_bound_it_runs(monkeypatch):
    monkeypatch.setenv("SYMBACKPROP_MEMORY_MB", "256")
    out = bounded(_allocate, 0.05, seconds=30)
    assert out.ok and out.value == int(0.05 * 1024 ** 3)


def test_time_bound():
    import time

    out = bounded(time.sleep, 5, seconds=0.2)
    assert out.timed_out


@pytest.mark.parametrize("exc,words,internal", [
    (MemoryError(), "more memory", False),
    (RecursionError("maximum recursion depth"), "nested too deeply", False),
    (ValueError("Exceeds the limit (4300 digits) for integer string conversion"), "too large", False),
    (OverflowError("timestamp out of range"), "too large", False),
    (TypeError("cannot determine truth value of Relational"), "comparison", False),
    (ValueError(""), "internal error (ValueError)", True),
])
def test_failures_read_as_reasons(exc, words, internal):
    assert words in reason_of(exc)
    assert is_internal(exc) == internal
    assert not reason_of(exc).startswith(type(exc).__name__ + ":")
