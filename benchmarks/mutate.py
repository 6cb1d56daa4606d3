#!/usr/bin/env python3
"""Mutation testing of the core with mutmut: ``python benchmarks/mutate.py [TARGET …]``.

Targets (default: simplify rules), each with the fast tests that matter for it:

  simplify  symbackprop/simplify.py       tests/test_simplify.py tests/test_derive.py
  rules     symbackprop/rules/*.py        tests/test_derive.py tests/test_identities.py tests/test_prove.py
                                          tests/test_evaluate.py tests/test_spec.py tests/render/test_templates.py
  engine    symbackprop/prover/engine.py  tests/test_prove.py tests/prover tests/checker/test_one_decider.py

mutmut (``pip install '.[mutation]'``) writes a ``mutants/`` copy of the package and its
cache next to the configuration it reads, so every target runs in a scratch copy of the
package and the tests *outside* the repository (``--workdir``, default a fresh temporary
folder, removed afterwards unless ``--keep``): nothing in the checkout is written or
modified.  The property tests run with a fixed seed (``SYMBACKPROP_TEST_SEED``) and fewer
examples (``SYMBACKPROP_TEST_EXAMPLES``) so a score can be reproduced.

Two pitfalls are handled in the scratch copy: SymPy's cache is cleared before each test (a
mutant's run is forked from a process that ran every test unmutated, so cached results
would hide the mutation), and test ids are not escaped (mutmut hands the recorded node ids
back to pytest, which cannot select an escaped non-ASCII id; the error counted as a kill).

Prints killed/total per module and every surviving mutant's diff, and writes
``benchmarks/results/mutation.json`` (``--no-json``: don't).  Not part of ``make test``:
on 2 shared cores simplify takes about 1.5 minutes, rules about 12; engine was not run yet.
Known equivalent survivors: simplify ``_collapse_term`` ``term / f`` → ``term * f`` (twice:
δ_jj = 1 after the substitution) and ``changed = False`` → ``None``; rules ``fdiff``'s
default ``argindex`` (SymPy always passes it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: target → (files to mutate, relative to the root; the test selection)
TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "simplify": (["symbackprop/simplify.py"], ["tests/test_simplify.py", "tests/test_derive.py"]),
    "rules": (["symbackprop/rules/*.py"],
              ["tests/test_derive.py", "tests/test_identities.py", "tests/test_prove.py", "tests/test_evaluate.py",
               "tests/test_spec.py", "tests/render/test_templates.py"]),
    "engine": (["symbackprop/prover/engine.py"],
               ["tests/test_prove.py", "tests/prover", "tests/checker/test_one_decider.py"]),
}
#: copied into the scratch folder (the tests read specs and documents from here)
COPY = ["symbackprop", "tests", "derivations", "pyproject.toml"]
#: A conftest.py for the scratch copy.  mutmut forks each mutant's run from a process that has
#: already run every test unmutated, so SymPy's cache (``cacheit``: Function.eval, assumptions,
#: diff …) would answer with unmutated results; it is cleared before every test.
CONFTEST = '''"""Written by benchmarks/mutate.py: SymPy's cache is cleared before each test."""
from sympy.core.cache import clear_cache


def pytest_runtest_setup(item):
    clear_cache()
