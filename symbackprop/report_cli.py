"""``symbackprop report SPEC… [--format tex,pdf,md,html] [--lang en,ja] [-o DIR]``.

The lead's :mod:`symbackprop.cli` calls :func:`add_report_parser` to add the
subcommand; :func:`main` runs it on its own (for tests).  Without ``--format``,
the reports are written as tex, md and html, plus pdf when LuaLaTeX is
installed (a note on stderr says when it is not).  Asking for ``pdf``
explicitly without LuaLaTeX is an error (exit 2) that names what to install.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

FORMATS = ("tex", "pdf", "md", "html")
LANGS = ("en", "ja")


def _choices(allowed: Sequence[str], what: str):
    def parse(text: str) -> tuple[str, ...]:
        items = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
        bad = [s for s in items if s not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(
                f"{what} takes a comma-separated list of {', '.join(allowed)}, not {text!r}")
        return items
    return parse


def cmd_report(args: argparse.Namespace) -> int:
    """Write the derivation reports of the specs (and the proof report with --proofs)."""
    from .errors import SymbackpropError
    from .render.pdf import INSTALL_HINT, engine
    from .pipeline import write_reports
    from .render.reports import REPRODUCIBLE_FORMATS

    if not args.spec and not args.proofs:
        print("symbackprop report: error: give at least one SPEC, or --proofs", file=sys.stderr)
        return 2
    formats = args.format
    if formats is None:
        formats = REPRODUCIBLE_FORMATS
        if engine() is not None:
            formats += ("pdf",)
        else:
            print(f"symbackprop report: note: no PDF: lualatex not found; {INSTALL_HINT}",
                  file=sys.stderr)
    try:
        write_reports(args.spec, args.output, formats, args.lang, templates=args.templates,
                      proofs=args.proofs, verify=not args.no_verify, jobs=args.jobs,
                      progress=lambda path: print(path, flush=True))
    except ValueError as exc:  # an unknown format or language reached the library
        raise SymbackpropError(str(exc)) from None
    return 0


def add_report_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``report`` to the subcommands of the main parser; returns its parser."""
    r = subparsers.add_parser(
        "report", help="derivation reports (tex, pdf, md, html) in English and Japanese",
        description="Write a report per spec and language: the layer table, the forward pass, "
                    "every step of the derivation with its rule, boxed results in index and "
                    "matrix form, and the verification.")
    r.add_argument("spec", nargs="*", metavar="SPEC", help="network spec(s) (TOML)")
    r.add_argument("--format", type=_choices(FORMATS, "--format"), default=None,
                   help="comma-separated: tex,pdf,md,html (default: tex,md,html, "
                        "and pdf when lualatex is installed)")
    r.add_argument("--lang", type=_choices(LANGS, "--lang"), default=LANGS,
                   help="comma-separated: en,ja (default: both)")
    r.add_argument("-o", "--output", default="reports", metavar="DIR",
                   help="folder to write into (default: reports)")
    r.add_argument("--templates", metavar="DIR", default=None,
                   help="folder of templates that override the built-in ones "
                        "(same file names, e.g. derivation.tex.j2)")
    r.add_argument("--proofs", action="store_true",
                   help="also write the proof report of the identity catalog (proofs.LANG.*)")
    r.add_argument("--no-verify", action="store_true",
                   help="leave out the verification (faster; the section says it was not run)")
    r.add_argument("--jobs", type=int, default=2, metavar="N",
                   help="PDFs compiled at a time (default: 2)")
    r.set_defaults(func=cmd_report)
    return r


def build_parser() -> argparse.ArgumentParser:
    """A parser with only the report subcommand (the full CLI lives in symbackprop.cli)."""
    p = argparse.ArgumentParser(prog="symbackprop")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    add_report_parser(sub)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``symbackprop report …``; ``argv`` may start with ``report`` or not."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "report":
        argv.insert(0, "report")
    args = build_parser().parse_args(argv)
    from .errors import SymbackpropError

    try:
        return args.func(args)
    except SymbackpropError as exc:
        print(f"symbackprop: error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
