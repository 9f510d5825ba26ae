#!/usr/bin/env bash
# Build the pMARS 0.9.2 reference simulator (server variant, no X11) from Debian's
# source package and install it as $PREFIX/bin/pmars (default /usr/local).
# Differential tests and benchmarks use it as the oracle; nothing at run time needs it.
set -euo pipefail
PREFIX=${PREFIX:-/usr/local}
# pmars with no arguments prints its banner and exits non-zero, hence the `|| true`.
if command -v pmars >/dev/null 2>&1 && (pmars 2>&1 || true) | grep -q "v0.9.2"; then
    echo "pmars already installed: $(command -v pmars)"; exit 0
fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
# Enable deb-src for the archives the machine already uses (deb822 or one-line format).
if [ -f /etc/apt/sources.list.d/debian.sources ] && ! grep -q "deb-src" /etc/apt/sources.list.d/debian.sources; then
    $SUDO sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
fi
if [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list && ! grep -q '^deb-src ' /etc/apt/sources.list; then
    grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $SUDO tee -a /etc/apt/sources.list >/dev/null
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq dpkg-dev gcc make >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source -qq pmars >/dev/null 2>&1 || apt-get source pmars
src=$(find "$work" -maxdepth 2 -type d -name src | head -n 1)
make -C "$src" CFLAGS="-O2 -DEXT94 -DSERVER -DPERMUTATE" LIB= >/dev/null
$SUDO install -m 755 "$src/pmars" "$PREFIX/bin/pmars"
# Keep pMARS's own validation warrior next to the binary for the test suite.
$SUDO mkdir -p "$PREFIX/share/pmars"
find "$work" -name 'validate.red' -exec $SUDO install -m 644 {} "$PREFIX/share/pmars/" \;
echo "installed $PREFIX/bin/pmars"
