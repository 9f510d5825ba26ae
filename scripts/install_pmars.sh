#!/usr/bin/env bash
# Build the pMARS 0.9.2 reference simulator (server variant, no X11) from Debian's
# source package and install it as $PREFIX/bin/pmars (default /usr/local).
# Differential tests and benchmarks use it as the oracle; nothing at run time needs it.
#
# apt's configuration is left exactly as found: the source package is fetched through a private,
# temporary source list (the deb-src twin of every enabled deb entry of the machine) with private
# package lists, so nothing is added to /etc/apt and later apt commands see no duplicate entries.
#
#   bash scripts/install_pmars.sh                  build and install (root or sudo only if
#                                                  dpkg-dev, gcc or make must be installed)
#   bash scripts/install_pmars.sh --print-sources  print the private deb-src list and stop
#
# APT_ETC (default /etc/apt) is where the machine's sources are read from.
set -euo pipefail
PREFIX=${PREFIX:-/usr/local}
APT_ETC=${APT_ETC:-/etc/apt}

# One-line format (sources.list, sources.list.d/*.list): each enabled `deb` line as `deb-src`.
one_line_sources() {
    local file
    for file in "$APT_ETC/sources.list" "$APT_ETC"/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        sed -n -E 's/^[[:space:]]*deb[[:space:]]+/deb-src /p' "$file"
    done | awk '!seen[$0]++'
}

# deb822 format (sources.list.d/*.sources): each enabled stanza whose Types include deb, as deb-src.
deb822_sources() {
    local file
    for file in "$APT_ETC"/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
             {
                 binary = 0; enabled = 1
                 for (i = 1; i <= NF; i++) {
                     if ($i ~ /^Types:/ && (" " substr($i, 7) " ") ~ /[[:space:]]deb[[:space:]]/) binary = 1
                     if (tolower($i) ~ /^enabled:[[:space:]]*no[[:space:]]*$/) enabled = 0
                 }
                 if (!binary || !enabled) next
                 for (i = 1; i <= NF; i++) print ($i ~ /^Types:/ ? "Types: deb-src" : $i)
                 print ""
             }' "$file"
    done
}

if [ "${1:-}" = "--print-sources" ]; then
    one_line_sources
    deb822_sources
    exit 0
fi

# pmars with no arguments prints its banner and exits non-zero, hence the `|| true`.
if command -v pmars >/dev/null 2>&1 && (pmars 2>&1 || true) | grep -q "v0.9.2"; then
    echo "pmars already installed: $(command -v pmars)"; exit 0
fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v dpkg-source >/dev/null || ! command -v gcc >/dev/null || ! command -v make >/dev/null; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq dpkg-dev gcc make >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
apt_dir="$work/apt"
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
one_line_sources > "$apt_dir/sources.list"
deb822_sources > "$apt_dir/sources.list.d/deb-src.sources"
[ -s "$apt_dir/sources.list" ] || [ -s "$apt_dir/sources.list.d/deb-src.sources" ] || {
    echo "install_pmars.sh: no enabled deb entry in $APT_ETC to derive a deb-src entry from" >&2; exit 1; }
private=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
         -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
# As root apt downloads as the _apt user, who cannot write into our private directory.
[ "$(id -u)" = 0 ] && private+=(-o "APT::Sandbox::User=root")
apt-get "${private[@]}" update -qq
mkdir "$work/build"
cd "$work/build"
apt-get "${private[@]}" source -qq pmars >/dev/null 2>&1 || apt-get "${private[@]}" source pmars
src=$(find "$work/build" -maxdepth 2 -type d -name src | head -n 1)
make -C "$src" CFLAGS="-O2 -DEXT94 -DSERVER -DPERMUTATE" LIB= >/dev/null
INSTALL=""; [ -w "$PREFIX" ] || [ "$(id -u)" = 0 ] || INSTALL="sudo"
$INSTALL install -D -m 755 "$src/pmars" "$PREFIX/bin/pmars"
# Keep pMARS's own validation warrior next to the binary for the test suite.
$INSTALL mkdir -p "$PREFIX/share/pmars"
find "$work/build" -name 'validate.red' -exec $INSTALL install -m 644 {} "$PREFIX/share/pmars/" \;
echo "installed $PREFIX/bin/pmars"
