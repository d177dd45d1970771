#!/usr/bin/env bash
# Prove the Windows installer with the real program, under wine (not part of .ci/run):
#   1. PyInstaller builds the Windows bundle under Windows Python (the harness of scripts/dev.sh wintest);
#   2. makensis packs that real payload into the amd64 setup.exe;
#   3. setup.exe /S installs per user; the installed chuangcheng-cli.exe runs --version, demo and
#      check; the installed ChuangchengDesk.exe starts to its main window (screenshot under Xvfb)
#      and ends cleanly, leaving logs/crash-native.log empty;
#   4. installing again over it (upgrade in place) keeps the data; uninstalling keeps the data;
#   5. on a Windows 10 older than 1809 (build 17763) the installer refuses, with a Chinese message.
# Run as root on a fresh machine it installs what it needs (see scripts/wintest/setup.sh). The
# work folder is .wintest/check-windows; the screenshot is main-window.png there.
#   installer/check_windows.sh [--reuse-build]   (reuse the setup.exe of an earlier run)
set -uo pipefail
WINTEST_PREFIX=$(cd "$(dirname "$0")/.." && pwd)/.wintest/check-windows/prefix
source "$(dirname "$0")/../scripts/wintest/setup.sh"
WORK=$H/check-windows
VERSION=$("$HOST_PY" "$ROOT/installer/version_info.py" --version)
mkdir -p "$WORK"
command -v makensis >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nsis >/dev/null; }

REUSE=0
[ "${1:-}" = "--reuse-build" ] && [ -f "$WORK/ChuangchengDesk-$VERSION-setup.exe" ] && REUSE=1
if [ $REUSE = 0 ]; then
step_start "PyInstaller 及其 Windows 依赖（Windows 轮子）"
# pefile and pywin32-ctypes, PyInstaller's Windows-only dependencies, come with it (windows_wheels).
windows_wheels "$H/build-wheels" "$H/build-tools" pyinstaller || die "pip download 失败"
step_end PASS "$(cd "$H/build-wheels" && ls *.whl | sed 's/-py.*//; s/-cp.*//' | tr '\n' ' ')"

step_start "PyInstaller Windows 构建（wine 下的 Windows Python）"
BUNDLE=$WORK/dist/ChuangchengDesk
rm -rf "$WORK/dist" "$WORK/pyinstaller"
wrun "$PY" -m PyInstaller --noconfirm --clean --log-level ERROR --distpath "$(winpath "$WORK/dist")" \
  --workpath "$(winpath "$WORK/pyinstaller")" "$(winpath "$ROOT/installer/chuangcheng.spec")" | tail -20
if [ -f "$BUNDLE/ChuangchengDesk.exe" ] && [ -f "$BUNDLE/chuangcheng-cli.exe" ]; then
  step_end PASS "$(du -sm "$BUNDLE" | cut -f1) MB"
else
  die "没有生成 ChuangchengDesk.exe 与 chuangcheng-cli.exe"
fi

step_start "makensis：真实载荷的 amd64 安装程序"
SETUP=$WORK/ChuangchengDesk-$VERSION-setup.exe
rm -f "$SETUP"
makensis -V2 -INPUTCHARSET UTF8 -DTARGET_AMD64 -DVERSION="$VERSION" -DDIST_DIR="$BUNDLE" -DOUT_FILE="$SETUP" \
  "$ROOT/installer/chuangcheng.nsi" >/dev/null || die "makensis 失败"
step_end PASS "$(basename "$SETUP") $(du -m "$SETUP" | cut -f1) MB"
fi
SETUP=$WORK/ChuangchengDesk-$VERSION-setup.exe

USERDIR=$WINEPREFIX/drive_c/users/$(id -un)
PROG=$USERDIR/AppData/Local/Programs/ChuangchengDesk
DATA=$USERDIR/AppData/Local/ChuangchengDesk
SETUP_WIN=$(winpath "$SETUP")
CLI_WIN='C:\users\'"$(id -un)"'\AppData\Local\Programs\ChuangchengDesk\chuangcheng-cli.exe'
APP_WIN='C:\users\'"$(id -un)"'\AppData\Local\Programs\ChuangchengDesk\ChuangchengDesk.exe'
installed_cli() { PYTHONIOENCODING=utf-8 QT_QPA_PLATFORM=offscreen wrun "$CLI_WIN" "$@"; }
# The uninstaller copies itself to %TEMP% and returns at once: wait for the folder to go.
wait_gone() { for _ in $(seq 120); do [ -e "$1" ] || return 0; sleep 1; done; return 1; }
rm -rf "$PROG" "$DATA"

