#!/usr/bin/env bash
# README command 1: set up, then open the desk on its embedded default (a virtual screen when there is none).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh app
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: running the desk on a virtual screen (xvfb-run)."
  exec xvfb-run -a -s "-screen 0 1280x860x24" .venv/bin/operator-app "$@"
fi
exec .venv/bin/operator-app "$@"
