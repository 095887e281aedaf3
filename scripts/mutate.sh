#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make mutate: break the expectation functions' output one change at a time
# and check that the suite notices.  Each mutation below edits one field of
# km_pfn_expect() (lib/expect/pfnmap_expect.c) or km_expect()
# (lib/expect/expect.c) for one kind of memory, in a copy of the tree; the
# suite is built from that copy and the rules that depend on the field run
# under QEMU on each profile (one at a time).  A mutation some case FAILs on is killed; one no case fails on is
# DEAD: no row checks what that field says.  The tree itself is never edited.
#
#   scripts/mutate.sh [-p PROFILES] [-k IMAGE] [-f FILE] [-l] [-K] [NAME...]
#     -p PROFILES   comma-separated (default: max,neoverse-n1)
#     -f FILE       mutations from FILE instead (one a line, the format below;
#                   '#' comments), e.g. of a test's own expectations
#     -k IMAGE      guest kernel (run_tests.sh --kernel; default: its default)
#     -l            list the mutations and exit
#     -K            keep the temporary tree (its path is printed)
#     NAME...       only these mutations
#
# Needs the suite's build prerequisites and QEMU (scripts/setup.sh); the test
# module is taken from $O/kmod (make kmod) when it is there.  Exit status: 0
# when the unmutated run passes and every mutation is killed, 1 otherwise
# (a DEAD mutation, a mutation whose edit no longer applies, a failed build or
# baseline), 2 on usage errors.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/common.sh
. "$root/scripts/common.sh"
prog=mutate

# name | file | rules (comma-separated globs) | sed script.  Each edit must
# change the file (else the mutation is reported STALE: the code moved).
mutations=(
	"p1-s2-device|lib/expect/pfnmap_expect.c|PFNMAP-P1-*,PFNMAP-P2-*,S2MT-PFNRAM-*,S2MT-PFNRAMNC-*|s/^\t\te->s2 = KM_S2_NORMAL;$/\t\te->s2 = p->pfnmap \&\& p->ram ? KM_S2_DEVICE : KM_S2_NORMAL;/"
	"row13-log-accepted|lib/expect/pfnmap_expect.c|PFNMAP-MS13-*|/p->pfnmap && log_dirty/,/row 13/s/e->memslot = -EINVAL;/e->memslot = 0;/"
	"row14-accepted|lib/expect/pfnmap_expect.c|PFNMAP-P1R-*,PFNMAP-P3R-*,PFNMAP-MS14-*,MEMSLOT-FLAGS-03|/p->pfnmap && p->cacheable && gate && !e->cpfn/,/row 14/s/e->memslot = -EINVAL;/e->memslot = 0;/"
	"mixedmap-refused|lib/expect/pfnmap_expect.c|PFNMAP-M1-*,MEMSLOT-DIRTY-0[23]|s/^\(\t\te->memslot_why = \"1.1 row 15: VM_MIXEDMAP\)/\t\te->memslot = -EINVAL;\n\1/"
	"nc-exec-true|lib/expect/pfnmap_expect.c|PFNMAP-P4-*,PFNMAP-P5-*,PFNMAP-M3-*|s/e->exec = !noncacheable;/e->exec = true;/"
	"device-unaligned-ok|lib/expect/pfnmap_expect.c|PFNMAP-P5-*,PFNMAP-M3-*|s/e->unaligned = e->s2 != KM_S2_DEVICE;/e->unaligned = true;/"
	"allow-any-uncached-device|lib/expect/pfnmap_expect.c|PFNMAP-P4-*,PFNMAP-M3-*,S2MT-PFNIONC-*|s/e->s2 = p->allow_any_uncached && any_uc ? KM_S2_NORMAL_NC : KM_S2_DEVICE;/e->s2 = KM_S2_DEVICE;/"
	"s2-size-no-block|lib/expect/pfnmap_expect.c|S2SIZE-01,S2MT-THP-*,S2MT-HUGETLB-*|s/return p->host_leaf >= pmd ? pmd : page;/return page;/"
	"s2-size-logging-block|lib/expect/pfnmap_expect.c|S2SIZE-02,PFNMAP-MS13-03|s/if (p->gmem || logging)/if (p->gmem)/"
	"x-eager-without-dic|lib/expect/pfnmap_expect.c|PFNMAP-P1-*,PFNMAP-P2-*,PFNMAP-M1-*,S2MT-ANON-*|s/e->s2_x_eager = !noncacheable && env->dic;/e->s2_x_eager = !noncacheable;/"
	"w-read-device-logging|lib/expect/pfnmap_expect.c|MEMSLOT-DIRTY-*|s/e->s2_w_read = writable && (((p->pfnmap || p->mixedmap) && !p->ram) || !log_dirty);/e->s2_w_read = writable \&\& !log_dirty;/"
	"s2mt-w-flipped|lib/expect/expect.c|S2MT-ANON-*,S2MT-PFNIODEV-*|s/e->w = pe->s2_w_read;/e->w = !pe->s2_w_read;/"
	"s2mt-nc-exec-runs|lib/expect/expect.c|S2MT-PFNIONC-*,S2MT-PFNIODEV-*|s/e->guest = KM_OUT_BIT(KM_OUT_IABT_SEA);/e->guest = KM_OUT_BIT(KM_OUT_OK);/"
)

