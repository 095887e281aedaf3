# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# run_tests.sh: the suite on this host (--native, or an arm64 host with
# /dev/kvm): the running kernel is the one under test, the test modules are
# loaded around the suite, and its KTAP goes to the same result files as a
# QEMU profile's (one profile, "native").

native_checks() {
	[ "$host_arch" = aarch64 ] || km_die 2 "$prog: --native needs an arm64 host (this is $host_arch); drop it to use QEMU"
	[ "$(id -u)" = 0 ] || km_die 2 "$prog: native mode needs root (the suite uses /dev/kvm, debugfs and tracefs)"
	[ -c /dev/kvm ] || km_die 3 "$prog: /dev/kvm is missing: this host kernel has no KVM (or it is not enabled); use --qemu"
}

# The test modules for the running kernel, loaded before the suite and
# unloaded after it, whatever the outcome (chained onto the EXIT trap);
# KM_PFNMAP_PARAMS are memattr_pfnmap's parameters (e.g. "phys_base=0x...
# phys_size=0x..." naming memory outside the linear map).  A module that
# does not load is one line, and its rows skip saying why
# (KM_KMOD_WHY_<name>, read by the suite).
native_kmods_loaded=""
native_load_kmods() {
	local m n p err loaded="" prev
	kmod_prepare "$(uname -r)" build ${kdir_opt:+--kdir "$kdir_opt"}
	for m in ${kmods[@]+"${kmods[@]}"}; do
		n=$(basename "$m" .ko)
		[ ! -e "/sys/module/$n" ] || continue	# loaded by someone else: left alone
		p=""
		[ "$n" != memattr_pfnmap ] || p=${KM_PFNMAP_PARAMS:-}
		# shellcheck disable=SC2086
		if err=$(insmod "$m" $p 2>&1); then
			loaded="$n $loaded"
		else
			err="insmod failed: ${err//$'\n'/ }; kernel: $(dmesg 2>/dev/null | tail -n 2 | tr '\n' ' ')"
			echo "# $prog: $n: $err" >&2
			export "KM_KMOD_WHY_$n=$err"
		fi
	done
	[ -z "$kmod_why" ] || export KM_KMOD_WHY="$kmod_why"
	[ -n "$loaded" ] || return 0
	native_kmods_loaded=$loaded
	# Chain onto whatever EXIT trap there is ("trap -- 'CMD' EXIT"): expand
	# both now.  run_native unloads them first; this is for an interrupt.
	eval "prev=($(trap -p EXIT))"
	# shellcheck disable=SC2064
	trap "native_unload_kmods; ${prev[2]:-}" EXIT
}

native_unload_kmods() {
	local n
	for n in $native_kmods_loaded; do
		[ ! -e "/sys/module/$n" ] || rmmod "$n" || echo "# $prog: rmmod $n failed" >&2
	done
	native_kmods_loaded=""
}

# The host as it was: scripts/host-state.sh compares what a run may change
# (modules, kprobes, tracefs instances, hugepages, THP, PCI drivers) with
# the record taken before the modules were loaded.  A difference is a
# "# host-clean: FAIL" line per setting and fails the run.
native_host_clean() {
	local out
	if out=$("$root/scripts/host-state.sh" check "$resdir/host-state" 2>&1); then
		echo "# host-clean: ok: ${out#host-state: }"
		return 0
	fi
	sed 's/^/# host-clean: FAIL: /' <<< "$out"
	return 1
}

# The suite's output to stdout as it comes (its own closing line aside:
# scripts/report.py prints the run's), stamped into the result files.
run_native() {
	local stamps=$resdir/native.stamps t0 rc
	"$root/scripts/host-state.sh" save "$resdir/host-state"
	native_load_kmods
	echo "# kvm-memattr: native, kernel $(uname -r), $(uname -m)"
	echo native > "$resdir/order"
	now; t0=$NOW_MS
	"$bin" ${suite_args[@]+"${suite_args[@]}"} | while IFS= read -r l; do
		[[ $l =~ $closing_re ]] && continue
		printf '%s\n' "$l"
		now; printf '%s\t%s\n' $((NOW_MS - t0)) "$l" >> "$stamps"
	done
	rc=${PIPESTATUS[0]}
	now
	native_unload_kmods
	native_host_clean || rc=1
	cut -f2- "$stamps" > "$logdir/native.ktap" 2>/dev/null
	put_result native name=native cpu=host "rc=$rc" \
		"stamps=$stamps" "ktap=$logdir/native.ktap" "total_ms=$((NOW_MS - t0))"
}
