"""The packaging files agree with the program: the Windows version resource, the Qt modules the
bundle leaves out, the names the NSIS script relies on, the icon, and the NSIS script compiles."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

INSTALLER = ROOT / "installer"
sys.path.insert(0, str(INSTALLER))

import version_info  # noqa: E402


def _spec_constant(name: str):
    tree = ast.parse((INSTALLER / "chuangcheng.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not in the spec")


def _nsis_define(name: str) -> str:
    text = (INSTALLER / "chuangcheng.nsi").read_text(encoding="utf-8-sig")
    match = re.search(rf'^!define {name} "([^"]*)"', text, re.M)
    assert match, name
    return match.group(1)


def test_version_resource_carries_the_program_version():
    from core import __version__

    assert version_info.program_version() == __version__
    text = version_info.version_resource_text(__version__, "ChuangchengDesk")
    call = ast.parse(text.split("\n", 1)[1], mode="eval").body  # the text PyInstaller evaluates
    assert isinstance(call, ast.Call) and call.func.id == "VSVersionInfo"
    ffi = next(k.value for k in call.keywords if k.arg == "ffi")
    filevers = ast.literal_eval(next(k.value for k in ffi.keywords if k.arg == "filevers"))
    assert filevers == version_info.numeric_version(__version__)
    assert f"StringStruct('ProductVersion', '{__version__}')" in text


@pytest.mark.parametrize("version, expected", [
    ("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("2.0rc1", (2, 0, 1, 0)), ("3", (3, 0, 0, 0))])
def test_windows_versions_have_four_numbers(version, expected):
    assert version_info.numeric_version(version) == expected


def test_windows_version_numbers_must_fit_sixteen_bits():
    with pytest.raises(SystemExit):
        version_info.numeric_version("2026.70000.1")


def _qt_modules_used() -> set[str]:
    used = set()
    for path in [ROOT / "main.py", *ROOT.joinpath("gui").rglob("*.py"), *ROOT.joinpath("core").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("PySide6."):
                used.add(node.module)
            elif isinstance(node, ast.ImportFrom) and node.module == "PySide6":
                used.update(f"PySide6.{a.name}" for a in node.names if a.name.startswith("Qt"))
            elif isinstance(node, ast.Import):
                used.update(a.name for a in node.names if a.name.startswith("PySide6."))
    return used


def test_bundle_leaves_out_only_qt_modules_the_program_does_not_import():
    excluded = set(_spec_constant("UNUSED_QT_MODULES"))
    used = _qt_modules_used()
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} <= used
    assert used & excluded == set(), "a Qt module the program imports is excluded in installer/chuangcheng.spec"


def test_installer_names_match_the_program():
    from core.paths import default_data_root

    app = _spec_constant("APP")
    assert _nsis_define("APP_EXE") == f"{app}.exe"
    # The uninstaller deletes exactly the default data folder (when asked) and Qt's settings key.
    assert _nsis_define("DATA_FOLDER_NAME") == default_data_root().name
    app_py = (ROOT / "gui" / "app.py").read_text(encoding="utf-8")
    organization = re.search(r'setOrganizationName\("([^"]+)"\)', app_py).group(1)
    assert _nsis_define("SETTINGS_KEY") == f"Software\\{organization}"
    assert _nsis_define("APP_NAME") == "创城工作台"


def test_icon_sizes_for_windows():
    from PIL import Image

    with Image.open(ROOT / "resources" / "icons" / "app.ico") as ico:
        sizes = ico.info["sizes"]
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes


def test_icon_svg_renders(qapp):
    from PySide6.QtGui import QIcon
    from PySide6.QtSvg import QSvgRenderer

    svg = ROOT / "resources" / "icons" / "app.svg"
    assert QSvgRenderer(str(svg)).isValid()
    pixmap = QIcon(str(svg)).pixmap(64, 64)
    assert not pixmap.isNull()
    image = pixmap.toImage()
    assert image.pixelColor(32, 4).red() > 150  # the red field, not a blank placeholder


@pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis not installed (apt-get install nsis)")
def test_nsis_script_compiles_with_a_stand_in_payload(tmp_path):
    payload = tmp_path / "ChuangchengDesk"
    (payload / "_internal").mkdir(parents=True)
    (payload / "ChuangchengDesk.exe").write_text("stand-in")
    (payload / "chuangcheng-cli.exe").write_text("stand-in")
    out = tmp_path / "ChuangchengDesk-setup.exe"
    result = subprocess.run(
        ["makensis", "-V2", "-INPUTCHARSET", "UTF8", f"-DVERSION={version_info.program_version()}",
         f"-DDIST_DIR={payload}", f"-DOUT_FILE={out}", str(INSTALLER / "chuangcheng.nsi")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes()[:2] == b"MZ"
