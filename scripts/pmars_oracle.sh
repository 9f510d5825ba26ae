#!/usr/bin/env bash
# Run the pMARS oracle with every warrior file passed under a short, plain path.
# pMARS 0.9.2 mishandles some file paths: at exactly 96 characters it misreads the warrior (its
# settings come out as garbage: "Too many instructions", failing ;assert lines), and a path such
# as DIR/./FILE can crash it, although the same file is fine under other names. pMARS never prints
# the file name, so each file is given to it as a symlink /tmp/pmarsXXXXXX/N.red.
set -u
links=$(mktemp -d /tmp/pmarsXXXXXX)
trap 'rm -rf "$links"' EXIT
args=()
n=0
for arg in "$@"; do
    if [ -f "$arg" ]; then
        n=$((n + 1))
        ln -s "$(realpath -- "$arg")" "$links/$n.red"
        arg="$links/$n.red"
    fi
    args+=("$arg")
done
"${PMARS_BINARY:-pmars}" "${args[@]}"
