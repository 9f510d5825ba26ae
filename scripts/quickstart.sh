#!/usr/bin/env bash
# From a fresh checkout to a finished evolution run with the system's own python3 (>= 3.11):
# create the virtual environment .venv (on Debian/Ubuntu first installing python3-venv if
# `python3 -m venv` cannot work, as root or with sudo), install redqueen into it, then run
# `python -m redqueen evolve --rounds 5 --iters 100` (or evolve with the options given).
#
#   bash scripts/quickstart.sh                        # a 5-round Core War run, about a minute
#   bash scripts/quickstart.sh --arena ipd --rounds 3 # any `redqueen evolve` options instead
#
# PYTHON (default python3) and VENV (default .venv) choose the interpreter and the directory.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ensure_venv.sh
echo "installing redqueen and its dependencies into $VENV (a few minutes the first time)..." >&2
"$VENV_PYTHON" -m pip install -q -e .
[ $# -gt 0 ] || set -- --rounds 5 --iters 100
echo "running: redqueen evolve $*" >&2
"$VENV_PYTHON" -m redqueen evolve "$@"
echo "done. Use the environment with: . $VENV/bin/activate   (then: redqueen --help)" >&2
