# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# run_tests.sh: one profile.  run_profile boots its guest, copies the
# suite's KTAP to stdout as it comes (and, time-stamped, to the result files
# that scripts/report.py reads), and writes $resdir/NAME.result.  It runs in
# a subshell of its own (a worker): its variables and traps are its own, and
# the helpers below work on run_profile's locals.

# The console: KTAP lines go through, anything else the suite prints is
# marked "# console:"; the protocol lines are scripts/guest-init.sh's.
ktap_re='^[[:space:]]*(TAP version [0-9]+|KTAP version [0-9]+|[0-9]+\.\.[0-9]+|ok [0-9]+|not ok [0-9]+|#|Bail out!)'
begin_re='(^|[^A-Za-z0-9])KM-BEGIN$'
exit_re='(^|[^A-Za-z0-9])KM-EXIT=([0-9]+)$'
panic_re='Kernel panic - not syncing.*'

# Background work the rules do not need, off under TCG where it competes for
# the host's cores with the other profiles: DAMON_STAT's kdamond (on by
# default in Debian 7.x), KFENCE's sampling timer, and the lockup detectors,
# whose "hard LOCKUP" reports under TCG only measure how loaded the host is.
quiet_guest="nowatchdog damon_stat.enabled=N kfence.sample_interval=0"
# memfd_secret(2) is off by default in older kernels such as 6.1 (it answers
# ENOSYS); the X1 rows need it.
guest_features="secretmem.enable=1"

