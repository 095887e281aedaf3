#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kvm-memattr suite: natively on an arm64 host with /dev/kvm, else in
# an arm64 guest under QEMU TCG (virtualization=on) on one or more CPU profiles.
#
# Usage: ./run_tests.sh [options] [-- suite-args...]
#  Where:
#   --qemu              use QEMU even on an arm64 host with KVM
#   --native            run build/memattr on this host (arm64, root, /dev/kvm)
#   --profile NAME      a profile from the file `profiles` (repeatable)
#   --profiles LIST     comma-separated profile names, or "all"
#   --cpu MODEL         an ad-hoc profile: a raw QEMU -cpu value
#   --list-profiles     print the profiles and exit
#   --full              run the whole suite on feature profiles too (those
#                       whose `profiles` line names the rules they are for)
#   -j, --jobs N        profiles booted at once (default: the number of CPUs)
#  Kernel under test (QEMU; one of the first three, default the cached Debian
#  $KM_DEFAULT_KERNEL from scripts/setup.sh):
#   --kernel IMAGE      an arm64 kernel Image
#   --debian-kernel VER a Debian arm64 kernel (e.g. 7.2.13+deb14 or 6.12.107),
#                       fetched with scripts/setup.sh when not in the cache
#   --kernel-tree DIR   build an Image from a kernel source tree (with the
#                       suite's `config` merged; scripts/build-kernel.sh), cached
#   --kernel-config B   the base configuration for --kernel-tree: alldefconfig
#                       (default), defconfig, or a .config file
#   --modules DIR       the modules tree (lib/modules/VER) of that kernel, for
#                       tests that load modules (default: next to the Image)
#   --kdir DIR          the build directory of the --kernel IMAGE (configured,
#                       with Module.symvers), to build the test modules
#                       against; with --native, of the running kernel
#   --no-kmod           no test modules (kmod/): their rows skip
#   --append ARGS       extra guest kernel command line
#   --qemu-arg ARG      one extra QEMU argument (repeatable), e.g.
#                       --qemu-arg -machine --qemu-arg mte=on
#  Selection (passed to the suite):
#   --rules LIST        only these rule IDs (globs), comma-separated, or a file
#                       of them (FILE or @FILE, one a line, '#' comments)
#   --skip-rules LIST   leave out these rule IDs (globs), same forms
#  Reports:
#   --junit FILE        JUnit XML, one testsuite per profile
#   --json FILE         JSON: facts, timings, every case, the rule table
#   --no-table          no rule x profile table at the end
#  Limits and logs:
#   --timeout SECS      limit for each boot, suite included (default 900)
#   --boot-timeout SECS limit for the kernel to reach /init (default 120)
#   --memory SIZE       guest memory (default 2G)
#   --smp N             guest CPUs (default 2)
#   --keep-logs DIR     where console logs go (default build/logs)
#   --initrd FILE       boot this initramfs as it is (benchmarks, debugging)
#   --no-build          do not build first: neither the suite (make) nor the
#                       test modules (those in build/kmod/<release>/ are used)
#   -h, --help          this text
# Suite arguments after "--" go to memattr unchanged (e.g. -- -t caps).
# Environment: QEMU (the qemu-system-aarch64 binary), KM_CACHE, O (build
# dir), CROSS_COMPILE.
#
# Output: a "# " header (QEMU, kernel); each profile's KTAP on stdout as a
# block (as it comes with one job, when the profile ends with several), then
# the profile facts and the rule x profile table as "# " lines; the last
# line is "N passed, N failed, N skipped, N xfailed" over all profiles.
# Test modules (kmod/, scripts/build-kmod.sh): built for the kernel under
# test into build/kmod/<its uname -r>/ and chosen by their vermagic: against
# Debian's headers (--debian-kernel, the default kernel), the tree's build
# directory (--kernel-tree), --kdir (with --kernel), the running kernel's
# (natively).  --kernel without --kdir: only modules built before for that
# release.  A module that does not build is one "# ERROR: test modules: ..."
# line and exit 2 (--no-kmod runs without them).
# Exit: 0 pass, 1 a case failed, 2 usage error or incomplete setup (or a
# build failed), 3 no KVM in the kernel under test, 4 everything skipped,
# 5 no result from a guest (kernel panic, hang, timeout, QEMU error).
# Profiles that disagree:
# 1 if any ended other than 0 or 4, else 0.  130/143: interrupted.

# The trap handlers are reached only through traps.
# shellcheck disable=SC2317
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=run_tests.sh
if [ -f "$root/scripts/common.sh" ]; then
	# shellcheck source=scripts/common.sh
	. "$root/scripts/common.sh"
else	# installed copy (make install): native mode only
	km_die() { local rc=$1; shift; echo "$*" >&2; exit "$rc"; }
fi

usage_err() { echo "$prog: $* (usage: $prog [options] [-- suite-args...]; see $prog -h)" >&2; exit 2; }

mode=auto
build=1
profile_names=()
user_qemu_args=()
adhoc_cpus=()
kernel=""
debian_kernel=""
kernel_tree=""
kernel_config=alldefconfig
modules_dir=""
kdir_opt=""
no_kmod=0
user_append=""
timeout=900
boot_timeout=120
memory=2G
smp=2
jobs=""
logdir=""
list_profiles=0
full=0
suite_args=()
rule_specs=()
skip_specs=()
junit=""
json=""
table=1
user_initrd=""
heartbeat=${KM_HEARTBEAT:-60}

# wait -n -p (the parallel profiles) is bash 5.1.
[ "${BASH_VERSINFO[0]}${BASH_VERSINFO[1]}" -ge 51 ] 2>/dev/null ||
	{ echo "$prog: needs bash >= 5.1 (this is $BASH_VERSION)" >&2; exit 2; }

