"""Start a program, wait for the message box it shows, print the box's text, press its button.

    python message_box.py PROGRAM [ARGUMENT …] → prints the text; exit code: the program's
For checking what a person is told (the installer refusing an old Windows), under wine and Xvfb."""

from __future__ import annotations

import ctypes
import subprocess
import sys
import time
from ctypes import wintypes

user32 = ctypes.WinDLL("user32", use_last_error=True)
WM_COMMAND, IDOK = 0x0111, 1
EnumWindowsProc = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)


def window_text(hwnd) -> str:
    buffer = ctypes.create_unicode_buffer(1024)
    user32.GetWindowTextW(hwnd, buffer, 1024)
    return buffer.value


def dialog_of(pid: int):
    found = []

    def visit(hwnd, _):
        owner, name = wintypes.DWORD(), ctypes.create_unicode_buffer(64)
        user32.GetWindowThreadProcessId(hwnd, ctypes.byref(owner))
        user32.GetClassNameW(hwnd, name, 64)
        if owner.value == pid and name.value == "#32770" and user32.IsWindowVisible(hwnd):
            found.append(hwnd)
        return True

    user32.EnumWindows(EnumWindowsProc(visit), 0)
    return found[0] if found else None


def main() -> int:
    sys.stdout.reconfigure(encoding="utf-8")  # the harness's log
    program = subprocess.Popen(sys.argv[1:])
    started = time.monotonic()
    dialog = None
    while dialog is None and program.poll() is None and time.monotonic() - started < 60:
        time.sleep(0.5)
        dialog = dialog_of(program.pid)
    if dialog is None:
        print(f"没有出现提示框（退出码 {program.poll()}）")
        return program.wait(timeout=60) or 1
    texts = []
    user32.EnumChildWindows(dialog, EnumWindowsProc(lambda child, _: texts.append(window_text(child)) or True), 0)
    print(f"提示框“{window_text(dialog)}”：" + " | ".join(t for t in texts if t))
    user32.PostMessageW(dialog, WM_COMMAND, IDOK, 0)
    return program.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
