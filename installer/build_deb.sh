#!/usr/bin/env bash
# Build a .deb for x86_64 Debian-family desktops (统信UOS, 麒麟Kylin, Debian, Ubuntu) from the
# PyInstaller one-folder bundle.
#   installer/build_deb.sh [BUNDLE_DIR] [OUT_DIR]
# BUNDLE_DIR defaults to dist/ChuangchengDesk (run pyinstaller first, see installer/README.md);
# prints the path of the .deb. Needs dpkg-deb and the project's .venv (for the icon PNGs).
# DEB_MAINTAINER="名称 <邮箱>" sets the Maintainer field.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUNDLE=$(realpath "${1:-$ROOT/dist/ChuangchengDesk}")
OUT=$(realpath -m "${2:-$ROOT/dist}")
PY=${PYTHON:-$ROOT/.venv/bin/python}
PKG=chuangcheng-desk
PREFIX=/opt/$PKG
VERSION=$("$PY" "$ROOT/installer/version_info.py" --version)

[ -x "$BUNDLE/ChuangchengDesk" ] || { echo "没有找到 PyInstaller 输出 $BUNDLE/ChuangchengDesk，请先运行 pyinstaller。" >&2; exit 2; }
ARCH=$(dpkg --print-architecture)
[ "$ARCH" = amd64 ] || { echo "只支持在 x86_64（amd64）上打包，本机是 $ARCH。" >&2; exit 2; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/DEBIAN" "$STAGE$PREFIX" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/doc/$PKG"
cp -a "$BUNDLE/." "$STAGE$PREFIX/"
# The command line for IT scripts; the window is started from the menu entry.
ln -s "$PREFIX/chuangcheng-cli" "$STAGE/usr/bin/chuangcheng"

cp "$ROOT/resources/icons/app.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/$PKG.svg"
"$PY" "$ROOT/installer/make_icons.py" --png-dir "$STAGE/png" >/dev/null
for png in "$STAGE"/png/*.png; do
  size=$(basename "$png" .png)
  mkdir -p "$STAGE/usr/share/icons/hicolor/$size/apps"
  mv "$png" "$STAGE/usr/share/icons/hicolor/$size/apps/$PKG.png"
done
rmdir "$STAGE/png"

cat > "$STAGE/usr/share/applications/$PKG.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Version=1.0
Name=Chuangcheng Desk
Name[zh_CN]=创城工作台
GenericName=Civilized-city campaign ledger
GenericName[zh_CN]=创城工作台账
Comment=Assessment framework, responsibilities, supervision and archives for the civilized-city campaign
Comment[zh_CN]=创建全国文明城市：测评体系、责任分解、督查督办、档案材料
Exec=$PREFIX/ChuangchengDesk
Icon=$PKG
Terminal=false
Categories=Office;
Keywords=创城;文明城市;台账;测评;
StartupWMClass=ChuangchengDesk
DESKTOP

cat > "$STAGE/usr/share/doc/$PKG/copyright" <<COPYRIGHT
创城工作台 $VERSION
The bundled font WenQuanYi Micro Hei is licensed under the Apache License 2.0
($PREFIX/_internal/resources/fonts/LICENSE-wqy-microhei.txt). Qt and PySide6 are used under the
LGPL v3; their libraries are shipped as separate shared objects in $PREFIX/_internal.
COPYRIGHT

# Libraries the bundle expects from the system (everything else ships inside it), and the AR PL
# UMing and UKai fonts, so that 宋体 and 楷体 text in the PDFs is set in faces of its kind. glibc: the
# bundle needs the version the build machine had, so build on the oldest system you target.
GLIBC_MIN=$(find "$STAGE$PREFIX" -type f \( -name '*.so*' -o -perm -u+x \) -exec objdump -T {} + 2>/dev/null \
  | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 | sed 's/GLIBC_//')
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: $PKG
Version: $VERSION
Section: misc
Priority: optional
Architecture: amd64
Installed-Size: $INSTALLED_KB
Depends: libc6 (>= ${GLIBC_MIN:-2.28}), libfontconfig1, libfreetype6, fonts-arphic-uming, fonts-arphic-ukai, libx11-6, libxkbcommon0, libxkbcommon-x11-0, libgl1, libegl1, libdbus-1-3, libxcb-cursor0 | libxcb-xinerama0
Maintainer: ${DEB_MAINTAINER:-创城工作台 <chuangcheng-desk@localhost>}
Description: 创城工作台 — civilized-city campaign ledger (Chuangcheng Desk)
 区县创建全国文明城市工作指挥部办公室的桌面台账程序：测评体系与责任分解、责任单位、
 目标责任书、督查督办、档案材料与丢分分析。完全离线运行，数据保存在本机。
 .
 Each user's data lives in ~/.local/share/ChuangchengDesk and is kept when the package is
 removed or purged.
CONTROL

mkdir -p "$OUT"
DEB="$OUT/${PKG}_${VERSION}_amd64.deb"
# xz, not zstd: dpkg on UOS 20 / Kylin V10 predates zstd support.
dpkg-deb --root-owner-group -Zxz --threads-max="$(nproc)" --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