need_arg() { [ "$2" -ge 2 ] || usage_err "option $1 needs a value"; }
while [ $# -gt 0 ]; do
	opt=$1
	case "$opt" in
	--*=*) set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; continue ;;
	esac
	case "$opt" in
	--qemu) mode=qemu; shift ;;
	--native) mode=native; shift ;;
	--profile) need_arg "$opt" $#; profile_names+=("$2"); shift 2 ;;
	--profiles)
		need_arg "$opt" $#
		IFS=, read -r -a _p <<< "$2"
		profile_names+=(${_p[@]+"${_p[@]}"}); shift 2 ;;
	--cpu) need_arg "$opt" $#; adhoc_cpus+=("$2"); shift 2 ;;
	--list-profiles) list_profiles=1; shift ;;
	--full) full=1; shift ;;
	-j|--jobs) need_arg "$opt" $#; jobs=$2; shift 2 ;;
	--kernel) need_arg "$opt" $#; kernel=$2; shift 2 ;;
	--debian-kernel) need_arg "$opt" $#; debian_kernel=$2; shift 2 ;;
	--kernel-tree) need_arg "$opt" $#; kernel_tree=$2; shift 2 ;;
	--kernel-config) need_arg "$opt" $#; kernel_config=$2; shift 2 ;;
	--modules) need_arg "$opt" $#; modules_dir=$2; shift 2 ;;
	--kdir) need_arg "$opt" $#; kdir_opt=$2; shift 2 ;;
	--no-kmod) no_kmod=1; shift ;;
	--append) need_arg "$opt" $#; user_append+=" $2"; shift 2 ;;
	--qemu-arg) need_arg "$opt" $#; user_qemu_args+=("$2"); shift 2 ;;
	--rules) need_arg "$opt" $#; rule_specs+=("$2"); shift 2 ;;
	--skip-rules) need_arg "$opt" $#; skip_specs+=("$2"); shift 2 ;;
	--junit) need_arg "$opt" $#; junit=$2; shift 2 ;;
	--json) need_arg "$opt" $#; json=$2; shift 2 ;;
	--no-table) table=0; shift ;;
	--timeout) need_arg "$opt" $#; timeout=$2; shift 2 ;;
	--boot-timeout) need_arg "$opt" $#; boot_timeout=$2; shift 2 ;;
	--memory) need_arg "$opt" $#; memory=$2; shift 2 ;;
	--smp) need_arg "$opt" $#; smp=$2; shift 2 ;;
	--keep-logs) need_arg "$opt" $#; logdir=$2; shift 2 ;;
	--initrd) need_arg "$opt" $#; user_initrd=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	-h|--help) sed -n '3,72p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; suite_args=("$@"); break ;;
	*) usage_err "unknown option '$opt'" ;;
	esac
