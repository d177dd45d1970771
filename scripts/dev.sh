#!/usr/bin/env bash
# 创城工作台 — set up and run on Linux.
#   scripts/dev.sh demo   set up, then open the program on a demo data folder (./demo-data)
#   scripts/dev.sh test   set up, then run the whole test suite
#   scripts/dev.sh setup  only set up (.venv with the dependencies; Debian packages Qt needs)
#   scripts/dev.sh wintest  the core tests, a command-line smoke run and a GUI session under real
#                           Windows Python run by wine (harness in .wintest/, see scripts/wintest/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libglib2.0-0
  libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libx11-xcb1 poppler-utils"
# The shared-ledger tests start a throwaway PostgreSQL cluster of their own (tests/pg_cluster.py).
TEST_APT_PACKAGES="postgresql"
PYTHON=${PYTHON:-python3}

ensure_system() {
  command -v dpkg >/dev/null 2>&1 || return 0   # not Debian-family: install Qt's libraries yourself
  local missing=()
  for p in $APT_PACKAGES ${EXTRA_APT_PACKAGES:-}; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=("python3-venv")
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "安装缺少的系统软件包：${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    local needed=()
    for p in "${missing[@]}"; do
      [[ " $TEST_APT_PACKAGES " == *" $p "* ]] || needed+=("$p")
    done
    if [ ${#needed[@]} -eq 0 ]; then  # only the test server: its tests are skipped with the reason
      echo "未安装 PostgreSQL，共享台账的测试将跳过。需要时请运行：sudo apt-get install -y ${missing[*]}"
      return 0
    fi
    echo "缺少 Qt 运行所需的系统软件包，请先运行："
    echo "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
}

ensure_venv() {
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  local stamp=.venv/.deps-installed
  if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r <(.venv/bin/python scripts/requirements.py --test)
    touch "$stamp"
  fi
}

cmd=${1:-demo}
[ "$cmd" = test ] && EXTRA_APT_PACKAGES=$TEST_APT_PACKAGES
ensure_system
ensure_venv
case "$cmd" in
  setup) ;;
  demo)
    data=${CHUANGCHENG_DATA:-$PWD/demo-data}
    [ -f "$data/chuangcheng.db" ] || .venv/bin/python main.py --data "$data" demo
    exec .venv/bin/python main.py --data "$data" ;;
  test)
    shift || true
    exec env QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q "$@" ;;
  wintest) exec scripts/wintest/run.sh ;;
  *) echo "用法：scripts/dev.sh demo|test|setup|wintest" >&2; exit 2 ;;
esac
