"""``symbackprop prove --list | NAME… | --all | --claim LATEX [--format text|json] [--timeout S]``.

The identity catalog and its proofs, or one LaTeX claim checked as a one-line document;
returns the exit code of docs/contracts.md (0 all proved, 1 something refuted, 2 bad input
or usage, 3 inconclusive only).  The catalog is imported when the command runs, so
``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Optional, TextIO

from ..verdict import Verdict, exit_code, exit_code_of

USAGE_ERROR = 2
TIMEOUT = 10.0  # seconds per claim: statement, each step, each fact (identity_proofs.CATALOG_TIMEOUT)


def arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Declare the ``prove`` options on ``parser``."""
    parser.add_argument("names", nargs="*", metavar="NAME", help="identities to prove (see --list)")
    parser.add_argument("--list", action="store_true", help="list the catalog and exit")
    parser.add_argument("--all", action="store_true", help="prove every identity in the catalog")
    parser.add_argument("--claim", metavar="LATEX", help="check one LaTeX relation instead")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help=f"seconds per claim: statement, each step, each fact (default {TIMEOUT:g})")
    return parser


def run(args: argparse.Namespace) -> int:
    """The catalog (names, --list, --all) or one claim (--claim)."""
    if getattr(args, "claim", None) is None:
        return run_prove(args)
    return run_claim(args)


def run_claim(args: argparse.Namespace, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    """Check one LaTeX relation as a one-line document; print each step's verdict."""
    from ..checker import check_claim

    out, err = out or sys.stdout, err or sys.stderr
    if args.names or args.list or args.all:
        return _usage("--claim goes alone (no NAME, --list or --all)", err)
    results = check_claim(args.claim, timeout=args.timeout)
    if args.format == "json":
        print(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2), file=out)
    else:
        for r in results:
            print(f"{r.status}: {r.statement}", file=out)
            for label, value in (("reason", r.reason), ("method", r.method), ("expected", r.expected)):
                if value:
                    print(f"    {label}: {value}", file=out)
            if r.witness:
                print(f"    witness: {json.dumps(r.witness, ensure_ascii=False)}", file=out)
    return exit_code_of(r.status for r in results)


# ── JSON ───────────────────────────────────────────────────────────────────
def identity_json(ident: Any) -> dict[str, Any]:
    """The catalog entry as plain data."""
    return {"name": ident.name, "title": ident.title, "statement": ident.statement_latex,
            "assumptions": list(ident.assumptions_latex), "premises": list(ident.premises),
            "steps": [{"latex": tex, "rule": rule} for tex, rule in ident.step_table]}


def verdict_json(ident: Any, v: Verdict) -> dict[str, Any]:
    """The entry with its verdict and the verdict of every step and fact."""
    out = identity_json(ident)
    out.update(v.to_json())
    out["seconds"] = v.details.get("seconds")
    parts = v.details.get("parts", ())
    for step, part in zip(out["steps"], parts):
        step.update(status=part.verdict.status.value, method=part.verdict.method, reason=part.verdict.reason)
    out["facts"] = [{"statement": p.latex, **p.verdict.to_json()} for p in parts if p.label == "fact"]
    return out


# ── text ───────────────────────────────────────────────────────────────────
def _table(rows: list[tuple[str, ...]], head: tuple[str, ...]) -> str:
    widths = [max(len(r[c]) for r in [head, *rows]) for c in range(len(head) - 1)]
    lines = []
    for r in [head, *rows]:
        lines.append("  ".join(f"{cell:<{w}}" for cell, w in zip(r, widths)) + "  " + r[-1])
    return "\n".join(lines)


def list_text(out: TextIO) -> None:
    from ..identities import IDENTITIES

    rows = [(i.name, i.title) for i in IDENTITIES.values()]
    print(_table(rows, ("NAME", "TITLE")), file=out)


