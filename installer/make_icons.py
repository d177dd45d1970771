"""Render resources/icons/app.svg to the raster icons the packages need.

    python installer/make_icons.py            # writes resources/icons/app.ico and app-256.png
    python installer/make_icons.py --png-dir DIR   # also hicolor PNGs DIR/<n>x<n>.png (for the .deb)

Each size is rendered from the SVG itself (not scaled down from 256 px) so small icons stay crisp.
Uses Qt's SVG renderer (PySide6-Essentials) and Pillow, both dependencies of the program.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "app.svg"
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)  # what Explorer, the taskbar and NSIS ask for
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_png(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"无法读取图标源文件 {SVG}")
    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def write_ico(path: Path) -> None:
    from PIL import Image

    images = [Image.open(io.BytesIO(render_png(s))).convert("RGBA") for s in ICO_SIZES]
    largest = images[-1]
    largest.save(path, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=images[:-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--png-dir", type=Path, help="also write <n>x<n>.png for the hicolor icon theme here")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QImage text/SVG need one
    icons = SVG.parent
    write_ico(icons / "app.ico")
    (icons / "app-256.png").write_bytes(render_png(256))
    print(icons / "app.ico")
    if args.png_dir:
        args.png_dir.mkdir(parents=True, exist_ok=True)
        for size in HICOLOR_SIZES:
            target = args.png_dir / f"{size}x{size}.png"
            target.write_bytes(render_png(size))
            print(target)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
