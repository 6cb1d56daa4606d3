"""``symbackprop eval SPEC --params P.json``: numbers from the closed forms (JSON in, JSON out)."""

from __future__ import annotations

import argparse
import json


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="network spec (TOML)")
    parser.add_argument("--params", required=True, help="JSON file with x, t, W, b (docs/numbers.md)")


def run(args: argparse.Namespace) -> int:
    """Evaluate loss, outputs and every gradient from the closed forms."""
    from ..derive import derive
    from ..errors import ParamsError
    from ..evaluate import evaluate_json
    from ..spec import load

    d = derive(load(args.spec))
    try:
        with open(args.params, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ParamsError(f"{args.params}: cannot read ({exc.strerror})") from None
    print(json.dumps(evaluate_json(d, text), indent=2))
    return 0
