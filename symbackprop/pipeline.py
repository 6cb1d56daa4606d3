"""The two flows of symbackprop, each one short function a newcomer reads top to bottom.

Report (``symbackprop report``)::

    spec ─► load ─► derive ─► verify ─► render (context ─► templates ─► tex/md/html/pdf)

Check (``symbackprop check``)::

    document ─► extract ─► read ─► walk (definitions, doubts) ─► decide ─► results ─► render

The command line and the library both call these; :mod:`symbackprop.render` takes the
objects they produce and never loads, derives or verifies by itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

PathLike = Union[str, "os.PathLike[str]"]


# ── report ────────────────────────────────────────────────────────────────
def verification_of(derivation: Any) -> tuple[Optional[Mapping[str, Any]], str]:
    """The verifier's JSON for a derivation at its default sizes (a deterministic proof by
    expansion where affordable, the randomized exact test for the rest), or (None, why not)."""
    from .errors import SizeError
    from .verify import verify

    try:
        return verify(derivation, symbolic=True).to_json(), ""
    except SizeError:  # the spec's own concrete widths: the report is written, its check is not
        return None, "too_large"


def proved_catalog() -> Any:
    """The identity catalog with a verdict for each identity (the proof report's content)."""
    from .identities import IDENTITIES
    from .identity_proofs import prove_identity
    from .render.reports import ProofsReport

    return ProofsReport(IDENTITIES, {name: prove_identity(name) for name in IDENTITIES})


def derivation_report(spec: PathLike, verify: bool = True) -> Any:
    """One spec through the report flow up to the renderer: load, derive, verify."""
    from .derive import derive
    from .render.reports import DerivationReport
    from .spec import load

    d = derive(load(spec))
    verification, note = verification_of(d) if verify else (None, "not_requested")
    return DerivationReport(Path(spec).stem, d, verification, note, Path(spec).name)


def write_reports(specs: Iterable[PathLike], outdir: PathLike = "reports",
                  formats: Optional[Sequence[str]] = None, langs: Optional[Sequence[str]] = None,
                  templates: Optional[PathLike] = None, proofs: bool = False, verify: bool = True,
                  jobs: int = 2, progress: Optional[Callable[[Path], None]] = None) -> list[Path]:
    """The report flow: every spec loaded, derived and verified, then every report written
    (``formats`` of tex, pdf, md, html; ``langs`` of en, ja); returns the files written."""
    from .render.context import LANGS
    from .render.reports import REPRODUCIBLE_FORMATS, write

    reports = [derivation_report(spec, verify) for spec in specs]
    catalog = proved_catalog() if proofs else None
    return write(reports, outdir, formats or REPRODUCIBLE_FORMATS, langs or LANGS, templates, catalog,
                 jobs, progress)


def render(obj: Any, kind: str = "md", lang: str = "en", templates: Optional[PathLike] = None) -> str:
    """A report as text: of a :class:`~symbackprop.derive.Derivation` (verified at its default
    sizes) or of check results (one :class:`~symbackprop.checker.DocumentResult` or a list);
    ``kind`` tex, md or html (check results: md or html), ``lang`` en or ja."""
    from .derive import Derivation
    from .render.derivation_context import derivation_context
    from .render.reports import check_report
    from .render.reports import render as render_template

    if isinstance(obj, Derivation):
        verification, note = verification_of(obj)
        ctx = derivation_context(obj, lang, verification, note)
        return render_template("derivation", kind, ctx, templates)
    results = obj if isinstance(obj, (list, tuple)) else [obj]
    return check_report(results, kind, lang)


# ── check ─────────────────────────────────────────────────────────────────
def check(document: PathLike, *, timeout: Optional[float] = None, budget: Optional[float] = None,
          progress: Optional[Callable[[int, int], None]] = None) -> Any:
    """The check flow for one document (md, tex, txt, html, rst, ipynb): every relation read as
    a claim and decided — proved, refuted with a witness, or inconclusive with the reason —
    within ``timeout`` seconds per fragment and step and ``budget`` for the whole document."""
    from .checker import DEFAULT_TIMEOUT, check_document

    return check_document(document, timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                          progress=progress, budget=budget)
