"""Errata found and false alarms: the document checker against labelled documents.

    python benchmarks/errata.py                          # the dev set: ../shared/errata/dev.json
    python benchmarks/errata.py --corpus tests/documents # the project's own corpus (manifest.json)
    python benchmarks/errata.py [--timeout S] [--document-timeout S] [--jobs N] [--json FILE]

Labels.  The dev set (``../shared/errata/dev.json``) lists known errata in the documents
of ``../shared/seeds`` and ``../shared/corpus`` (``file`` relative to ``shared/``, ``line``
an int or a list of ints); every other formula there is believed correct.  A corpus
directory holds ``manifest.json``: ``{"documents": [{"file", "kind": "correct" | "control" |
"mutant", "of", "errata": [{"line", "formula", "what_is_wrong"}]}]}`` (files relative
to the directory).

Scoring.  An erratum is *found* when a ``refuted`` claim covers one of its lines
(``claim.line <= line <= claim.end_line``); where several refuted claims cover it, the
one whose statement or source contains the erratum's formula (spaces, ``&``, a
trailing ``\\\\``, ``,`` or ``.`` ignored) is named.  A refuted claim covering no
erratum line is a *false alarm*.

Bounds.  Every document is checked once, in its own process (``--document-timeout``,
default 60 s, wall clock); one that runs out, or whose process dies, counts as
"timed out" (its errata missed, its claims not counted) and the run goes on.
``--timeout`` is the per-step bound handed to ``check_document`` (default 5 s).

Times.  Per document: the wall time of its process (Python start-up included, about
0.5 s).  ``time: T s``: the wall time of the whole run.

The last four lines printed are, in this shape (a hook reads them with ``tail -n 4``)::

    documents: N, claims: C, decided: D (P%)
    errata found: F / K (recall R%)
    false alarms: A
    time: T s (max per document M s)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "errata" / "dev.json"
SUFFIXES = (".md", ".tex", ".txt", ".html", ".rst", ".ipynb")
MARK = "@@ERRATA-RESULT@@ "


# ───────────────────────────── the child: one document ─────────────────────────────
def child(path: str, timeout: float) -> int:
    """Check one document and print its result as one JSON line after MARK."""
    sys.path.insert(0, str(ROOT))
    try:
        from symbackprop.checker import check_document
    except ImportError:
        from symbackprop.check import check_document
    t0 = time.perf_counter()
    result = check_document(path, timeout=timeout)
    seconds = time.perf_counter() - t0
    claims = [{"line": c.line, "end_line": c.end_line, "status": c.status, "statement": c.statement,
               "source": c.source, "reason": c.reason,
               "category": c.category} for c in result.claims]
    sys.stdout.write(MARK + json.dumps({"claims": claims, "check_seconds": seconds}) + "\n")
    sys.stdout.flush()
    return 0


# ───────────────────────────── labels ─────────────────────────────
@dataclass
class Erratum:
    lines: list[int]
    formula: str
    what: str = ""


@dataclass
class Document:
    path: Path
    name: str
    errata: list[Erratum]
    kind: str = ""       # "correct" | "mutant" | "control" for a corpus; "" for the dev set
    of: str = ""


def _lines(value) -> list[int]:
    return [int(v) for v in value] if isinstance(value, list) else [int(value)]


def _erratum(e: dict) -> Erratum:
    return Erratum(_lines(e["line"]), e.get("formula", ""), e.get("what_is_wrong", ""))


def dev_documents() -> list[Document]:
    data = json.loads(DEV.read_text(encoding="utf-8"))
    by_file: dict[str, list[Erratum]] = {}
    for e in data["errata"]:
        by_file.setdefault(e["file"], []).append(_erratum(e))
    files = sorted(str(p.relative_to(SHARED)) for sub in ("seeds", "corpus") for p in (SHARED / sub).glob("*")
                   if p.suffix in SUFFIXES and p.name != "SOURCES.md")
    files += sorted(f for f in by_file if f not in files)
    return [Document(SHARED / f, f, by_file.get(f, [])) for f in files]


def corpus_documents(directory: Path) -> list[Document]:
    data = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return [Document(directory / d["file"], d["file"], [_erratum(e) for e in d.get("errata", [])],
                     d.get("kind", ""), d.get("of", "")) for d in data["documents"]]


# ───────────────────────────── scoring ─────────────────────────────
def _norm(tex: str) -> str:
    tex = re.sub(r"\s+", "", tex).replace("&", "")
    tex = re.sub(r"(\\\\)+$", "", tex)
    return tex.rstrip(",.")


def covers(claim: dict, line: int) -> bool:
    return claim["line"] <= line <= claim["end_line"]


@dataclass
class Outcome:
    doc: Document
    status: str = "ok"                 # "ok" | "timed out" | "failed"
    detail: str = ""
    claims: list[dict] = field(default_factory=list)
    seconds: float = 0.0               # wall time of the document's process
    found: list[tuple[Erratum, dict | None]] = field(default_factory=list)
    false_alarms: list[dict] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return sum(1 for c in self.claims if c["status"] in ("proved", "refuted"))

    @property
    def n_found(self) -> int:
        return sum(1 for _, c in self.found if c is not None)


def score(out: Outcome) -> None:
    refuted = [c for c in out.claims if c["status"] == "refuted"]
    out.found = []
    for e in out.doc.errata:
        at = [c for c in refuted if any(covers(c, ln) for ln in e.lines)]
        formula = _norm(e.formula)
        best = [c for c in at if formula and (formula in _norm(c["source"]) or formula in _norm(c["statement"]))]
        out.found.append((e, (best or at or [None])[0]))
    lines = [ln for e in out.doc.errata for ln in e.lines]
    out.false_alarms = [c for c in refuted if not any(covers(c, ln) for ln in lines)]


def run_one(doc: Document, timeout: float, document_timeout: float) -> Outcome:
    out = Outcome(doc)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(doc.path), "--timeout", str(timeout)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=document_timeout)
    except subprocess.TimeoutExpired:
        out.status, out.detail = "timed out", f"over {document_timeout:g} s"
    else:
        line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith(MARK)), None)
        if line is None:
            err = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
            out.status, out.detail = "failed", err[:200]
        else:
            out.claims = json.loads(line[len(MARK):])["claims"]
    out.seconds = time.perf_counter() - t0
    score(out)
    return out


# ───────────────────────────── report ─────────────────────────────
def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def report(outcomes: list[Outcome], wall: float, corpus: bool) -> None:
    for o in outcomes:
        k = len(o.doc.errata)
        tag = f" [{o.doc.kind}]" if o.doc.kind else ""
        state = "" if o.status == "ok" else f"  ** {o.status}: {o.detail}"
        print(f"{o.doc.name}{tag}: claims {len(o.claims)}, decided {o.decided}, errata found {o.n_found} / {k}, "
              f"false alarms {len(o.false_alarms)}, {o.seconds:.2f} s{state}")
        for e, c in o.found:
            where = ",".join(map(str, e.lines))
            mark = f"found (claim at {c['line']}–{c['end_line']})" if c else "missed"
            print(f"    erratum l.{where}: {mark}: {_short(e.formula, 90)}")
        for c in o.false_alarms:
            print(f"    FALSE ALARM l.{c['line']}–{c['end_line']}: {_short(c['statement'])}")
    if corpus:
        mutants = [o for o in outcomes if o.doc.kind == "mutant"]
        correct = [o for o in outcomes if o.doc.kind in ("correct", "control")]
        print()
        print(f"mutants: {sum(1 for o in mutants if o.n_found)} / {len(mutants)} with their erratum found")
        for base in sorted({o.doc.of for o in mutants}):
            ms = [o for o in mutants if o.doc.of == base]
            print(f"    {base}: {sum(1 for o in ms if o.n_found)} / {len(ms)}  "
                  + " ".join(("+" if o.n_found else "-") + Path(o.doc.name).stem for o in ms))
        fa = sum(len(o.false_alarms) for o in correct)
        print(f"correct documents: {len(correct)}, with a false alarm: "
              f"{sum(1 for o in correct if o.false_alarms)} ({fa} refuted claims)")
    timed = [o for o in outcomes if o.status != "ok"]
    print()
    print(f"timed out or failed: {len(timed)}" + (f" ({', '.join(o.doc.name for o in timed)})" if timed else ""))
    claims = sum(len(o.claims) for o in outcomes)
    decided = sum(o.decided for o in outcomes)
    known = sum(len(o.doc.errata) for o in outcomes)
    found = sum(o.n_found for o in outcomes)
    alarms = sum(len(o.false_alarms) for o in outcomes)
    longest = max((o.seconds for o in outcomes), default=0.0)
    vector = sum(c.get("category") == "vector" for o in outcomes for c in o.claims if c["status"] == "inconclusive")
    print(f"inconclusive for a vector or matrix reason: {vector} ({100 * vector / claims if claims else 0:.1f}% of the claims)")
    print(f"documents: {len(outcomes)}, claims: {claims}, decided: {decided} "
          f"({100 * decided / claims if claims else 0:.1f}%)")
    print(f"errata found: {found} / {known} (recall {100 * found / known if known else 0:.1f}%)")
    print(f"false alarms: {alarms}")
    print(f"time: {wall:.1f} s (max per document {longest:.1f} s)")


def records(outcomes: list[Outcome]) -> list[dict]:
    return [{"file": o.doc.name, "kind": o.doc.kind, "of": o.doc.of, "status": o.status, "detail": o.detail,
             "claims": len(o.claims), "decided": o.decided, "refuted": sum(c["status"] == "refuted" for c in o.claims),
             "seconds": round(o.seconds, 3),
             "errata": [{"lines": e.lines, "formula": e.formula, "found": c is not None,
                         "claim": None if c is None else {"line": c["line"], "end_line": c["end_line"],
                                                          "statement": c["statement"]}} for e, c in o.found],
             "false_alarms": [{"line": c["line"], "end_line": c["end_line"], "statement": c["statement"],
                               "reason": c["reason"]} for c in o.false_alarms]} for o in outcomes]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=5.0, help="per-step bound for check_document (s)")
    ap.add_argument("--document-timeout", type=float, default=60.0, help="wall-clock bound per document (s)")
    ap.add_argument("--corpus", type=Path, help="a directory with manifest.json (default: the shared dev set)")
    ap.add_argument("--jobs", type=int, default=1, help="documents checked at the same time")
    ap.add_argument("--json", type=Path, help="write the per-document records to this file")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child, args.timeout)
    if args.corpus is not None:
        directory = args.corpus if args.corpus.is_absolute() else Path.cwd() / args.corpus
        if not (directory / "manifest.json").is_file():
            print(f"no manifest.json in {directory}: nothing to measure")
            return 0
        docs, source = corpus_documents(directory), str(directory / "manifest.json")
    else:
        if not DEV.is_file():
            print(f"shared folder not found ({DEV} is absent): the dev set is not measured")
            return 0
        docs, source = dev_documents(), str(DEV)
    print(f"labels: {source}; {len(docs)} documents; step timeout {args.timeout:g} s, "
          f"document bound {args.document_timeout:g} s")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda d: run_one(d, args.timeout, args.document_timeout), docs))
    wall = time.perf_counter() - t0
    if args.json:
        args.json.write_text(json.dumps({"item": "errata", "labels": source, "records": records(outcomes)},
                                        indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    report(outcomes, wall, args.corpus is not None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
