"""Which face each PDF font role uses, on a PC with and without faces of its kind, and what 设置 says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from core import settings
from core.pdf import fonts

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def arphic_fonts(tmp_path, monkeypatch):
    """A font folder as fonts-arphic-uming and fonts-arphic-ukai install it (the files are TrueType
    collections named as the packages name them), and nothing else."""
    folder = tmp_path / "fonts" / "truetype" / "arphic"
    folder.mkdir(parents=True)
    for name in ("uming.ttc", "ukai.ttc"):
        shutil.copy(fonts.bundled_font_path(), folder / name)
    monkeypatch.setattr(fonts, "_font_dirs", lambda: [str(tmp_path / "fonts")])
    monkeypatch.setattr(fonts, "_font_index", None)
    monkeypatch.setattr(fonts, "_role_cache", {})
    return folder


@pytest.fixture
def no_system_fonts(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "_font_dirs", lambda: [str(tmp_path / "empty")])
    monkeypatch.setattr(fonts, "_font_index", None)
    monkeypatch.setattr(fonts, "_role_cache", {})


def test_uming_sets_songti_and_ukai_kaiti_and_the_body_borrows_the_serif(arphic_fonts):
    used = fonts.role_fonts()
    assert used["songti"].path == str(arphic_fonts / "uming.ttc") and used["songti"].own
    assert used["kaiti"].path == str(arphic_fonts / "ukai.ttc") and used["kaiti"].own
    assert used["fangsong"].path == str(arphic_fonts / "uming.ttc") and not used["fangsong"].own
    assert used["heiti"].bundled
    names = fonts.register_fonts()
    assert names["songti"] != fonts.fallback_font_name() and names["kaiti"] != names["songti"]


def test_settings_show_each_roles_file_and_warn_where_the_bundled_sans_stands_in(qtbot, window, arphic_fonts):
    page = window.show_page("settings")
    notes = {role: label.text() for role, label in page.font_notes.items()}
    assert str(arphic_fonts / "uming.ttc") in notes["songti"] and "⚠" not in notes["songti"]
    assert str(arphic_fonts / "ukai.ttc") in notes["kaiti"] and "⚠" not in notes["kaiti"]
    assert fonts.bundled_font_path() in notes["heiti"] and "⚠" in notes["heiti"] and "自带" in notes["heiti"]
    assert "⚠" in notes["fangsong"] and "仿宋" in notes["fangsong"]


def test_without_system_fonts_every_role_warns_and_names_the_package_to_install(demo_db, no_system_fonts):
    usage = settings.font_usage(demo_db)
    assert all(u["path"] == fonts.bundled_font_path() for u in usage.values())
    assert "fonts-arphic-uming" in usage["songti"]["warning"]
    assert "fonts-arphic-ukai" in usage["kaiti"]["warning"]


def test_the_linux_package_depends_on_the_song_and_kai_fonts():
    control = re.search(r"^Depends: (.*)$", (ROOT / "installer" / "build_deb.sh").read_text(encoding="utf-8"),
                        re.MULTILINE).group(1)
    depends = {d.strip().split(" ")[0] for d in control.split(",")}
    assert {"fonts-arphic-uming", "fonts-arphic-ukai"} <= depends