done
user_append=${user_append# }

[[ $timeout =~ ^[1-9][0-9]*$ ]] || usage_err "--timeout wants a number of seconds, got '$timeout'"
[[ $boot_timeout =~ ^[1-9][0-9]*$ ]] ||
	usage_err "--boot-timeout wants a number of seconds, got '$boot_timeout'"
[[ $smp =~ ^[1-9][0-9]*$ ]] || usage_err "--smp wants a number, got '$smp'"
# Measured with QEMU 10.0.2: one TCG vCPU (or thread=single) completes
# unaligned loads to stage-2 Device memory that must take alignment faults.
[ "$smp" != 1 ] || echo "# $prog: note: with --smp 1 QEMU TCG misses Device alignment faults" \
	"(17 cases fail on max with QEMU 10.0.2); the suite's verdicts need --smp 2 or more" >&2
[[ $memory =~ ^[1-9][0-9]*[KMGT]?$ ]] || usage_err "--memory wants a size like 2G, got '$memory'"
[ -z "$jobs" ] || [[ $jobs =~ ^[1-9][0-9]*$ ]] || usage_err "--jobs wants a number, got '$jobs'"
nk=0
for k in "$kernel" "$debian_kernel" "$kernel_tree"; do [ -z "$k" ] || nk=$((nk + 1)); done
[ "$nk" -le 1 ] || usage_err "--kernel, --debian-kernel and --kernel-tree exclude each other"
[ -z "$kdir_opt" ] || [ -n "$kernel" ] || [ "$mode" = native ] ||
	usage_err "--kdir names the build directory of a --kernel IMAGE or, with --native, of the running kernel (Debian kernels and --kernel-tree have their own)"

# --rules/--skip-rules: comma-separated globs, or a file of them (the suite's
# own -r @FILE would look for the file inside the guest).
expand_rules() {	# expand_rules SPEC -> one rule glob a line
	local spec=$1 rfile=""
	case "$spec" in
	@*) rfile=${spec#@} ;;
	*) [ -f "$spec" ] && rfile=$spec ;;
	esac
	if [ -n "$rfile" ]; then
		[ -r "$rfile" ] || usage_err "cannot read the rule file '$rfile'"
		sed -e 's/#.*//' -e 's/[,[:space:]]\{1,\}/\n/g' "$rfile" | sed '/^$/d'
	else
		tr ',' '\n' <<< "$spec" | sed -e 's/[[:space:]]//g' -e '/^$/d'
	fi
}
sel_args=()
for s in ${rule_specs[@]+"${rule_specs[@]}"}; do
	n0=${#sel_args[@]}
	while IFS= read -r r; do sel_args+=(-r "$r"); done < <(expand_rules "$s")
	[ ${#sel_args[@]} -gt "$n0" ] || usage_err "--rules '$s' names no rule"
done
for s in ${skip_specs[@]+"${skip_specs[@]}"}; do
	while IFS= read -r r; do sel_args+=(-x "$r"); done < <(expand_rules "$s")
done
suite_args=(${sel_args[@]+"${sel_args[@]}"} ${suite_args[@]+"${suite_args[@]}"})

# Listing or help from the suite is not KTAP: pass it through as is.
raw=0
for a in ${suite_args[@]+"${suite_args[@]}"}; do
	case "$a" in -l|--list|-h|--help) raw=1 ;; esac
done

profiles_file=$root/profiles
# name -> "cpu<TAB>extra<TAB>description<TAB>qemu-args<TAB>focus"
declare -A pdef=()
pall=()
if [ -f "$profiles_file" ] && declare -F km_profiles >/dev/null; then
	while IFS=$'\t' read -r n c e d q f; do
		pdef[$n]="$c"$'\t'"$e"$'\t'"$d"$'\t'"$q"$'\t'"$f"
		pall+=("$n")
	done < <(km_profiles "$profiles_file")
fi

if [ "$list_profiles" = 1 ]; then
	for n in ${pall[@]+"${pall[@]}"}; do
		IFS=$'\t' read -r c e d q f <<< "${pdef[$n]}"
		[ "$q" = - ] && q="" || q="  [qemu: $q]"
		[ "$f" = - ] && f="" || f="  [rules: $f]"
		printf '%-12s -cpu %-12s %-24s %s%s%s\n' "$n" "$c" "${e/#-/}" "$d" "$q" "$f"
	done
	exit 0
fi

# Which profiles: name<TAB>cpu<TAB>extra<TAB>description<TAB>qemu-args<TAB>focus,
# in order, each name once.
runs=()
declare -A seen=()
add_run() {
	[ -z "${seen[$1]+x}" ] || return 0
	seen[$1]=1
	runs+=("$1"$'\t'"$2")
}
for n in ${profile_names[@]+"${profile_names[@]}"}; do
	if [ "$n" = all ]; then
		for a in ${pall[@]+"${pall[@]}"}; do add_run "$a" "${pdef[$a]}"; done
	elif [ -n "$n" ] && [ -n "${pdef[$n]+x}" ]; then
		add_run "$n" "${pdef[$n]}"
	else
		usage_err "unknown profile '$n' (known: ${pall[*]:-none}; see --list-profiles)"
	fi
done
for c in ${adhoc_cpus[@]+"${adhoc_cpus[@]}"}; do
	add_run "${c//[^A-Za-z0-9._-]/_}" "$c"$'\t-\t'"ad-hoc -cpu $c"$'\t-\t-'
done

# KM_HOST_ARCH only exists so that tests/runner can reach the native checks.
host_arch=${KM_HOST_ARCH:-$(uname -m)}
if [ "$mode" = auto ]; then
	if [ "$host_arch" = aarch64 ] && [ -c /dev/kvm ] && [ ${#runs[@]} -eq 0 ] &&
	   [ "$nk" = 0 ]; then
		mode=native
	else
		mode=qemu
	fi
fi
if [ "$mode" = native ] && [ ${#runs[@]} -gt 0 ]; then
	usage_err "--profile/--profiles/--cpu select QEMU CPU models; they do not go with --native"
fi
if [ "$mode" = native ] && [ "$nk" -gt 0 ]; then
	usage_err "--kernel/--debian-kernel/--kernel-tree choose a guest kernel; natively the running kernel is tested"
fi
[ ${#runs[@]} -gt 0 ] || runs=("max"$'\t'"${pdef[max]:-$'max\t-\t\t-'}")

# Reports: python3 writes them; say so before anything boots.
if { [ -n "$junit$json" ] || [ "$table" = 1 ]; } && [ "$raw" = 0 ]; then
	if ! command -v python3 >/dev/null || [ ! -f "$root/scripts/report.py" ]; then
		[ -z "$junit$json" ] ||
			km_die 2 "$prog: --junit/--json need python3 and scripts/report.py (run scripts/setup.sh)"
		table=0
	fi
fi
for f in "$junit" "$json"; do
	[ -z "$f" ] || [ -d "$(dirname "$f")" ] || km_die 2 "$prog: no directory for the report file $f"
done

# The binary: build/memattr in a source tree, ./memattr in an installed copy.
bdir=${O:-build}
case "$bdir" in /*) ;; *) bdir=$root/$bdir ;; esac
bin=$bdir/memattr
if [ ! -f "$root/Makefile" ] && [ -x "$root/memattr" ]; then
	bin=$root/memattr
	build=0
fi

if [ "$mode" = native ]; then
	[ "$host_arch" = aarch64 ] || km_die 2 "$prog: --native needs an arm64 host (this is $host_arch); drop it to use QEMU"
	[ "$(id -u)" = 0 ] || km_die 2 "$prog: native mode needs root (the suite uses /dev/kvm, debugfs and tracefs)"
	[ -c /dev/kvm ] || km_die 3 "$prog: /dev/kvm is missing: this host kernel has no KVM (or it is not enabled); use --qemu"
fi

if [ "$build" = 1 ]; then
	cross=${CROSS_COMPILE-}
	[ -n "${CROSS_COMPILE+x}" ] || [ "$(uname -m)" = aarch64 ] || cross=aarch64-linux-gnu-
	command -v "${cross}gcc" >/dev/null ||
		km_die 2 "$prog: no ${cross}gcc to build the suite: run scripts/setup.sh (or pass --no-build)"
	if ! make -s -C "$root" ${O:+O="$O"} all >&2; then
		echo "$prog: the build failed (make all); fix it or pass --no-build" >&2
		exit 2
	fi
fi
[ -x "$bin" ] || km_die 2 "$prog: no suite binary at $bin (run make)"

logdir=${logdir:-$bdir/logs}
mkdir -p "$logdir" || km_die 2 "$prog: cannot create the log directory $logdir"

now() { local t=${EPOCHREALTIME//[!0-9]/}; NOW_MS=$((10#$t / 1000)); }
secs() { printf '%d.%ds' $(($1 / 1000)) $(($1 % 1000 / 100)); }
now; run_t0=$NOW_MS

# Per-run scratch: the console fifos and the result of every profile.
tmpdir=""
workers=()
cleanup() {
	stop_workers
	[ -z "$tmpdir" ] || rm -rf "$tmpdir"
	tmpdir=""
}
stop_workers() {	# each worker stops its own QEMU on SIGTERM
	local w
	for w in ${workers[@]+"${workers[@]}"}; do kill -TERM "$w" 2>/dev/null; done
	for w in ${workers[@]+"${workers[@]}"}; do wait "$w" 2>/dev/null; done
	workers=()
}
on_signal() {
	trap - INT TERM HUP PIPE
	[ "$1" = PIPE ] || echo "# $prog: interrupted by SIG$1, stopping QEMU" >&2
	cleanup
	case $1 in INT) exit 130 ;; TERM) exit 143 ;; PIPE) exit 141 ;; *) exit 129 ;; esac
}
trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP
trap 'on_signal PIPE' PIPE

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/km-run.XXXXXX") || km_die 2 "$prog: mktemp failed"
resdir=$tmpdir/results
mkdir -p "$resdir"

ktap_re='^[[:space:]]*(TAP version [0-9]+|KTAP version [0-9]+|[0-9]+\.\.[0-9]+|ok [0-9]+|not ok [0-9]+|#|Bail out!)'
totals_re='^# Totals: pass:([0-9]+) fail:([0-9]+) xfail:([0-9]+) xpass:([0-9]+) skip:([0-9]+) error:([0-9]+)'
closing_re='^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped, [0-9]+ xfailed$'
begin_re='(^|[^A-Za-z0-9])KM-BEGIN$'
exit_re='(^|[^A-Za-z0-9])KM-EXIT=([0-9]+)$'
panic_re='Kernel panic - not syncing.*'

# result NAME KEY=VALUE...: a profile's result file, read by the parent and
# by scripts/report.py (one value a line, no newlines in values).
put_result() {
	local f=$resdir/$1.result kv
	shift
	for kv in "$@"; do printf '%s\n' "${kv//$'\n'/ }" >> "$f"; done
}

# The suite's rc -> a verdict word for the reports.
verdict_of() {
	case $1 in
	0) echo PASS ;; 1) echo FAIL ;; 2) echo USAGE ;; 3) echo NOKVM ;; 4) echo SKIP ;;
	*) echo NORESULT ;;
	esac
}

# The test modules (kmod/) for the kernel under test: kmod_prepare RELEASE
# build|none [ARGS...] builds them with scripts/build-kmod.sh ARGS (unless
# "none": nothing to build them against) into $bdir/kmod/RELEASE/, then
# takes every .ko there whose vermagic names the release.  Sets kmods (the
# files) and, when there are none, kmod_why (what the suite's module rows
# say in their SKIP).  A build failure is one "# ERROR: test modules:" line
# and exit 2.  When build-kmod.sh misses a package (exit 3), kmod_fetch (a
# command) is run once and the build tried again.
kmods=()
kmod_why=""
kmod_note=""
kmod_fetch=()
kmod_prepare() {
	local rel=$1 how=$2 d f vm err rc=0
	shift 2
	kmods=()
	if [ "$no_kmod" = 1 ]; then
		kmod_why="run_tests.sh --no-kmod"
		return 0
	fi
	if [ -z "$rel" ]; then
		kmod_why="the kernel Image has no version string to match a module's vermagic against"
		kmod_note="no test modules: $kmod_why"
		return 0
	fi
	d=$bdir/kmod/$rel
	if [ "$build" = 1 ] && [ "$how" = build ]; then
		d=$("$root/scripts/build-kmod.sh" -o "$bdir/kmod" "$@" 2>"$tmpdir/kmod.err") || rc=$?
		if [ "$rc" = 3 ] && [ ${#kmod_fetch[@]} -gt 0 ]; then
			echo "# $prog: fetching what the test modules for $rel build with: ${kmod_fetch[*]#"$root/"}" >&2
			"${kmod_fetch[@]}" >&2 || {
				echo "# ERROR: test modules: ${kmod_fetch[*]#"$root/"} failed;" \
					"pass --no-kmod to run without them" >&2
				exit 2
			}
			rc=0
			d=$("$root/scripts/build-kmod.sh" -o "$bdir/kmod" "$@" 2>"$tmpdir/kmod.err") || rc=$?
		fi
		if [ "$rc" != 0 ]; then
			err=$(grep -v '^build-kmod: preparing\|rebuilding it\|lacks, so off' "$tmpdir/kmod.err" |
			      tail -n1)
			echo "# ERROR: test modules: ${err:-scripts/build-kmod.sh $* failed (exit $rc)};" \
				"pass --no-kmod to run without them" >&2
			exit 2
		fi
		# Say what preparing a new tree did (once per tree).
		grep '^build-kmod: \(preparing\|.*lacks, so off\|.*rebuilding\)' "$tmpdir/kmod.err" |
			sed 's/^/# /' >&2
	fi
	for f in "$d"/*.ko; do
		[ -f "$f" ] || continue
		vm=$(km_ko_vermagic "$f")
		if [ "${vm%% *}" != "$rel" ]; then
			echo "# ERROR: test modules: $f is for kernel ${vm%% *}, not $rel" \
				"(vermagic '$vm'); rebuild it or pass --no-kmod" >&2
			exit 2
		fi
		kmods+=("$f")
	done
	if [ ${#kmods[@]} = 0 ]; then
		if [ "$build" = 0 ] && [ "$how" = build ]; then
			kmod_why="no test module built for kernel $rel (--no-build: make kmod, or drop --no-build)"
		elif [ "$how" = none ]; then
			kmod_why="no test module built for kernel $rel: --kernel IMAGE without --kdir DIR (its build directory)"
		else
			kmod_why="no test module in $d"
		fi
		kmod_note="no test modules: $kmod_why; their rows skip"
	fi
}
kmod_names() {	# the module names of kmods, comma-separated
	local f n=""
	for f in ${kmods[@]+"${kmods[@]}"}; do n+="${n:+, }$(basename "$f" .ko)"; done
	echo "$n"
}

# Natively the test modules are loaded around the suite and unloaded after
# it, whatever the outcome (chained onto the EXIT trap set above);
# KM_PFNMAP_PARAMS are memattr_pfnmap's parameters (e.g. "phys_base=0x...
# phys_size=0x..." naming memory outside the linear map).  A module that
# does not load is one line, and its rows skip saying why
# (KM_KMOD_WHY_<name>, read by the suite).
if [ "$mode" = native ]; then
	kmod_prepare "$(uname -r)" build ${kdir_opt:+--kdir "$kdir_opt"}
	[ -z "$kmod_note" ] || echo "# $prog: $kmod_note" >&2
	kmod_loaded=""
	for m in ${kmods[@]+"${kmods[@]}"}; do
		n=$(basename "$m" .ko)
		[ ! -e "/sys/module/$n" ] || continue	# loaded by someone else: left alone
		p=""
		[ "$n" != memattr_pfnmap ] || p=${KM_PFNMAP_PARAMS:-}
		# shellcheck disable=SC2086
		if err=$(insmod "$m" $p 2>&1); then
			kmod_loaded="$n $kmod_loaded"
		else
			err="insmod failed: ${err//$'\n'/ }; kernel: $(dmesg 2>/dev/null | tail -n 2 | tr '\n' ' ')"
			echo "# $prog: $n: $err" >&2
			export "KM_KMOD_WHY_$n=$err"
		fi
	done
	[ -z "$kmod_why" ] || export KM_KMOD_WHY="$kmod_why"
	if [ -n "$kmod_loaded" ]; then
		# Chain onto whatever EXIT trap there is: expand both now.
		eval "set -- $(trap -p EXIT)"
		# shellcheck disable=SC2064
		trap "for n in $kmod_loaded; do rmmod \$n || echo \"# $prog: rmmod \$n failed\" >&2; done; ${3:-}" EXIT
	fi
fi
# ---------------------------------------------------------------- native ---
if [ "$mode" = native ]; then
	echo "# kvm-memattr: native, kernel $(uname -r), $(uname -m)"
	echo native > "$resdir/order"
	stamps=$tmpdir/native.stamps
	now; t0=$NOW_MS
	"$bin" ${suite_args[@]+"${suite_args[@]}"} | while IFS= read -r l; do
		[[ $l =~ $closing_re ]] && continue
		printf '%s\n' "$l"
		now; printf '%s\t%s\n' $((NOW_MS - t0)) "$l" >> "$stamps"
	done
	rc=${PIPESTATUS[0]}
	now
	cut -f2- "$stamps" > "$logdir/native.ktap" 2>/dev/null
	put_result native name=native cpu=host "rc=$rc" "verdict=$(verdict_of "$rc")" \
		"stamps=$stamps" "ktap=$logdir/native.ktap" "total_ms=$((NOW_MS - t0))"
	if [ "$raw" = 0 ]; then
		args=(--results "$resdir" --exit "$rc")
		[ "$table" = 0 ] || args+=(--table)
		[ -z "$junit" ] || args+=(--junit "$junit")
		[ -z "$json" ] || args+=(--json "$json")
		{ [ "$table" = 0 ] && [ -z "$junit$json" ]; } || python3 "$root/scripts/report.py" "${args[@]}" ||
			echo "# $prog: writing the reports failed" >&2
		eval "$(awk -F'[: ]+' '/# Totals:/ {print "np=" $4+$10 " nf=" $6+$14 " nx=" $8 " ns=" $12}' \
			"$stamps" 2>/dev/null)"
		echo "${np:-0} passed, ${nf:-0} failed, ${ns:-0} skipped, ${nx:-0} xfailed"
	fi
	exit "$rc"
fi

# ------------------------------------------------------------------ qemu ---
declare -F km_qemu_version_ok >/dev/null ||
	km_die 2 "$prog: this copy has no scripts/ (installed with make install): it runs natively only"
qemu=${QEMU:-qemu-system-aarch64}
command -v "$qemu" >/dev/null ||
	km_die 2 "$prog: $qemu not found: run scripts/setup.sh (needs QEMU >= $KM_QEMU_MIN)"
qemu_ver=$(km_qemu_version "$qemu")
[ -n "$qemu_ver" ] || km_die 2 "$prog: $qemu --version does not say which QEMU it is"
km_qemu_version_ok "$qemu" ||
	km_die 2 "$prog: $qemu is version $qemu_ver but >= $KM_QEMU_MIN is needed: run scripts/setup.sh"

# The kernel under test, and how to build the test modules for it: with
# --kernel IMAGE only against --kdir.
kernel_src=""
kmod_args=(none)
[ -z "$kdir_opt" ] || kmod_args=(build --kdir "$kdir_opt")
if [ -n "$kernel_tree" ]; then
	[ -d "$kernel_tree" ] || km_die 2 "$prog: --kernel-tree: no such directory: $kernel_tree"
	out=$("$root/scripts/build-kernel.sh" --base "$kernel_config" "$kernel_tree") ||
		km_die 2 "$prog: building a kernel from $kernel_tree failed (see above)"
	kernel=$(sed -n 's/^image //p' <<< "$out")
	[ -n "$modules_dir" ] || modules_dir=$(sed -n 's/^modules //p' <<< "$out")
	kmod_args=(build --kdir "$(sed -n 's/^build //p' <<< "$out")")
	kernel_src="tree $kernel_tree ($kernel_config)"
elif [ -z "$kernel" ]; then
	# A Debian kernel: --debian-kernel VER[-FLAVOUR], else the default.
	find_debian() {	# find_debian VER FLAVOUR: the cached kernel's directory
		local d v f
		if km_full_version "$1"; then
			d=$(km_kernel_dir "$1" "$2")
			[ ! -f "$d/Image" ] || echo "$d"
			return 0
		fi
		for d in $(ls -d "$KM_CACHE/kernels/$1"+* 2>/dev/null | sort -V -r); do
			read -r v f <<< "$(km_kernel_spec "${d##*/}")"
			[ "$f" = "$2" ] && [ -f "$d/Image" ] && { echo "$d"; return 0; }
		done
		return 0
	}
	dspec=${debian_kernel:-$KM_DEFAULT_KERNEL}
	read -r dver dflav <<< "$(km_kernel_spec "$dspec")"
	kdir=$(find_debian "$dver" "$dflav")
	if [ -z "$kdir" ] && [ -n "$debian_kernel" ]; then
		echo "# $prog: fetching the Debian arm64 kernel $debian_kernel (scripts/setup.sh)" >&2
		"$root/scripts/setup.sh" --kernel-version "$debian_kernel" >&2 ||
			km_die 2 "$prog: cannot fetch the Debian kernel $debian_kernel (scripts/setup.sh failed)"
		kdir=$(find_debian "$dver" "$dflav")
		[ -n "$kdir" ] || km_die 2 "$prog: setup.sh left no Image for $debian_kernel in $KM_CACHE/kernels"
	fi
	[ -n "$kdir" ] ||
		km_die 2 "$prog: no kernel image at $(km_kernel_dir "$dver" "$dflav")/Image: run scripts/setup.sh (or pass --kernel IMAGE)"
	kernel=$kdir/Image
	read -r dver _ <<< "$(km_kernel_spec "${kdir##*/}")"
	kernel_src="Debian $dver"
	[ "$dflav" = arm64 ] || kernel_src+="-$dflav"
	kmod_args=(build --kernel-version "$dver-$dflav")
	kmod_fetch=("$root/scripts/setup.sh" --kernel-version "$dver-$dflav")
fi
[ -f "$kernel" ] || km_die 2 "$prog: no kernel image at $kernel"
# An arm64 Image has "ARM\x64" at offset 56; QEMU also boots a gzip'd one.
kmagic=$(od -An -tx1 -j56 -N4 "$kernel" 2>/dev/null | tr -d ' \n')
khead=$(od -An -tx1 -N2 "$kernel" 2>/dev/null | tr -d ' \n')
if [ "$kmagic" != 41524d64 ] && [ "$khead" != 1f8b ]; then
	km_die 2 "$prog: $kernel is not an arm64 kernel Image (no ARM\\x64 magic at offset 56)"
fi
if [ "$khead" = 1f8b ]; then
	kver=$(gzip -dc "$kernel" 2>/dev/null | LC_ALL=C grep -a -m1 -o 'Linux version [^ ]*')
else
	kver=$(LC_ALL=C grep -a -m1 -o 'Linux version [^ ]*' "$kernel")
fi
kver=${kver#Linux version }
kernel=$(cd "$(dirname "$kernel")" && pwd)/$(basename "$kernel")
kernel_src=${kernel_src:-file}
# The modules of the kernel under test: --modules, else a modules/ directory
# next to the Image (scripts/setup.sh --modules puts Debian's there).
if [ -n "$modules_dir" ]; then
	[ -d "$modules_dir" ] || km_die 2 "$prog: --modules: no such directory: $modules_dir"
	modules_dir=$(cd "$modules_dir" && pwd)
	# A lib/modules/VER directory should be for this kernel's VER.
	case "${modules_dir##*/}" in
	[0-9]*.*) [ -z "$kver" ] || [ "${modules_dir##*/}" = "$kver" ] ||
		echo "# $prog: warning: modules $modules_dir are not for kernel $kver" >&2 ;;
	esac
elif [ -d "$(dirname "$kernel")/modules" ]; then
	modules_dir=$(dirname "$kernel")/modules
fi

# The test modules built for this kernel (none with --initrd: the archive
# is the user's).
if [ -z "$user_initrd" ]; then
	kmod_prepare "$kver" "${kmod_args[@]}"
	[ -z "$kmod_note" ] || echo "# $prog: $kmod_note" >&2
fi

busybox=$KM_CACHE/busybox/bin/busybox
[ -n "$user_initrd" ] || [ -x "$busybox" ] ||
	km_die 2 "$prog: no arm64 busybox at $busybox: run scripts/setup.sh"

# The initramfs; rebuilt only when one of its inputs changed.
initrd=$bdir/initramfs.cpio
argsf=$tmpdir/args
: > "$argsf"
for a in ${suite_args[@]+"${suite_args[@]}"}; do printf '%s\n' "$a" >> "$argsf"; done
# Modules of the kernel under test named in kmod/debian-modules, from the
# modules tree next to its Image (setup.sh --modules), loaded first, each
# after what its modinfo "depends=" names (Debian ships no modules.dep;
# 6.1's vfio-pci-core needs vfio_virqfd, later kernels have it in vfio).
mod_args=()
deb_mods=()
missing=""
kmods_dir=${modules_dir:-$(dirname "$kernel")/modules}
declare -A mod_seen=()
mod_file() {	# mod_file NAME: its file under kmods_dir (- and _ alike)
	local a=${1//-/_} b=${1//_/-}
	find "$kmods_dir" \( -name "$a.ko" -o -name "$a.ko.*" -o -name "$b.ko" -o -name "$b.ko.*" \) \
		2>/dev/null | head -n1
}
mod_depends() {	# mod_depends FILE: what it depends on, one a line
	case "$1" in
	*.xz) xz -dc "$1" ;; *.zst) zstd -qdc "$1" ;; *.gz) gzip -dc "$1" ;; *) cat "$1" ;;
	esac 2>/dev/null | LC_ALL=C grep -a -o -m1 'depends=[[:print:]]*' | sed 's/^depends=//' |
		tr ',' '\n' | sed '/^$/d'
}
add_mod() {	# add_mod NAME: its dependencies, then itself, each once
	local n=$1 f d
	[ -z "${mod_seen[${n//-/_}]+x}" ] || return 0
	mod_seen[${n//-/_}]=1
	f=$(mod_file "$n")
	if [ -z "$f" ]; then
		missing+=" $n"
		return 0
	fi
	while read -r d; do add_mod "$d"; done < <(mod_depends "$f")
	deb_mods+=("$f")
	mod_args+=(--module "$f")
}
while read -r n _; do
	case "$n" in ''|'#'*) continue ;; esac
	add_mod "$n"
done < <(cat "$root/kmod/debian-modules" 2>/dev/null)
[ -z "$missing" ] ||
	echo "# $prog: note: no$missing under $kmods_dir (scripts/setup.sh --modules): tests needing them will skip" >&2
# The test modules ride along and /init loads them; without them, why not
# goes to the guest (/etc/km/kmod-why), for the suite's SKIP reasons.
for m in ${kmods[@]+"${kmods[@]}"}; do
	mod_args+=(--module "$m")
done
if [ -n "$kmod_why" ]; then
	printf '%s\n' "$kmod_why" > "$tmpdir/kmod-why"
	mod_args+=(--add "$tmpdir/kmod-why:/etc/km/kmod-why")
fi
# The test module's memory outside the linear map: the top 64 MiB of guest
# RAM, which mem= keeps from the kernel (kmod/memattr_pfnmap.c finds it).
if [[ " ${kmods[*]-}" == *"/memattr_pfnmap.ko"* ]] && [[ " $user_append" != *" mem="* ]]; then
	case "$memory" in
	*T) mib=$((${memory%T} * 1048576)) ;; *G) mib=$((${memory%G} * 1024)) ;;
	*M) mib=${memory%M} ;; *K) mib=$((${memory%K} / 1024)) ;; *) mib=$memory ;;
	esac
	[ "$mib" -le 256 ] || user_append="${user_append:+$user_append }mem=$((mib - 64))M"
