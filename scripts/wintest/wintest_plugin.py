"""pytest plugin for the core suite under Windows Python: Qt cannot be imported at all.

The core suite must not need Qt (core/ never imports it); blocking the import proves that, and
makes tests/conftest.py take its no-Qt path. A core file may hold a few window tests (the window's
lock seen by the command line, say): those — a test that imports PySide6 or gui, uses qtbot, or
uses a fixture of its file that does — are deselected and counted in the summary; the Linux suite
runs them. The wine-only failures listed, each with its reason, in wine_known.txt beside this file
run as strict xfails: reported, never silently skipped."""

from __future__ import annotations

import ast
import importlib.abc
import inspect
import sys
import textwrap
from pathlib import Path

import pytest

QT_PACKAGES = {"PySide6", "shiboken6"}
KNOWN = Path(__file__).with_name("wine_known.txt")


class _NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in QT_PACKAGES:
            raise ModuleNotFoundError(f"{name}: the core suite runs without Qt", name=name)
        return None


sys.meta_path.insert(0, _NoQt())
# The harness's log is UTF-8 (this interpreter ignores PYTHONIOENCODING); the program's own output
# encoding is tested by the tests, in child processes.
sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")


def read_known() -> dict[str, str]:
    """test node id → why it fails under wine only (one per line: node id, whitespace, reason)."""
    known = {}
    for line in KNOWN.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            node_id, _, reason = line.partition(" ")
            known[node_id] = reason.strip()
    return known


def imports_qt(function) -> bool:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        else:
            continue
        if any(name.partition(".")[0] in QT_PACKAGES | {"gui"} for name in names):
            return True
    return False


def needs_qt(item) -> bool:
    function = getattr(item, "function", None)
    if function is None:
        return False
    if "qtbot" in item.fixturenames or imports_qt(function):
        return True
    own_fixtures = (definitions[-1].func for definitions in item._fixtureinfo.name2fixturedefs.values())
    return any(func.__module__ == item.module.__name__ and imports_qt(func) for func in own_fixtures)


def pytest_collection_modifyitems(config, items):
    window_tests = [item for item in items if needs_qt(item)]
    if window_tests:
        config.hook.pytest_deselected(items=window_tests)
        deselected = set(map(id, window_tests))
        items[:] = [item for item in items if id(item) not in deselected]
    config.window_tests = len(window_tests)
    known = read_known()
    seen = set()
    for item in items:
        reason = known.get(item.nodeid)
        if reason:
            seen.add(item.nodeid)
            # strict: the day wine stops failing it, the run says so and the entry must go.
            item.add_marker(pytest.mark.xfail(reason="仅 wine：" + reason, strict=True))
    config.wine_stale = sorted(set(known) - seen)


def pytest_terminal_summary(terminalreporter, config):
    if getattr(config, "window_tests", 0):
        terminalreporter.write_line(f"{config.window_tests} 个测试需要 Qt（窗口），未选中：由 Linux 上的完整测试运行")
    if getattr(config, "wine_stale", None):
        terminalreporter.write_line("wine_known.txt lists tests that were not collected (renamed or removed?):")
        for node_id in config.wine_stale:
            terminalreporter.write_line("  " + node_id)
