"""``symbackprop report SPEC… [--format tex,pdf,md,html] [--lang en,ja] [-o DIR]``.

Without ``--format``,
the reports are written as tex, md and html, plus pdf when LuaLaTeX is
installed (a note on stderr says when it is not).  Asking for ``pdf``
explicitly without LuaLaTeX is an error (exit 2) that names what to install.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

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


def run(args: argparse.Namespace) -> int:
    """Write the derivation reports of the specs (and the proof report with --proofs)."""
    from ..errors import SymbackpropError
    from ..render.pdf import INSTALL_HINT, engine
    from ..pipeline import write_reports
    from ..render.reports import REPRODUCIBLE_FORMATS

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


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", nargs="*", metavar="SPEC", help="network spec(s) (TOML)")
    parser.add_argument("--format", type=_choices(FORMATS, "--format"), default=None,
                        help="comma-separated: tex,pdf,md,html (default: tex,md,html, "
                             "and pdf when lualatex is installed)")
    parser.add_argument("--lang", type=_choices(LANGS, "--lang"), default=LANGS,
                        help="comma-separated: en,ja (default: both)")
    parser.add_argument("-o", "--output", default="reports", metavar="DIR",
                        help="folder to write into (default: reports)")
    parser.add_argument("--templates", metavar="DIR", default=None,
                        help="folder of templates that override the built-in ones "
                             "(same file names, e.g. derivation.tex.j2)")
    parser.add_argument("--proofs", action="store_true",
                        help="also write the proof report of the identity catalog (proofs.LANG.*)")
    parser.add_argument("--no-verify", action="store_true",
                        help="leave out the verification (faster; the section says it was not run)")
    parser.add_argument("--jobs", type=int, default=2, metavar="N",
                        help="PDFs compiled at a time (default: 2)")