profiles=max,neoverse-n1
kernel=
list=0
keep=0
while getopts "p:k:f:lKh" o; do
	case $o in
	f) mapfile -t mutations < <(grep -v -e '^#' -e '^[[:space:]]*$' "$OPTARG") ||
		km_die 2 "$prog: cannot read $OPTARG" ;;
	p) profiles=$OPTARG ;;
	k) kernel=$OPTARG ;;
	l) list=1 ;;
	K) keep=1 ;;
	h) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
only=("$@")

# field MUTATION N: its Nth field (0-3); the sed script may contain '|'.
field() {
	local r=$1 i
	for ((i = 0; i < $2; i++)); do r=${r#*|}; done
	[ "$2" -ge 3 ] && printf '%s' "$r" || printf '%s' "${r%%|*}"
}

if [ "$list" = 1 ]; then
	for m in "${mutations[@]}"; do
		printf '%-28s %-26s %s\n' "$(field "$m" 0)" "$(field "$m" 1)" "$(field "$m" 2)"
	done
	exit 0
fi
selected=()
for m in "${mutations[@]}"; do
	n=$(field "$m" 0)
	if [ ${#only[@]} -eq 0 ] || printf '%s\n' "${only[@]}" | grep -qxF "$n"; then
		selected+=("$m")
	fi
done
[ ${#selected[@]} -gt 0 ] || km_die 2 "$prog: no mutation called ${only[*]} (-l lists them)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/km-mutate.XXXXXX")
cleanup() { [ "$keep" = 1 ] && echo "# $prog: tree kept in $tmp" >&2 || rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The copy: what the build needs, as the tree has it now (committed or not).
src=$tmp/src
mkdir -p "$src"
mkdir -p "$src/scripts"
(cd "$root" && cp -a Makefile known-issues contracts lib tests guest kmod "$src/" &&
 cp -a scripts/build-kmod.sh "$src/scripts/")
bdir=$tmp/build
kmod=${O:-build}
case "$kmod" in /*) ;; *) kmod=$root/$kmod ;; esac
kmod=$kmod/kmod	# one directory of test modules per kernel release (make kmod)

build() {
	make -s -C "$src" O="$bdir" -j"$(nproc 2>/dev/null || echo 1)" all >"$tmp/build.log" 2>&1 ||
		return 1
	# The modules as built for each kernel (the runner picks them by
	# vermagic); nothing of the mutation is in them.
	local d
	for d in "$kmod"/*/; do
		compgen -G "$d*.ko" >/dev/null || continue
		[ -d "$bdir/kmod/$(basename "$d")" ] && continue
		mkdir -p "$bdir/kmod/$(basename "$d")"
		cp -p "$d"*.ko "$bdir/kmod/$(basename "$d")/"
		[ ! -f "$d.km-stamp" ] || cp -p "$d.km-stamp" "$bdir/kmod/$(basename "$d")/"
	done
}

# run RULES PROFILE: the suite from the copy's build on one profile; prints
# the failing cases' rules, one a line; returns run_tests.sh's status.
run() {
	local rules=$1 p=$2 log rc=0
	log=$tmp/run.log
	O="$bdir" "$root/run_tests.sh" --no-build --no-table --profile "$p" \
		${kernel:+--kernel "$kernel"} --keep-logs "$tmp/logs" -- -r "$rules" \
		>"$log" 2>&1 || rc=$?
	grep -E '^not ok ' "$log" | awk '{print $4}' | sort -u
	return $rc
}

t0=$(date +%s)
IFS=, read -r -a profs <<< "$profiles"
all_rules=$(for m in "${selected[@]}"; do field "$m" 2; echo; done | tr ',' '\n' | sort -u |
	    paste -sd, -)

echo "# $prog: ${#selected[@]} mutation(s), profiles $profiles, tree copy in $tmp"
build || { cat "$tmp/build.log" >&2; km_die 1 "$prog: the unmutated copy does not build"; }
bad=0
for p in "${profs[@]}"; do
	ts=$(date +%s)
	rc=0
	fails=$(run "$all_rules" "$p") || rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
		echo "# $prog: baseline on $p: exit $rc, failing: ${fails:-none}" >&2
		tail -n 20 "$tmp/run.log" | sed 's/^/#   | /' >&2
		bad=1
	else
		echo "# $prog: baseline on $p passes ($(($(date +%s) - ts)) s)"
	fi
done
[ "$bad" = 0 ] || km_die 1 "$prog: the unmutated suite fails: mutations would prove nothing"

killed=0 dead=0 stale=0 broken=0
for m in "${selected[@]}"; do
	name=$(field "$m" 0) file=$(field "$m" 1) rules=$(field "$m" 2) expr=$(field "$m" 3)
	ts=$(date +%s)
	cp "$root/$file" "$src/$file"
	sed -i "$expr" "$src/$file"
	if cmp -s "$root/$file" "$src/$file"; then
		echo "STALE   $name: the edit no longer applies to $file"
		stale=$((stale + 1))
		continue
	fi
	if ! build; then
		echo "BROKEN  $name: the mutated copy does not build"
		sed 's/^/#   | /' "$tmp/build.log" | tail -n 10
		broken=$((broken + 1))
		cp "$root/$file" "$src/$file"
		continue
	fi
	seen=()
	for p in "${profs[@]}"; do
		rc=0
		fails=$(run "$rules" "$p") || rc=$?
		if [ -n "$fails" ]; then
			nf=$(echo "$fails" | wc -l)
			seen+=("$p: $nf rule(s) failed: $(echo "$fails" | head -n 4 | paste -sd' ' -)$(
				[ "$nf" -le 4 ] || echo " ...")")
		elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
			seen+=("$p: exit $rc, no case result")
		fi
	done
	cp "$root/$file" "$src/$file"
	dt=$(($(date +%s) - ts))
	if [ ${#seen[@]} -gt 0 ]; then
		killed=$((killed + 1))
		printf 'killed  %-28s %3ss  %s\n' "$name" "$dt" "$(IFS=';'; echo "${seen[*]}")"
	else
		dead=$((dead + 1))
		printf 'DEAD    %-28s %3ss  no case of %s failed\n' "$name" "$dt" "$rules"
	fi
done
build >/dev/null 2>&1 || true
echo "# $prog: $killed killed, $dead dead, $stale stale, $broken broken of ${#selected[@]}" \
     "in $(($(date +%s) - t0)) s"
[ $((dead + stale + broken)) -eq 0 ]
