#!/usr/bin/env bash
# README command 2: set up, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy (core packages)"
.venv/bin/mypy
echo "== pytest"
export QT_QPA_PLATFORM=offscreen
# One worker per core: half the suite is waiting (servers, sockets, timers), so two cores halve its wall time.
# Pass -n 0 to run in one process (a debugger, or one test).
exec .venv/bin/python -m pytest -n auto --dist worksteal "$@"
