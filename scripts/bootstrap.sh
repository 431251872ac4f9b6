#!/usr/bin/env bash
# Set up everything the app and its tests need on Debian/Ubuntu: system libraries for Qt, a CJK font,
# a virtual screen for machines without a display, and the project's virtual environment in .venv.
# Usage: scripts/bootstrap.sh [app|test]   (test adds the development extras)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-app}

SYSTEM_PACKAGES=(
  python3-venv python3-pip
  libglib2.0-0 libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3
  xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 fonts-noto-cjk
)
# The server tests start a throwaway PostgreSQL cluster (tests/server/pg_cluster.py).
[ "$mode" = "test" ] && SYSTEM_PACKAGES+=(postgresql)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "$mode" = "test" ]; then
  .venv/bin/python -m pip install -q -e '.[dev]'
else
  .venv/bin/python -m pip install -q -e .
fi
