#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian 12 packages ctgt needs to build and test, if any is missing:
# everything the tests use, so that nothing skips under CI=true (where a
# skipped part fails). Build: gcc (with libasan/libubsan for make asan),
# make, the -dev libraries, binutils (nm: run-sanitized.sh checks the build).
# Tests: libiscsi-bin (iscsi-test-cu, iscsi-ls, iscsi-inq, iscsi-swp),
# qemu-utils and qemu-block-extra (qemu-img, qemu-io with iSCSI), procps,
# coreutils (stdbuf, timeout, truncate, sha256sum), iproute2 (ss, ip),
# e2fsprogs (chattr), diffutils (cmp), mount (losetup, for the block-device
# LU of data_integrity.sh), libiscsi-dev (the load generator of
# tools/bench/, which `make` builds), jq (bench_smoke.sh, bench_report.sh),
# systemd (systemd-analyze verify of the unit; no running systemd needed),
# groff-base (groff: the man pages must render without a warning) and
# man-db (man: systemd-analyze looks up the unit's Documentation= pages),
# for service.sh; curl (metrics.sh).
#
# `tools/install-deps.sh bench` adds what `make bench` needs: tgt (the target
# it compares ctgt with; Debian's package may also start its own tgt service
# on port 3260, which the benchmark does not use) and gnuplot-nox (the
# charts).
set -e
PKGS="gcc clang libasan8 libubsan1 make pkg-config binutils libisal-dev libjansson-dev \
      libssl-dev liburing-dev libcmocka-dev libiscsi-bin libiscsi-dev jq qemu-utils qemu-block-extra procps \
      coreutils iproute2 e2fsprogs diffutils mount systemd groff-base man-db curl"
case ${1:-} in
"") ;;
bench) PKGS="$PKGS tgt gnuplot-nox" ;;
*) echo "usage: tools/install-deps.sh [bench]" >&2; exit 2 ;;
esac
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
