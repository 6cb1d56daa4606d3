"""Writing reports: spec → derivation (+ verification) → context → templates → files.

File names: ``{spec stem}.{lang}.{ext}`` for a derivation (``classification.ja.md``)
and ``proofs.{lang}.{ext}`` for the identity catalog.  The verifier
(:mod:`symbackprop.verify`) and the catalog (:mod:`symbackprop.identities`) are
imported when needed; when one is missing, its section says so instead.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from .context import LANGS, derivation_context, proofs_context
import jinja2

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


def run_verification(net) -> tuple[Optional[dict], str]:
    """The verifier's JSON for ``net``, or (None, why not): a deterministic proof by expansion
    where it is affordable (the default sizes), the randomized exact test for the rest."""
    try:
        from ..verify import verify
    except ImportError:
        return None, "missing_module"
    from ..errors import SizeError

    try:
        return verify(net, symbolic=True).to_json(), ""
    except SizeError:  # the spec's own concrete widths: the report is written, its check is not
        return None, "too_large"


def identity_catalog() -> tuple[Optional[Mapping], Optional[dict], str]:
    """(catalog, verdict per name, note): the identities and their proofs, or (None, None, why not)."""
    try:
        from ..identities import IDENTITIES, prove_identity
    except ImportError:
        return None, None, "missing_module"
    return IDENTITIES, {name: prove_identity(name) for name in IDENTITIES}, ""


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


def write_reports(specs: Iterable[PathLike], outdir: PathLike = "reports",
                  formats: Sequence[str] = REPRODUCIBLE_FORMATS, langs: Sequence[str] = LANGS,
                  templates: Optional[PathLike] = None, proofs: bool = False,
                  verify: bool = True, jobs: int = 2,
                  progress: Optional[Callable[[Path], None]] = None) -> list[Path]:
    """Write the reports of every spec (and of the identity catalog when ``proofs``);
    returns the files written, in order.  PDFs are compiled ``jobs`` at a time."""
    from ..derive import derive
    from ..spec import load
    from .pdf import compile_tex, require_engine

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; allowed: {', '.join(FORMATS)}")
    if "pdf" in formats:
        require_engine()  # fail before any work
    out = Path(outdir)
    with tempfile.TemporaryDirectory(prefix="symbackprop-report-") as scratch:
        plan = _Plan(out, formats, Path(scratch), progress)
        for spec in specs:
            net = load(spec)
            d = derive(net)
            verification, note = run_verification(net) if verify else (None, "not_requested")
            for lang in langs:
                ctx = derivation_context(d, lang, verification, note, source=Path(spec).name)
                plan.emit(f"{Path(spec).stem}.{lang}", "derivation", ctx, templates)
        if proofs:
            catalog, verdicts, note = identity_catalog()
            for lang in langs:
                plan.emit(f"proofs.{lang}", "proofs", proofs_context(lang, catalog, verdicts, note),
                          templates)
        if plan.pdfs:
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                for compiled in pool.map(lambda job: compile_tex(*job), plan.pdfs):
                    plan.written.append(compiled.pdf)
                    plan.progress(compiled.pdf)
    return plan.written
