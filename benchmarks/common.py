"""Shared pieces of the benchmarks: interleaved timing, capped runs, tables, JSON results.

Timing rule: contenders of one comparison are measured in the same run, in
rounds that alternate between them (A B C, B C A, …), so that load from other
processes falls on all of them alike.  The headline statistic is the minimum
over all calls (noise on a shared machine only ever adds time); the median is
recorded too.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def environment() -> dict[str, Any]:
    """What the numbers were measured on."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "threads": {v: os.environ.get(v) for v in THREAD_VARS},
    }
    for mod in ("numpy", "sympy", "symengine", "torch"):
        if mod in sys.modules:
            info[mod] = getattr(sys.modules[mod], "__version__", "?")
    return info


def calls_per_round(contenders: dict[str, Callable[[], Any]], seconds_per_round: float, max_calls: int,
                    least: int) -> dict[str, int]:
    """How many calls of each contender fill a round of about ``seconds_per_round``: one call to
    warm up, one timed pilot call, then between ``least`` and ``max_calls``."""
    calls = {}
    for name, fn in contenders.items():
        fn()
        t0 = time.perf_counter()
        fn()
        pilot = max(time.perf_counter() - t0, 1e-7)
        calls[name] = max(least, min(max_calls, int(seconds_per_round / pilot)))
    return calls


def interleave(contenders: dict[str, Callable[[], Any]], rounds: int = 5,
               seconds_per_round: float = 0.3, max_calls: int = 400,
               cpu_time: bool = False) -> dict[str, dict[str, float]]:
    """Time each contender in ``rounds`` alternating rounds; per-call wall (and thread CPU) seconds.

    Each round calls a contender once untimed (warm-up), then ``k`` times, with k
    chosen from a pilot call so a round takes about ``seconds_per_round``.
    """
    calls = calls_per_round(contenders, seconds_per_round, max_calls, least=3)
    wall: dict[str, list[float]] = {n: [] for n in contenders}
    cpu: dict[str, list[float]] = {n: [] for n in contenders}
    names = list(contenders)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            fn = contenders[name]
            fn()
            for _ in range(calls[name]):
                c0, t0 = time.thread_time(), time.perf_counter()
                fn()
                t1, c1 = time.perf_counter(), time.thread_time()
                wall[name].append(t1 - t0)
                cpu[name].append(c1 - c0)
    out = {}
    for name in names:
        out[name] = {"min": min(wall[name]), "median": statistics.median(wall[name]),
                     "calls": len(wall[name])}
        if cpu_time:
            out[name]["cpu_min"] = min(cpu[name])
            out[name]["cpu_median"] = statistics.median(cpu[name])
    return out


def _child(conn, fn, args) -> None:
    import resource

    def children() -> float:  # CPU of finished subprocesses (e.g. a verifier's bounded calls)
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    try:
        c0, k0, t0 = time.process_time(), children(), time.perf_counter()
        value = fn(*args)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0 + children() - k0
        conn.send(("ok", (wall, cpu), value))
    except BaseException as exc:  # report, never hang the parent
        conn.send(("error", (0.0, 0.0), f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"))
    finally:
        conn.close()


def capped(fn: Callable[..., Any], args: Sequence[Any], cap: float) -> dict[str, Any]:
    """Run ``fn(*args)`` in a forked child with a wall-time cap: {"status", "seconds", "cpu", "value"}.

    The times are measured inside the child (fork cost excluded): ``seconds`` is
    wall time, ``cpu`` the child's CPU time, including that of its own finished
    subprocesses (robust when other processes share the machine).  A child still
    running at the cap is terminated (by its own pid) and reported as "timeout".
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(child, fn, tuple(args)))  # not daemonic: fn may fork
    start = time.perf_counter()
    p.start()
    child.close()
    got = parent.poll(cap + 1.0)
    if not got:
        p.terminate()
        p.join(5)
        if p.is_alive():
            p.kill()
            p.join()
        return {"status": "timeout", "seconds": None, "cpu": None, "cap": cap,
                "wall": round(time.perf_counter() - start, 3), "value": None}
    status, (seconds, cpu), value = parent.recv()
    p.join(5)
    if status == "error":
        return {"status": status, "seconds": None, "cpu": None, "cap": cap, "value": value}
    if status == "ok" and seconds > cap:
        return {"status": "timeout", "seconds": None, "cpu": None, "cap": cap, "value": None}
    return {"status": status, "seconds": seconds, "cpu": cpu, "cap": cap, "value": value}


def fmt_seconds(s: Optional[float], cap: Optional[float] = None) -> str:
    """1.23 s, 45.6 ms, 789 µs; "> cap" for a capped run."""
    if s is None:
        return f"> {cap:g} s" if cap is not None else "—"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} µs"


def fmt_ratio(r: Optional[float]) -> str:
    return "—" if r is None else (f"{r:.2f}×" if r < 100 else f"{r:.0f}×")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with aligned columns."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(name: str, data: dict[str, Any], out_dir: Optional[Path] = None) -> Path:
    """benchmarks/results/{name}.json (keys sorted, so reruns diff cleanly)."""
    out_dir = out_dir or RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def module_available(name: str) -> bool:
    """True when ``name`` can be imported (without importing it)."""
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
