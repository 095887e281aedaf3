# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# run_tests.sh: the result of every profile, as files in $resdir that
# scripts/report.py reads back: NAME.result (key=value lines: what ran, its
# exit code, timings, where its KTAP is) and NAME.stamps (its KTAP, each
# line after the ms since the profile started).  report.py is the one
# reader of the KTAP: each profile's summary line, the rule table, JUnit,
# JSON and the closing "N passed, N failed, N skipped, N xfailed" line.

# The suite's own closing line: left out of what the runner passes on,
# since report.py prints the run's.
closing_re='^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped, [0-9]+ xfailed$'

# python3 writes every tally: say so before anything boots, and check that
# the report files have somewhere to go.
check_reports() {
	local f
	if ! command -v python3 >/dev/null || [ ! -f "$root/scripts/report.py" ]; then
		km_die 2 "$prog: needs python3 and scripts/report.py for its results (run scripts/setup.sh)"
	fi
	for f in "$junit" "$json"; do
		[ -z "$f" ] || [ -d "$(dirname "$f")" ] || km_die 2 "$prog: no directory for the report file $f"
	done
}

# put_result NAME KEY=VALUE...: one value a line, no newlines in values.
put_result() {
	local f=$resdir/$1.result kv
	shift
	for kv in "$@"; do printf '%s\n' "${kv//$'\n'/ }" >> "$f"; done
}

report() { python3 "$root/scripts/report.py" --results "$resdir" "$@"; }

# report_profile NAME: the "# profile NAME: exit ..." line that ends its block.
report_profile() {
	if [ "$raw" = 1 ]; then
		report --summary "$1" --raw
	else
		report --summary "$1"
	fi
}

# The run's exit code: the profiles' own when they all agree, else 1 if any
# ended other than 0 or 4, else 0.
combine_exit() {
	local n rc rcs=()
	while IFS= read -r n; do
		rc=$(sed -n 's/^rc=//p' "$resdir/$n.result" 2>/dev/null | tail -n1)
		rcs+=("${rc:-5}")
	done < "$resdir/order"
	for rc in "${rcs[@]}"; do
		[ "$rc" = "${rcs[0]}" ] || { any_failed "${rcs[@]}"; return 0; }
	done
	echo "${rcs[0]}"
}
any_failed() {	# any_failed RC...: 1 if one is neither 0 nor 4, else 0
	local rc
	for rc; do
		case $rc in 0|4) ;; *) echo 1; return 0 ;; esac
	done
	echo 0
}

# The end of a run: the reports, then the closing line (last on stdout),
# then exit.  A listing (raw) has neither.  Reports that could not be
# written make it exit 2.
finish_run() {
	local final wall_ms args=()
	final=$(combine_exit)
	[ "$raw" = 0 ] || exit "$final"
	now; wall_ms=$((NOW_MS - run_t0))
	args=(--exit "$final" --wall-ms "$wall_ms" --closing)
	[ "$mode" = native ] || args+=(--qemu "$qemu_desc" --kernel "$kernel" --kernel-source "$kernel_src")
	[ "$table" = 0 ] || args+=(--table)
	# Without --junit/--json the reports still go to the log directory,
	# next to each profile's KTAP: what a CI job or a remote run collects.
	args+=(--junit "${junit:-$logdir/junit.xml}" --json "${json:-$logdir/results.json}")
	report "${args[@]}" || { echo "# $prog: writing the reports failed" >&2; final=2; }
	exit "$final"
}
