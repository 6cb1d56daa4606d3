"""``symbackprop check DOC… [--format text|json|md|html] [-o FILE] [--timeout S] [--progress] [--lang]``.

The lead wires this into ``cli.py`` with ``add_check_parser(subparsers)``; ``main(argv)``
runs it stand-alone (``python -m symbackprop.check_cli DOC``).  Exit codes (DESIGN.md):
0 no erratum found (something decided, nothing refuted), 1 something refuted, 2 bad input
or usage, 3 nothing decided (inconclusive only, or no claims).

JSON (stdout or ``-o``): one object per document, ``{"file", "claims", "summary",
"unparsed"}``, each claim with ``line``, ``end_line``, ``source``, ``status``,
``reason``, ``witness``, ``expected`` and also ``chain``, ``step``, ``relation``,
``statement``, ``category``, ``method``; several documents give a list.
Progress goes to stderr, only when stderr is a terminal or with ``--progress``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional, Sequence, TextIO
from .options import documents_in, timeout_is_a_bound, too_large

FORMATS = ("text", "json", "md", "html")
USAGE_ERROR = 2


def add_check_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Declare the ``check`` options on ``parser``."""
    parser.add_argument("documents", nargs="+", metavar="DOC",
                        help="documents to check (.md .tex .txt .html .rst .ipynb), or folders of them")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--timeout", type=float, default=5.0, help="time bound in seconds for reading each fragment and for each step (default 5)")
    parser.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                        help="time for a whole document; what it does not reach is listed (default "
                             "60 s + 0.5 s per formula, at most 30 min; documents over 4 MB need it)")
    parser.add_argument("--progress", action="store_true",
                        help="show progress on stderr even when it is not a terminal")
    parser.add_argument("--lang", choices=("en", "ja"), default="en",
                        help="language of the md/html report (default en)")
    return parser


def add_check_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``check`` subcommand to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser("check", help="check the formulas of documents, step by step",
                              description="Every relation in the documents becomes a claim: proved, "
                                          "refuted with a witness, or inconclusive with the reason.")
    add_check_arguments(p)
    p.set_defaults(func=run_check)
    return p


# ── progress ───────────────────────────────────────────────────────────────
class _Progress:
    """A progress bar on stderr (tqdm): fragments read, then fragments checked, per document."""

    def __init__(self, err: TextIO, name: str, index: int, total: int) -> None:
        self.err, self.name, self.index, self.total = err, name, index, total
        self.bar = None

    def __call__(self, done: int, fragments: int) -> None:
        from tqdm import tqdm

        if self.bar is None:
            doc = f" ({self.index}/{self.total})" if self.total > 1 else ""
            self.bar = tqdm(total=fragments, file=self.err, unit="fragment", leave=True, mininterval=0.2,
                            desc=f"check{doc} {Path(self.name).name}", dynamic_ncols=True)
        self.bar.n = min(done, fragments)
        self.bar.refresh()
        if done >= fragments:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _wants_progress(args: argparse.Namespace, err: TextIO) -> bool:
    if getattr(args, "progress", False):
        return True
    try:
        return err.isatty()
    except (AttributeError, ValueError):
        return False


# ── text ───────────────────────────────────────────────────────────────────
def _witness_text(w: Optional[dict]) -> str:
    if not w:
        return ""
    values = ", ".join(f"{k} = {v}" for k, v in w.get("values", {}).items())
    return f"{values}: left side {w.get('lhs')}, right side {w.get('rhs')} (difference {w.get('difference')})"


def summary_line(s: dict) -> str:
    """"48 fragments found, 48 parsed (100%); 56 claims: 24 proved, 0 refuted, 32 inconclusive …"."""
    rate = f" ({100 * s['parsed'] / s['fragments']:.0f}%)" if s["fragments"] else ""
    reasons = ", ".join(f"{k} {v}" for k, v in s["inconclusive_by_reason"].items())
    return (f"{s['fragments']} fragments found, {s['parsed']} parsed{rate}; {s['claims']} claims: "
            f"{s['proved']} proved, {s['refuted']} refuted, {s['inconclusive']} inconclusive"
            + (f" ({reasons})" if reasons else "") + f"; {s['decided']} steps decided; {s['seconds']:.2f} s"
            + (f"; {s['unreached']} fragments not reached (budget spent)" if s.get("unreached") else ""))


