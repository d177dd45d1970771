#!/usr/bin/env bash
# Prove on Linux what can be proved here of the Windows installer and the 信创 .deb package.
#   installer/check_linux.sh [--reuse-build]
# 1. PyInstaller one-folder build of this platform; the bundle runs --version, demo, check and
#    screenshots; with every system font hidden, its screenshots equal those from source
#    (so resources/ and the bundled font are found when frozen); a negative control without the
#    font must differ.
# 2. Start-up: bundle against source (median of 5 runs each).
# 3. makensis compiles installer/chuangcheng.nsi with a stand-in payload (x86 as on Windows CI,
#    and amd64); where wine64 exists, the amd64 setup.exe installs silently per user and per
#    machine, creates its shortcuts and Apps & Features entry, upgrades in place keeping the data,
#    and uninstalls cleanly (data kept unless /DELETEDATA).
# 4. build_deb.sh; as root: apt-get install of the .deb (with the fonts it depends on), the installed
#    program runs --version and screenshots,
#    dpkg -r removes every file it installed and leaves the user's data.
# Needs: the project's .venv with pyinstaller, makensis (apt-get install nsis), dpkg-deb;
# optional: wine64 (apt-get install wine64). Took 6m54s and 9m48s on this 2-core machine (busy with other work).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=$ROOT/.venv/bin/python
WORK=$ROOT/build/check
DIST=$WORK/dist
BUNDLE=$DIST/ChuangchengDesk
REUSE=0
[ "${1:-}" = "--reuse-build" ] && REUSE=1
export QT_QPA_PLATFORM=offscreen
unset CHUANGCHENG_DATA

FAILED=0
declare -a SUMMARY
step_start() { STEP="$1"; STEP_T0=$(date +%s.%N); echo; echo "== $STEP"; }
step_end() {  # step_end PASS|FAIL|SKIP [note]
  local secs; secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $STEP_T0" | bc)")
  [ "$1" = FAIL ] && FAILED=1
  SUMMARY+=("$(printf '%-4s %6ss  %s%s' "$1" "$secs" "$STEP" "${2:+  ($2)}")")
  echo "-> $1 ${2:-}"
}
fail() { echo "失败：$*" >&2; return 1; }
# median wall time in seconds of a command run N times
median_time() {
  local n=$1; shift
  for _ in $(seq "$n"); do
    local t0; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $t0" | bc
  done | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'
}
# same_png A B: exit 0 when the two pictures are equal pixel for pixel, 1 when they differ,
# 2 when either cannot be read (so a missing file never passes as "different").
same_png() { "$PY" - "$1" "$2" <<'PYEOF'
import sys
from PIL import Image, ImageChops
try:
    a, b = (Image.open(p).convert("RGB") for p in sys.argv[1:3])
except OSError as error:
    print(f"无法读取截图：{error}", file=sys.stderr)
    sys.exit(2)
sys.exit(0 if a.size == b.size and ImageChops.difference(a, b).getbbox() is None else 1)
PYEOF
}

mkdir -p "$WORK"
VERSION=$("$PY" "$ROOT/installer/version_info.py" --version)
echo "创城工作台 $VERSION — installer/check_linux.sh, work folder $WORK"

# ---------------------------------------------------------------- 1. bundle
step_start "PyInstaller 单文件夹构建"
if [ $REUSE = 1 ] && [ -x "$BUNDLE/chuangcheng-cli" ]; then
  step_end PASS "沿用已有构建"
elif "$PY" -m PyInstaller --noconfirm --clean --log-level ERROR --distpath "$DIST" \
     --workpath "$WORK/pyinstaller" "$ROOT/installer/chuangcheng.spec"; then
  step_end PASS
else
  step_end FAIL; printf '%s\n' "${SUMMARY[@]}"; exit 1
fi

