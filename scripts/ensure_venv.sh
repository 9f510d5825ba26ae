# Sourced by scripts/quickstart.sh and .ci/run: make sure the virtual environment $VENV exists
# (default .venv) for $PYTHON (default python3, >= 3.11), installing Debian's python3-venv first
# when `python3 -m venv` cannot work (as root or with sudo). A virtual environment is what lets
# the same commands run with a distribution's own python3, which refuses `pip install` into
# itself (PEP 668: externally-managed-environment). Sets VENV_PYTHON.
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "redqueen needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
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
VENV_PYTHON="$VENV/bin/python"
