"""The output formats of ``symbackprop check``: one writer per format, in :data:`WRITERS`.

Every writer is ``writer(results, out, args)``: the :class:`~symbackprop.checker.DocumentResult`
list, a text stream, and the parsed options (``lang`` for md/html).  The formats in
:data:`STREAMED` are written document by document as each is done (``cli/check.py`` calls the
writer with one result at a time; JSON's list brackets are added there).

* ``text``   — per document: ``== FILE``, each refuted claim as a compiler diagnostic
  ``FILE:LINE: refuted: STATEMENT`` with indented witness (or why), expected right side and
  method; the other claims as ``line L, step C.S: status  STATEMENT``; then ``FILE: summary``.
* ``json``   — the check-result contract of docs/architecture.md.
* ``md``, ``html`` — the reports of ``render/templates/check.*.j2``.
* ``sarif``  — SARIF 2.1.0 for code scanning: one run, one result (level ``error``) per refuted
  claim, rules ``refuted`` and ``index-discipline/RULE``; each document an artifact whose
  properties hold its summary.  Inconclusive claims and unread fragments are not results
  (they would bury the errata as alerts); their counts are in the artifact's summary.
* ``github`` — GitHub Actions workflow commands: ``::error file=…,line=…,endLine=…,title=…::…``
  per refuted claim, then a plain ``FILE: summary`` line per document (a log line, not a
  notice: annotations are capped at 10 per kind and step, kept for the errata).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, TextIO
from urllib.parse import quote

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INDEX_DISCIPLINE = "index discipline"


# ── shared pieces ──────────────────────────────────────────────────────────
def witness_text(w: Optional[dict]) -> str:
    """``x = 13/3: left side 0.01…, right side 0.98… (difference -0.97…)``."""
    if not w:
        return ""
    values = ", ".join(f"{k} = {v}" for k, v in w.get("values", {}).items())
    return f"{values}: left side {w.get('lhs')}, right side {w.get('rhs')} (difference {w.get('difference')})"


def summary_line(s: dict) -> str:
    """"48 fragments found, 48 parsed (100%); 56 claims: 24 proved, 0 refuted, 32 inconclusive …"."""
    rate = f" ({100 * s['parsed'] / s['fragments']:.0f}%)" if s["fragments"] else ""
    reasons = ", ".join(f"{k} {v}" for k, v in s["inconclusive_by_reason"].items())
    return (f"{s['fragments']} fragments found, {s['parsed']} parsed{rate}; {s['claims']} claims: "
            f"{s['proved']} proved, {s['refuted']} refuted, {s['inconclusive']} inconclusive"
            + (f" ({reasons})" if reasons else "") + f"; {s['decided']} steps decided; {s['seconds']:.2f} s"
            + (f"; {s['unreached']} fragments not reached (budget spent)" if s.get("unreached") else ""))


def erratum_details(c: Any) -> list[tuple[str, str]]:
    """The (label, text) lines under a refuted claim: witness or why, expected, method."""
    rows = [("witness", witness_text(c.witness))] if c.witness else [("why", c.reason)]
    if c.expected:
        rows.append(("the right side should be", c.expected))
    if c.method:
        rows.append(("method", c.method))
    return rows


def erratum_message(c: Any) -> str:
    """A refuted claim as a few lines of plain text (SARIF message, GitHub annotation)."""
    return "\n".join([f"refuted: {c.statement or ' '.join(c.source.split())}"]
                     + [f"{label}: {text}" for label, text in erratum_details(c)])


def refuted(results: Sequence) -> list[tuple[Any, Any]]:
    """(document, claim) for every refuted claim, in document order."""
    return [(r, c) for r in results for c in r.claims if c.status == "refuted"]


def document_path(file: str) -> str:
    """The document path for an annotation: as given, relative to the working folder when it
    lies in it (GitHub resolves paths from the checkout), with forward slashes."""
    p = Path(file)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_posix()
    return p.as_posix().replace("\\", "/")


def document_uri(file: str) -> str:
    """The document as a SARIF artifact URI: a relative reference when the path is relative
    (or in the working folder), else a ``file:`` URI."""
    path = document_path(file)
    return Path(path).as_uri() if os.path.isabs(path) else quote(path, safe="/")


# ── text ───────────────────────────────────────────────────────────────────
def write_text(results: Sequence, out: TextIO, args: Optional[argparse.Namespace] = None) -> None:
    """Per document: each claim, the unread and unreached fragments, then ``FILE: summary``."""
    for r in results:
        print(f"== {r.file}", file=out)
        for c in r.claims:
            if c.status == "refuted":  # FILE:LINE: like a compiler, so editors can jump to it
                print(f"{r.file}:{c.line}: refuted: {c.statement}", file=out)
                for label, text in erratum_details(c):
                    print(f"    {label + ':':<9} {text}" if len(label) < 9 else f"    {label}: {text}", file=out)
            else:
                print(f"line {c.line}, step {c.chain}.{c.step}: {c.status}  {c.statement}", file=out)
                if c.status == "inconclusive":
                    print(f"    {c.category}: {c.reason}", file=out)
                elif c.method:
                    print(f"    {c.method}", file=out)
        for u in r.unparsed:
            print(f"line {u['line']}: not parsed ({u['reason']}): {' '.join(u['source'].split())[:80]}", file=out)
        if r.unreached:
            print(f"line {r.unreached[0]['line']}: not reached: the budget of {r.budget:g} s was spent "
                  f"before this fragment and {len(r.unreached) - 1} after it (raise --budget)", file=out)
        print(f"{r.file}: {summary_line(r.summary())}", file=out)
        print(file=out)


# ── JSON ───────────────────────────────────────────────────────────────────
def json_text(results: Sequence) -> str:
    """One object for one document, a list for several (docs/architecture.md, Contracts)."""
    data = [r.to_json() for r in results]
    return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n"


def write_json(results: Sequence, out: TextIO, args: Optional[argparse.Namespace] = None) -> None:
    out.write(json_text(results))


# ── Markdown and HTML (the templates; render/check_context.py builds their context) ──────
def _report_writer(kind: str) -> Callable[..., None]:
    def write(results: Sequence, out: TextIO, args: Optional[argparse.Namespace] = None) -> None:
        from .cli.check import render_report

        out.write(render_report(results, kind, getattr(args, "lang", "en") or "en"))

    write.__doc__ = f"The {kind} report of the check results."
    return write


# ── SARIF 2.1.0 ────────────────────────────────────────────────────────────
def _sarif_rules() -> list[dict[str, Any]]:
    from .checker.index_rules import INDEX_RULES

    rules = [{
        "id": "refuted",
        "name": "RefutedRelation",
        "shortDescription": {"text": "A relation of the document is false"},
        "fullDescription": {"text": "A step of a relation chain is refuted: at the witness both sides have "
                                    "values and they differ."},
        "help": {"text": "The two sides of this step differ at the values of the witness (both sides are "
                         "defined there). Fix the right side; when the checker could derive it, the message "
                         "says what it should be. A kink or an undefined point is never a witness.",
                 "markdown": "The two sides of this step differ at the values of the **witness** (both sides "
                             "are defined there). Fix the right side; when the checker could derive it, the "
                             "message says what it should be. A kink or an undefined point is never a witness."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["maths", "correctness"], "precision": "very-high"},
    }]
    for rule in INDEX_RULES:
        why = " ".join(rule.rationale.split())
        rules.append({
            "id": f"index-discipline/{rule.name}",
            "name": "IndexDiscipline" + "".join(w.title() for w in rule.name.split("-")),
            "shortDescription": {"text": f"Index discipline: {rule.name.replace('-', ' ')}"},
            "fullDescription": {"text": "Both sides of a relation must have the same free indices; no value "
                                        "of the quantities can repair this one (refuted without a witness)."},
            "help": {"text": why, "markdown": why + "\n\nExample of the erratum:\n\n```\n"
                                                    + rule.example.strip() + "\n```"},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["maths", "correctness", "indices"], "precision": "high"},
        })
    return rules


def sarif_rule_id(c: Any) -> str:
    """``index-discipline/RULE`` for an index-discipline erratum, else ``refuted``."""
    method = c.method or ""
    if not c.witness and method.startswith(INDEX_DISCIPLINE) and "(" in method:
        return "index-discipline/" + method[method.index("(") + 1:].rstrip(")").strip()
    return "refuted"


def sarif_log(results: Sequence) -> dict[str, Any]:
    """The SARIF 2.1.0 log of the check results: one run, one result per refuted claim."""
    from . import __version__

    rules = _sarif_rules()
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    artifacts = [{"location": {"uri": document_uri(r.file)}, "roles": ["analysisTarget"],
                  "properties": {"summary": r.summary()}} for r in results]
    where = {id(r): n for n, r in enumerate(results)}
    found = []
    for r, c in refuted(results):
        rule = sarif_rule_id(c)
        if rule not in index:  # a rule added to the checker after this table: still reported
            rule = "refuted"
        region = {"startLine": max(1, c.line), "endLine": max(1, c.line, c.end_line)}
        if c.source:
            region["snippet"] = {"text": c.source}
        found.append({
            "ruleId": rule, "ruleIndex": index[rule], "level": "error",
            "message": {"text": erratum_message(c)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": document_uri(r.file), "index": where[id(r)]},
                "region": region}}],
            "properties": {"step": f"{c.chain}.{c.step}", "statement": c.statement, "witness": c.witness,
                           "expected": c.expected, "method": c.method, "reason": c.reason},
        })
    driver = {"name": "symbackprop", "version": __version__, "semanticVersion": __version__, "rules": rules}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "artifacts": artifacts, "results": found,
                      "columnKind": "unicodeCodePoints"}]}


def write_sarif(results: Sequence, out: TextIO, args: Optional[argparse.Namespace] = None) -> None:
    out.write(json.dumps(sarif_log(results), ensure_ascii=False, indent=2) + "\n")


# ── GitHub Actions workflow commands ───────────────────────────────────────
def github_data(text: str) -> str:
    """A workflow command's message escaped: % CR LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value escaped: % CR LF, and : , too."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def github_title(c: Any) -> str:
    """``symbackprop: refuted`` or ``symbackprop: index discipline (RULE)``."""
    rule = sarif_rule_id(c)
    kind, _, name = rule.partition("/")
    return f"symbackprop: {kind.replace('-', ' ')}" + (f" ({name})" if name else "")


def write_github(results: Sequence, out: TextIO, args: Optional[argparse.Namespace] = None) -> None:
    """``::error`` per refuted claim, then a plain ``FILE: summary`` log line per document."""
    for r in results:
        path = github_property(document_path(r.file))
        for c in r.claims:
            if c.status != "refuted":
                continue
            props = (f"file={path},line={max(1, c.line)},endLine={max(1, c.line, c.end_line)},"
                     f"title={github_property(github_title(c))}")
            print(f"::error {props}::{github_data(erratum_message(c))}", file=out)
        print(f"{r.file}: {summary_line(r.summary())}", file=out)


#: format name → writer(results, out, args); cli/check.py offers these names to --format.
WRITERS: dict[str, Callable[..., None]] = {
    "text": write_text, "json": write_json, "md": _report_writer("md"), "html": _report_writer("html"),
    "sarif": write_sarif, "github": write_github,
}
#: written document by document as each is done (to stdout)
STREAMED = frozenset({"text", "json", "github"})
