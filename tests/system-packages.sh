#!/bin/sh
# Installs the Debian packages that tests run for real (tests/system-packages.txt). A line
# is "PACKAGE" or "PACKAGE COMMAND": the package is installed unless it is installed
# already, or, when a COMMAND is named, unless that command is on PATH (npm comes with
# some Node.js builds and would conflict as a package of its own). '#' starts a comment.
# Needs root or sudo.
set -eu
list="$(dirname "$0")/system-packages.txt"
missing=""
while read -r pkg command; do
    [ -n "$pkg" ] || continue
    if [ -n "$command" ]; then
        command -v "$command" >/dev/null 2>&1 && continue
    elif dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        continue
    fi
    missing="$missing $pkg"
done <<LIST
$(sed 's/#.*//' "$list")
LIST
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
