#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The layering of the code, checked on every #include of the C sources:
#
#   daemon/                 the program: may use every layer below
#   embed/                  the embedding API (include/ctgt/server.h)
#   iscsi/                  the iSCSI protocol
#   scsi/      event/       SCSI emulation; the event loop
#   backend/                backing stores
#   util/                   logging, byte order, lists, names
#
# A layer includes its own headers and those of the layers under it, never
# one above it or beside it: scsi/ knows no event loop, backend/ no SCSI,
# event/ no protocol. include/ctgt/ is the public API: its headers include
# only each other, and the code that implements a part of it (backend/ for
# the callback store of ctgt/lu.h, embed/ for ctgt/server.h) or is built on
# it (daemon/, examples/) includes it. The benchmark's programs (tools/bench/)
# use util/ and each other only; ctgtadm (tools/ctgtadm/) the control
# protocol header of daemon/ and util/. Nothing else includes daemon/ or tests/
# (tests/ may include anything and is not checked).
#
# Usage: tools/check-layers.sh [ROOT]   (default: this checkout)
# Prints one line per include that breaks a rule, and per source directory
# that has no rule, and exits 1 if there was any; else prints a summary line
# and exits 0.
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}

# What each directory may include, by the first component of the path
# (include/ctgt/ is reached as "ctgt/"). A bare "file.h" is the file's own
# directory.
declare -A allow=(
	[util]="util"
	[event]="event util"
	[backend]="backend util ctgt"
	[scsi]="scsi backend util"
	[iscsi]="iscsi scsi backend event util"
	[embed]="embed iscsi scsi backend event util ctgt"
	[daemon]="daemon embed iscsi scsi backend event util ctgt"
	[include/ctgt]="ctgt"
	[examples]="ctgt"
	[tools/bench]="tools util"
	[tools/ctgtadm]="tools daemon util"
)
# First path components that name a part of ctgt (anything else, such as
# sys/ or linux/, is a system header).
project="util event backend scsi iscsi embed daemon ctgt tools tests"
# DIR:FIRST pairs where <FIRST/...> is a system header that shares a name
# with a part of ctgt: the benchmark's load generator uses libiscsi's
# <iscsi/iscsi.h> (built with -iquote so that "iscsi/..." stays ours).
system="tools/bench:iscsi"

# Directories whose C sources no rule covers: the tests (they may include
# anything) and build output.
skip_dir() {
	case $1 in
	tests | tests/* | build | build/* | var | var/*) return 0 ;;
	esac
	return 1
}

bad=0

# Every directory holding .c/.h files must have a rule.
while IFS= read -r d; do
	skip_dir "$d" && continue
	if [ -z "${allow[$d]+x}" ]; then
		echo "check-layers: $d/: no layering rule for this directory (tools/check-layers.sh)"
		bad=1
	fi
done < <(cd "$root" && find . -name '*.[ch]' -not -path './.git/*' -printf '%h\n' |
	 sed 's|^\./||' | sort -u)

# Every #include of the sources of the directories with a rule, as
# "DIR FILE LINE TARGET", checked in one pass.
files=()
for dir in "${!allow[@]}"; do
	[ -d "$root/$dir" ] || continue
	for f in "$root/$dir"/*.[ch]; do
		[ -e "$f" ] && files+=("${f#"$root"/}")
	done
done
rules=$(for dir in "${!allow[@]}"; do echo "$dir ${allow[$dir]}"; done)
if ! (cd "$root" && grep -nHE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][^">]+[">]' \
	"${files[@]}" /dev/null || true) | awk -v rules="$rules" -v project="$project" -v sysinc="$system" '
	BEGIN {
		n = split(rules, r, "\n")
		for (i = 1; i <= n; i++) {
			k = split(r[i], w, " ")
			for (j = 2; j <= k; j++)
				ok[w[1] " " w[j]] = 1
			may[w[1]] = substr(r[i], length(w[1]) + 2)
		}
		k = split(project, w, " ")
		for (j = 1; j <= k; j++)
			part[w[j]] = 1
		k = split(sysinc, w, " ")
		for (j = 1; j <= k; j++)
			sys[w[j]] = 1
		bad = 0
	}
	{
		# FILE:LINE:#include "TARGET" (or <TARGET>)
		file = $0; sub(/:.*/, "", file)
		rest = substr($0, length(file) + 2)
		line = rest; sub(/:.*/, "", line)
		target = rest; sub(/^[^"<]*["<]/, "", target); sub(/[">].*/, "", target)
		dir = file; sub(/\/[^\/]*$/, "", dir)
		if (index(target, "/") == 0)
			next			# same directory
		first = target; sub(/\/.*/, "", first)
		if (!(first in part) || ((dir " " first) in ok))
			next
		if (rest ~ /include[[:space:]]*</ && ((dir ":" first) in sys))
			next			# a system header of that name
		printf "check-layers: %s:%s: includes %s, but %s/ may include only: %s\n",
		       file, line, target, dir, may[dir]
		bad = 1
	}
	END { exit bad }'; then
	bad=1
fi

if [ "$bad" != 0 ]; then
	echo "check-layers: FAILED (the rules are at the top of tools/check-layers.sh)"
	exit 1
fi
echo "check-layers: ${#files[@]} files, every #include follows the layering"
