"""Command-line output redirected on Windows (`> 结果.txt`, `| findstr`) is written in the console's
code page, which the console tools use to read it; an explicit PYTHONIOENCODING wins."""

from __future__ import annotations

import io
import os
import re
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


def test_progress_redirected_is_one_plain_line_per_step(tmp_path):
    from test_cli import run

    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    done = run("notices", "--out", str(tmp_path / "all.pdf"), "--year", "2026", data=data)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    *lines, placeholders = done.stderr.splitlines()
    assert placeholders.startswith("提示：尚未填写")  # the demo office's names: its own line, after the steps
    assert len(lines) > 2 and all(re.fullmatch(r"\d+/\d+ \S.*", line) for line in lines), lines
    assert lines[-1].split(" ")[0] == "{0}/{0}".format(lines[-1].split("/")[1].split(" ")[0])


def test_progress_on_a_terminal_is_one_live_line():
    from core.commands.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    progress = Progress(screen)
    for done, text in ((0, "正在生成通知单 X创城督〔2026〕10号"), (1, "正在生成"), (2, "完成")):
        progress(done, 2, text)
    progress.finish()
    shown = screen.getvalue()
    assert shown.count("\n") == 1 and shown.endswith("\n") and shown.count("\r") == 3
    assert shown.split("\r")[2].startswith("1/2 正在生成 ") and len(shown.split("\r")[2]) > len("1/2 正在生成")