# The clock of every step, in ms.
now() { local t=${EPOCHREALTIME//[!0-9]/}; NOW_MS=$((10#$t / 1000)); }

# run_profile NAME CPU EXTRA DESCRIPTION QEMU-ARGS FOCUS
run_profile() {
	local name=$1 cpu=$2 extra=$3 desc=$4 focus qargs=()
	# The profile's extra QEMU arguments are blank-separated words.
	[ "${5:--}" = - ] || read -r -a qargs <<< "$5"
	qargs+=(${user_qemu_args[@]+"${user_qemu_args[@]}"})
	local log=$logdir/$name.console.log ktapf=$logdir/$name.ktap stamps=$resdir/$name.stamps
	local cmdline="console=ttyAMA0 loglevel=4 panic=-1 $quiet_guest $guest_features"
	cmdline+=" kvm_memattr.accel=tcg kvm_memattr.profile=$name"
	[ "$extra" = - ] || [ -z "$extra" ] || cmdline+=" $extra"
	[ -z "$user_append" ] || cmdline+=" $user_append"
	# Its rules are in the initramfs (/etc/km/args.NAME), said here.
	focus=$(focus_of "${6:--}")
	[ "$focus" = - ] || desc+="; rules $focus only (--full: all)"

	local state=boot t0 boot_ms="" exit_ms="" end_ms deadline boot_deadline grace=0
	local exit_rc="" timed_out="" panic="" qrc="" confd logfd ktapfd stampfd qpid=""
	local fifo=$tmpdir/$name.console
	rm -f "$fifo"
	mkfifo "$fifo" || km_die 2 "$prog: mkfifo failed"
	trap 'stop_qemu; exit 143' TERM
	trap 'stop_qemu' EXIT
	trap '' INT	# the parent handles Ctrl-C and stops the workers

	echo "# profile $name: booting -cpu $cpu${desc:+ ($desc)}" >&2
	local hdr="# profile $name: -cpu $cpu"
	[ "$extra" = - ] || [ -z "$extra" ] || hdr+=", cmdline $extra"
	[ ${#qargs[@]} = 0 ] || hdr+=", qemu ${qargs[*]}"
	echo "$hdr"
	now; t0=$NOW_MS
	deadline=$((t0 + timeout * 1000)); boot_deadline=$((t0 + boot_timeout * 1000))
	start_qemu
	watch_console
	stop_qemu
	exec {confd}<&- {logfd}>&- {ktapfd}>&- {stampfd}>&-
	rm -f "$fifo"
	now; end_ms=$((NOW_MS - t0))

	local rc note=""
	if [ -z "$exit_rc" ]; then
		# No result: say what happened in one line, then the console's tail.
		note=$(no_result_why)
		echo "# ERROR: $name: $note (see $log); the console's last lines:"
		last_lines "$log"
		rc=5
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

	local suite_ms="" teardown_ms=""
	[ -z "$boot_ms" ] || [ -z "$exit_ms" ] || suite_ms=$((exit_ms - boot_ms))
	[ -z "$exit_ms" ] || teardown_ms=$((end_ms - exit_ms))
	put_result "$name" "name=$name" "cpu=$cpu" "desc=$desc" "extra=$extra" \
		"qargs=${qargs[*]}" "rc=$rc" "note=$note" \
		"boot_ms=$boot_ms" "suite_ms=$suite_ms" "teardown_ms=$teardown_ms" \
		"total_ms=$end_ms" "log=$log" "ktap=$ktapf" "stamps=$stamps"
	report_profile "$name"
}

# QEMU in its own session and process group, so that stop_qemu can end it
# all; timeout(1) bounds it even if this script is killed with SIGKILL.  Its
# console comes through a fifo; the log starts with what was booted.
start_qemu() {
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
}

stop_qemu() {	# end QEMU's whole process group; qrc: its exit status
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

# Read the console until QEMU is gone or a limit is reached.  A line may
# come in pieces (read -t returns what it has): they are joined first.
watch_console() {
	local buf="" chunk st last=$t0
	while :; do
		chunk=""
		if IFS= read -r -t 1 -u "$confd" chunk; then
			handle_line "$buf$chunk"
			buf=""
			now; last=$NOW_MS
		else
			st=$?
			if [ "$st" -le 128 ]; then	# EOF: QEMU is gone
				[ -z "$buf$chunk" ] || handle_line "$buf$chunk"
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
}

# One console line: to the log; in the suite's part, KTAP to stdout, to the
# KTAP file and, stamped with the ms since QEMU started, to the stamps file.
handle_line() {
	local l=${1//$'\r'/}
	printf '%s\n' "$l" >&"$logfd"
	[ -n "$panic" ] || [[ ! $l =~ $panic_re ]] || panic=${BASH_REMATCH[0]}
	if [ "$state" != finished ] && [[ $l =~ $exit_re ]]; then
		exit_rc=${BASH_REMATCH[2]}; state=finished
		now; exit_ms=$((NOW_MS - t0)); grace=$((NOW_MS + 15000))
		return 0
	fi
	case $state in
	boot)
		if [[ $l =~ $begin_re ]]; then
			state=suite; now; boot_ms=$((NOW_MS - t0))
		fi ;;
	suite)
		if [ "$raw" = 1 ]; then
			printf '%s\n' "$l"
		elif [[ $l =~ $ktap_re ]]; then
			printf '%s\n' "$l"
			printf '%s\n' "$l" >&"$ktapfd"
			now
			printf '%s\t%s\n' $((NOW_MS - t0)) "$l" >&"$stampfd"
		elif [[ $l =~ $closing_re ]] || [ -z "$l" ]; then
			:	# scripts/report.py prints the run's closing line
		else
			printf '# console: %s\n' "$l"
		fi ;;
	esac
}

# Why a guest gave no result, in one line.
no_result_why() {
	local why qmsg
	if [ -n "$panic" ]; then
		why="the kernel panicked: $panic"
	elif [ -n "$timed_out" ]; then
		why=$timed_out
		# arm64 stops before its console on a CPU without the kernel's granule.
		if [ "$state" = boot ] && [ "${page_size^^}" != 4K ] && [ -z "$(last_lines "$log")" ]; then
			why+=": no console output, as when the CPU lacks the ${page_size^^} granule"
			why+=" (ID_AA64MMFR0_EL1.TGran*; QEMU's cortex-a57 and cortex-a72 lack 16K)"
		fi
	elif [ "$state" = boot ] && [ "$qrc" != 0 ]; then
		why="QEMU exited with status $qrc before the kernel reached /init"
		qmsg=$(grep -m1 -i "^$(basename "$qemu"):\|qemu-system" "$log" | head -n1)
		[ -z "$qmsg" ] || why+=": $qmsg"
	elif [ "$state" = boot ]; then
		why="the guest powered off before /init ran the suite"
	else
		why="the guest ended without a result (no KM-EXIT line)"
	fi
	echo "$why"
}

last_lines() {	# the console log's tail, without our own header
	grep -v -e '^# kvm-memattr console log: ' -e '^# kernel ' -e '^# cmdline ' \
		-e '^# qemu args ' "$1" | tail -n 8 | sed 's/^/#   | /'
}
