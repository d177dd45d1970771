"""A normal session of the windowed program, driven from outside as a person would: start it,
wait for its main window, let it settle (optionally take a picture of it), close it with the
message the title bar's × sends, and report how it ended.

    python gui_session.py [--screenshot OUT.png] PROGRAM [ARGUMENT …]
      → exit 0 when the main window appeared and the program then ended by itself with exit 0
The program is pythonw main.py (no console, like the installed program) or ChuangchengDesk.exe.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import time
from ctypes import wintypes

user32 = ctypes.WinDLL("user32", use_last_error=True)
WM_CLOSE = 0x0010
EnumWindowsProc = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)


def main_window_of(pid: int) -> tuple[int, str] | None:
    found = []

    def visit(hwnd, _):
        owner = wintypes.DWORD()
        user32.GetWindowThreadProcessId(hwnd, ctypes.byref(owner))
        if owner.value == pid and user32.IsWindowVisible(hwnd):
            title = ctypes.create_unicode_buffer(256)
            user32.GetWindowTextW(hwnd, title, 256)
            if title.value.startswith("创城工作台"):
                found.append((hwnd, title.value))
        return True

    user32.EnumWindows(EnumWindowsProc(visit), 0)
    return found[0] if found else None


def screenshot(hwnd: int, out: str) -> None:
    from PIL import ImageGrab

    rect = wintypes.RECT()
    user32.GetWindowRect(hwnd, ctypes.byref(rect))
    ImageGrab.grab(bbox=(rect.left, rect.top, rect.right, rect.bottom)).save(out)


def main() -> int:
    sys.stdout.reconfigure(encoding="utf-8")  # the harness's log
    args = sys.argv[1:]
    shot = None
    if args[:1] == ["--screenshot"]:
        shot, args = args[1], args[2:]
    env = dict(os.environ, CHUANGCHENG_OPERATOR="测试员")
    env.pop("QT_QPA_PLATFORM", None)  # the real Windows platform plugin
    started = time.monotonic()
    program = subprocess.Popen(args, env=env)
    window = None
    while time.monotonic() - started < 120 and program.poll() is None:
        window = main_window_of(program.pid)
        if window:
            break
        time.sleep(0.5)
    if not window:
        program.kill()
        print(f"主窗口没有出现（退出码 {program.poll()}）")
        return 1
    print(f"主窗口“{window[1]}”{time.monotonic() - started:.1f} 秒后出现")
    time.sleep(3)  # let the first page finish loading, as a person would look at it
    if shot:
        screenshot(window[0], shot)
        print(f"截图：{shot}")
    user32.PostMessageW(window[0], WM_CLOSE, 0, 0)
    try:
        code = program.wait(timeout=120)
    except subprocess.TimeoutExpired:
        program.kill()
        print("关闭窗口后程序没有退出")
        return 1
    print(f"关闭窗口后程序退出，退出码 {code}")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
