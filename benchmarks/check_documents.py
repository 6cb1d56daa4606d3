"""Document check, per document: fragments, parse rate, steps decided, time.

    python benchmarks/check_documents.py                 # seeds and corpus in ../shared
    python benchmarks/check_documents.py DOC… [--repeat 3] [--cold] [--json FILE]

Two times per document:

* **check** — ``check_document`` in this process after a warm-up (grammar built, SymPy
  loaded), best of ``--repeat`` runs: what the checker itself costs.  The target
  (< 3 s per seed document) is judged on this time.
* **cold** (with ``--cold``) — ``python -m symbackprop check DOC --format json`` in a
  fresh process, wall time: what a user waits for, Python and SymPy start-up included.

The machine is shared, so the minimum over runs is reported (noise only adds time).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
TARGET_SECONDS = 3.0
SUFFIXES = (".md", ".tex", ".txt", ".html", ".rst", ".ipynb")

sys.path.insert(0, str(ROOT))


def default_documents() -> list[Path]:
    docs = sorted((SHARED / "seeds").glob("*.txt"))
    docs += sorted(p for p in (SHARED / "corpus").glob("*") if p.suffix in SUFFIXES and p.name != "SOURCES.md")
    return docs


def warm_up() -> None:
    from symbackprop.checker import check_text

    check_text(r"$$\frac{\partial}{\partial y}\frac12 (y - t)^2 = y - t$$", "markdown")


def measure(doc: Path, repeat: int) -> dict:
    from symbackprop.checker import check_document

    best, result = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = check_document(doc)
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    s = result.summary()
    return {"document": doc.name, "fragments": s["fragments"], "parsed": s["parsed"],
            "parse_rate": s["parsed"] / s["fragments"] if s["fragments"] else None,
            "claims": s["claims"], "proved": s["proved"], "refuted": s["refuted"],
            "inconclusive": s["inconclusive"], "decided": s["decided"], "check_seconds": best,
            "seed": doc.parent.name == "seeds"}


def cold(doc: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "symbackprop", "check", str(doc), "--format", "json"],
                   cwd=ROOT, env=env, capture_output=True)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("documents", nargs="*", type=Path, help="documents (default: ../shared seeds and corpus)")
    ap.add_argument("--repeat", type=int, default=3, help="in-process runs per document (best is reported)")
    ap.add_argument("--cold", action="store_true", help="also time one cold process per document")
    ap.add_argument("--json", type=Path, help="write the records to this file")
    args = ap.parse_args(argv)
    docs = args.documents or default_documents()
    if not docs:
        print("no documents found (../shared/seeds, ../shared/corpus)")
        return 0
    t0 = time.perf_counter()
    warm_up()
    print(f"warm-up (grammar, SymPy caches): {time.perf_counter() - t0:.2f} s")
    records = []
    for doc in docs:
        rec = measure(doc, max(1, args.repeat))
        if args.cold:
            rec["cold_seconds"] = cold(doc)
        records.append(rec)
    head = ("document", "fragments", "parsed", "rate", "claims", "decided", "proved", "refuted", "check s")
    head += ("cold s",) if args.cold else ()
    rows = []
    for r in records:
        rate = f"{100 * r['parse_rate']:.0f}%" if r["parse_rate"] is not None else "—"
        row = (r["document"], str(r["fragments"]), str(r["parsed"]), rate, str(r["claims"]), str(r["decided"]),
               str(r["proved"]), str(r["refuted"]), f"{r['check_seconds']:.2f}")
        row += (f"{r['cold_seconds']:.2f}",) if args.cold else ()
        rows.append(row)
    widths = [max(len(x[c]) for x in [head, *rows]) for c in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in enumerate(zip(row, widths))))
    seeds = [r for r in records if r["seed"]]
    if seeds:
        slow = [r["document"] for r in seeds if r["check_seconds"] >= TARGET_SECONDS]
        found = sum(r["fragments"] for r in seeds)
        parsed = sum(r["parsed"] for r in seeds)
        print(f"\nseeds: parse rate {100 * parsed / found:.1f}% ({parsed}/{found}); "
              f"target < {TARGET_SECONDS:.0f} s per seed document: {'met' if not slow else 'missed: ' + ', '.join(slow)}")
    if args.json:
        args.json.write_text(json.dumps({"item": "check_documents", "records": records}, indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
