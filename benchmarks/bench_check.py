"""Item 5 — document check time: ``symbackprop check DOC --format json`` from a cold process.

Documents: the seed documents in ../shared/seeds/ (when present; best of 3) and two
of our reports (one run each: ≈ 40 claims, every derivation step).  For each: wall
and CPU time of the command, the
number of claims and their statuses (from the JSON of DESIGN.md's contract),
seconds per claim, and the share that is start-up (``python -c "import sympy"``,
measured in the same interleaved runs).

Skipped with "skipped: module not available" while symbackprop.check is missing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from common import ROOT, environment, fmt_seconds, module_available, table, write_json

SUFFIXES = (".md", ".tex", ".txt", ".html", ".ipynb", ".rst")


#: Our own reports, for scale: each holds ≈ 40 claims, every step of every derivation.
REPORTS = ("classification.en.md", "classification.ja.md")


def documents() -> list:
    """The seed documents (the target: < 3 s each), then two of our reports (one run each)."""
    docs = []
    seeds = ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():
        docs += [p for p in sorted(seeds.glob("*")) if p.suffix in SUFFIXES]
    return docs + [ROOT / "reports" / name for name in REPORTS if (ROOT / "reports" / name).exists()]


def _run(cmd: list[str]) -> tuple[float, float, str, int]:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.stdout, \
        proc.returncode


def run(quick: bool = False, out_dir=None) -> dict[str, Any]:
    if not module_available("symbackprop.check"):
        print("skipped: module not available (symbackprop.check)")
        data = {"item": "check", "skipped": "module not available"}
        write_json("check", data, out_dir)
        return data
    docs = documents()[: 3 if quick else None]
    if not docs:
        print("skipped: no documents found (reports/, ../shared/seeds/)")
        data = {"item": "check", "skipped": "no documents"}
        write_json("check", data, out_dir)
        return data
    floor_cmd = [sys.executable, "-c", "import sympy"]
    records, rows = [], []
    reps = 1 if quick else 3
    floor = min(_run(floor_cmd)[1] for _ in range(reps))
    for doc in docs:
        cmd = [sys.executable, "-m", "symbackprop", "check", str(doc), "--format", "json"]
        runs = [_run(cmd) for _ in range(reps if "seeds" in doc.parts else 1)]
        wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
        out, rc = runs[-1][2], runs[-1][3]
        try:
            parsed = json.loads(out)
        except ValueError:
            parsed = None
        if parsed is None and rc == 2:
            print("skipped: `symbackprop check` is not wired into the CLI yet")
            data = {"item": "check", "skipped": "command not available", "exit_code": rc}
            write_json("check", data, out_dir)
            return data
        objs = parsed if isinstance(parsed, list) else [parsed] if parsed else []
        claims = [c for o in objs for c in o.get("claims", [])]
        statuses = Counter(c.get("status") for c in claims)
        rel = doc.relative_to(ROOT.parent) if ROOT.parent in doc.parents else doc
        rec = {"document": str(rel), "wall": wall, "cpu": cpu, "claims": len(claims),
               "statuses": dict(statuses), "exit_code": rc, "startup_cpu": floor,
               "seconds_per_claim": (cpu - floor) / len(claims) if claims else None}
        records.append(rec)
        rows.append((str(rel), len(claims), ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) or "—",
                     fmt_seconds(wall), fmt_seconds(cpu), fmt_seconds(max(cpu - floor, 0.0)),
                     fmt_seconds(rec["seconds_per_claim"]) if claims else "—", rc))
        print(f"  {rel}: {len(claims)} claims in {cpu:.2f} s CPU", flush=True)
    data = {"item": "check", "environment": environment(), "startup_cpu": floor, "results": records}
    write_json("check", data, out_dir)
    print(f"\nsymbackprop check DOC --format json (cold process, best of {reps}; start-up = import sympy "
          f"{fmt_seconds(floor)} CPU)")
    print(table(("document", "claims", "statuses", "wall", "CPU", "CPU − start-up", "per claim", "exit"),
                rows))
    return data