def detail_text(ident: Any, v: Verdict, out: TextIO) -> None:
    """One identity: statement, assumptions, premises, checked steps and facts, verdict."""
    print(f"{ident.name} — {ident.title}", file=out)
    print(f"  statement:   {ident.statement_latex}", file=out)
    for tex in ident.assumptions_latex:
        print(f"  assuming:    {tex}", file=out)
    for tex in ident.premises:
        print(f"  premise:     {tex}", file=out)
    parts = v.details.get("parts", ())
    steps = [p for p in parts if p.label != "fact"]
    for n, p in enumerate(steps, 1):
        print(f"  step {n:<2} {p.label:<20} {p.verdict.status.value:<12} {p.latex}", file=out)
    for p in parts:
        if p.label == "fact":
            print(f"  fact    {p.verdict.status.value:<12} {p.latex}", file=out)
    _verdict_lines(v, out)


def _verdict_lines(v: Verdict, out: TextIO) -> None:
    print(f"  verdict:     {v.status.value} — {v.method}", file=out)
    if v.reason:
        print(f"  reason:      {v.reason}", file=out)
    if v.witness:
        values = ", ".join(f"{k} = {val}" for k, val in v.witness.values.items())
        print(f"  witness:     {values}", file=out)
        print(f"               lhs = {v.witness.lhs}, rhs = {v.witness.rhs}", file=out)
    print(f"  time:        {v.details.get('seconds', 0):.2f} s", file=out)


def summary(verdicts: dict[str, Verdict]) -> dict[str, int]:
    counts = {"proved": 0, "refuted": 0, "inconclusive": 0}
    for v in verdicts.values():
        counts[v.status.value] += 1
    return {"total": len(verdicts), **counts}


def table_text(verdicts: dict[str, Verdict], out: TextIO) -> None:
    rows = [(name, v.status.value, f"{v.details.get('seconds', 0):.2f}s", v.method or v.reason)
            for name, v in verdicts.items()]
    print(_table(rows, ("NAME", "STATUS", "TIME", "METHOD")), file=out)
    s = summary(verdicts)
    print(f"\n{s['total']} identities: {s['proved']} proved, {s['refuted']} refuted, "
          f"{s['inconclusive']} inconclusive", file=out)


# ── the command ────────────────────────────────────────────────────────────
def _usage(message: str, err: TextIO) -> int:
    print(f"symbackprop prove: {message}", file=err)
    return USAGE_ERROR


def run_prove(args: argparse.Namespace, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    """Run ``prove`` on the catalog with parsed ``args``; print to ``out``/``err``; return the exit code."""
    from .. import identity_proofs
    from ..identities import IDENTITIES

    out, err = out or sys.stdout, err or sys.stderr
    names = list(getattr(args, "names", None) or [])
    listing, every = bool(getattr(args, "list", False)), bool(getattr(args, "all", False))
    fmt = getattr(args, "format", "text")
    timeout = getattr(args, "timeout", None)
    timeout = identity_proofs.CATALOG_TIMEOUT if timeout is None else float(timeout)
    if sum((listing, every, bool(names))) != 1:
        return _usage("give exactly one of --list, --all or identity NAMEs", err)
    if timeout <= 0:
        return _usage("--timeout must be positive", err)
    if listing:
        if fmt == "json":
            json.dump([identity_json(i) for i in IDENTITIES.values()], out, ensure_ascii=False, indent=2)
            print(file=out)
        else:
            list_text(out)
        return 0
    unknown = [n for n in names if n not in IDENTITIES]
    if unknown:
        return _usage(f"unknown identity {', '.join(map(repr, unknown))}; known: {', '.join(IDENTITIES)}", err)
    chosen = list(IDENTITIES) if every else names
    verdicts = {name: identity_proofs.prove_identity(name, timeout) for name in chosen}
    if fmt == "json":
        items = [verdict_json(IDENTITIES[n], v) for n, v in verdicts.items()]
        json.dump({"identities": items, "summary": summary(verdicts)}, out, ensure_ascii=False, indent=2)
        print(file=out)
    elif every or len(chosen) > 1:
        table_text(verdicts, out)
    else:
        detail_text(IDENTITIES[chosen[0]], verdicts[chosen[0]], out)
    return exit_code(verdicts.values())
