"""The command line: ``symbackprop derive | verify | eval | prove``.

Imports of SymPy-heavy modules happen inside the commands, so ``--version`` and
``--help`` start fast.  Every :class:`SymbackpropError` becomes a one-line
message on stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import json
import sys
from typing import Callable, NoReturn, Optional, Sequence

from . import __version__


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes takes positive integers like 3,4,2, not {text!r}")
    if any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"--sizes takes positive integers, not {text!r}")
    return sizes


def cmd_derive(args: argparse.Namespace) -> int:
    """Print the closed forms and their steps."""
    from .derive import derive
    from .present import derivation_data, derivation_latex_document, derivation_text
    from .spec import load

    d = derive(load(args.spec))
    if args.format == "json":
        print(json.dumps(derivation_data(d), ensure_ascii=False, indent=2))
    elif args.format == "latex":
        print(derivation_latex_document(d), end="")
    else:
        print(derivation_text(d, ascii=args.ascii, encoding=sys.stdout.encoding), end="")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every closed form against an independent differentiation at concrete sizes."""
    from .spec import load
    from .verdict import exit_code
    from .verify import verify

    reports = []
    for path in args.spec:
        net = load(path)
        reports.append(verify(net, args.sizes, timeout=args.timeout, symbolic=args.symbolic))
    if args.format == "json":
        data = [r.to_json() for r in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
    else:
        for path, r in zip(args.spec, reports):
            print(f"== {path}")
            print(r.table())
    return exit_code([r.verdict for r in reports])


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate loss, outputs and every gradient from the closed forms (JSON in, JSON out)."""
    from .derive import derive
    from .errors import ParamsError
    from .evaluate import evaluate_json
    from .spec import load

    d = derive(load(args.spec))
    try:
        with open(args.params, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ParamsError(f"{args.params}: cannot read ({exc.strerror})") from None
    print(json.dumps(evaluate_json(d, text), indent=2))
    return 0


def cmd_prove(args: argparse.Namespace) -> int:
    """Prove identities from the catalog, or check one LaTeX claim (``--claim``)."""
    if args.claim is None:
        from .prove_cli import run_prove

        return run_prove(args)
    from .checker import check_claim

    if args.names or args.list or args.all:
        print("symbackprop: error: --claim goes alone (no NAME, --list or --all)", file=sys.stderr)
        return 2
    results = check_claim(args.claim, timeout=args.timeout)
    if args.format == "json":
        print(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(f"{r.status}: {r.statement}")
            for label, value in (("reason", r.reason), ("method", r.method), ("expected", r.expected)):
                if value:
                    print(f"    {label}: {value}")
            if r.witness:
                print(f"    witness: {json.dumps(r.witness, ensure_ascii=False)}")
    statuses = {r.status for r in results}
    return 1 if "refuted" in statuses else 3 if "inconclusive" in statuses else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (no SymPy import needed)."""
    p = argparse.ArgumentParser(
        prog="symbackprop",
        description="Derive and verify neural-network backpropagation symbolically.",
    )
    p.add_argument("--version", action="version", version=f"symbackprop {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="show the Python traceback of an internal error (exit 4) instead of one line")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("derive", help="closed forms of δ, ∂E/∂w, ∂E/∂b, ∂E/∂y with steps")
    d.add_argument("spec", help="network spec (TOML)")
    d.add_argument("--format", choices=("text", "latex", "json"), default="text")
    d.add_argument("--ascii", action="store_true",
                   help="ASCII text only (automatic when the terminal cannot show Unicode)")
    d.set_defaults(func=cmd_derive)

    v = sub.add_parser("verify", help="check the closed forms independently at concrete sizes")
    v.add_argument("spec", nargs="+", help="network spec(s) (TOML)")
    v.add_argument("--sizes", type=_sizes, default=None,
                   help="concrete widths, input first (default: the spec's, symbols → 3,2,3,…)")
    v.add_argument("--format", choices=("text", "json"), default="text")
    v.add_argument("--timeout", type=float, default=30.0, help="seconds per bounded check")
    v.add_argument("--symbolic", action="store_true",
                   help="first try a deterministic proof by SymEngine expansion (slow beyond small "
                        "widths); the randomized exact test decides the rest")
    v.set_defaults(func=cmd_verify)

    e = sub.add_parser("eval", help="numbers from the closed forms (JSON in, JSON out)")
    e.add_argument("spec", help="network spec (TOML)")
    e.add_argument("--params", required=True, help="JSON file with x, t, W, b")
    e.set_defaults(func=cmd_eval)

    pr = sub.add_parser("prove", help="prove identities of the catalog")
    pr.add_argument("names", nargs="*", metavar="NAME", help="identities to prove (see --list)")
    pr.add_argument("--list", action="store_true", help="list the catalog and exit")
    pr.add_argument("--all", action="store_true", help="prove every identity in the catalog")
    pr.add_argument("--claim", metavar="LATEX", help="check one LaTeX relation instead")
    pr.add_argument("--format", choices=("text", "json"), default="text")
    pr.add_argument("--timeout", type=float, default=10.0,
                    help="seconds per claim: statement, each step, each fact (default 10)")
    pr.set_defaults(func=cmd_prove)

    from .check_cli import add_check_parser
    from .codegen_cli import add_codegen_parser
    from .report_cli import add_report_parser

    add_check_parser(sub)
    add_report_parser(sub)
    add_codegen_parser(sub)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: parse, dispatch, and turn our errors into exit code 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Optional[Callable[[argparse.Namespace], int]] = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    from .errors import INTERNAL_ERROR, SymbackpropError, is_internal, reason_of
    from .options import check_options

    problem = check_options(args)
    if problem:
        print(f"symbackprop {args.command}: error: {problem}", file=sys.stderr)
        return 2
    try:
        return func(args)
    except SymbackpropError as exc:
        print(f"symbackprop: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("symbackprop: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # handled by run(): the reader went away
    except Exception as exc:  # a resource bound (exit 2) or a bug of ours (exit 4): one line
        if args.debug:
            raise
        if not is_internal(exc):
            print(f"symbackprop: error: {reason_of(exc)}", file=sys.stderr)
            return 2
        print(f"symbackprop: internal error: {type(exc).__name__}: {str(exc)[:200]}; please report it "
              f"(run with --debug for the traceback)", file=sys.stderr)
        return INTERNAL_ERROR


def run() -> NoReturn:
    """The program (console script and ``python -m symbackprop``): :func:`main`, then exit.

    Freezing the heap first spares the interpreter's final garbage collection, which
    would otherwise walk every object SymPy's import made (tens of milliseconds).
    """
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
