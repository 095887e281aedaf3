#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One stand-in run (started by km-standin-init, see init.sh), as a new user
# on an arm64 host would do it: the clean clone goes to /root/kvm-memattr and
# the commands of /run/km-job/commands (the README's, one a line) run there
# in order, each timed.  The host's state is recorded before the first and
# checked after the last (scripts/host-state.sh).  Everything under
# /root/results goes back to the host as a tar archive on the third disk.
# Console protocol: "KM-STEP <rc> <seconds> <command>" per command, then
# "KM-JOB-DONE" once the results are written.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
job=/run/km-job
res=/root/results

mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
# What systemd mounts on a Debian host.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t configfs configfs /sys/kernel/config 2>/dev/null
mount -o remount,rw /
hostname km-standin

modprobe virtio_net 2>/dev/null
ip link set lo up
# The Debian initrd's udev has renamed eth0 (enp0s1): take the one NIC there is.
nic=$(ls /sys/class/net | grep -v '^lo$' | head -n1)
ip link set "$nic" up
ip addr add 10.0.2.15/24 dev "$nic"
ip route add default via 10.0.2.2
echo "nameserver 10.0.2.3" > /etc/resolv.conf
# A kernel without the board's RTC driver (one built from a tree may lack
# PL031) starts in 1970, where apt refuses every signature and make sees
# the clone's files as written in the future: take the host's time, as NTP
# would on a board.
now=$(cat "$job/clock" 2>/dev/null)
[ -z "$now" ] || [ "$(date +%s)" -ge "$now" ] || date -s "@$now" >/dev/null

echo "KM-INFO kernel=$(uname -r) page_size=$(getconf PAGESIZE) cpus=$(nproc)"
echo "KM-INFO cmdline=$(cat /proc/cmdline)"
dmesg | grep -m1 -E 'started at EL|KVM' | sed 's/^\[[^]]*\] */KM-INFO /'

rm -rf "$res" /root/kvm-memattr
mkdir -p "$res" /root/kvm-memattr
tar -x -f "$job/clone.tar" -C /root/kvm-memattr
cd /root/kvm-memattr || exit 1
scripts/host-state.sh save "$res/host-state.before"

n=0
while IFS= read -r cmd; do
	[ -n "$cmd" ] || continue
	n=$((n + 1))
	t0=$(date +%s)
	echo "KM-STEP-BEGIN $cmd"
	bash -c "$cmd" > >(tee "$res/step$n.out") 2>&1
	rc=$?
	echo "KM-STEP $rc $(($(date +%s) - t0)) $cmd"
	echo "$rc $(($(date +%s) - t0)) $cmd" >> "$res/steps"
done < "$job/commands"

if scripts/host-state.sh check "$res/host-state.before" > "$res/host-state.check" 2>&1; then
	echo "KM-HOST-CLEAN ok"
else
	echo "KM-HOST-CLEAN FAIL"
fi
cat "$res/host-state.check"
cp -r build/logs "$res/logs" 2>/dev/null
dmesg > "$res/dmesg"
tar -c -f /dev/vdc -C "$res" . && sync
echo "KM-JOB-DONE"
busybox poweroff -f
