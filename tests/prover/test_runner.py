"""The inline runner's time bound holds even where a TimedOut cannot be passed on."""

import time

from symbackprop.prover.runner import inline


def _swallowing_work(seconds: float) -> str:
    """Work whose first TimedOut is lost, as one raised in a __del__ or a garbage-collector
    callback is ("Exception ignored in …"): the bound must still end the work."""
    end = time.monotonic() + seconds
    swallowed = False
    while time.monotonic() < end:
        try:
            sum(range(1000))
        except BaseException:  # noqa: B036 — the point of the test
            swallowed = True
            break
    while time.monotonic() < end:
        sum(range(1000))
    return "finished" if swallowed else "not interrupted"


def test_a_swallowed_timeout_fires_again():
    t0 = time.monotonic()
    out = inline(_swallowing_work, 5.0, seconds=0.2)
    assert out.timed_out, out
    assert time.monotonic() - t0 < 1.5


def test_work_within_the_bound_is_not_interrupted_afterwards():
    assert inline(lambda: 3, seconds=0.2).value == 3
    time.sleep(0.3)  # no stray alarm after the call
    assert inline(lambda: 4, seconds=0.2).value == 4
