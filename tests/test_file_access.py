r"""Windows file rules: a file held open by WPS/Excel is reported before any work is done; paths
over 260 characters are written with the \\?\ prefix. The monkeypatched tests run everywhere; the
Windows-only ones hold a real file open the way Excel does and run under Windows Python."""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pytest

from conftest import ROOT
from core import file_access, letters
from core.errors import AppError
from core.file_access import FILE_IN_USE, long_path
from core.xlsx.writer import Sheet, write_workbook

windows_only = pytest.mark.skipif(sys.platform != "win32", reason="Windows file sharing and path rules")


def sharing_violation(path):
    """The error Windows gives while WPS or Excel has the file open."""
    error = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", os.fspath(path))
    error.winerror = 32
    return error


def hold_like_wps(monkeypatch, target):
    """Opening target for writing, or replacing it, fails as while WPS or Excel has it open."""
    target = os.path.abspath(target)
    real_replace = os.replace

    def open_for_writing(path):
        if os.path.abspath(path) == target:
            raise sharing_violation(path)

    def replace(src, dst, *args, **kwargs):
        if os.path.abspath(os.fspath(dst)) == target:
            raise sharing_violation(dst)
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(file_access, "_open_for_writing", open_for_writing)
    monkeypatch.setattr(os, "replace", replace)


def test_letters_to_a_pdf_open_in_wps_are_refused_before_rendering(demo_db, tmp_path, monkeypatch):
    out = tmp_path / "2026年度目标责任书.pdf"
    out.write_bytes(b"%PDF-1.4 last year's letters")
    hold_like_wps(monkeypatch, out)
    progress = []
    with pytest.raises(AppError, match=FILE_IN_USE) as refused:
        letters.generate_letters(demo_db, 2026, out, progress=lambda *a: progress.append(a))
    assert str(out) in refused.value.message_zh
    assert progress == []  # no page was laid out
    assert out.read_bytes() == b"%PDF-1.4 last year's letters"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026年度目标责任书.pdf", "data"]  # no temporary file


def test_an_xlsx_open_in_excel_is_named_in_the_message(tmp_path, monkeypatch):
    out = tmp_path / "督查问题.xlsx"
    write_workbook(out, [Sheet("表", ["甲"], [[1]])])
    hold_like_wps(monkeypatch, out)
    with pytest.raises(AppError, match=FILE_IN_USE):
        write_workbook(out, [Sheet("表", ["甲"], [[2]])])
    assert openpyxl.load_workbook(out).active["A2"].value == 1


def test_other_write_refusals_keep_their_own_message(tmp_path, monkeypatch):
    out = tmp_path / "只读.pdf"
    out.write_bytes(b"x")

    def read_only(path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(file_access, "_open_for_writing", read_only)
    with pytest.raises(AppError) as refused:
        file_access.check_not_in_use(out)
    assert FILE_IN_USE not in refused.value.message_zh and "只读" in refused.value.message_zh


@windows_only
def test_cli_refuses_a_pdf_excel_holds_open(tmp_path):
    """A real sharing violation: the file opened with no sharing, as Excel and WPS open it."""
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateFileW.restype = wintypes.HANDLE
    kernel32.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID,
                                     wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE]
    data, out = tmp_path / "数据", tmp_path / "责任书.pdf"
    run = [sys.executable, str(ROOT / "main.py"), "--data", str(data)]
    assert subprocess.run(run + ["demo"], capture_output=True, stdin=subprocess.DEVNULL).returncode == 0
    out.write_bytes(b"%PDF-1.4 old")
    GENERIC_READ_WRITE, NO_SHARING, OPEN_EXISTING = 0xC0000000, 0, 3
    handle = kernel32.CreateFileW(str(out), GENERIC_READ_WRITE, NO_SHARING, None, OPEN_EXISTING, 0, None)
    assert handle != wintypes.HANDLE(-1).value, ctypes.get_last_error()
    try:
        r = subprocess.run(run + ["letters", "--year", "2026", "--out", str(out)], capture_output=True,
                           text=True, encoding="utf-8", stdin=subprocess.DEVNULL, timeout=300)
    finally:
        kernel32.CloseHandle(handle)
    assert r.returncode == 2, r.stderr
    assert FILE_IN_USE in r.stderr and str(out) in r.stderr
    assert out.read_bytes() == b"%PDF-1.4 old"


def test_long_paths_get_the_prefix_only_on_windows_and_only_when_long(tmp_path):
    short = tmp_path / "短.txt"
    deep = tmp_path.joinpath(*["很长的文件夹名称" * 4] * 10, "文件.txt")
    assert long_path(short) == str(short)
    if sys.platform == "win32":
        assert long_path(deep) == "\\\\?\\" + str(deep)
        assert long_path("\\\\server\\share\\" + "目" * 300) == "\\\\?\\UNC\\server\\share\\" + "目" * 300
        assert long_path(long_path(deep)) == long_path(deep)
    else:
        assert long_path(deep) == str(deep)


@windows_only
def test_deep_folders_take_packages_and_attachments_past_260_characters(demo_db, tmp_path):
    from core import attachments, framework, materials
    from core.paths import DataDir
    from core.store import open_store

    deep = tmp_path.joinpath(*["迎检资料包的存放文件夹名称较长"] * 12)
    os.makedirs(long_path(deep))
    scan = deep / "签字盖章的扫描件.pdf"
    with open(long_path(scan), "wb") as file:
        file.write(b"%PDF-1.4 scan")
    edition = framework.resolve_edition(demo_db)
    material_id = materials.checklist(demo_db, edition)[0]["id"]
    attachments.add_attachment(demo_db, materials.OWNER, material_id, scan)
    out = deep / "资料包"
    result = materials.build_package(demo_db, out, edition)
    written = [os.path.join(folder, name) for folder, _, names in os.walk(long_path(out)) for name in names]
    assert result.files == 13 and len(written) == 13 + 2  # and 目录.xlsx, index.html
    assert min(len(path) for path in written) > 260
    # A data folder just short enough to create puts its stored attachments past the limit.
    root = tmp_path / ("数" * (230 - len(str(tmp_path))))
    deep_db = open_store(DataDir(root), "测试员")
    try:
        sha, _ = attachments.store_file(deep_db, scan)
        stored = attachments.stored_path(deep_db, sha)
        assert len(str(stored)) > 260
        with open(long_path(stored), "rb") as file:
            assert file.read() == b"%PDF-1.4 scan"
    finally:
        deep_db.conn.close()
