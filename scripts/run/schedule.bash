# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# run_tests.sh: the run's scratch directory and signal handling, and the
# workers that boot up to $jobs profiles at once (run_profile, boot.bash).
# With one job the KTAP streams to stdout as it comes; with more, each
# profile's block is printed when it ends.

# The trap handlers are reached only through traps.
# shellcheck disable=SC2317

# The log directory, and per-run scratch: the console fifos, the initramfs
# inputs and $resdir, the result of every profile (results.bash).
start_run() {
	logdir=${logdir:-$bdir/logs}
	mkdir -p "$logdir" || km_die 2 "$prog: cannot create the log directory $logdir"
	now; run_t0=$NOW_MS
	tmpdir=""
	workers=()
	trap cleanup EXIT
	trap 'on_signal INT' INT
	trap 'on_signal TERM' TERM
	trap 'on_signal HUP' HUP
	trap 'on_signal PIPE' PIPE
	tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/km-run.XXXXXX") || km_die 2 "$prog: mktemp failed"
	resdir=$tmpdir/results
	mkdir -p "$resdir"
	: > "$resdir/order"
}

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

print_header() {
	[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 1)
	[ "$jobs" -le ${#runs[@]} ] || jobs=${#runs[@]}
	echo "# kvm-memattr: QEMU $qemu_desc"
	echo "# kvm-memattr: kernel ${kver:-unknown version} ($kernel_src: $kernel)${modules_dir:+, modules $modules_dir}"
	if [ ${#kmods[@]} -gt 0 ]; then
		echo "# kvm-memattr: test modules $(kmod_names) (vermagic $(km_ko_vermagic "${kmods[0]}"), $(dirname "${kmods[0]}"))"
	elif [ -z "$user_initrd" ]; then
		echo "# kvm-memattr: test modules: none ($kmod_why)"
	fi
	echo "# kvm-memattr: ${#runs[@]} profile(s), $jobs at a time, -smp $smp -m $memory"
}

# Reports list the profiles in the order asked for ($resdir/order); they
# start longest first, by the durations of earlier runs ($logdir/durations):
# a slow profile started last (max-pkvm: every VM teardown takes over a
# second) would otherwise run alone at the end.  Before any run, pKVM
# profiles count as the slowest.
start_order() {
	local i ms durf=$logdir/durations
	if [ "$jobs" = 1 ]; then
		printf '%s\n' "${!runs[@]}"
		return 0
	fi
	for i in "${!runs[@]}"; do
		ms=""
		[ ! -f "$durf" ] ||
			ms=$(awk -v n="${runs[$i]%%$'\t'*}" '$1 == n { print $2 }' "$durf" | tail -n1)
		[ -n "$ms" ] || [[ ${runs[$i]} != *kvm-arm.mode=protected* ]] || ms=1
		echo "${ms:-0} $i"
	done | sort -s -k1,1nr | cut -d' ' -f2
}

run_profiles() {
	local r i n c e d q f next=0 done_pid start=()
	declare -gA wname=()
	for r in "${runs[@]}"; do echo "${r%%$'\t'*}" >> "$resdir/order"; done
	while IFS= read -r i; do start+=("${runs[$i]}"); done < <(start_order)
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
	save_durations
}

finish_worker() {	# finish_worker PID: print its block; a worker that died still has a result
	local p=$1 n=${wname[$1]} w=() x
	[ "$jobs" = 1 ] || cat "$tmpdir/$n.out"
	if [ ! -f "$resdir/$n.result" ]; then
		echo "# ERROR: $n: the runner's worker died without a result"
		put_result "$n" "name=$n" rc=5 "note=the runner's worker died"
	fi
	for x in "${workers[@]}"; do [ "$x" = "$p" ] || w+=("$x"); done
	workers=(${w[@]+"${w[@]}"})
}

# Remember how long each profile took, for the order of the next run.
save_durations() {
	local r n durf=$logdir/durations
	{
		[ ! -f "$durf" ] || awk -v ran="$(printf ' %s' "${runs[@]%%$'\t'*}") " \
			'index(ran, " " $1 " ") == 0' "$durf"
		for r in "${runs[@]}"; do
			n=${r%%$'\t'*}
			sed -n 's/^total_ms=\([0-9][0-9]*\)$/'"$n"' \1/p' "$resdir/$n.result" 2>/dev/null
		done
	} > "$durf.new" && mv "$durf.new" "$durf"
}
