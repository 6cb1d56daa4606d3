"""Command-line options checked once, before any work: guards as data.

Every guard is a named function ``guard(args) -> Optional[str]`` whose docstring states
the rule; :func:`check_options` runs them all over the parsed arguments of any
subcommand and returns the first message (a usage error, exit 2).  The guards look
only at attributes a subcommand has, so one table serves every command.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Callable, Iterable, Optional

#: documents larger than this are checked only with an explicit ``--budget``
MAX_DOCUMENT_BYTES = 4 * 1024 ** 2
#: document suffixes ``check DIR`` collects (the kinds :mod:`symbackprop.latex.extract` reads)
DOCUMENT_SUFFIXES = (".md", ".markdown", ".tex", ".html", ".htm", ".rst", ".ipynb", ".txt")

Guard = Callable[[argparse.Namespace], Optional[str]]


def seconds(text: str) -> float:
    """An argparse type: a time bound in seconds, positive and finite."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive, finite number of seconds, not {text!r}")
    return value


def _inputs(args: argparse.Namespace) -> list[str]:
    """The files a command reads (specs, documents, parameter files)."""
    found: list[str] = []
    for name in ("spec", "documents", "params"):
        value = getattr(args, name, None)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(v for v in value if isinstance(v, str))
    return found


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _bound_problem(option: str, value: object) -> Optional[str]:
    if value is None or (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
        return None
    return f"{option} must be a positive, finite number of seconds, not {value!r}"


def timeout_is_a_bound(args: argparse.Namespace) -> Optional[str]:
    """``--timeout`` bounds work: a positive, finite number of seconds (``inf``, ``nan``, 0 and
    negative values would switch the bound off or mark everything inconclusive)."""
    return _bound_problem("--timeout", getattr(args, "timeout", None))


def budget_is_a_bound(args: argparse.Namespace) -> Optional[str]:
    """``--budget`` bounds a whole document the same way: positive and finite, or not given."""
    return _bound_problem("--budget", getattr(args, "budget", None))


def output_is_not_an_input(args: argparse.Namespace) -> Optional[str]:
    """``-o`` never names a file the command reads: writing the result over its own input
    (``check notes.md -o notes.md``) would destroy the document."""
    output = getattr(args, "output", None)
    if not isinstance(output, str) or output == "-":
        return None
    for path in _inputs(args):
        if (os.path.exists(output) and _same_file(output, path)) or \
                os.path.abspath(output) == os.path.abspath(path):
            return f"-o {output}: that is an input of this command; write the result elsewhere"
    return None


def output_folder_is_a_folder(args: argparse.Namespace) -> Optional[str]:
    """``report -o DIR`` writes into a folder: an existing file there is refused, not replaced."""
    if getattr(args, "command", None) != "report":
        return None
    output = getattr(args, "output", None)
    if isinstance(output, str) and os.path.exists(output) and not os.path.isdir(output):
        return f"-o {output}: is a file; report writes into a folder (give a folder name)"
    return None


def templates_exist(args: argparse.Namespace) -> Optional[str]:
    """``--templates DIR`` must be an existing folder: a misspelt path would silently fall back
    to the built-in templates."""
    folder = getattr(args, "templates", None)
    if folder is None or os.path.isdir(folder):
        return None
    return f"--templates {folder}: no such folder"


GUARDS: tuple[Guard, ...] = (timeout_is_a_bound, budget_is_a_bound, output_is_not_an_input,
                             output_folder_is_a_folder, templates_exist)


def check_options(args: argparse.Namespace, guards: Iterable[Guard] = GUARDS) -> Optional[str]:
    """The first guard's message, or None when every guard passes."""
    for guard in guards:
        message = guard(args)
        if message:
            return message
    return None


def documents_in(paths: Iterable[str]) -> tuple[list[str], Optional[str]]:
    """Files to check: each file as given, each folder walked (sorted, hidden entries skipped)
    for :data:`DOCUMENT_SUFFIXES`.  Returns (files, message of the first problem or None)."""
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(str(f) for f in Path(p).rglob("*")
                           if f.is_file() and f.suffix.lower() in DOCUMENT_SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                return files, (f"{p}: a folder with no document in it "
                               f"({', '.join(s.lstrip('.') for s in DOCUMENT_SUFFIXES)})")
            files.extend(found)
        elif os.path.isfile(p):
            files.append(p)
        else:
            return files, f"{p}: no such file"
    return files, None


def too_large(paths: Iterable[str]) -> Optional[str]:
    """A document over :data:`MAX_DOCUMENT_BYTES` (notes and posts are far smaller): checking it
    could take hours, so it is refused unless the user sets ``--budget``."""
    for p in paths:
        size = os.path.getsize(p) if os.path.isfile(p) else 0
        if size > MAX_DOCUMENT_BYTES:
            return (f"{p}: {size / 1024 ** 2:.1f} MB is over the {MAX_DOCUMENT_BYTES // 1024 ** 2} MB a "
                    f"document is checked without a budget; give --budget SECONDS to check it anyway")
    return None
