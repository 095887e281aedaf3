#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel x profile matrix of `make check`: ./run_tests.sh once per
# kernel, with that kernel's profiles, then one closing line over all of
# them.  Each entry is KERNEL:PROFILES, KERNEL a Debian version as
# --debian-kernel takes it (or "default", the cached $KM_DEFAULT_KERNEL),
# PROFILES a comma-separated list.
#
# Usage: scripts/check-matrix.sh [--] ENTRY... (extra run_tests.sh options
#        before the entries: --no-build, --jobs N, --keep-logs DIR ...)
# Exit: 0 every kernel passed (or skipped), 1 a case failed or a run ended
# without a result (the runner's own exit code is named per kernel).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
opts=()
entries=()
while [ $# -gt 0 ]; do
	case "$1" in
	--) shift; entries+=("$@"); break ;;
	--jobs|-j|--keep-logs|--timeout) opts+=("$1" "$2"); shift 2 ;;
	-*) opts+=("$1"); shift ;;
	*) entries+=("$1"); shift ;;
	esac
done
[ ${#entries[@]} -gt 0 ] || { echo "usage: $0 [run_tests.sh options] KERNEL:PROFILES..." >&2; exit 2; }

closing_re='^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped, ([0-9]+) xfailed$'
out=$(mktemp)
trap 'rm -f "$out"' EXIT
np=0 nf=0 ns=0 nx=0 bad=0
summary=()
for e in "${entries[@]}"; do
	k=${e%%:*} p=${e#*:}
	kopt=()
	[ "$k" = default ] || kopt=(--debian-kernel "$k")
	t0=$(date +%s)
	# Each kernel's own closing line is summed into one at the end.
	"$root/run_tests.sh" "${opts[@]+"${opts[@]}"}" "${kopt[@]+"${kopt[@]}"}" --profiles "$p" |
		tee "$out" | grep -Ev "$closing_re"
	rc=${PIPESTATUS[0]}
	last=$(grep -E "$closing_re" "$out" | tail -n1)
	if [[ $last =~ $closing_re ]]; then
		np=$((np + BASH_REMATCH[1])) nf=$((nf + BASH_REMATCH[2]))
		ns=$((ns + BASH_REMATCH[3])) nx=$((nx + BASH_REMATCH[4]))
	fi
	case $rc in 0|4) ;; *) bad=1 ;; esac
	summary+=("# check: kernel $k on $p: exit $rc, $(( $(date +%s) - t0 ))s: ${last:-no result}")
done
printf '%s\n' "${summary[@]}"
echo "$np passed, $nf failed, $ns skipped, $nx xfailed"
[ "$bad" = 0 ] && [ "$nf" = 0 ]
