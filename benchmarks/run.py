#!/usr/bin/env python3
"""Run the benchmarks: ``python benchmarks/run.py [ITEM …] [--quick] [--threads 1]``.

Items (default: all, each in a fresh Python process):

  verify    1. verification time vs width, against naive sympy.diff + simplify
  derive    2. derivation time vs depth (symbolic widths) and vs concrete width
  codegen   3. generated NumPy code vs torch.autograd (batch 64, widths 16/256/1024)
  startup   4. CLI start-up: --version, --help, derive; imports (python -X importtime)
  check     5. document check time

Each item prints a table and writes benchmarks/results/ITEM*.json.  Not part of
the unit tests.  Numbers on a shared machine are noisy: compare the ratios, which
are measured in one run with the contenders interleaved.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ITEMS = ("verify", "derive", "codegen", "startup", "check")
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

        bench_verify.run(quick=args.quick, cap=args.cap, out_dir=out)
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
    failed = []
    for item in items:
        runs = [int(t) for t in args.threads.split(",")] if item == "codegen" else [None]
        for threads in runs:
            print(f"\n══ {item}" + (f" (threads={threads})" if threads else ""), flush=True)
            cmd = [sys.executable, str(Path(__file__).resolve()), item, "--child", f"--cap={args.cap}"]
            if threads:
                cmd.append(f"--threads={threads}")
            if args.quick:
                cmd.append("--quick")
            if args.out:
                cmd.append(f"--out={args.out}")
            rc = subprocess.call(cmd, cwd=ROOT, env=_child_env(threads))
            if rc:
                failed.append(item)
    print(f"\nall benchmarks: {time.perf_counter() - start:.0f} s"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
