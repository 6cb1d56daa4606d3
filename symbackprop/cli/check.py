"""``symbackprop check DOC… [--format text|json|md|html|sarif|github] [-o FILE] [--timeout S]
[--progress] [--lang] [--errata-only]``.

Exit codes (docs/contracts.md):
0 no erratum found (something decided, nothing refuted), 1 something refuted, 2 bad input
or usage, 3 nothing decided (inconclusive only, or no claims); with ``--errata-only`` (hooks,
CI on posts that may hold no formula) 3 becomes 0.  The writers of the formats are in
``check_formats.py``.

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
from typing import Optional, Sequence, TextIO

from ..check_formats import STREAMED, WRITERS
from .options import budget_is_a_bound, check_options, documents_in, timeout_is_a_bound, too_large

FORMATS = tuple(WRITERS)
USAGE_ERROR = 2


def arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Declare the ``check`` options on ``parser``."""
    parser.add_argument("documents", nargs="+", metavar="DOC",
                        help="documents to check (.md .tex .txt .html .rst .ipynb), or folders of them")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="output format (default text; sarif for code scanning, github for "
                             "GitHub Actions annotations)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--timeout", type=float, default=5.0, help="time bound in seconds for reading each fragment and for each step (default 5)")
    parser.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                        help="time for a whole document; what it does not reach is listed (default "
                             "60 s + 0.5 s per formula, at most 30 min; documents over 4 MB need it)")
    parser.add_argument("--progress", action="store_true",
                        help="show progress on stderr even when it is not a terminal")
    parser.add_argument("--lang", choices=("en", "ja"), default="en",
                        help="language of the md/html report (default en)")
    parser.add_argument("--network", metavar="SPEC.toml", default=None,
                        help="take the network from a spec (its forward pass and loss, in its [notation]) "
                             "as definitions where each document leaves them out; a file of several networks "
                             "gives each for its lines; --show-network writes one to start from")
    parser.add_argument("--show-network", action="store_true",
                        help="print the network each document describes (its layers, activations, loss and "
                             "notation, with the lines they rest on) as a spec TOML, instead of the check report; "
                             "several networks one after another each with the lines it governs")
    parser.add_argument("--errata-only", action="store_true",
                        help="fail (exit 1) only on an erratum: exit 0 also when nothing could be decided "
                             "(for pre-commit hooks and CI on documents that may hold no formula)")
    return parser


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


# ── Markdown and HTML ─────────────────────────────────────────────────────
def render_report(results: Sequence, kind: str, lang: str = "en") -> str:
    """The md or html report of the check results (render/reports.check_report)."""
    from ..render.reports import check_report

    return check_report(results, kind, lang)


# ── the command ────────────────────────────────────────────────────────────
def _usage(message: str, err: TextIO) -> int:
    print(f"symbackprop check: {message}", file=err)
    return USAGE_ERROR


def _streamed(fmt: str, out: TextIO, several: bool, args: Optional[argparse.Namespace] = None):
    """A writer for one document's result as soon as it is known (:data:`STREAMED`), and a closer."""
    state = {"n": 0}

    def write(r) -> None:
        if fmt == "json":
            text = json.dumps(r.to_json(), ensure_ascii=False, indent=2)
            out.write(("[\n" if state["n"] == 0 else ",\n") + text if several else text + "\n")
        else:
            WRITERS[fmt]([r], out, args)
        state["n"] += 1
        out.flush()

    def close() -> None:
        if fmt == "json" and several:
            out.write(("\n]\n" if state["n"] else "[]\n"))
            out.flush()

    return write, close


def _show_networks(docs: Sequence[str], timeout: float, budget: Optional[float], out: TextIO, err: TextIO) -> int:
    """``--show-network``: the spec TOML of each document's networks (checker/network_toml.py: one
    network as the core's spec, several each with its lines); exit 0 when every document shows at
    least one layer, 3 when one shows none."""
    from ..checker import check_document

    from ..checker.network_toml import networks_toml

    code = 0
    for d in docs:
        models = check_document(d, timeout=timeout, budget=budget).networks(_line_count(d))
        out.write(networks_toml(models, d) + ("\n" if len(docs) > 1 else ""))
        code = code or (0 if any(m.layers for m in models) else 3)
    return code


def _line_count(path: str) -> Optional[int]:
    """The number of lines of the document (the last network governs them to the end)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return sum(1 for _ in f) or None
    except OSError:
        return None


def run_check(args: argparse.Namespace, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    """Run ``check`` with parsed ``args``; return the exit code of docs/contracts.md.  Results of each
    document are written as soon as it is done (text and JSON on stdout), so a document that
    fails or is interrupted never loses the results of those before it."""
    from ..checker import check_document, exit_code

    out, err = out or sys.stdout, err or sys.stderr
    docs = list(getattr(args, "documents", None) or [])
    fmt = getattr(args, "format", "text")
    if not docs:
        return _usage("give at least one document", err)
    if fmt not in FORMATS:
        return _usage(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", err)
    problem = check_options(args, (timeout_is_a_bound, budget_is_a_bound))  # also when called directly
    if problem:
        return _usage(problem, err)
    timeout = 5.0 if getattr(args, "timeout", None) is None else float(args.timeout)
    budget = getattr(args, "budget", None)
    docs, problem = documents_in(docs)
    problem = problem or (None if budget is not None else too_large(docs))
    if problem:
        return _usage(problem, err)
    output = getattr(args, "output", None)
    if getattr(args, "show_network", False):
        return _show_networks(docs, timeout, budget, out, err)
    network = None
    if getattr(args, "network", None):
        from ..checker.given import load
        from ..errors import reason_of

        try:
            network = load(args.network)
        except Exception as exc:  # a spec that cannot be read is bad input: one line, exit 2
            return _usage(f"--network {args.network}: {reason_of(exc)}", err)
    stream = not output and fmt in STREAMED
    write, close = _streamed(fmt, out, len(docs) > 1, args) if stream else (None, None)
    show = _wants_progress(args, err)
    results, failed = [], False
    for n, d in enumerate(docs, 1):
        progress = _Progress(err, d, n, len(docs)) if show else None
        try:
            r = check_document(d, timeout=timeout, progress=progress, budget=budget, network=network)
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
    code = exit_code(results)
    return 0 if code == 3 and getattr(args, "errata_only", False) else code


def _write_whole(results: Sequence, fmt: str, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import io

    buf = io.StringIO()
    WRITERS[fmt](results, buf, args)
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


def run(args: argparse.Namespace) -> int:
    """The ``check`` command."""
    return run_check(args)
