r"""Long fuzz campaign (issue 13, item 4): generated inputs through the spec loader, the LaTeX
reader, ``check_text`` in-process and ``symbackprop check`` in a subprocess.  Not part of
``make test``; the short property tests are ``tests/fuzz/``.

    .venv/bin/python benchmarks/fuzz.py                     # the default campaign, 15,200 inputs
    .venv/bin/python benchmarks/fuzz.py --scale 0.1         # a tenth of every count
    .venv/bin/python benchmarks/fuzz.py --replay check 1234 # show input 1234 of a target and rerun it

Prints per target: inputs tried, problems (tracebacks, wrong exit codes, invalid JSON), runs past
the bound and the worst time, then each problem with the seed that reproduces it:
``random.Random(SEED)`` given to the target's generator in ``tests/fuzz``.  Exit code 1 when any
problem or run past the bound was found.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tests.fuzz as F  # noqa: E402

#: Inputs per target in the default campaign (over 10,000 in total).
COUNTS = {"spec_text": 3000, "spec_dict": 2000, "spec_bytes": 1000, "parse_math": 3000,
          "extract": 2000, "check": 2500, "prove": 1500, "cli": 200}
CHECK_TIMEOUT = 1.0   # --timeout of check_text and of the CLI
PLAIN_BOUND = 20.0    # seconds allowed to one spec load, parse or extract (they have no --timeout)


class _Hang(BaseException):
    pass


def _alarm(signum, frame):
    raise _Hang()


def make(target: str, seed: int):
    """The input number ``seed`` of ``target`` (what --replay shows)."""
    rng = random.Random(seed)
    if target == "spec_text":
        return F.spec_text(rng)
    if target == "spec_dict":
        return F.spec_dict(rng)
    if target == "spec_bytes":
        return F.spec_bytes(rng)
    if target in ("parse_math", "prove"):
        return F.latex_fragment(rng)
    if target in ("extract", "check"):
        kind = rng.choice(F.KINDS)
        return kind, F.document(rng, kind)
    if target == "cli":
        return F.document_bytes(rng)
    raise SystemExit(f"unknown target {target!r}; use one of {', '.join(COUNTS)}")


def run_one(target: str, seed: int) -> tuple[str | None, float, float]:
    """(problem, seconds, bound) for input ``seed`` of ``target``."""
    data = make(target, seed)
    if target == "check":
        return F.check_problem(data[1], data[0], CHECK_TIMEOUT)
    if target == "cli":
        return F.cli_problem(data[0], data[1], CHECK_TIMEOUT)
    if target == "prove":
        return F.prove_problem(data, CHECK_TIMEOUT)
    start = time.perf_counter()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, PLAIN_BOUND)
    try:
        if target.startswith("spec_"):
            problem = F.spec_problem(data, target[5:])
        elif target == "parse_math":
            problem = F.latex_problem(data)
        else:
            problem = F.extract_problem(data[1], data[0])
    except _Hang:
        problem = f"no answer within {PLAIN_BOUND:.0f} s"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return problem, time.perf_counter() - start, PLAIN_BOUND


def campaign(counts: dict[str, int], first_seed: int, out=sys.stdout) -> dict:
    rows, problems = {}, []
    for target, n in counts.items():
        row = {"tried": 0, "problems": 0, "past_bound": 0, "worst_s": 0.0, "worst_seed": None}
        start = time.perf_counter()
        for seed in range(first_seed, first_seed + n):
            problem, seconds, bound = run_one(target, seed)
            row["tried"] += 1
            if seconds > row["worst_s"]:
                row["worst_s"], row["worst_seed"] = seconds, seed
            if seconds > bound and not problem:
                problem = f"took {seconds:.1f} s, past the bound {bound:.0f} s"
                row["past_bound"] += 1
            if problem:
                row["problems"] += 1
                problems.append({"target": target, "seed": seed, "problem": problem})
                print(f"  {target} seed {seed}: {problem}", file=out, flush=True)
        row["total_s"] = time.perf_counter() - start
        rows[target] = row
        print(f"{target:<11} {row['tried']:>6} inputs, {row['problems']:>3} problems, "
              f"{row['past_bound']:>3} past the bound, worst {row['worst_s']:.2f} s "
              f"(seed {row['worst_seed']}), {row['total_s']:.0f} s in all", file=out, flush=True)
    return {"targets": rows, "problems": problems}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every count (default 1)")
    ap.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    ap.add_argument("--targets", default=",".join(COUNTS), help="comma-separated targets")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    ap.add_argument("--replay", nargs=2, metavar=("TARGET", "SEED"), help="show one input and rerun it")
    args = ap.parse_args(argv)
    F.memory_cap()  # the machine is shared: runaway work ends in a MemoryError, not in swap
    if args.replay:
        target, seed = args.replay[0], int(args.replay[1])
        print(repr(make(target, seed)))
        print(run_one(target, seed))
        return 0
    counts = {t: max(1, int(COUNTS[t] * args.scale)) for t in args.targets.split(",")}
    result = campaign(counts, args.seed)
    rows = result["targets"]
    total = sum(r["tried"] for r in rows.values())
    bad = sum(r["problems"] for r in rows.values())
    import resource

    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    result["peak_rss_mb"] = round(peak / 1024)
    print(f"total: {total} inputs, {bad} problems, "
          f"{sum(r['past_bound'] for r in rows.values())} past the bound, worst "
          f"{max(r['worst_s'] for r in rows.values()):.2f} s, peak memory {peak / 1024:.0f} MB "
          f"(this process and its bounded workers)")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
