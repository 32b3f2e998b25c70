#!/bin/sh
# Installs the Debian packages that tests run for real (listed in tests/system-packages.txt,
# one per line, '#' starts a comment). Installs only what is missing; needs root or sudo.
set -eu
list="$(dirname "$0")/system-packages.txt"
missing=""
for pkg in $(sed 's/#.*//' "$list"); do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
