"""One error family: every error says what the user should do."""

from __future__ import annotations


class SymbackpropError(Exception):
    """Base class of every error symbackprop raises on purpose."""

    exit_code = 2


class SpecError(SymbackpropError):
    """A network spec is malformed: fix the file, key or value named in the message."""


class ModelError(SymbackpropError):
    """A network was built with values the model does not allow."""


class UnknownRuleError(ModelError):
    """An activation or loss name is not in the registry; use one of the listed names."""


class ParseError(SymbackpropError):
    """A LaTeX fragment could not be read; the message says where and why."""


class ParamsError(SymbackpropError):
    """Numeric parameters (JSON) do not fit the network; the message names the field."""


class SpecNameClash(SpecError):
    """Two names of a spec (or a name and a function the printers write) print alike: rename one."""