step_start "打包程序 --version 与版本资源"
out=$("$BUNDLE/chuangcheng-cli" --version 2>&1)
if [ "$out" = "创城工作台 $VERSION" ] && "$BUNDLE/ChuangchengDesk" --version >/dev/null 2>&1 \
   && grep -q "filevers=" "$WORK/pyinstaller/chuangcheng/version_info.txt" 2>/dev/null; then
  step_end PASS "$out"
else
  step_end FAIL "输出：$out"
fi

# Fresh data folders at one fixed path, so the status bar (which shows the path) is equal too.
DATA=$WORK/data
fresh_data() { rm -rf "$DATA"; cp -a "$WORK/demo-template" "$DATA"; }
step_start "打包程序加载示例数据、数据体检"
rm -rf "$WORK/demo-template"
if "$BUNDLE/chuangcheng-cli" --data "$WORK/demo-template" demo && \
   "$BUNDLE/chuangcheng-cli" --data "$WORK/demo-template" check >/dev/null; then
  step_end PASS "resources/demo/demo.json 可读"
else
  step_end FAIL
fi

# python-docx writes every .docx from its own template files: they must ride along in the bundle.
step_start "打包程序输出 Word 通报（.docx）"
rm -rf "$WORK/docx-data"; cp -a "$WORK/demo-template" "$WORK/docx-data"  # numbering the 通报 writes to the ledger
if "$BUNDLE/chuangcheng-cli" --data "$WORK/docx-data" loss-report --round 2025年市测 --out "$WORK/通报.docx" \
   && [ -s "$WORK/通报.docx" ]; then
  step_end PASS
else
  step_end FAIL
fi