def write_text(results: Sequence, out: TextIO) -> None:
    """Per document: each claim (position, statement, verdict, reason, witness, expected), then the counts."""
    for r in results:
        print(f"== {r.file}", file=out)
        for c in r.claims:
            mark = c.status.upper() if c.status == "refuted" else c.status
            print(f"line {c.line}, step {c.chain}.{c.step}: {mark}  {c.statement}", file=out)
            if c.status == "refuted":
                if c.witness:
                    print(f"    witness:  {_witness_text(c.witness)}", file=out)
                else:  # refuted by its indices alone (no value can repair them)
                    print(f"    why:      {c.reason}", file=out)
                if c.expected:
                    print(f"    the right side should be: {c.expected}", file=out)
                print(f"    method:   {c.method}", file=out)
            elif c.status == "inconclusive":
                print(f"    {c.category}: {c.reason}", file=out)
            elif c.method:
                print(f"    {c.method}", file=out)
        for u in r.unparsed:
            print(f"line {u['line']}: not parsed ({u['reason']}): {' '.join(u['source'].split())[:80]}", file=out)
        if r.unreached:
            print(f"line {r.unreached[0]['line']}: not reached: the budget of {r.budget:g} s was spent "
                  f"before this fragment and {len(r.unreached) - 1} after it (raise --budget)", file=out)
        print(f"summary: {summary_line(r.summary())}", file=out)
        print(file=out)


# ── Markdown and HTML ─────────────────────────────────────────────────────
def _mathable(latex: Optional[str], kind: str) -> Optional[str]:
    """The formula, or None when the HTML page could not show it as MathML."""
    if not latex or kind != "html":
        return latex or None
    from .render.mathml import MathMLError, to_mathml

    try:
        to_mathml(latex)
    except MathMLError:
        return None
    return latex


def check_context(results: Sequence, kind: str, lang: str = "en") -> dict[str, Any]:
    """Plain data for ``check.{md,html}.j2``: LaTeX strings and texts, never SymPy objects."""
    from .render.context import fill, messages

    m = messages(lang)
    docs = []
    for r in results:
        s = r.summary()
        claims = []
        for c in r.claims:
            claims.append({
                "line": c.line, "end_line": c.end_line, "step": f"{c.chain}.{c.step}",
                "status": c.status, "status_word": m["status"].get(c.status, c.status),
                "statement": _mathable(c.statement, kind), "statement_text": c.statement,
                "source": " ".join(c.source.split()),
                "category": m["check"]["categories"].get(c.category, c.category),
                "reason": c.reason, "method": c.method,
                "witness": _witness_text(c.witness),
                "expected": _mathable(c.expected, kind), "expected_text": c.expected or "",
            })
        docs.append({
            "file": r.file, "summary": s,
            "summary_rich": fill(m["check"]["summary"], **{k: str(v) for k, v in s.items()
                                                        if not isinstance(v, dict)}),
            "by_reason": [{"category": m["check"]["categories"].get(k, k), "count": v}
                          for k, v in s["inconclusive_by_reason"].items()],
            "claims": claims, "refuted": [c for c in claims if c["status"] == "refuted"],
            "unparsed": [{"line": u["line"], "reason": u["reason"], "source": " ".join(u["source"].split())}
                         for u in r.unparsed],
        })
    names = ", ".join(Path(r.file).name for r in results)
    return {"m": m, "lang": lang, "title": m["check"]["heading"],
            "generated_by": fill(m["check"]["generated_by"], source=names), "documents": docs}


def render_report(results: Sequence, kind: str, lang: str = "en") -> str:
    """The md or html report of the check results."""
    from .render.environments import environment

    return environment(kind).get_template(f"check.{kind}.j2").render(check_context(results, kind, lang))


# ── the command ────────────────────────────────────────────────────────────
def _usage(message: str, err: TextIO) -> int:
    print(f"symbackprop check: {message}", file=err)
    return USAGE_ERROR