fi
key=$(cat "$root/scripts/mkinitramfs.sh" "$root/scripts/guest-init.sh" "$busybox" "$bin" "$argsf" \
	${kmods[@]+"${kmods[@]}"} 2>/dev/null | sha256sum | cut -d' ' -f1)
key=$(printf '%s\n' "$key" ${deb_mods[@]+"${deb_mods[@]}"} ${kmods[@]+"${kmods[@]}"} "why $kmod_why" |
	sha256sum | cut -d' ' -f1)
if [ -n "$user_initrd" ]; then
	[ -f "$user_initrd" ] || km_die 2 "$prog: --initrd: no such file: $user_initrd"
	initrd=$user_initrd
elif [ ! -f "$initrd" ] || [ "$(cat "$initrd.key" 2>/dev/null)" != "$key" ]; then
	rm -f "$initrd.key"
	"$root/scripts/mkinitramfs.sh" -o "$initrd" --suite "$bin" --busybox "$busybox" \
		--args-file "$argsf" ${mod_args[@]+"${mod_args[@]}"} || km_die 2 "$prog: building the initramfs failed"
	echo "$key" > "$initrd.key"
fi

[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 1)
[ "$jobs" -le ${#runs[@]} ] || jobs=${#runs[@]}
qemu_desc="$(command -v "$qemu") $("$qemu" --version 2>/dev/null | head -n1 |
	sed -n 's/.*version \([^ ]*\).*/\1/p')"
echo "# kvm-memattr: QEMU $qemu_desc"
echo "# kvm-memattr: kernel ${kver:-unknown version} ($kernel_src: $kernel)${modules_dir:+, modules $modules_dir}"
if [ ${#kmods[@]} -gt 0 ]; then
	echo "# kvm-memattr: test modules $(kmod_names) (vermagic $(km_ko_vermagic "${kmods[0]}"), $(dirname "${kmods[0]}"))"
elif [ -z "$user_initrd" ]; then
	echo "# kvm-memattr: test modules: none ($kmod_why)"
fi
echo "# kvm-memattr: ${#runs[@]} profile(s), $jobs at a time, -smp $smp -m $memory"

last_lines() {	# the console log's tail, without our own header
	grep -v -e '^# kvm-memattr console log: ' -e '^# kernel ' -e '^# cmdline ' \
		-e '^# qemu args ' "$1" | tail -n 8 | sed 's/^/#   | /'
}

# A feature profile (one whose `profiles` line ends in a rule list) adds
# hardware for a few rules on a CPU another profile already covers; it runs
# those rules only, unless --full or the user's own selection says otherwise.
user_selects=0
for a in ${suite_args[@]+"${suite_args[@]}"}; do
	case "$a" in -t*|-r*|-x*) user_selects=1 ;; esac
done

# run_profile NAME CPU EXTRA DESCRIPTION QEMU-ARGS FOCUS: boot one guest, copy
# its KTAP to stdout, write $resdir/NAME.result.  Runs in a subshell of its own
# (a worker), so its variables and traps are its own.
#
# Background work the rules do not need, off under TCG where it competes for
# the host's cores with the other profiles: DAMON_STAT's kdamond (on by
# default in Debian 7.x), KFENCE's sampling timer, and the lockup detectors,
# whose "hard LOCKUP" reports under TCG only measure how loaded the host is.
quiet_guest="nowatchdog damon_stat.enabled=N kfence.sample_interval=0"
# memfd_secret(2) is off by default in older kernels such as 6.1 (it answers
# ENOSYS); the X1 rows need it.
guest_features="secretmem.enable=1"
run_profile() {
	local name=$1 cpu=$2 extra=$3 desc=$4 focus=${6:--} qargs=()
	# The profile's extra QEMU arguments are blank-separated words.
	[ "${5:--}" = - ] || read -r -a qargs <<< "$5"
	qargs+=(${user_qemu_args[@]+"${user_qemu_args[@]}"})
	local log=$logdir/$name.console.log ktapf=$logdir/$name.ktap stamps=$resdir/$name.stamps
	local cmdline="console=ttyAMA0 loglevel=4 panic=-1 $quiet_guest $guest_features"
	cmdline+=" kvm_memattr.accel=tcg kvm_memattr.profile=$name"
	[ "$extra" = - ] || [ -z "$extra" ] || cmdline+=" $extra"
	[ -z "$user_append" ] || cmdline+=" $user_append"
	if [ "$focus" != - ] && [ "$full" = 0 ] && [ "$user_selects" = 0 ]; then
		cmdline+=" kvm_memattr.rules=$focus"
		desc+="; rules $focus only (--full: all)"
	else
		focus=-
	fi

	local state=boot buf="" chunk="" st t0 boot_ms="" first_ms="" exit_ms="" end_ms last
	local deadline boot_deadline grace=0 exit_rc="" timed_out="" totals="" panic="" qrc=""
	local confd logfd ktapfd stampfd qpid=""
	local fifo=$tmpdir/$name.console
	rm -f "$fifo"
	mkfifo "$fifo" || km_die 2 "$prog: mkfifo failed"

	stop_qemu() {	# end QEMU's whole process group (it runs in its own session)
		[ -n "$qpid" ] || return 0
		if kill -0 "$qpid" 2>/dev/null; then
			kill -TERM -- "-$qpid" 2>/dev/null || kill -TERM "$qpid" 2>/dev/null
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				kill -0 "$qpid" 2>/dev/null || break
				ps -o stat= -p "$qpid" 2>/dev/null | grep -q -v Z || break
				sleep 0.2
			done
		fi
		kill -KILL -- "-$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
		qrc=$?
		qpid=""
	}
	trap 'stop_qemu; exit 143' TERM
	trap 'stop_qemu' EXIT
	trap '' INT	# the parent handles Ctrl-C and stops the workers

	echo "# profile $name: booting -cpu $cpu${desc:+ ($desc)}" >&2
	local hdr="# profile $name: -cpu $cpu"
	[ "$extra" = - ] || [ -z "$extra" ] || hdr+=", cmdline $extra"
	[ ${#qargs[@]} = 0 ] || hdr+=", qemu ${qargs[*]}"
	echo "$hdr"
	now; t0=$NOW_MS; last=$t0
	deadline=$((t0 + timeout * 1000)); boot_deadline=$((t0 + boot_timeout * 1000))
	# Own session and process group, so that stop_qemu can end it all;
	# timeout(1) bounds QEMU even if this script is killed with SIGKILL.
	setsid timeout -k 10 $((timeout + 30)) "$qemu" -M virt,virtualization=on,gic-version=3 -accel tcg -cpu "$cpu" \
		-smp "$smp" -m "$memory" -nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" ${qargs[@]+"${qargs[@]}"} \
		</dev/null >"$fifo" 2>&1 &
	qpid=$!
	exec {confd}<"$fifo" {logfd}>"$log" {ktapfd}>"$ktapf" {stampfd}>"$stamps"
	{
		echo "# kvm-memattr console log: profile $name, -cpu $cpu, -smp $smp -m $memory"
		echo "# kernel $kernel"
		echo "# cmdline $cmdline"
		echo "# qemu args ${qargs[*]:-none}"
	} >&"$logfd"

	handle() {
		local l=${1//$'\r'/}
		printf '%s\n' "$l" >&"$logfd"
		[ -n "$panic" ] || [[ ! $l =~ $panic_re ]] || panic=${BASH_REMATCH[0]}
		case $state in
		boot)
			if [[ $l =~ $begin_re ]]; then
				state=suite; now; boot_ms=$((NOW_MS - t0))
			elif [[ $l =~ $exit_re ]]; then
				exit_rc=${BASH_REMATCH[2]}; state=finished
				now; exit_ms=$((NOW_MS - t0)); grace=$((NOW_MS + 15000))
			fi ;;
		suite)
			if [[ $l =~ $exit_re ]]; then
				exit_rc=${BASH_REMATCH[2]}; state=finished
				now; exit_ms=$((NOW_MS - t0)); grace=$((NOW_MS + 15000))
			elif [ "$raw" = 1 ]; then
				printf '%s\n' "$l"
			elif [[ $l =~ $ktap_re ]]; then
				printf '%s\n' "$l"
				printf '%s\n' "$l" >&"$ktapfd"
				now
				printf '%s\t%s\n' $((NOW_MS - t0)) "$l" >&"$stampfd"
				[ -n "$first_ms" ] || [[ ! $l =~ ^#\ RUN ]] || first_ms=$((NOW_MS - t0))
				[[ $l =~ $totals_re ]] && totals="${BASH_REMATCH[*]:1}"
			elif [[ $l =~ $closing_re ]] || [ -z "$l" ]; then
				:	# the aggregate line comes at the end
			else
				printf '# console: %s\n' "$l"
			fi ;;
		esac
	}

	while :; do
		chunk=""
		if IFS= read -r -t 1 -u "$confd" chunk; then
			handle "$buf$chunk"
			buf=""
			now; last=$NOW_MS
		else
			st=$?
			if [ "$st" -le 128 ]; then	# EOF: QEMU is gone
				[ -z "$buf$chunk" ] || handle "$buf$chunk"
				break
			fi
			buf+=$chunk
			now
			[ -z "$chunk" ] || last=$NOW_MS
		fi
		if [ "$NOW_MS" -ge "$deadline" ]; then
			timed_out="timed out after ${timeout}s"
			break
		fi
		if [ "$state" = boot ] && [ "$NOW_MS" -ge "$boot_deadline" ]; then
			timed_out="the kernel did not reach /init within ${boot_timeout}s (--boot-timeout)"
			break
		fi
		if [ "$grace" -gt 0 ] && [ "$NOW_MS" -ge "$grace" ]; then
			echo "# $name: the guest did not power off after KM-EXIT, stopping QEMU" >&2
			break
		fi
		if [ $((NOW_MS - last)) -ge $((heartbeat * 1000)) ]; then
			echo "# heartbeat: $name $(((NOW_MS - t0) / 1000))s, still running" >&2
			last=$NOW_MS
		fi
	done
	stop_qemu
	exec {confd}<&- {logfd}>&- {ktapfd}>&- {stampfd}>&-
	rm -f "$fifo"
	now; end_ms=$((NOW_MS - t0))
	local rc note="" why=""

	if [ -z "$exit_rc" ]; then
		# No result: say what happened in one line, then the console's tail.
		if [ -n "$panic" ]; then
			why="the kernel panicked: $panic"
		elif [ -n "$timed_out" ]; then
			why=$timed_out
		elif [ "$state" = boot ] && [ "$qrc" != 0 ]; then
			why="QEMU exited with status $qrc before the kernel reached /init"
			local qmsg
			qmsg=$(grep -m1 -i "^$(basename "$qemu"):\|qemu-system" "$log" | head -n1)
			[ -z "$qmsg" ] || why+=": $qmsg"
		elif [ "$state" = boot ]; then
			why="the guest powered off before /init ran the suite"
		else
			why="the guest ended without a result (no KM-EXIT line)"
		fi
		echo "# ERROR: $name: $why (see $log); the console's last lines:"
		last_lines "$log"
		rc=5; note=$why
	else
		rc=$exit_rc
		case $rc in
		3) note=$(grep -m1 -o 'guest-init: /dev/kvm missing: .*' "$log" | head -n1)
		   note=${note#guest-init: }
		   note=${note:-/dev/kvm missing: the kernel under test has no KVM}
		   echo "# ERROR: $name: $note" ;;
		2) note="usage error" ;;
		esac
	fi

	local np=0 nf=0 ns=0 nx=0
	if [ -n "$totals" ]; then
		# shellcheck disable=SC2086
		set -- $totals	# pass fail xfail xpass skip error
		np=$(($1 + $4)) nf=$(($2 + $6)) nx=$3 ns=$5
	fi
	# A failing run that reported no failing test still counts once.
	if [ "$raw" = 0 ] && [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$nf" = 0 ]; then
		nf=1
	fi

	local detail="boot none"
	[ -z "$boot_ms" ] || detail="boot $(secs "$boot_ms")"
	[ "$raw" = 1 ] || detail+="; $np passed, $nf failed, $ns skipped, $nx xfailed"
	[ -z "$note" ] || detail+="; $note"
	echo "# profile $name: exit $rc, $(secs "$end_ms") ($detail)"

	local suite_ms="" teardown_ms=""
	[ -z "$boot_ms" ] || [ -z "$exit_ms" ] || suite_ms=$((exit_ms - boot_ms))
	[ -z "$exit_ms" ] || teardown_ms=$((end_ms - exit_ms))
	put_result "$name" "name=$name" "cpu=$cpu" "desc=$desc" "extra=$extra" \
		"qargs=${qargs[*]}" "rc=$rc" "verdict=$(verdict_of "$rc")" "note=$note" \
		"np=$np" "nf=$nf" "ns=$ns" "nx=$nx" "boot_ms=$boot_ms" "first_test_ms=$first_ms" \
		"suite_ms=$suite_ms" "teardown_ms=$teardown_ms" "total_ms=$end_ms" \
		"log=$log" "ktap=$ktapf" "stamps=$stamps"
}

# The workers: up to $jobs at once.  With one job the KTAP streams to stdout
# as it comes; with more each profile's block is printed when it ends.
sum_pass=0 sum_fail=0 sum_skip=0 sum_xfail=0
rcs=()
declare -A wname=()
: > "$resdir/order"
finish_worker() {	# finish_worker PID: print its block, count its result
	local p=$1 n=${wname[$1]} f rc=5 np=0 nf=1 ns=0 nx=0 k v
	[ "$jobs" = 1 ] || cat "$tmpdir/$n.out"
	f=$resdir/$n.result
	if [ -f "$f" ]; then
		while IFS='=' read -r k v; do
			case $k in rc) rc=$v ;; np) np=$v ;; nf) nf=$v ;; ns) ns=$v ;; nx) nx=$v ;; esac
		done < "$f"
	else
		echo "# ERROR: $n: the runner's worker died without a result"
		put_result "$n" "name=$n" rc=5 verdict=NORESULT "note=the runner's worker died"
	fi
	sum_pass=$((sum_pass + np)) sum_fail=$((sum_fail + nf))
	sum_skip=$((sum_skip + ns)) sum_xfail=$((sum_xfail + nx))
	rcs+=("$rc")
	local w=() x
	for x in "${workers[@]}"; do [ "$x" = "$p" ] || w+=("$x"); done
	workers=(${w[@]+"${w[@]}"})
}

