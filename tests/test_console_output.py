"""Command-line output redirected on Windows (`> 结果.txt`, `| findstr`) is written in the console's
code page, which the console tools use to read it; an explicit PYTHONIOENCODING wins."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT
from core import __version__
from core.console import output_encoding


def version_bytes(**env_changes) -> bytes:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    env.update(env_changes)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"], capture_output=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120).stdout


def test_redirected_output_is_in_the_readers_encoding():
    expected = f"创城工作台 {__version__}"
    if sys.platform != "win32":
        assert version_bytes().decode("utf-8").strip() == expected
        return
    import ctypes

    kernel32 = ctypes.windll.kernel32
    code_page = kernel32.GetConsoleOutputCP() or kernel32.GetACP()
    if code_page != 936:
        pytest.skip(f"not a Chinese Windows (code page {code_page})")
    assert version_bytes().decode("gbk").strip() == expected  # what findstr, more and PowerShell 5 read


def test_an_explicit_encoding_wins(monkeypatch):
    assert version_bytes(PYTHONIOENCODING="utf-8").decode("utf-8").strip() == f"创城工作台 {__version__}"
    monkeypatch.setenv("PYTHONIOENCODING", "gb18030:replace")
    assert output_encoding(sys.stdout) == "gb18030"
