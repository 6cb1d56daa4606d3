"""``symbackprop codegen SPEC [--target numpy|torch]``: write the NumPy (or torch) module of a network.

SymPy is imported only when the command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys


def run(args: argparse.Namespace) -> int:
    """Derive the spec and write the generated module (stdout, or ``--output``)."""
    from ..codegen import generate
    from ..derive import derive
    from ..errors import SymbackpropError
    from ..spec import load

    source = generate(derive(load(args.spec)), source=args.spec.replace(os.sep, "/"),
                      dtype=args.dtype, target=args.target)
    if args.output in (None, "-"):
        sys.stdout.write(source)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(source)
    except OSError as exc:
        raise SymbackpropError(f"{args.output}: cannot write ({exc.strerror or exc})") from None
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="network spec (TOML)")
    parser.add_argument("--target", choices=("numpy", "torch"), default="numpy",
                        help="library of the written code: numpy (default) or torch (no autograd)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="array type of the computation")
    parser.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="where to write the module (default: stdout)")
