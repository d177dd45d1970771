"""Fonts for the PDF documents: one embedded TrueType font per typographic role.

GB/T 9704 names the faces by role (仿宋 body, 黑体 and 楷体 headings, 小标宋 titles). We prefer the
Windows system fonts an office PC has, look for the same files on other systems (on Linux the AR PL
faces the .deb depends on: UMing for 宋体, UKai for 楷体), and fall back to the bundled WenQuanYi
Micro Hei so a document always renders with every glyph embedded. CID fonts
such as STSong-Light are never used: they are not embedded and show as boxes on many PCs.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics

from core.resources import resource_path
from reportlab.pdfbase.ttfonts import TTFont

ROLES = ("fangsong", "heiti", "kaiti", "songti", "xiaobiaosong")

# File names per role, best first, compared case-insensitively. Only faces with the full GBK
# repertoire or more, except 方正小标宋简体, the customary title face (missing glyphs fall back).
CANDIDATE_FILES: dict[str, tuple[str, ...]] = {
    "fangsong": ("simfang.ttf", "stfangso.ttf"),
    "heiti": ("simhei.ttf", "wqy-zenhei.ttc"),
    "kaiti": ("simkai.ttf", "stkaiti.ttf", "ukai.ttc"),  # ukai.ttc: AR PL UKai (fonts-arphic-ukai)
    "songti": ("simsun.ttc", "simsun.ttf", "stsong.ttf", "uming.ttc"),  # AR PL UMing (fonts-arphic-uming)
    "xiaobiaosong": ("fzxbsjw.ttf", "fzxbsk.ttf", "方正小标宋简体.ttf", "方正小标宋_gbk.ttf"),
}

# When a role has no font of its own it borrows another role's before the bundled font: a serif
# face for the 仿宋 body (no free 仿宋 covers GBK), a bold one for the title.
ROLE_FALLBACKS: dict[str, tuple[str, ...]] = {"fangsong": ("songti",), "xiaobiaosong": ("heiti", "songti")}
# Resolved in this order, so that the roles borrowed from are known first.
RESOLVE_ORDER = ("heiti", "kaiti", "songti", "fangsong", "xiaobiaosong")

BUNDLED_FONT = ("fonts", "wqy-microhei.ttc")

_lock = threading.RLock()
_registered_files: dict[str, str | None] = {}  # absolute path -> font name, None if unusable
_role_cache: dict[tuple, dict[str, str]] = {}
_font_index: dict[str, str] | None = None  # lower-case file name -> path


def bundled_font_path() -> str:
    return str(resource_path(*BUNDLED_FONT))


def _font_dirs() -> list[str]:
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        dirs = [os.path.join(windir, "Fonts")]
        local = os.environ.get("LOCALAPPDATA")
        if local:  # fonts installed "for this user only" (Windows 10 1809+) land here
            dirs.append(os.path.join(local, "Microsoft", "Windows", "Fonts"))
        return dirs
    if sys.platform == "darwin":
        return ["/Library/Fonts", "/System/Library/Fonts", str(home / "Library" / "Fonts")]
    return ["/usr/share/fonts", "/usr/local/share/fonts",
            str(home / ".local" / "share" / "fonts"), str(home / ".fonts")]


def _scan_font_dirs() -> dict[str, str]:
    wanted = {name for names in CANDIDATE_FILES.values() for name in names}
    found: dict[str, str] = {}
    for top in _font_dirs():
        for folder, _subdirs, files in os.walk(top):
            for name in files:
                key = name.lower()
                if key in wanted and key not in found:
                    found[key] = os.path.join(folder, name)
    return found


def _system_candidates(role: str) -> list[str]:
    global _font_index
    if _font_index is None:
        _font_index = _scan_font_dirs()
    return [_font_index[name] for name in CANDIDATE_FILES[role] if name in _font_index]


def available_font_files() -> dict[str, list[str]]:
    """Font files found per role on this PC, best first; the bundled font is always last."""
    with _lock:
        bundled = bundled_font_path()
        return {role: _system_candidates(role) + [bundled] for role in ROLES}


def _register_file(path: str) -> str | None:
    """Register one font file with reportlab once; None if it cannot be embedded or parsed."""
    key = os.path.abspath(path)
    if key not in _registered_files:
        # An ASCII name unique per file (the stem may be Chinese, and two folders may hold simfang.ttf).
        name = f"GBT{len(_registered_files)}-" + (re.sub(r"[^A-Za-z0-9]+", "", Path(path).stem) or "font")
        try:
            # .ttc collections: the first face is the regular one (SimSun, WenQuanYi Micro Hei).
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        except Exception:  # noqa: BLE001 - a broken font file must only mean "try the next one"
            # Missing, unreadable, corrupt, CFF-flavoured or embedding-restricted (TTFError) fonts.
            name = None
        _registered_files[key] = name
    return _registered_files[key]


def register_fonts(preferences: dict[str, str] | None = None) -> dict[str, str]:
    """Register the fonts and return {role: reportlab font name} for every role in ROLES.

    `preferences` maps a role to a font file chosen in the settings; a file that cannot be used
    is skipped silently in favour of the automatic choice. Results are cached, so calling this
    for every document costs nothing.
    """
    cache_key = tuple(sorted((preferences or {}).items()))
    with _lock:
        if cache_key in _role_cache:
            return dict(_role_cache[cache_key])
        files = _resolve(preferences)
        chosen = {role: _register_file(path) for role, path in files.items()}
        _role_cache[cache_key] = chosen
        return dict(chosen)


def _resolve(preferences: dict[str, str] | None) -> dict[str, str]:
    """{role: font file} as register_fonts chooses them (the bundled font's path when nothing fits)."""
    bundled = bundled_font_path()
    chosen: dict[str, str] = {}
    for role in RESOLVE_ORDER:
        files = [preferences[role]] if preferences and preferences.get(role) else []
        files += _system_candidates(role)
        path = next((f for f in files if _register_file(f)), None)
        if path is None:
            borrowed = (chosen[r] for r in ROLE_FALLBACKS.get(role, ()) if chosen[r] != bundled)
            path = next(borrowed, bundled)
        chosen[role] = path
    return {role: chosen[role] for role in ROLES}


@dataclass(frozen=True)
class RoleFont:
    path: str  # the file the role's text is set in
    own: bool  # a face of the role's own kind (not borrowed from another role, not the bundled sans)
    bundled: bool  # the bundled WenQuanYi Micro Hei, a sans face standing in


def role_fonts(preferences: dict[str, str] | None = None) -> dict[str, RoleFont]:
    """Which file each role uses, as the settings page shows it: with a warning where a role has
    no face of its kind and borrows one, or falls back to the bundled sans."""
    with _lock:
        files = _resolve(preferences)
        bundled = bundled_font_path()
        own = {role: [preferences[role]] if preferences and preferences.get(role) else [] for role in ROLES}
        return {role: RoleFont(path, path in own[role] + _system_candidates(role), path == bundled)
                for role, path in files.items()}


def fallback_font_name() -> str:
    """The bundled font, used for glyphs the chosen font lacks (e.g. rare characters in names)."""
    with _lock:
        name = _register_file(bundled_font_path())
    if name is None:
        raise RuntimeError(f"bundled font missing or unreadable: {bundled_font_path()}")
    return name
