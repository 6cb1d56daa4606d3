"""reports/ is what the main-job command writes today: regenerate into a scratch folder and compare.

Only the reproducible formats (tex, md, html) are compared; PDFs depend on the
TeX installation and are not committed.
"""

from __future__ import annotations

from .conftest import REPORTS, SPECS
from .tools import need_module

REGENERATE = "python3 -m symbackprop report derivations/*.toml --proofs -o reports"


def test_reports_are_current(tmp_path):
    for module in ("symbackprop.verify", "symbackprop.identities", "latex2mathml"):
        need_module(module)
    from symbackprop.render.context import LANGS
    from symbackprop.pipeline import write_reports
    from symbackprop.render.reports import REPRODUCIBLE_FORMATS

    write_reports(SPECS, tmp_path, REPRODUCIBLE_FORMATS, LANGS, proofs=True)
    fresh = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in REPORTS.glob("*")
                 if p.suffix.lstrip(".") in REPRODUCIBLE_FORMATS}
    expected = {f"{s.stem}.{lang}.{kind}" for s in SPECS for lang in LANGS for kind in REPRODUCIBLE_FORMATS}
    expected |= {f"proofs.{lang}.{kind}" for lang in LANGS for kind in REPRODUCIBLE_FORMATS}
    assert set(fresh) == expected
    missing = sorted(set(fresh) - set(committed))
    extra = sorted(set(committed) - set(fresh))
    stale = sorted(name for name in set(fresh) & set(committed) if fresh[name] != committed[name])
    assert not (missing or extra or stale), (
        f"reports/ is not current (missing {missing}, not generated {extra}, stale {stale}); "
        f"regenerate with: {REGENERATE}")
