"""The Windows-only requirements of the wheels in a folder that are not in it yet.

`pip download --platform win_amd64` evaluates environment markers for the machine it runs on, so a
dependency marked `sys_platform == "win32"` (psycopg's tzdata, keyring's pywin32-ctypes, pytest's
colorama) is left out. This reads every wheel's METADATA, evaluates each Requires-Dist for 64-bit
Windows CPython 3.13 (no extras), and prints, one a line, those no wheel in the folder provides.

    python windows_markers.py WHEEL_DIR
"""

from __future__ import annotations

import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

WINDOWS = {
    "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
    "platform_release": "10", "implementation_name": "cpython", "platform_python_implementation": "CPython",
    "python_version": "3.13", "python_full_version": "3.13.2", "implementation_version": "3.13.2",
    "extra": "",
}


def requires_dist(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        metadata = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
    return metadata.get_all("Requires-Dist") or []


def main(folder: Path) -> None:
    wheels = sorted(folder.glob("*.whl"))
    present = {canonicalize_name(parse_wheel_filename(w.name)[0]) for w in wheels}
    missing = {}
    for wheel in wheels:
        for line in requires_dist(wheel):
            requirement = Requirement(line)
            if requirement.marker and requirement.marker.evaluate(WINDOWS):
                name = canonicalize_name(requirement.name)
                if name not in present:
                    requirement.marker = None
                    missing.setdefault(name, str(requirement))
    print("\n".join(missing[name] for name in sorted(missing)))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
