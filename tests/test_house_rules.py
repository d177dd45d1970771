"""Rules of the house: core/ never imports Qt; gui/ never builds SQL."""

import ast
import re

from conftest import ROOT


def _python_files(folder):
    return sorted((ROOT / folder).rglob("*.py"))


def test_core_has_no_qt():
    offenders = []
    for path in _python_files("core"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6", "gui") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|\.execute\()",
                 re.IGNORECASE)


def test_gui_has_no_sql():
    offenders = [str(p.relative_to(ROOT)) for p in _python_files("gui") if SQL.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
