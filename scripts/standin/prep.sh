#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the stand-in's preparation boot (scripts/standin.sh), on its root
# disk: finish debootstrap (its second stage runs the packages' maintainer
# scripts, which need arm64), then install the Debian kernels the stand-in
# boots from Debian's own registry, as an administrator would, and hand
# their /boot to the host on the second disk.  The line KM-PREP-OK tells the
# host that every step succeeded.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys

fail() {
	echo "KM-PREP-FAIL: $*"
	sync
	busybox poweroff -f || echo o > /proc/sysrq-trigger
	exit 1
}

if [ -x /debootstrap/debootstrap ]; then
	echo "standin-prep: debootstrap second stage"
	/debootstrap/debootstrap --second-stage || fail "debootstrap --second-stage"
fi
mountpoint -q /proc || mount -t proc proc /proc
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp

# QEMU's user-mode network: fixed addresses, its DNS forwarder at .3.
ip link set lo up
ip link set eth0 up || fail "no eth0"
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo "nameserver 10.0.2.3" > /etc/resolv.conf

cp /km-standin/debian.sources /etc/apt/sources.list.d/debian.sources
rm -f /etc/apt/sources.list
apt-get -q update || fail "apt-get update"
# shellcheck disable=SC2046
apt-get -q -y --no-install-recommends -t "$(cat /km-standin/backports)" install \
	$(cat /km-standin/kernels) || fail "apt-get install the kernels"
apt-get clean
echo "km-standin" > /etc/hostname
# The test user's home is root's: the README's commands run with sudo.
ls /boot/vmlinuz-* >/dev/null 2>&1 || fail "no kernel in /boot"
tar -c -f /dev/vdb -C / boot || fail "cannot write /boot to the second disk"
sync
echo "KM-PREP-OK"
busybox poweroff -f
