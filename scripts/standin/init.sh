#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /usr/local/sbin/km-standin-init, PID 1 of each stand-in run (the kernel's
# init=): the job comes on the second disk as a tar archive (a clean clone
# of the project and scripts/standin/job.sh), so that the image itself never
# changes between runs; the job runs and powers the machine off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /run
mkdir -p /run/km-job
if tar -x -f /dev/vdb -C /run/km-job && [ -f /run/km-job/job.sh ]; then
	exec /bin/bash /run/km-job/job.sh
fi
echo "KM-JOB-FAIL: no job on /dev/vdb"
busybox poweroff -f
