"""The public surface is explicit: a sorted __all__, every name importable, modules private."""

from __future__ import annotations

import importlib
import pkgutil

import socketlab
from socketlab import sandbox


def test_all_is_sorted_and_complete() -> None:
    for module in (socketlab, sandbox):
        names = list(module.__all__)
        assert names == sorted(names, key=lambda n: (not n.isupper(), n)) or names == sorted(names)
        for name in names:
            assert hasattr(module, name), name


PUBLIC_MODULES = {"analysis", "charts", "dataset", "display", "history", "report", "sandbox"}


def test_implementation_modules_are_private_with_their_own_all() -> None:
    for info in pkgutil.walk_packages(socketlab.__path__, "socketlab."):
        leaf = info.name.rpartition(".")[2]
        if leaf == "__main__":
            continue
        # public modules by design: the chart builders, their analysis, the history store, the report,
        # notes and tables for notebooks
        assert leaf.startswith("_") or leaf in PUBLIC_MODULES, f"{info.name} should be private"
        module = importlib.import_module(info.name)
        assert hasattr(module, "__all__"), f"{info.name} lacks __all__"


def test_every_exception_is_a_socketlab_error_with_a_docstring() -> None:
    for name in socketlab.__all__:
        obj = getattr(socketlab, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, socketlab.SocketlabError)
            assert obj.__doc__
            assert len(obj.__doc__.strip().splitlines()) >= 1