# Reports list the profiles in the order asked for.  They start longest
# first, by the durations of earlier runs ($logdir/durations): a slow profile
# started last (max-pkvm: every VM teardown takes over a second) would
# otherwise run alone at the end.  Before any run, pKVM profiles count as
# the slowest.
durf=$logdir/durations
for r in "${runs[@]}"; do echo "${r%%$'\t'*}" >> "$resdir/order"; done
start=("${runs[@]}")
if [ "$jobs" -gt 1 ]; then
	start=()
	while IFS= read -r i; do start+=("${runs[$i]}"); done < <(
		for i in "${!runs[@]}"; do
			ms=""
			[ ! -f "$durf" ] ||
				ms=$(awk -v n="${runs[$i]%%$'\t'*}" '$1 == n { print $2 }' "$durf" | tail -n1)
			[ -n "$ms" ] || [[ ${runs[$i]} != *kvm-arm.mode=protected* ]] || ms=1
			echo "${ms:-0} $i"
		done | sort -s -k1,1nr | cut -d' ' -f2)
fi
next=0
while [ "$next" -lt ${#start[@]} ] || [ ${#workers[@]} -gt 0 ]; do
	while [ "$next" -lt ${#start[@]} ] && [ ${#workers[@]} -lt "$jobs" ]; do
		IFS=$'\t' read -r n c e d q f <<< "${start[$next]}"
		if [ "$jobs" = 1 ]; then
			run_profile "$n" "$c" "$e" "$d" "$q" "$f" &
		else
			run_profile "$n" "$c" "$e" "$d" "$q" "$f" > "$tmpdir/$n.out" &
		fi
		workers+=($!)
		wname[$!]=$n
		next=$((next + 1))
	done
	done_pid=""
	wait -n -p done_pid ${workers[@]+"${workers[@]}"}
	[ -z "$done_pid" ] || finish_worker "$done_pid"
done

now; wall_ms=$((NOW_MS - run_t0))
# Remember how long each profile took, for the order of the next run.
{
	[ ! -f "$durf" ] || awk -v ran="$(printf ' %s' "${runs[@]%%$'\t'*}") " \
		'index(ran, " " $1 " ") == 0' "$durf"
	for r in "${runs[@]}"; do
		n=${r%%$'\t'*}
		sed -n 's/^total_ms=\([0-9][0-9]*\)$/'"$n"' \1/p' "$resdir/$n.result" 2>/dev/null
	done
} > "$durf.new" && mv "$durf.new" "$durf"
# All profiles agree: their code.  Else 1 if any ended other than 0 or 4.
final=${rcs[0]}
for rc in "${rcs[@]}"; do
	[ "$rc" = "$final" ] && continue
	final=0
	for rc2 in "${rcs[@]}"; do
		case $rc2 in 0|4) ;; *) final=1 ;; esac
	done
	break
done

if [ "$raw" = 0 ]; then
	if [ "$table" = 1 ] || [ -n "$junit$json" ]; then
		args=(--results "$resdir" --qemu "$qemu_desc" --kernel "$kernel"
		      --kernel-source "$kernel_src" --exit "$final" --wall-ms "$wall_ms")
		[ "$table" = 0 ] || args+=(--table)
		[ -z "$junit" ] || args+=(--junit "$junit")
		[ -z "$json" ] || args+=(--json "$json")
		if ! python3 "$root/scripts/report.py" "${args[@]}"; then
			echo "# $prog: writing the reports failed" >&2
			[ -z "$junit$json" ] || final=2
		fi
	fi
	[ ${#runs[@]} = 1 ] || echo "# all profiles: $(secs "$wall_ms") wall, exit $final"
	echo "$sum_pass passed, $sum_fail failed, $sum_skip skipped, $sum_xfail xfailed"
fi
exit "$final"
