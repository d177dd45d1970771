"""The windowed program (ChuangchengDesk.exe has no console) never flashes a console window: a
helper program it starts must be started with creationflags (CREATE_NO_WINDOW on Windows), and
nothing starts one through os.system, os.popen, os.spawn* or QProcess. Today it starts none:
PDFs are rendered in-process."""

from __future__ import annotations

import ast

from conftest import ROOT

SUBPROCESS_STARTERS = {"run", "Popen", "call", "check_call", "check_output"}
UNCONTROLLED = {"system", "popen", "spawnl", "spawnv", "spawnlp", "spawnvp", "execv", "execl"}


def program_files():
    yield ROOT / "main.py"
    for package in ("core", "gui"):
        yield from sorted((ROOT / package).rglob("*.py"))


def offending_calls(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "QProcess":
            yield node.lineno, "QProcess"
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value.id if isinstance(node.func.value, ast.Name) else ""
        if owner == "subprocess" and node.func.attr in SUBPROCESS_STARTERS \
                and not any(k.arg == "creationflags" for k in node.keywords):
            yield node.lineno, f"subprocess.{node.func.attr} without creationflags"
        if owner == "os" and node.func.attr in UNCONTROLLED:
            yield node.lineno, f"os.{node.func.attr}"


def test_no_helper_program_can_flash_a_console_window():
    found = [f"{path.relative_to(ROOT)}:{line}: {what}"
             for path in program_files() for line, what in offending_calls(path)]
    assert found == []
