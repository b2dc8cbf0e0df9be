"""Names a package offers without importing the modules behind them until first used
(PEP 562): pyHanko, OpenCV and the commune list cost tenths of a second each, and a
command that never touches them should not pay for them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def exports(package: str, where: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: each public name → the module that defines
    it (``"pipeline.process"``), or, for a name that is itself a module, that module."""

    def __getattr__(name: str) -> object:
        try:
            module = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        target = importlib.import_module(module)
        value = target if module.rsplit(".", 1)[-1] == name else getattr(target, name)
        setattr(sys.modules[package], name, value)  # found directly from now on
        return value

    return __getattr__
