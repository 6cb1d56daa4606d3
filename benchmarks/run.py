#!/usr/bin/env python3
"""Run the benchmarks: ``python benchmarks/run.py [ITEM …] [--quick] [--threads 1]``.

Items (default: all, each in a fresh Python process):

  verify    1. verification time vs width, against naive sympy.diff + simplify
  derive    2. derivation time vs depth (symbolic widths) and vs concrete width
  codegen   3. generated NumPy and torch code vs torch.autograd (batch 64/256, widths 16–2048; the
               full table takes ~14 min: run benchmarks/bench_codegen.py on its own, or --quick here)
  startup   4. CLI start-up: --version, --help, derive; imports (python -X importtime)
  check     5. document check time

Each item prints a table and writes benchmarks/results/ITEM*.json.  Each item runs
under its own time limit (``LIMITS``, ``--limit S`` for all; ``--quick`` halves them):
a child still running at its limit is stopped and recorded as a timeout in the summary
table (and in ``--summary FILE``, JSON), so ``run.py`` always finishes — by default in
under 15 minutes on 2 cores.  ``verify --large`` adds widths 512 and 1024.  Not part of
the unit tests.  Numbers on a shared machine are noisy: compare the ratios, which
are measured in one run with the contenders interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ITEMS = ("verify", "derive", "codegen", "startup", "check")
#: seconds per item (whole child process); the sum stays under 15 minutes
LIMITS = {"verify": 300.0, "derive": 150.0, "codegen": 210.0, "startup": 60.0, "check": 120.0}
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _child_env(threads: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    if threads is not None:
        env.update({v: str(threads) for v in THREAD_VARS})
    return env


def run_one(item: str, args: argparse.Namespace) -> None:
    """Run one item in this process (the environment is already set by the parent)."""
    sys.path[:0] = [str(HERE), str(ROOT)]
    out = Path(args.out) if args.out else None
    if item == "codegen":
        import bench_codegen

        bench_codegen.run(quick=args.quick, threads=int(args.threads.split(",")[0]), out_dir=out)
    elif item == "derive":
        import bench_derive

        bench_derive.run(quick=args.quick, cap=args.cap, out_dir=out)
    elif item == "verify":
        import bench_verify

        bench_verify.run(quick=args.quick, cap=args.cap, out_dir=out, large=args.large)
    elif item == "startup":
        import bench_startup

        bench_startup.run(quick=args.quick, out_dir=out)
    elif item == "check":
        import bench_check

        bench_check.run(quick=args.quick, out_dir=out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("items", nargs="*", metavar="ITEM",
                   help=f"which measurements: {', '.join(ITEMS)} or all (default)")
    p.add_argument("--quick", action="store_true", help="fewer rounds and sizes (a smoke run)")
    p.add_argument("--threads", default="1",
                   help="BLAS/OpenMP threads for codegen, comma-separated runs, e.g. 1,2 (default 1)")
    p.add_argument("--cap", type=float, default=None,
                   help="seconds per capped case (naive baselines, verify); default 30, quick 10")
    p.add_argument("--out", default=None, help="results directory (default benchmarks/results)")
    p.add_argument("--limit", type=float, default=None,
                   help="seconds per item, overriding the defaults (verify 300, derive 150, codegen 210, "
                        "startup 60, check 120; halved with --quick)")
    p.add_argument("--large", action="store_true", help="verify: also widths 512 and 1024 (slow)")
    p.add_argument("--summary", default=None, help="write the per-item status and seconds here (JSON)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    unknown = [i for i in args.items if i not in ITEMS + ("all",)]
    if unknown:
        p.error(f"unknown item {unknown[0]!r}; choose from {', '.join(ITEMS)}, all")
    args.items = args.items or ["all"]
    if args.cap is None:
        args.cap = 10.0 if args.quick else 30.0
    items = list(ITEMS) if "all" in args.items else list(dict.fromkeys(args.items))
    if args.child:
        run_one(items[0], args)
        return 0
    start = time.perf_counter()
    failed, summary = [], []
    for item in items:
        runs = [int(t) for t in args.threads.split(",")] if item == "codegen" else [None]
        for threads in runs:
            print(f"\n══ {item}" + (f" (threads={threads})" if threads else ""), flush=True)
            cmd = [sys.executable, str(Path(__file__).resolve()), item, "--child", f"--cap={args.cap}"]
            if threads:
                cmd.append(f"--threads={threads}")
            if args.quick:
                cmd.append("--quick")
            if args.large:
                cmd.append("--large")
            if args.out:
                cmd.append(f"--out={args.out}")
            limit = args.limit or LIMITS[item] * (0.5 if args.quick else 1.0)
            status, t0 = _run_limited(cmd, limit, _child_env(threads))
            summary.append({"item": item, "threads": threads, "status": status, "limit": limit,
                            "seconds": round(time.perf_counter() - t0, 1)})
            if status != "ok":
                failed.append(f"{item} ({status})")
    print("\nitem       status    seconds  limit")
    for r in summary:
        print(f"{r['item']:<10} {r['status']:<9} {r['seconds']:>7.0f}  {r['limit']:>5.0f}")
    if args.summary:
        Path(args.summary).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\nall benchmarks: {time.perf_counter() - start:.0f} s"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def _run_limited(cmd: list[str], limit: float, env: dict[str, str]) -> tuple[str, float]:
    """Run one item's child; stop its whole process group at ``limit`` seconds.
    ("ok" | "timeout" | "failed (rc N)", start time)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    try:
        rc = proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)  # the child's own group: its forked cases too
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        print(f"\n{cmd[2]}: timeout after {limit:.0f} s (stopped)", flush=True)
        return "timeout", t0
    return ("ok" if rc == 0 else f"failed (rc {rc})"), t0


if __name__ == "__main__":
    sys.exit(main())
