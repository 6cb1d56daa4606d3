"""The command line: one parser built from one table of subcommands, one error path.

Each subcommand is a module of this package with ``arguments(parser)`` and ``run(args) → exit
code``; :data:`COMMANDS` lists them.  SymPy-heavy imports happen inside ``run``, so
``--version`` and ``--help`` start fast.  Errors (docs/contracts.md): a SymbackpropError, a bad
option (``options.GUARDS``) or a resource bound is one line on stderr and exit 2; anything else
is an internal error, one line and exit 4 (``--debug`` shows the traceback); exit codes of
verdicts follow ``verdict.exit_code_of``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from dataclasses import dataclass
from importlib import import_module
from typing import NoReturn, Optional, Sequence

from .. import __version__


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, the module that declares and runs it, its one-line help."""

    name: str
    module: str
    help: str
    description: str = ""


COMMANDS: tuple[Command, ...] = (
    Command("derive", "derive", "closed forms of δ, ∂E/∂w, ∂E/∂b, ∂E/∂y with steps"),
    Command("verify", "verify", "check the closed forms independently at concrete sizes"),
    Command("eval", "evaluate", "numbers from the closed forms (JSON in, JSON out)"),
    Command("prove", "prove", "prove identities of the catalog, or check one LaTeX claim (--claim)"),
    Command("check", "check", "check the formulas of documents, step by step",
            "Every relation in the documents becomes a claim: proved, refuted with a witness, or "
            "inconclusive with the reason."),
    Command("report", "report", "derivation reports (tex, pdf, md, html) in English and Japanese",
            "Write a report per spec and language: the layer table, the forward pass, every step of "
            "the derivation with its rule, boxed results in index and matrix form, and the verification."),
    Command("codegen", "codegen", "write a NumPy (or torch) module with the loss and every gradient, for a batch",
            "Write a self-contained module (forward, loss, gradients) generated from the derived batch "
            "form of the network: NumPy (imports NumPy only) or torch (plain tensor ops without "
            "autograd, imports torch only)."),
)


def _module(command: Command):
    return import_module(f"{__name__}.{command.module}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand (no SymPy import needed)."""
    p = argparse.ArgumentParser(prog="symbackprop",
                                description="Derive and verify neural-network backpropagation symbolically.")
    p.add_argument("--version", action="version", version=f"symbackprop {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="show the Python traceback of an internal error (exit 4) instead of one line")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for c in COMMANDS:
        sp = sub.add_parser(c.name, help=c.help, description=c.description or c.help)
        _module(c).arguments(sp)
        sp.set_defaults(run=_module(c).run)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse, check the options, dispatch; every failure becomes one line and an exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help()
        return 2
    from ..errors import INTERNAL_ERROR, SymbackpropError, is_internal, reason_of
    from .options import check_options

    problem = check_options(args)
    if problem:
        print(f"symbackprop {args.command}: error: {problem}", file=sys.stderr)
        return 2
    try:
        return args.run(args)
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
