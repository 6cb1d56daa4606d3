"""Writing reports: derivation (+ verification) → context → templates → files.

File names: ``{spec stem}.{lang}.{ext}`` for a derivation (``classification.ja.md``)
and ``proofs.{lang}.{ext}`` for the identity catalog.  This module takes objects — a
:class:`DerivationReport`, a :class:`ProofsReport`, check results — and never loads a
spec, derives or verifies: that is the pipeline's (:mod:`symbackprop.pipeline`).
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import jinja2

from .context import LANGS
from .derivation_context import derivation_context
from .proofs_context import proofs_context
from .environments import TemplateRefused, environment, template_name

FORMATS = ("tex", "pdf", "md", "html")
#: The formats whose bytes depend only on the inputs (the PDF depends on the TeX installation).
REPRODUCIBLE_FORMATS = ("tex", "md", "html")
PathLike = os.PathLike | str


def render(report: str, kind: str, context: Mapping[str, Any],
           templates: Optional[PathLike] = None) -> str:
    """Render the template ``{report}.{kind}.j2`` (user folder first) with ``context``.

    A template that cannot be read or run (a syntax error, an undefined name, a call the
    sandbox refuses) is a :class:`TemplateRefused` naming the file and line."""
    try:
        return environment(kind, templates).get_template(template_name(report, kind)).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateRefused(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: "
                              f"{exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateRefused(f"template {template_name(report, kind)}: refused by the sandbox: {exc}") from None
    except jinja2.TemplateError as exc:
        raise TemplateRefused(f"template {template_name(report, kind)}: {exc.message or exc}") from None


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path


class _Plan:
    """What to write for one report: text files now, PDFs at the end (in parallel)."""

    def __init__(self, outdir: Path, formats: Sequence[str], scratch: Path,
                 progress: Optional[Callable[[Path], None]] = None) -> None:
        self.outdir, self.formats, self.scratch = outdir, formats, scratch
        self.progress = progress or (lambda path: None)
        self.written: list[Path] = []
        self.pdfs: list[tuple[Path, Path]] = []

    def emit(self, stem: str, report: str, context: Mapping[str, Any],
             templates: Optional[PathLike]) -> None:
        for kind in ("tex", "md", "html"):
            wants_pdf = kind == "tex" and "pdf" in self.formats
            if kind not in self.formats and not wants_pdf:
                continue
            text = render(report, kind, context, templates)
            folder = self.outdir if kind in self.formats else self.scratch
            path = _write(folder / f"{stem}.{kind}", text)
            if kind in self.formats:
                self.written.append(path)
                self.progress(path)
            if wants_pdf:
                self.pdfs.append((path, self.outdir / f"{stem}.pdf"))


@dataclass(frozen=True)
class DerivationReport:
    """What one derivation report shows: the derivation, the verifier's JSON (or None and a
    note — a key of ``messages.verification`` — saying why), and the file stem and source name."""

    stem: str
    derivation: Any
    verification: Optional[Mapping[str, Any]] = None
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class ProofsReport:
    """What the proof report shows: the identity catalog and its verdicts (or a note why not)."""

    catalog: Optional[Mapping[str, Any]]
    verdicts: Optional[Mapping[str, Any]] = None
    note: str = ""


def write(reports: Iterable[DerivationReport], outdir: PathLike = "reports",
          formats: Sequence[str] = REPRODUCIBLE_FORMATS, langs: Sequence[str] = LANGS,
          templates: Optional[PathLike] = None, proofs: Optional[ProofsReport] = None, jobs: int = 2,
          progress: Optional[Callable[[Path], None]] = None) -> list[Path]:
    """Write every report (one per derivation and language, and the proof report when given);
    returns the files written, in order.  PDFs are compiled ``jobs`` at a time.  Objects in,
    files out: nothing here loads, derives or verifies."""
    from .pdf import compile_tex, require_engine

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; allowed: {', '.join(FORMATS)}")
    if "pdf" in formats:
        require_engine()  # fail before any work
    with tempfile.TemporaryDirectory(prefix="symbackprop-report-") as scratch:
        plan = _Plan(Path(outdir), formats, Path(scratch), progress)
        for r in reports:
            for lang in langs:
                ctx = derivation_context(r.derivation, lang, r.verification, r.note, source=r.source)
                plan.emit(f"{r.stem}.{lang}", "derivation", ctx, templates)
        if proofs is not None:
            for lang in langs:
                plan.emit(f"proofs.{lang}", "proofs", proofs_context(lang, proofs.catalog, proofs.verdicts,
                                                                     proofs.note), templates)
        if plan.pdfs:
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                for compiled in pool.map(lambda job: compile_tex(*job), plan.pdfs):
                    plan.written.append(compiled.pdf)
                    plan.progress(compiled.pdf)
    return plan.written


def check_report(results: Sequence, kind: str, lang: str = "en") -> str:
    """The md or html report of check results (its data: :mod:`.check_context`)."""
    from .check_context import check_context

    return environment(kind).get_template(f"check.{kind}.j2").render(check_context(results, kind, lang))