'''
#: mutmut's words for the exit codes it records
KILLED = {"killed", "caught by type check"}


def mutmut_bin() -> str:
    exe = Path(sys.executable).with_name("mutmut")
    if not exe.exists():
        sys.exit("mutmut is not installed in this environment: pip install '.[mutation]'")
    return str(exe)


def prepare(work: Path, target: str, tests: list[str]) -> None:
    """A copy of the package and tests with a setup.cfg that tells mutmut what to do."""
    mutate = TARGETS[target][0]
    work.mkdir(parents=True, exist_ok=True)
    for name in COPY:
        src, dst = ROOT / name, work / name
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis"))
        elif src.exists():
            shutil.copy2(src, dst)
    (work / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    lines = ["[mutmut]", "source_paths = symbackprop", "only_mutate ="]
    lines += [f"    {p}" for p in mutate]
    lines += ["also_copy =", "    conftest.py"] + [f"    {name}" for name in COPY if name not in ("symbackprop", "tests")]
    lines += ["pytest_add_cli_args_test_selection ="] + [f"    {t}" for t in tests]
    # mutmut hands the node ids it recorded back to pytest, which finds an id with escaped
    # non-ASCII characters (σ′, Σ) no more: an unrunnable test would count as a kill
    lines += ["pytest_add_cli_args =", "    -p", "    no:cacheprovider", "    -m", "    not slow", "    -o",
              "    disable_test_id_escaping_and_forfeit_all_rights_to_community_support=true",
              "use_git_change_detection = false", ""]
    (work / "setup.cfg").write_text("\n".join(lines), encoding="utf-8")


def run_target(work: Path, target: str, children: int, env: dict) -> dict:
    """Run mutmut in ``work``; the status of every mutant and the diff of each survivor."""
    exe = mutmut_bin()
    start = time.monotonic()
    run = subprocess.run([exe, "run", "--max-children", str(children)], cwd=work, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = round(time.monotonic() - start, 1)
    log = run.stdout
    (work / "mutmut-run.log").write_text(log, encoding="utf-8")
    if run.returncode != 0:
        tail = "\n".join(log.splitlines()[-30:])
        raise SystemExit(f"mutmut run failed for {target} (exit {run.returncode}); log in {work}:\n{tail}")
    listing = subprocess.run([exe, "results", "--all", "true"], cwd=work, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    statuses: dict[str, str] = {}
    for line in listing.splitlines():
        m = re.match(r"\s+(\S+): (.+)$", line)
        if m:
            statuses[m.group(1)] = m.group(2).strip()
    survivors = {}
    for name, status in sorted(statuses.items()):
        if status not in KILLED:
            shown = subprocess.run([exe, "show", name], cwd=work, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
            survivors[name] = {"status": status, "diff": shown.strip()}
    return {"seconds": seconds, "statuses": statuses, "survivors": survivors}


def module_of(mutant: str) -> str:
    """symbackprop.simplify.x_tidy__mutmut_3 (a method: …functions.xǁsigmoidǁfdiff__mutmut_1)
    → symbackprop/simplify.py"""
    m = re.match(r"(.*?)\.x[_ǁ]", mutant)
    return (m.group(1) if m else mutant.rsplit(".", 1)[0]).replace(".", "/") + ".py"


def scores(statuses: dict[str, str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, status in statuses.items():
        row = out.setdefault(module_of(name), {"killed": 0, "total": 0, "by_status": {}})
        row["total"] += 1
        row["killed"] += status in KILLED
        row["by_status"][status] = row["by_status"].get(status, 0) + 1
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="*", metavar="TARGET",
                    help=f"one or more of {', '.join(TARGETS)} (default: simplify rules)")
    ap.add_argument("--max-children", type=int, default=2, help="mutants run in parallel (default 2)")
    ap.add_argument("--seed", default="20260613", help="SYMBACKPROP_TEST_SEED for the property tests")
    ap.add_argument("--examples", default="40", help="SYMBACKPROP_TEST_EXAMPLES (hypothesis examples per test)")
    ap.add_argument("--workdir", type=Path, help="scratch folder outside the repository (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder (mutmut browse/show there)")
    ap.add_argument("--tests", help="comma-separated test selection instead of the target's own "
                    "(e.g. the suite without a new test file, for a score before it)")
    ap.add_argument("--no-json", action="store_true", help="do not write benchmarks/results/mutation.json")
    args = ap.parse_args(argv)
    args.targets = args.targets or ["simplify", "rules"]
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        ap.error(f"unknown target {', '.join(unknown)}; choose from {', '.join(TARGETS)}")

    base = args.workdir or Path(tempfile.mkdtemp(prefix="symbackprop-mutate-"))
    base = base.resolve()
    if base == ROOT or ROOT in base.parents:
        sys.exit(f"--workdir must be outside the repository ({ROOT}): mutmut writes there")
    env = dict(os.environ, SYMBACKPROP_TEST_SEED=args.seed, SYMBACKPROP_TEST_EXAMPLES=args.examples,
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    report: dict = {"seed": args.seed, "examples": args.examples, "targets": {}}
    try:
        for target in args.targets:
            work = base / target
            if work.exists():
                shutil.rmtree(work)
            tests = args.tests.split(",") if args.tests else TARGETS[target][1]
            prepare(work, target, tests)
            print(f"════ {target}: mutating {', '.join(TARGETS[target][0])} with {' '.join(tests)}", flush=True)
            result = run_target(work, target, args.max_children, env)
            per_module = scores(result["statuses"])
            report["targets"][target] = {"tests": tests, "seconds": result["seconds"],
                                         "modules": per_module, "survivors": result["survivors"]}
            for module, row in per_module.items():
                others = ", ".join(f"{n} {s}" for s, n in sorted(row["by_status"].items()) if s not in KILLED)
                print(f"  {module:40s} {row['killed']:4d}/{row['total']:<4d} killed"
                      + (f"  ({others})" if others else ""))
            print(f"  {result['seconds']} s")
            for name, s in result["survivors"].items():
                print(f"\n  ── {name} ({s['status']})\n" + "\n".join("    " + x for x in s["diff"].splitlines()))
            print(flush=True)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(base, ignore_errors=True)
        elif args.keep:
            print(f"scratch folder kept: {base}")
    if not args.no_json:
        out = HERE / "results" / "mutation.json"
        out.parent.mkdir(exist_ok=True)
        old = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        old.setdefault("targets", {}).update(report["targets"])
        old.update(seed=report["seed"], examples=report["examples"])
        out.write_text(json.dumps(old, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
