#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the stand-in's preparation boots (scripts/standin.sh): a busybox
# initramfs that loads the disk, file-system and network drivers of the
# Debian kernel it boots with (they are modules there), mounts the root disk
# and hands over to its preparation script as PID 1.  The root disk holds a
# debootstrap first stage, whose second stage needs a running arm64 system.
/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
[ -t 1 ] || exec </dev/console >/dev/console 2>&1
while read -r m; do
	insmod "/lib/modules/$m" || echo "standin-init: insmod $m failed"
done < /modules
i=0
until mount -t ext4 /dev/vda /newroot; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "standin-init: no root disk"; poweroff -f; }
	sleep 0.2
done
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/sh /km-standin/prep.sh
