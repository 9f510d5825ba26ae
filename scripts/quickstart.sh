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
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "quickstart.sh: redqueen needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
    exit 1
fi
if [ ! -x "$VENV/bin/python" ] && ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) separately, in python3-venv.
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "installing python3-venv (python3 -m venv needs it)..." >&2
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
    echo "creating the virtual environment $VENV..." >&2
    "$PYTHON" -m venv "$VENV"
fi
echo "installing redqueen and its dependencies into $VENV (a few minutes the first time)..." >&2
"$VENV/bin/python" -m pip install -q -e .
[ $# -gt 0 ] || set -- --rounds 5 --iters 100
echo "running: redqueen evolve $*" >&2
"$VENV/bin/python" -m redqueen evolve "$@"
echo "done. Use the environment with: . $VENV/bin/activate   (then: redqueen --help)" >&2
