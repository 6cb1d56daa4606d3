"""The claim corpus (tests/prover/claim_corpus.py) through the three routes of the one engine.

    python benchmarks/claims.py                    # the whole corpus
    python benchmarks/claims.py --subset           # the fixed subset of the default test run
    python benchmarks/claims.py --timeout 5 --json FILE --verbose

Every claim's truth is decided by the corpus' own evaluator (plain Python, Decimal at
80 digits, sums read as textbooks read them, derivatives by central differences, the
real domain respected); each claim then goes through ``prove()`` on the parsed chain,
the CLI ``prove --claim`` and ``checker.check_claim``.  The table counts, per route,
proved / refuted / inconclusive / other (bad input, a crash), false proofs (proved, but
false) and false refutations (refuted, but true); then the claims on which the routes
disagree, every wrong verdict, and the total time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.prover import claim_corpus as cc  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subset", action="store_true", help="only the default test run's subset")
    ap.add_argument("--timeout", type=float, default=5.0, help="per-claim bound of each route (s)")
    ap.add_argument("--json", help="write every row to this file")
    ap.add_argument("--verbose", action="store_true", help="one line per claim as it runs")
    args = ap.parse_args(argv)

    claims = cc.fast_subset() if args.subset else cc.CLAIMS
    t0 = time.perf_counter()
    rows = []
    for i, c in enumerate(claims, 1):
        tr = cc.truth(c)
        verdicts, seconds = cc.timed_routes(c.latex, args.timeout)
        row = {"latex": c.latex, "topic": c.topic, "true": tr.value, "verdicts": verdicts,
               "seconds": round(seconds, 3), "known": cc.KNOWN.get(c.latex)}
        rows.append(row)
        if args.verbose:
            print(f"{i:4d} {str(tr.value):5s} {verdicts['prove']:12.12s} {verdicts['cli']:12.12s} "
                  f"{verdicts['check']:12.12s} {seconds:6.2f}s  {c.latex}", flush=True)
    total = time.perf_counter() - t0

    undecided = [r for r in rows if r["true"] is None]
    n_true = sum(r["true"] is True for r in rows)
    n_false = sum(r["true"] is False for r in rows)
    print(f"\nclaims: {len(rows)}   true: {n_true}   false: {n_false}   "
          f"undecided by the evaluator: {len(undecided)}")
    by_topic = Counter((r["topic"], r["true"]) for r in rows)
    for topic in dict.fromkeys(r["topic"] for r in rows):
        print(f"  {topic:18s} true {by_topic[(topic, True)]:3d}  false {by_topic[(topic, False)]:3d}")

    head = f"\n{'route':7s} {'proved':>7s} {'refuted':>8s} {'inconcl.':>9s} {'other':>6s} " \
           f"{'inconcl. %':>10s} {'false proofs':>13s} {'false refut.':>13s}"
    print(head)
    wrong_rows = []
    for route in cc.ROUTES:
        n = Counter(r["verdicts"][route] if r["verdicts"][route] in ("proved", "refuted", "inconclusive")
                    else "other" for r in rows)
        fp = [r for r in rows if r["true"] is not None and cc.wrong(r["verdicts"][route], r["true"]) == "false proof"]
        fr = [r for r in rows if r["true"] is not None
              and cc.wrong(r["verdicts"][route], r["true"]) == "false refutation"]
        wrong_rows += [(route, "false proof", r) for r in fp] + [(route, "false refutation", r) for r in fr]
        share = 100.0 * n["inconclusive"] / max(1, len(rows))
        print(f"{route:7s} {n['proved']:7d} {n['refuted']:8d} {n['inconclusive']:9d} {n['other']:6d} "
              f"{share:9.1f}% {len(fp):13d} {len(fr):13d}")

    disagree = [r for r in rows if len(set(r["verdicts"].values())) > 1]
    print(f"\nroute disagreements: {len(disagree)}")
    for r in disagree:
        v = r["verdicts"]
        print(f"  prove={v['prove']}, cli={v['cli']}, check={v['check']}  (truth {r['true']})  {r['latex']}")
    print(f"\nwrong verdicts: {len(wrong_rows)}"
          f" on {len({r['latex'] for _, _, r in wrong_rows})} claims")
    for route, kind, r in wrong_rows:
        mark = " [KNOWN]" if r["known"] else ""
        print(f"  {route:5s} {kind}{mark}: {r['latex']}")
    other = [r for r in rows if any(v not in ("proved", "refuted", "inconclusive") for v in r["verdicts"].values())]
    if other:
        print(f"\nother outcomes (bad input, crashes): {len(other)}")
        for r in other:
            print(f"  {r['verdicts']}  {r['latex']}")
    if undecided:
        print("\nundecided by the evaluator:")
        for r in undecided:
            print(f"  {r['latex']}")
    slowest = sorted(rows, key=lambda r: -r["seconds"])[:5]
    print("\nslowest claims (three routes together): "
          + ", ".join(f"{r['seconds']:.2f} s" for r in slowest))
    print(f"time: {total:.1f} s for {len(rows)} claims ({total / max(1, len(rows)):.2f} s per claim)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