def _timeout(value: Any) -> Optional[float]:
    """The ``--timeout`` in seconds, or None when it is not a positive finite number."""
    try:
        t = 5.0 if value is None else float(value)
    except (TypeError, ValueError):
        return None
    return t if 0 < t < float("inf") else None


def _streamed(fmt: str, out: TextIO, several: bool):
    """A writer for one document's result as soon as it is known (text, json), and a closer."""
    state = {"n": 0}

    def write(r) -> None:
        if fmt == "json":
            text = json.dumps(r.to_json(), ensure_ascii=False, indent=2)
            out.write(("[\n" if state["n"] == 0 else ",\n") + text if several else text + "\n")
        else:
            write_text([r], out)
        state["n"] += 1
        out.flush()

    def close() -> None:
        if fmt == "json" and several:
            out.write(("\n]\n" if state["n"] else "[]\n"))
            out.flush()

    return write, close


def run_check(args: argparse.Namespace, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    """Run ``check`` with parsed ``args``; return the exit code of DESIGN.md.  Results of each
    document are written as soon as it is done (text and JSON on stdout), so a document that
    fails or is interrupted never loses the results of those before it."""
    from .checker import check_document, exit_code

    out, err = out or sys.stdout, err or sys.stderr
    docs = list(getattr(args, "documents", None) or [])
    fmt = getattr(args, "format", "text")
    timeout = _timeout(getattr(args, "timeout", None))
    if not docs:
        return _usage("give at least one document", err)
    if fmt not in FORMATS:
        return _usage(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", err)
    if timeout is None:
        return _usage(f"--timeout must be a positive number of seconds, not {getattr(args, 'timeout', None)!r}", err)
    docs, problem = documents_in(docs)
    budget = getattr(args, "budget", None)
    problem = problem or (None if budget is None else timeout_is_a_bound(argparse.Namespace(timeout=budget)))
    problem = problem or (None if budget is not None else too_large(docs))
    if problem:
        return _usage(problem.replace("--timeout", "--budget"), err)
    output = getattr(args, "output", None)
    stream = not output and fmt in ("text", "json")
    write, close = _streamed(fmt, out, len(docs) > 1) if stream else (None, None)
    show = _wants_progress(args, err)
    results, failed = [], False
    for n, d in enumerate(docs, 1):
        progress = _Progress(err, d, n, len(docs)) if show else None
        try:
            r = check_document(d, timeout=timeout, progress=progress, budget=budget)
        except Exception as exc:  # one document that cannot be checked must not lose the others
            failed = True
            print(f"symbackprop check: {d}: cannot be checked ({type(exc).__name__}: "
                  f"{str(exc).splitlines()[0][:200] if str(exc) else ''})", file=err)
            continue
        finally:
            if progress:
                progress.close()
        results.append(r)
        if write:
            write(r)
    if close:
        close()
    if not stream:
        code = _write_whole(results, fmt, args, out, err)
        if code:
            return code
    if failed:
        return USAGE_ERROR
    return exit_code(results)


def _write_whole(results: Sequence, fmt: str, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if fmt == "json":
        data = [r.to_json() for r in results]
        text = json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n"
    elif fmt in ("md", "html"):
        text = render_report(results, fmt, getattr(args, "lang", "en") or "en")
    else:
        import io

        buf = io.StringIO()
        write_text(results, buf)
        text = buf.getvalue()
    output = getattr(args, "output", None)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return _usage(f"{output}: cannot write ({exc.strerror or exc})", err)
    else:
        out.write(text)
    return 0


def main(argv: Optional[Sequence[str]] = None, out: Optional[TextIO] = None,
         err: Optional[TextIO] = None) -> int:
    """Stand-alone entry point; ``argv`` may start with the word ``check``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:
        argv = argv[1:]
    parser = add_check_arguments(argparse.ArgumentParser(prog="symbackprop check"))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse reports usage errors with exit 2
        return int(exc.code or 0)
    return run_check(args, out, err)


if __name__ == "__main__":
    sys.exit(main())
