#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian 12 packages ctgt needs to build and test, if any is missing.
set -e
PKGS="gcc make clang pkg-config libisal-dev libjansson-dev libssl-dev libcmocka-dev \
      libiscsi-bin qemu-utils qemu-block-extra procps coreutils iproute2"
missing=""
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