step_start "setup.exe /S：按用户安装"
wrun "$SETUP_WIN" /S; rc=$?
[ $rc = 0 ] && [ -f "$PROG/ChuangchengDesk.exe" ] && [ -f "$PROG/uninstall.exe" ] \
  && step_end PASS || step_end FAIL "退出码 $rc"

step_start "已安装的 chuangcheng-cli.exe：--version、demo、check"
out=$(installed_cli --version | tr -d '\r')
if [ "$out" = "创城工作台 $VERSION" ] && installed_cli demo | tail -2 && installed_cli check; then
  step_end PASS "$out；数据在 $DATA"
else
  step_end FAIL "--version 输出：$out"
fi

step_start "已安装的 ChuangchengDesk.exe：打开到主窗口（Xvfb 截图），正常关闭"
rm -f "$WORK/main-window.png"
session=$(wrun "$PY" "$(winpath "$ROOT/scripts/wintest/gui_session.py")" --screenshot "$(winpath "$WORK/main-window.png")" \
  "$APP_WIN"); rc=$?
echo "$session"
if [ $rc = 0 ] && [ -s "$WORK/main-window.png" ] && [ ! -s "$DATA/logs/crash-native.log" ]; then
  step_end PASS "$(echo "$session" | head -1 | tr -d '\r')；crash-native.log 为空"
else
  [ -s "$DATA/logs/crash-native.log" ] && cat "$DATA/logs/crash-native.log"
  step_end FAIL "退出码 $rc"
fi

step_start "覆盖安装（升级）保留数据"
before=$(sha256sum < "$DATA/chuangcheng.db")
echo "旧版本遗留" > "$PROG/_internal/stale_from_old_version.pyc"
wrun "$SETUP_WIN" /S; rc=$?
if [ $rc = 0 ] && [ "$(sha256sum < "$DATA/chuangcheng.db")" = "$before" ] && installed_cli check \
   && [ ! -e "$PROG/_internal/stale_from_old_version.pyc" ]; then
  step_end PASS "数据库未被改动，数据体检通过"
else
  step_end FAIL "退出码 $rc"
fi

step_start "卸载（默认）保留数据"
wrun "$(winpath "$PROG/uninstall.exe")" /S
if wait_gone "$PROG" && [ "$(sha256sum < "$DATA/chuangcheng.db")" = "$before" ]; then
  step_end PASS "程序文件夹已删除，数据仍在"
else
  step_end FAIL
fi

step_start "低于 Windows 10 1809（内部版本 17763）时拒绝安装并给出中文提示"
set_windows_build 17134   # Windows 10 1803
wrun "$SETUP_WIN" /S; silent_rc=$?
told=$(wrun "$PY" "$(winpath "$ROOT/scripts/wintest/message_box.py")" "$SETUP_WIN")
set_windows_build $WINDOWS_BUILD
echo "$told"
# wine hands the Windows exit code to Linux, which keeps its low 8 bits: 1150 arrives as 126.
if [ "$silent_rc" = $((1150 % 256)) ] && [ ! -e "$PROG" ] && echo "$told" | grep -q "需要 Windows 10 1809（内部版本 17763）" \
   && echo "$told" | grep -q "17134"; then
  step_end PASS "/S 退出码 1150（wine 下为 $silent_rc）；有界面时的提示框如上"
else
  step_end FAIL "/S 退出码 $silent_rc，提示：$told"
fi

echo; echo "================ installer/check_windows.sh：各步用时（共 $(( $(date +%s) - RUN_T0 )) 秒）"
printf '%s\n' "${SUMMARY[@]}" | tee "$WORK/report.txt"
[ $FAILED = 0 ] && echo "全部通过" || echo "有失败项"
exit $FAILED
