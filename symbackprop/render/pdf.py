"""TeX → PDF with LuaLaTeX (through latexmk when present), in a scratch folder.

Only the PDF is kept; the log is returned so that callers (and the tests) can
look for errors and missing glyphs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import SymbackpropError

INSTALL_HINT = ("install a TeX engine with Japanese support, e.g. on Debian: apt-get install "
                "texlive-luatex texlive-lang-japanese texlive-latex-recommended latexmk "
                "(or run .ci/install-tools)")


class TexEngineMissing(SymbackpropError):
    """No lualatex on PATH: install one (see the message) or leave pdf out of --format."""


class TexCompileError(SymbackpropError):
    """lualatex stopped with an error: the message shows the first error lines of the log."""


@dataclass(frozen=True)
class Compiled:
    """A compiled PDF and the LuaLaTeX log of the last run."""

    pdf: Path
    log: str

    def missing_characters(self) -> list[str]:
        """The log's "Missing character" lines: glyphs no font had (they print as nothing)."""
        return [line for line in self.log.splitlines() if "Missing character" in line]


def engine() -> Optional[list[str]]:
    """The command that compiles a .tex file, or None when there is no lualatex."""
    if shutil.which("lualatex") is None:
        return None
    if shutil.which("latexmk") is not None:
        return ["latexmk", "-lualatex", "-interaction=nonstopmode", "-halt-on-error",
                "-file-line-error"]
    return ["lualatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error"]


def require_engine() -> list[str]:
    """The compile command; raises :class:`TexEngineMissing` with what to install."""
    cmd = engine()
    if cmd is None:
        raise TexEngineMissing(f"cannot make PDF: lualatex not found; {INSTALL_HINT}")
    return cmd


def _first_errors(log: str, lines: int = 12) -> str:
    out = log.splitlines()
    for i, line in enumerate(out):
        if line.startswith("!") or ":" in line and " error" in line.lower() and ".tex:" in line:
            return "\n".join(out[i:i + lines])
    return "\n".join(out[-lines:])


def compile_tex(tex: Path, pdf: Optional[Path] = None, timeout: float = 600,
                single_pass: bool = False) -> Compiled:
    """Compile ``tex`` to ``pdf`` (default: beside it), building in a scratch folder.

    latexmk runs LuaLaTeX as often as cross-references need; ``single_pass`` runs
    LuaLaTeX once instead (enough to find every error, and twice as fast).
    """
    cmd = require_engine()
    if single_pass and cmd[0] == "latexmk":
        cmd = ["lualatex"] + cmd[2:]
    tex = Path(tex).resolve()
    pdf = Path(pdf) if pdf is not None else tex.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="symbackprop-tex-") as build:
        env = dict(os.environ)
        env.setdefault("SOURCE_DATE_EPOCH", "0")  # no build date in the PDF
        args = cmd + ([f"-outdir={build}"] if cmd[0] == "latexmk" else [f"-output-directory={build}"])
        runs = 1 if cmd[0] == "latexmk" or single_pass else 2
        for _ in range(runs):
            try:
                proc = subprocess.run(args + [tex.name], cwd=tex.parent, env=env,
                                      stdin=subprocess.DEVNULL, capture_output=True,
                                      timeout=timeout)
            except subprocess.TimeoutExpired:
                raise TexCompileError(f"{tex}: lualatex took longer than {timeout:.0f} s") from None
            log_path = Path(build) / (tex.stem + ".log")
            log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
            if proc.returncode != 0:
                detail = _first_errors(log) or proc.stdout.decode(errors="replace")[-2000:]
                raise TexCompileError(f"{tex}: lualatex failed (exit {proc.returncode}):\n{detail}")
        built = Path(build) / (tex.stem + ".pdf")
        if not built.exists():
            raise TexCompileError(f"{tex}: lualatex wrote no PDF")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, pdf)
    return Compiled(pdf, log)
