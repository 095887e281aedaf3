#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The host settings a native run may change, recorded before and checked
# after: a run must leave the host as it found it.
#
# Usage: scripts/host-state.sh save FILE    record the state in FILE
#        scripts/host-state.sh check FILE   compare with FILE; exit 1 and one
#                                           line per difference if changed
#        scripts/host-state.sh show         print the state
# Recorded: loaded modules, kprobe events and tracefs instances, hugetlb
# pool sizes, THP modes, each PCI device's driver, driver_override and enable
# bit, and the iomem ranges named memattr_* (the test module's claim).
set -uo pipefail

tr_dir=/sys/kernel/tracing
[ -d "$tr_dir/instances" ] || tr_dir=/sys/kernel/debug/tracing

value() {	# value FILE: its contents on one line, "-" if unreadable
	local v
	v=$(tr '\n' ' ' < "$1" 2>/dev/null) || v=-
	echo "${v% }"
}

state() {
	local f d
	awk '{print "module " $1}' /proc/modules 2>/dev/null | sort
	sed 's/^/kprobe /' "$tr_dir/kprobe_events" 2>/dev/null
	for d in "$tr_dir"/instances/*/; do
		[ -d "$d" ] && echo "trace-instance $(basename "$d")"
	done
	for f in /proc/sys/vm/nr_hugepages /proc/sys/vm/nr_overcommit_hugepages \
		 /sys/kernel/mm/hugepages/*/nr_hugepages \
		 /sys/devices/system/node/node*/hugepages/*/nr_hugepages \
		 /sys/kernel/mm/transparent_hugepage/enabled \
		 /sys/kernel/mm/transparent_hugepage/defrag \
		 /sys/kernel/mm/transparent_hugepage/shmem_enabled \
		 /sys/kernel/mm/transparent_hugepage/hugepages-*/enabled; do
		[ -e "$f" ] && echo "setting $f $(value "$f")"
	done
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d" ] || continue
		f=-
		[ -e "$d/driver" ] && f=$(basename "$(readlink "$d/driver")")
		echo "pci $(basename "$d") driver=$f override=$(value "$d/driver_override")" \
		     "enable=$(value "$d/enable")"
	done
	grep -i 'memattr' /proc/iomem 2>/dev/null | sed 's/^ */iomem /'
}

case "${1:-}" in
save)	[ $# -eq 2 ] || { echo "usage: $0 save FILE" >&2; exit 2; }
	state > "$2" ;;
show)	state ;;
check)	[ $# -eq 2 ] || { echo "usage: $0 check FILE" >&2; exit 2; }
	[ -r "$2" ] || { echo "host-state: no record $2" >&2; exit 2; }
	now=$(state)
	d=$(diff <(sort "$2") <(sort <<< "$now") | sed -n 's/^< /  before: /p; s/^> /  after:  /p')
	if [ -n "$d" ]; then
		echo "host-state: the host was not left as it was:"
		echo "$d"
		exit 1
	fi
	echo "host-state: unchanged ($(wc -l < "$2") settings: modules, kprobes, tracefs instances, hugepages, THP, PCI drivers)" ;;
*)	echo "usage: $0 save FILE | check FILE | show" >&2; exit 2 ;;
esac
