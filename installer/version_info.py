"""The Windows version resource (Explorer → 属性 → 详细信息) generated from core.__version__.

PyInstaller reads this text with its own VSVersionInfo classes (EXE(version=...)); it is written
here as text so it can be produced and checked on any platform. Used by chuangcheng.spec.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPANY = "创城工作台"
DESCRIPTION = "创城工作台 — 创建全国文明城市工作台账"


def program_version() -> str:
    """core.__version__ read without importing the program (the spec runs outside it)."""
    text = (ROOT / "core" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M)
    if not match:
        raise SystemExit("core/__init__.py 中没有 __version__")
    return match.group(1)


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """'1.2.3' or '1.2.3rc1' → (1, 2, 3, 0): Windows wants exactly four 16-bit numbers."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:4]]
    numbers += [0] * (4 - len(numbers))
    if any(n > 65535 for n in numbers):
        raise SystemExit(f"版本号 {version} 不能表示为 Windows 文件版本")
    return tuple(numbers)  # type: ignore[return-value]


def version_resource_text(version: str, exe_name: str) -> str:
    four = numeric_version(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": DESCRIPTION,
        "FileVersion": version,
        "InternalName": exe_name,
        "LegalCopyright": COMPANY,
        "OriginalFilename": f"{exe_name}.exe",
        "ProductName": "创城工作台",
        "ProductVersion": version,
    }
    string_structs = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    # 0x0804 = Chinese (PRC), 1200 = Unicode code page.
    return f"""# Generated from core.__version__ by installer/version_info.py; do not edit.
VSVersionInfo(
  ffi=FixedFileInfo(filevers={four}, prodvers={four}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('080404b0', [
{string_structs}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [0x0804, 1200])])
  ]
)
"""


def write_version_file(path: Path, exe_name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_resource_text(program_version(), exe_name), encoding="utf-8")
    return path


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--version":
        print(program_version())  # build.ps1 and build_deb.sh take the version from here
    else:
        print(version_resource_text(program_version(), "ChuangchengDesk"))
