"""Real tools for the report tests: find them, or skip (locally) / fail (in CI, ``CI=true``)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
INSTALL = "run .ci/install-tools (Debian: texlive-luatex texlive-lang-japanese latexmk poppler-utils chromium)"


def need(*tools: str) -> None:
    """Skip the test when a tool is missing — unless in CI, where a missing tool fails it."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed; {INSTALL}"
    if IN_CI:
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


def need_module(name: str) -> None:
    """Skip when a Python module is missing (a sibling module not landed yet); fail in CI."""
    try:
        __import__(name)
    except ImportError as exc:
        if IN_CI:
            pytest.fail(f"CI=true but {name} cannot be imported: {exc}")
        pytest.skip(f"{name} not available yet ({exc})")


def chromium() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"


def screenshot(html: Path, png: Path, size: str = "1200,1600") -> None:
    """Headless Chromium: ``html`` → ``png``; no network, a fresh profile."""
    with tempfile.TemporaryDirectory(prefix="symbackprop-chromium-") as profile:
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
               "--virtual-time-budget=5000", f"--screenshot={png}", f"--window-size={size}",
               Path(html).resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]


def pdf_page_png(pdf: Path, prefix: Path, page: int = 1, dpi: int = 60) -> Path:
    """pdftoppm: one page of ``pdf`` → ``{prefix}.png``."""
    proc = subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                           "-singlefile", str(pdf), str(prefix)],
                          capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return prefix.with_suffix(".png")


def png_stats(png: Path) -> tuple[int, int, float]:
    """(width, height, share of pixels that are not near-white) of an 8-bit RGB/RGBA/grey PNG."""
    data = Path(png).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, color = header[:4]
    assert depth == 8, f"{png}: bit depth {depth}"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    prev = bytearray(stride)
    dark = 0
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):  # undo the PNG row filter
            a = line[x - channels] if x >= channels else 0
            b, c = prev[x], (prev[x - channels] if x >= channels else 0)
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        dark += sum(1 for x in range(0, stride, channels) if line[x] < 160)
        prev = line
    return width, height, dark / (width * height)
