#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kvm-memattr suite: natively on an arm64 host with /dev/kvm, else in
# an arm64 guest under QEMU TCG (virtualization=on) on one or more CPU profiles.
#
# Usage: ./run_tests.sh [options] [-- suite-args...]
#   --qemu              use QEMU even on an arm64 host with KVM
#   --native            run build/memattr on this host (arm64, root, /dev/kvm)
#   --profile NAME      a profile from the file `profiles` (repeatable)
#   --profiles LIST     comma-separated profile names, or "all"
#   --cpu MODEL         an ad-hoc profile: a raw QEMU -cpu value
#   --list-profiles     print the profiles and exit
#   --kernel IMAGE      arm64 kernel Image (default: the cached Debian
#                       $KM_DEFAULT_KERNEL from scripts/setup.sh)
#   --append ARGS       extra guest kernel command line
#   --qemu-arg ARG      one extra QEMU argument (repeatable), e.g.
#                       --qemu-arg -machine --qemu-arg mte=on
#   --timeout SECS      limit for each boot, suite included (default 900)
#   --memory SIZE       guest memory (default 2G)
#   --smp N             guest CPUs (default 2)
#   --keep-logs DIR     where console logs go (default build/logs)
#   --no-build          do not run make first
#   -h, --help          this text
# Suite arguments after "--" go to memattr unchanged (e.g. -- -t caps).
# Environment: QEMU (the qemu-system-aarch64 binary), KM_CACHE, O (build dir).
#
# Output: the suite's KTAP on stdout; guest console lines that are not KTAP
# appear as "# console: ..."; per profile "# profile NAME: exit RC, Ns (...)";
# last line "N passed, N failed, N skipped, N xfailed" over all profiles.
# Exit: 0 pass, 1 a failure (or a timeout or a guest without a result),
# 4 everything skipped, 2 usage or setup error, 3 no KVM in the kernel under
# test.  With one profile (or all profiles agreeing) the suite's own code.

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
user_append=""
timeout=900
memory=2G
smp=2
logdir=""
list_profiles=0
suite_args=()
heartbeat=${KM_HEARTBEAT:-60}

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
	--kernel) need_arg "$opt" $#; kernel=$2; shift 2 ;;
	--append) need_arg "$opt" $#; user_append+=" $2"; shift 2 ;;
	--qemu-arg) need_arg "$opt" $#; user_qemu_args+=("$2"); shift 2 ;;
	--timeout) need_arg "$opt" $#; timeout=$2; shift 2 ;;
	--memory) need_arg "$opt" $#; memory=$2; shift 2 ;;
	--smp) need_arg "$opt" $#; smp=$2; shift 2 ;;
	--keep-logs) need_arg "$opt" $#; logdir=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	-h|--help) sed -n '3,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; suite_args=("$@"); break ;;
	*) usage_err "unknown option '$opt'" ;;
	esac
