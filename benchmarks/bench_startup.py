"""Item 4 — CLI start-up: what a user waits for from a cold process.

Interleaved runs (fresh interpreter each) of

    python -c pass                       (the interpreter alone)
    python -c "import sympy"             (SymPy's own import: the floor for derive)
    python -m symbackprop --version
    python -m symbackprop --help
    python -m symbackprop derive derivations/perceptron.toml

and ``python -X importtime`` of --version, --help and derive: whether SymPy is
imported, and which packages the derive path imports at what cumulative cost
(numpy, jinja2, symengine, mpmath, lark, …), with the module that pulled each in.

Targets: --version and --help import no SymPy; derive < 0.6 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

from common import ROOT, environment, fmt_ratio, fmt_seconds, table, write_json

SPEC = "derivations/perceptron.toml"
CLI = [sys.executable, "-m", "symbackprop"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import sympy": [sys.executable, "-c", "import sympy"],
    "symbackprop --version": CLI + ["--version"],
    "symbackprop --help": CLI + ["--help"],
    f"symbackprop derive {SPEC}": CLI + ["derive", SPEC],
}
#: Packages whose import cost is reported (top-level names).
WATCH = ("sympy", "numpy", "jinja2", "symengine", "mpmath", "lark", "scipy", "torch", "markupsafe",
         "tomllib", "tomli", "json", "argparse")
TARGET_DERIVE = 0.6


def _time(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU of the child) seconds of one run."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def importtime(cmd_args: list[str]) -> list[dict[str, Any]]:
    """Parse ``python -X importtime``: one dict per import (name, self µs, cumulative µs, depth, parent)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "symbackprop"] + cmd_args, cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line[len("import time:"):].split("|")
        name = name[1:]  # one separator space, then two spaces per nesting level
        depth = (len(name) - len(name.lstrip(" "))) // 2
        rows.append({"name": name.strip(), "self_us": int(self_us), "cum_us": int(cum_us), "depth": depth})
    # importtime lists children before their parent: a parent is the next row with a smaller depth
    for i, r in enumerate(rows):
        r["parent"] = next((p["name"] for p in rows[i + 1:] if p["depth"] < r["depth"]), None)
    return rows


def import_report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """For each watched top-level package: cumulative ms and who imported it first."""
    out = {}
    for r in rows:
        top = r["name"].split(".")[0]
        if top in WATCH and top not in out and (r["name"] == top):
            out[top] = {"ms": round(r["cum_us"] / 1000, 1), "imported_by": r["parent"] or "(top level)"}
    own = sorted(((r["name"], round(r["self_us"] / 1000, 1)) for r in rows
                  if r["name"].startswith("symbackprop")), key=lambda x: -x[1])
    top = sorted((r for r in rows if r["depth"] == 0), key=lambda r: -r["cum_us"])[:8]
    return {"packages": out, "symbackprop_modules_self_ms": dict(own),
            "top_level_ms": {r["name"]: round(r["cum_us"] / 1000, 1) for r in top},
            "total_ms": round(sum(r["self_us"] for r in rows) / 1000, 1),
            "modules": len(rows)}


def run(quick: bool = False, out_dir=None) -> dict[str, Any]:
    reps = 3 if quick else 7
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in COMMANDS}
    for k, cmd in COMMANDS.items():  # warm the file cache once
        _time(cmd)
    for r in range(reps):
        for k, cmd in COMMANDS.items():
            samples[k].append(_time(cmd))
    timing = {k: {"wall_min": min(s[0] for s in v), "wall_median": statistics.median(s[0] for s in v),
                  "cpu_min": min(s[1] for s in v)} for k, v in samples.items()}
    sympy_ms = timing["import sympy"]["cpu_min"]
    rows = [(k, fmt_seconds(t["wall_min"]), fmt_seconds(t["wall_median"]), fmt_seconds(t["cpu_min"]),
             fmt_ratio(t["cpu_min"] / sympy_ms)) for k, t in timing.items()]

    imports = {}
    for label, args in (("--version", ["--version"]), ("--help", ["--help"]), ("derive", ["derive", SPEC])):
        rep = import_report(importtime(args))
        imports[label] = rep
    derive_key = f"symbackprop derive {SPEC}"
    targets = {
        "version_without_sympy": "sympy" not in imports["--version"]["packages"],
        "help_without_sympy": "sympy" not in imports["--help"]["packages"],
        "derive_under_0.6s": timing[derive_key]["cpu_min"] < TARGET_DERIVE,
        "derive_seconds": timing[derive_key]["cpu_min"],
        "derive_over_sympy_import": timing[derive_key]["cpu_min"] / sympy_ms,
    }
    data = {"item": "startup", "environment": environment(), "timing": timing, "imports": imports,
            "targets": targets}
    write_json("startup", data, out_dir)

    print(f"\nCLI start-up, fresh process each ({reps} interleaved runs; CPU = the child's user+system)")
    print(table(("command", "wall min", "wall median", "CPU min", "CPU / import sympy"), rows))
    for label, rep in imports.items():
        pk = ", ".join(f"{k} {v['ms']:.0f} ms (via {v['imported_by']})" for k, v in rep["packages"].items()
                       if k not in ("json", "argparse", "tomllib", "tomli")) or "none of the heavy ones"
        print(f"\nimports of {label}: {rep['modules']} modules, {rep['total_ms']:.0f} ms in all; {pk}")
        print("  largest top-level imports (cumulative ms): "
              + ", ".join(f"{k} {v:.0f}" for k, v in rep["top_level_ms"].items()))
        if label == "derive":
            own = ", ".join(f"{k} {v:.1f}" for k, v in list(rep["symbackprop_modules_self_ms"].items())[:6])
            print(f"  symbackprop's own modules (self ms): {own}")
    print(f"targets: {targets}")
    return data
