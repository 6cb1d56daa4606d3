"""``symbackprop derive SPEC``: the closed forms of δ, ∂E/∂w, ∂E/∂b, ∂E/∂y with their steps."""

from __future__ import annotations

import argparse
import json
import sys


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="network spec (TOML)")
    parser.add_argument("--format", choices=("text", "latex", "json"), default="text")
    parser.add_argument("--ascii", action="store_true",
                        help="plain ASCII text (sum, sigma, d/dx) instead of unicode maths")


def run(args: argparse.Namespace) -> int:
    """Print the closed forms and their steps."""
    from ..derive import derive
    from ..present import derivation_data, derivation_latex_document, derivation_text
    from ..spec import load

    d = derive(load(args.spec))
    if args.format == "json":
        print(json.dumps(derivation_data(d), ensure_ascii=False, indent=2))
    elif args.format == "latex":
        print(derivation_latex_document(d), end="")
    else:
        print(derivation_text(d, ascii=args.ascii, encoding=sys.stdout.encoding), end="")
    return 0