done
user_append=${user_append# }

[[ $timeout =~ ^[1-9][0-9]*$ ]] || usage_err "--timeout wants a number of seconds, got '$timeout'"
[[ $smp =~ ^[1-9][0-9]*$ ]] || usage_err "--smp wants a number, got '$smp'"
[[ $memory =~ ^[1-9][0-9]*[KMGT]?$ ]] || usage_err "--memory wants a size like 2G, got '$memory'"

profiles_file=$root/profiles
# name -> "cpu<TAB>extra<TAB>description"
declare -A pdef=()
pall=()
if [ -f "$profiles_file" ] && declare -F km_profiles >/dev/null; then
	while IFS=$'\t' read -r n c e d q; do
		pdef[$n]="$c"$'\t'"$e"$'\t'"$d"$'\t'"$q"
		pall+=("$n")
	done < <(km_profiles "$profiles_file")
fi

if [ "$list_profiles" = 1 ]; then
	for n in ${pall[@]+"${pall[@]}"}; do
		IFS=$'\t' read -r c e d _ <<< "${pdef[$n]}"
		printf '%-12s -cpu %-12s %-24s %s\n' "$n" "$c" "${e/#-/}" "$d"
	done
	exit 0
fi

# Which profiles: name<TAB>cpu<TAB>extra<TAB>description, in order.
runs=()
for n in ${profile_names[@]+"${profile_names[@]}"}; do
	if [ "$n" = all ]; then
		for a in ${pall[@]+"${pall[@]}"}; do runs+=("$a"$'\t'"${pdef[$a]}"); done
	elif [ -n "$n" ] && [ -n "${pdef[$n]+x}" ]; then
		runs+=("$n"$'\t'"${pdef[$n]}")
	else
		usage_err "unknown profile '$n' (known: ${pall[*]:-none}; see --list-profiles)"
	fi
done
for c in ${adhoc_cpus[@]+"${adhoc_cpus[@]}"}; do
	runs+=("${c//[^A-Za-z0-9._-]/_}"$'\t'"$c"$'\t-\t'"ad-hoc -cpu $c"$'\t-')
done

host_arch=$(uname -m)
if [ "$mode" = auto ]; then
	if [ "$host_arch" = aarch64 ] && [ -e /dev/kvm ] && [ ${#runs[@]} -eq 0 ]; then
		mode=native
	else
		mode=qemu
	fi
fi
if [ "$mode" = native ] && [ ${#runs[@]} -gt 0 ]; then
	usage_err "--profile/--profiles/--cpu select QEMU CPU models; they do not go with --native"
fi
[ ${#runs[@]} -gt 0 ] || runs=("max"$'\t'"${pdef[max]:-$'max\t-\t'}")

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
	[ -e /dev/kvm ] || km_die 3 "$prog: /dev/kvm is missing: this host kernel has no KVM (or it is not enabled); use --qemu"
fi

if [ "$build" = 1 ]; then
	if ! make -s -C "$root" ${O:+O="$O"} all >&2; then
		echo "$prog: the build failed (make all); fix it or pass --no-build" >&2
		exit 2
	fi
fi
[ -x "$bin" ] || km_die 2 "$prog: no suite binary at $bin (run make)"

# Natively the test module (make kmod) is loaded around the suite and unloaded
# after it, whatever the outcome; KM_PFNMAP_PARAMS are its parameters (e.g.
# "phys_base=0x... phys_size=0x..." naming memory outside the linear map).
if [ "$mode" = native ] && [ -f "$bdir/kmod/memattr_pfnmap.ko" ] && [ ! -e /sys/module/memattr_pfnmap ]; then
	# shellcheck disable=SC2086
	if insmod "$bdir/kmod/memattr_pfnmap.ko" ${KM_PFNMAP_PARAMS:-}; then
		# Chain onto whatever EXIT trap there is: expand both now.
		eval "set -- $(trap -p EXIT)"
		# shellcheck disable=SC2064
		trap "rmmod memattr_pfnmap || echo '# $prog: rmmod memattr_pfnmap failed' >&2; ${3:-}" EXIT
	else
		echo "# $prog: insmod $bdir/kmod/memattr_pfnmap.ko failed (built for another kernel? make kmod); its tests will skip" >&2
	fi
fi

# ---------------------------------------------------------------- native ---
if [ "$mode" = native ]; then
	"$bin" ${suite_args[@]+"${suite_args[@]}"}
	exit $?
fi

# ------------------------------------------------------------------ qemu ---
declare -F km_qemu_version_ok >/dev/null ||
	km_die 2 "$prog: this copy has no scripts/ (installed with make install): it runs natively only"
qemu=${QEMU:-qemu-system-aarch64}
command -v "$qemu" >/dev/null ||
	km_die 2 "$prog: $qemu not found: run scripts/setup.sh (needs QEMU >= $KM_QEMU_MIN)"
km_qemu_version_ok "$qemu" ||
	km_die 2 "$prog: $qemu is version $(km_qemu_version "$qemu") but >= $KM_QEMU_MIN is needed: run scripts/setup.sh"
if [ -z "$kernel" ]; then
	kernel=$(km_kernel_dir "$KM_DEFAULT_KERNEL")/Image
	[ -f "$kernel" ] ||
		km_die 2 "$prog: no kernel image at $kernel: run scripts/setup.sh (or pass --kernel IMAGE)"
fi
[ -f "$kernel" ] || km_die 2 "$prog: no kernel image at $kernel"
busybox=$KM_CACHE/busybox/bin/busybox
[ -x "$busybox" ] || km_die 2 "$prog: no arm64 busybox at $busybox: run scripts/setup.sh"

logdir=${logdir:-$bdir/logs}
mkdir -p "$logdir" || km_die 2 "$prog: cannot create the log directory $logdir"

tmpdir=""
qpid=""
cleanup() {
	stop_qemu
	[ -z "$tmpdir" ] || rm -rf "$tmpdir"
	tmpdir=""
}
alive() {	# PID exists and is not a zombie
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ -n "$s" ] && [ "${s%% *}" != Z ]
}
stop_qemu() {	# end QEMU's whole process group (it runs in its own session)
	[ -n "$qpid" ] || return 0
	if alive "$qpid"; then
		kill -TERM -- "-$qpid" 2>/dev/null || kill -TERM "$qpid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			alive "$qpid" || break
			sleep 0.2
		done
	fi
	kill -KILL -- "-$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	qpid=""
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

# The initramfs; rebuilt only when one of its inputs changed.
initrd=$bdir/initramfs.cpio.gz
argsf=$tmpdir/args
: > "$argsf"
for a in ${suite_args[@]+"${suite_args[@]}"}; do printf '%s\n' "$a" >> "$argsf"; done
# Modules of the kernel under test named in kmod/debian-modules, from the
# modules tree next to its Image (setup.sh --modules), loaded first.
mod_args=()
deb_mods=()
missing=""
kmods_dir=${modules_dir:-$(dirname "$kernel")/modules}
while read -r n _; do
	case "$n" in ''|'#'*) continue ;; esac
	f=$(find "$kmods_dir" \( -name "$n.ko" -o -name "$n.ko.*" \) 2>/dev/null | head -n1)
	if [ -n "$f" ]; then
		deb_mods+=("$f")
		mod_args+=(--module "$f")
	else
		missing+=" $n"
	fi
done < <(cat "$root/kmod/debian-modules" 2>/dev/null)
[ -z "$missing" ] ||
	echo "# $prog: note: no$missing under $kmods_dir (scripts/setup.sh --modules): tests needing them will skip" >&2
# Test kernel modules built by `make kmod` ride along and /init loads them.
for m in "$bdir"/kmod/*.ko; do
	[ -f "$m" ] && mod_args+=(--module "$m")
done
# The test module's memory outside the linear map: the top 64 MiB of guest
# RAM, which mem= keeps from the kernel (kmod/memattr_pfnmap.c finds it).
if compgen -G "$bdir/kmod/*.ko" >/dev/null && [[ " $user_append" != *" mem="* ]]; then
	case "$memory" in
	*T) mib=$((${memory%T} * 1048576)) ;; *G) mib=$((${memory%G} * 1024)) ;;
	*M) mib=${memory%M} ;; *K) mib=$((${memory%K} / 1024)) ;; *) mib=$memory ;;
	esac
	[ "$mib" -le 256 ] || user_append="${user_append:+$user_append }mem=$((mib - 64))M"
fi
key=$(cat "$root/scripts/mkinitramfs.sh" "$root/scripts/guest-init.sh" "$busybox" "$bin" "$argsf" \
	"$bdir"/kmod/*.ko 2>/dev/null | sha256sum | cut -d' ' -f1)
key=$(printf '%s\n' "$key" ${deb_mods[@]+"${deb_mods[@]}"} | sha256sum | cut -d' ' -f1)
if [ ! -f "$initrd" ] || [ "$(cat "$initrd.key" 2>/dev/null)" != "$key" ]; then
	rm -f "$initrd.key"
	"$root/scripts/mkinitramfs.sh" -o "$initrd" --suite "$bin" --busybox "$busybox" \
		--args-file "$argsf" ${mod_args[@]+"${mod_args[@]}"} || km_die 2 "$prog: building the initramfs failed"
	echo "$key" > "$initrd.key"
fi

# Listing or help from the suite is not KTAP: pass it through as is.
raw=0
for a in ${suite_args[@]+"${suite_args[@]}"}; do
	case "$a" in -l|--list|-h|--help) raw=1 ;; esac
done

ktap_re='^[[:space:]]*(TAP version [0-9]+|KTAP version [0-9]+|[0-9]+\.\.[0-9]+|ok [0-9]+|not ok [0-9]+|#)'
totals_re='^# Totals: pass:([0-9]+) fail:([0-9]+) xfail:([0-9]+) xpass:([0-9]+) skip:([0-9]+) error:([0-9]+)'
closing_re='^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped, [0-9]+ xfailed$'
begin_re='(^|[^A-Za-z0-9])KM-BEGIN$'
exit_re='(^|[^A-Za-z0-9])KM-EXIT=([0-9]+)$'

now() { local t=${EPOCHREALTIME//[!0-9]/}; NOW_MS=$((10#$t / 1000)); }
secs() { printf '%d.%ds' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# Totals over all profiles.
sum_pass=0 sum_fail=0 sum_skip=0 sum_xfail=0
rcs=()

last_lines() {	# the console log's tail, without our own header
	grep -v -e '^# kvm-memattr console log: ' -e '^# kernel ' -e '^# cmdline ' "$1" |
		tail -n 8 | sed 's/^/#   | /'
	grep -m1 -o 'Kernel panic - .*' "$1" | sed 's/^/#   first panic: /'
}

# run_profile NAME CPU EXTRA DESCRIPTION QEMU-ARGS
run_profile() {
	local name=$1 cpu=$2 extra=$3 desc=$4 qargs=()
	# The profile's extra QEMU arguments are blank-separated words.
	[ "${5:--}" = - ] || read -r -a qargs <<< "$5"
	qargs+=(${user_qemu_args[@]+"${user_qemu_args[@]}"})
	local log=$logdir/$name.console.log ktapf=$logdir/$name.ktap
	local cmdline="console=ttyAMA0 loglevel=4 panic=-1 kvm_memattr.accel=tcg kvm_memattr.profile=$name"
	[ "$extra" = - ] || [ -z "$extra" ] || cmdline+=" $extra"
	[ -z "$user_append" ] || cmdline+=" $user_append"

	local state=boot buf="" chunk="" st t0 boot_ms="" last deadline grace=0
	local exit_rc="" timed_out=0 totals="" confd logfd ktapfd
	local fifo=$tmpdir/console
	rm -f "$fifo"
	mkfifo "$fifo" || km_die 2 "$prog: mkfifo failed"

	echo "# profile $name: booting -cpu $cpu${desc:+ ($desc)}" >&2
	now; t0=$NOW_MS; last=$t0; deadline=$((t0 + timeout * 1000))
	# Own session and process group, so that stop_qemu can end it all;
	# timeout(1) bounds QEMU even if this script is killed with SIGKILL.
	setsid timeout -k 10 $((timeout + 30)) "$qemu" -M virt,virtualization=on,gic-version=3 -accel tcg -cpu "$cpu" \
		-smp "$smp" -m "$memory" -nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" ${qargs[@]+"${qargs[@]}"} \
		</dev/null >"$fifo" 2>&1 &
	qpid=$!
	exec {confd}<"$fifo" {logfd}>"$log" {ktapfd}>"$ktapf"
	{
		echo "# kvm-memattr console log: profile $name, -cpu $cpu, -smp $smp -m $memory"
		echo "# kernel $kernel"
		echo "# cmdline $cmdline"
		echo "# qemu args ${qargs[*]:-none}"
	} >&"$logfd"

	handle() {
		local l=${1//$'\r'/}
		printf '%s\n' "$l" >&"$logfd"
		case $state in
		boot)
			if [[ $l =~ $begin_re ]]; then
				state=suite; now; boot_ms=$((NOW_MS - t0))
			elif [[ $l =~ $exit_re ]]; then
				exit_rc=${BASH_REMATCH[2]}; state=finished
			fi ;;
		suite)
			if [[ $l =~ $exit_re ]]; then
				exit_rc=${BASH_REMATCH[2]}; state=finished
				now; grace=$((NOW_MS + 15000))
			elif [ "$raw" = 1 ]; then
				printf '%s\n' "$l"
			elif [[ $l =~ $ktap_re ]]; then
				printf '%s\n' "$l"
				printf '%s\n' "$l" >&"$ktapfd"
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
			timed_out=1
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
	exec {confd}<&- {logfd}>&- {ktapfd}>&-
	rm -f "$fifo"
	now
	local took=$((NOW_MS - t0)) rc note=""

	if [ "$timed_out" = 1 ]; then
		echo "# ERROR: $name: timed out after ${timeout}s (see $log); the console's last lines:"
		last_lines "$log"
		rc=1; note="timed out"
	elif [ -z "$exit_rc" ]; then
		echo "# ERROR: $name: guest ended without a result (see $log); the console's last lines:"
		last_lines "$log"
		rc=1; note="no result"
	else
		rc=$exit_rc
		case $rc in
		3) note="no KVM in the guest" ;;
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
	sum_pass=$((sum_pass + np)) sum_fail=$((sum_fail + nf))
	sum_skip=$((sum_skip + ns)) sum_xfail=$((sum_xfail + nx))
	rcs+=("$rc")

	local detail="boot none"
	[ -z "$boot_ms" ] || detail="boot $(secs "$boot_ms")"
	[ "$raw" = 1 ] || detail+="; $np passed, $nf failed, $ns skipped, $nx xfailed"
	[ -z "$note" ] || detail+="; $note"
	echo "# profile $name: exit $rc, $(secs "$took") ($detail)"
}

for r in "${runs[@]}"; do
	IFS=$'\t' read -r n c e d q <<< "$r"
	run_profile "$n" "$c" "$e" "$d" "$q"
done

[ "$raw" = 1 ] || echo "$sum_pass passed, $sum_fail failed, $sum_skip skipped, $sum_xfail xfailed"

# All profiles agree: their code.  Else 1 if any failed, else 0.
final=${rcs[0]}
for rc in "${rcs[@]}"; do
	[ "$rc" = "$final" ] && continue
	final=0
	for rc2 in "${rcs[@]}"; do
		case $rc2 in 0|4) ;; *) final=1 ;; esac
	done
	break
done
exit "$final"