step_start "打包程序 screenshots，隐藏系统字体后与源代码渲染逐像素一致"
NOFONTS=$WORK/fontconfig-empty
mkdir -p "$NOFONTS/cache"
cat > "$NOFONTS/fonts.conf" <<XML
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>$NOFONTS/cache</cachedir></fontconfig>
XML
rm -rf "$WORK/shots-frozen" "$WORK/shots-source" "$WORK/shots-nofont"
fresh_data; FONTCONFIG_FILE=$NOFONTS/fonts.conf "$BUNDLE/chuangcheng-cli" --data "$DATA" screenshots "$WORK/shots-frozen" >/dev/null 2>&1
fresh_data; (cd "$ROOT" && FONTCONFIG_FILE=$NOFONTS/fonts.conf "$PY" main.py --data "$DATA" screenshots "$WORK/shots-source" >/dev/null 2>&1)
# Negative control: the same bundle without its font must render differently (tofu boxes).
FONT=$BUNDLE/_internal/resources/fonts/wqy-microhei.ttc
mv "$FONT" "$FONT.hidden"
fresh_data; FONTCONFIG_FILE=$NOFONTS/fonts.conf "$BUNDLE/chuangcheng-cli" --data "$DATA" screenshots "$WORK/shots-nofont" >/dev/null 2>&1
mv "$FONT.hidden" "$FONT"
pages=$(ls "$WORK/shots-source" 2>/dev/null | wc -l)
equal=0
for png in "$WORK"/shots-source/*.png; do
  same_png "$png" "$WORK/shots-frozen/$(basename "$png")" && equal=$((equal + 1))
done
# The control page is found by name (pages are numbered 01-home, 02-framework, …), never assumed.
control=$(cd "$WORK/shots-source" 2>/dev/null && ls -- *-framework.png 2>/dev/null | head -1)
control_rc=2
[ -n "$control" ] && { same_png "$WORK/shots-source/$control" "$WORK/shots-nofont/$control"; control_rc=$?; }
if [ "$pages" -gt 0 ] && [ "$equal" = "$pages" ] && [ "$control_rc" = 1 ]; then
  step_end PASS "$equal/$pages 页一致；去掉字体的对照组（$control）不一致"
else
  step_end FAIL "$equal/$pages 页一致；对照组（${control:-缺少测评体系页截图}）$([ "$control_rc" = 0 ] && echo 竟然一致 || echo 无法比较)"
fi

# ---------------------------------------------------------------- 2. start-up
step_start "启动时间：打包程序对源代码（各 5 次取中位数）"
fresh_data
src_version=$(cd "$ROOT" && median_time 5 "$PY" main.py --version)
bun_version=$(median_time 5 "$BUNDLE/chuangcheng-cli" --version)
src_shots=$(cd "$ROOT" && median_time 5 "$PY" main.py --data "$DATA" screenshots "$WORK/t")
bun_shots=$(median_time 5 "$BUNDLE/chuangcheng-cli" --data "$DATA" screenshots "$WORK/t")
STARTUP="--version 源代码 ${src_version}s / 打包 ${bun_version}s；screenshots（开窗口并截取全部页面） 源代码 ${src_shots}s / 打包 ${bun_shots}s"
echo "$STARTUP"
step_end PASS "$STARTUP"

step_start "体积"
bundle_mb=$(du -sm "$BUNDLE" | cut -f1)
echo "打包文件夹 $BUNDLE：${bundle_mb} MB；最大的部分："
(cd "$BUNDLE/_internal" && du -sm -- * | sort -rn | head -8 | sed 's/^/  /')
echo "最大的单个文件："
find "$BUNDLE" -type f -printf '%s %P\n' | sort -rn | head -8 | awk '{printf "  %5.1f MB  %s\n", $1/1048576, $2}'
step_end PASS "打包文件夹 ${bundle_mb} MB"

# ---------------------------------------------------------------- 3. NSIS
STANDIN=$WORK/standin
step_start "makensis 编译安装程序（替身载荷）"
if command -v makensis >/dev/null; then
  rm -rf "$STANDIN"; mkdir -p "$STANDIN/_internal/resources"
  # Stand-in for the Windows bundle, which only a Windows build can produce.
  for f in ChuangchengDesk.exe chuangcheng-cli.exe; do echo "stand-in for $f" > "$STANDIN/$f"; done
  cp -a "$ROOT/resources/." "$STANDIN/_internal/resources/"
  ok=1
  for target in x86 amd64; do
    define=""; [ $target = amd64 ] && define="-DTARGET_AMD64"
    makensis -V2 -INPUTCHARSET UTF8 $define -DVERSION="$VERSION" -DDIST_DIR="$STANDIN" \
      -DOUT_FILE="$WORK/ChuangchengDesk-$VERSION-$target-setup.exe" "$ROOT/installer/chuangcheng.nsi" >/dev/null \
      || { ok=0; echo "makensis ($target) 失败"; }
  done
  [ $ok = 1 ] && step_end PASS "x86 与 amd64 两个目标" || step_end FAIL
else
  step_end FAIL "没有 makensis：apt-get install nsis"
fi

WINE=$(command -v wine64 || ls /usr/lib/wine/wine64 2>/dev/null || true)
step_start "wine64：静默安装、快捷方式、应用与功能条目、升级保留数据、卸载"
if [ -z "$WINE" ] || [ ! -f "$WORK/ChuangchengDesk-$VERSION-amd64-setup.exe" ]; then
  step_end SKIP "没有 wine64（apt-get install wine64）"
else
  export WINEPREFIX=$WORK/wine WINEDEBUG=-all WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree,mshtml="
  WINESERVER=$(dirname "$WINE")/wineserver; [ -x "$WINESERVER" ] || WINESERVER=wineserver
  rm -rf "$WINEPREFIX" "$WORK/winehome"; mkdir -p "$WORK/winehome"
  # wine links the Windows desktop to $HOME: keep it inside the work folder.
  export HOME_BEFORE=$HOME HOME=$WORK/winehome
  wrun() { "$WINE" "$@"; local rc=$?; "$WINESERVER" -w; return $rc; }
  wrun wineboot --init >/dev/null 2>&1
  wrun reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null 2>&1  # the installer needs Windows 10
  SETUP_WIN="Z:$(echo "$WORK/ChuangchengDesk-$VERSION-amd64-setup.exe" | tr / '\\')"
  USERDIR=$WINEPREFIX/drive_c/users/$(id -un)
  LOCAL=$USERDIR/AppData/Local
  PROG=$LOCAL/Programs/ChuangchengDesk
  MENU="$USERDIR/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/创城工作台.lnk"
  DESKTOP_LNK=$(readlink -f "$USERDIR/Desktop")/创城工作台.lnk
  regval() {  # regval HKCU|HKLM value → data of the uninstall entry
    rm -f "$WINEPREFIX/drive_c/e.reg"
    wrun reg export "$1\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\ChuangchengDesk" 'C:\e.reg' /y >/dev/null 2>&1 || return 1
    iconv -f UTF-16 -t UTF-8 "$WINEPREFIX/drive_c/e.reg" | tr -d '\r' | sed -n "s/^\"$2\"=\"\(.*\)\"$/\1/p"
  }
  checks=()
  check() { if eval "$2"; then checks+=("ok   $1"); else checks+=("FAIL $1"); fi; }
  wrun "$SETUP_WIN" /S
  check "按用户安装：程序文件" '[ -f "$PROG/ChuangchengDesk.exe" ] && [ -f "$PROG/uninstall.exe" ] && [ -d "$PROG/_internal/resources/fonts" ]'
  check "开始菜单快捷方式" '[ -f "$MENU" ]'
  check "桌面快捷方式" '[ -f "$DESKTOP_LNK" ]'
  check "应用与功能条目（HKCU）：名称与版本" '[ "$(regval HKCU DisplayName)" = "创城工作台" ] && [ "$(regval HKCU DisplayVersion)" = "$VERSION" ]'
  mkdir -p "$LOCAL/ChuangchengDesk"; echo "用户数据" > "$LOCAL/ChuangchengDesk/chuangcheng.db"
  echo "old module" > "$PROG/_internal/stale_from_old_version.pyc"
  wrun "$SETUP_WIN" /S
  check "覆盖安装（升级）保留数据" '[ -f "$LOCAL/ChuangchengDesk/chuangcheng.db" ]'
  check "升级清除旧版本遗留的程序文件" '[ ! -f "$PROG/_internal/stale_from_old_version.pyc" ] && [ -f "$PROG/ChuangchengDesk.exe" ]'
  wrun "$PROG/uninstall.exe" /S
  check "卸载：程序文件夹已删除" '[ ! -e "$PROG" ]'
  check "卸载：快捷方式已删除" '[ ! -e "$MENU" ] && [ ! -e "$DESKTOP_LNK" ]'
  check "卸载：应用与功能条目已删除" '! regval HKCU DisplayName >/dev/null'
  check "卸载：默认保留用户数据" '[ -f "$LOCAL/ChuangchengDesk/chuangcheng.db" ]'
  wrun "$SETUP_WIN" /S
  wrun "$PROG/uninstall.exe" /S /DELETEDATA
  check "卸载 /DELETEDATA：删除用户数据" '[ ! -e "$LOCAL/ChuangchengDesk" ] && [ ! -e "$PROG" ]'
  wrun "$SETUP_WIN" /S /ALLUSERS
  PF=$WINEPREFIX/drive_c/Program\ Files/ChuangchengDesk
  COMMON_MENU="$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/创城工作台.lnk"
  check "为所有用户安装：Program Files、公共开始菜单、HKLM 条目" '[ -f "$PF/ChuangchengDesk.exe" ] && [ -f "$COMMON_MENU" ] && [ "$(regval HKLM DisplayVersion)" = "$VERSION" ]'
  wrun "$PF/uninstall.exe" /ALLUSERS /S
  check "为所有用户卸载：干净" '[ ! -e "$PF" ] && [ ! -e "$COMMON_MENU" ] && ! regval HKLM DisplayName >/dev/null'
  export HOME=$HOME_BEFORE
  printf '  %s\n' "${checks[@]}"
  if printf '%s\n' "${checks[@]}" | grep -q '^FAIL'; then step_end FAIL; else step_end PASS "${#checks[@]} 项"; fi
fi

# ---------------------------------------------------------------- 4. .deb
step_start "构建 .deb（dpkg-deb）"
DEB=$("$ROOT/installer/build_deb.sh" "$BUNDLE" "$WORK")
if [ -f "$DEB" ]; then
  deb_mb=$(du -m "$DEB" | cut -f1)
  step_end PASS "$(basename "$DEB") ${deb_mb} MB；$(dpkg-deb -f "$DEB" Depends | grep -o 'libc6 ([^)]*)')"
else
  step_end FAIL
fi

step_start ".deb：apt-get install（连同依赖的字体），安装后的程序运行 screenshots，dpkg -r 干净移除"
if [ "$(id -u)" != 0 ]; then
  step_end SKIP "需要 root"
elif dpkg -s chuangcheng-desk >/dev/null 2>&1; then
  step_end FAIL "本机已安装 chuangcheng-desk，请先 dpkg -r chuangcheng-desk"
else
  checks=()
  check() { if eval "$2"; then checks+=("ok   $1"); else checks+=("FAIL $1"); fi; }
  apt-get install -y --no-install-recommends "$(realpath "$DEB")" >/dev/null 2>&1
  check "apt-get install 成功" 'dpkg -s chuangcheng-desk 2>/dev/null | grep -q "^Status: install ok installed"'
  check "宋体、楷体字体随包安装" 'dpkg -s fonts-arphic-uming fonts-arphic-ukai 2>/dev/null | grep -c "^Status: install ok installed" | grep -qx 2'
  check "/usr/bin/chuangcheng --version" '[ "$(chuangcheng --version 2>&1)" = "创城工作台 $VERSION" ]'
  fresh_data; rm -rf "$WORK/shots-deb"
  check "安装后的程序运行 screenshots" 'chuangcheng --data "$DATA" screenshots "$WORK/shots-deb" >/dev/null 2>&1 && [ "$(ls "$WORK/shots-deb" | wc -l)" = "$pages" ]'
  check "桌面菜单项与图标" '[ -f /usr/share/applications/chuangcheng-desk.desktop ] && [ -f /usr/share/icons/hicolor/scalable/apps/chuangcheng-desk.svg ] && [ -f /usr/share/icons/hicolor/48x48/apps/chuangcheng-desk.png ]'
  check "菜单项启动的程序存在" '[ -x "$(sed -n "s/^Exec=//p" /usr/share/applications/chuangcheng-desk.desktop)" ]'
  if command -v desktop-file-validate >/dev/null; then
    check "desktop-file-validate" 'desktop-file-validate /usr/share/applications/chuangcheng-desk.desktop'
  fi
  # The package's own files and links (directories such as /usr/share/icons are shared).
  dpkg -L chuangcheng-desk | while read -r f; do [ -d "$f" ] && [ ! -L "$f" ] || echo "$f"; done > "$WORK/deb-files.txt"
  leftovers() { while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done < "$WORK/deb-files.txt"; }
  mkdir -p "$DATA/kept"; echo "用户数据" > "$DATA/kept/marker"
  dpkg -r chuangcheng-desk >/dev/null
  check "dpkg -r 后不再安装" '! dpkg -s chuangcheng-desk 2>/dev/null | grep -q "^Status: install ok installed"'
  check "dpkg -r 后没有遗留文件（$(wc -l < "$WORK/deb-files.txt") 个文件逐一检查）" '[ ! -e /opt/chuangcheng-desk ] && [ -z "$(leftovers)" ]'
  check "dpkg -r 保留用户数据" '[ -f "$DATA/kept/marker" ]'
  dpkg -P chuangcheng-desk >/dev/null 2>&1
  printf '  %s\n' "${checks[@]}"
  if printf '%s\n' "${checks[@]}" | grep -q '^FAIL'; then step_end FAIL; else step_end PASS "${#checks[@]} 项"; fi
fi

echo; echo "================ 结果"
printf '%s\n' "${SUMMARY[@]}" | tee "$WORK/report.txt"
[ $FAILED = 0 ] && echo "全部通过" || echo "有失败项"
exit $FAILED
