#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the kvm-memattr test initramfs (busybox sh, PID 1 in the guest).
#
# Protocol with run_tests.sh on the serial console:
#   everything before "KM-BEGIN"  boot chatter, only kept in the log
#   "KM-BEGIN"                    the suite starts; its output follows
#   "KM-EXIT=<rc>"                the suite's exit code; the guest powers off
# rc is the suite's own exit code (0 pass, 1 fail, 4 all skipped, 2 usage),
# or 3 when the guest cannot run it at all (no /dev/kvm, no suite binary).
#
# Files read from the initramfs (written by scripts/mkinitramfs.sh):
#   /memattr          the suite
#   /etc/km/args      its arguments, one per line
#   /etc/km/args.NAME optional: the arguments instead for the profile NAME
#                     (kvm_memattr.profile=NAME on the command line), a
#                     feature profile that runs only its own rules
#   /etc/km/modules   optional: kernel modules to insmod first, one path a line;
#                     they are rmmod'ed after the suite, last first
#   /etc/km/kmod-why  optional: why the test modules are not there (one line),
#                     given to the suite as KM_KMOD_WHY
#   /etc/km/rules/*   optional: the rule files of run_tests.sh --rules and
#                     --skip-rules, which the arguments name (-r @FILE); the
#                     suite reads them
# A module that does not load is one line, "# guest-init: insmod NAME.ko
# failed: <insmod's message>; kernel: <what the kernel said meanwhile>", and
# the suite gets the same reason in KM_KMOD_WHY_<name> for its SKIPs.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
HOME=/
TERM=dumb
export PATH HOME TERM

/bin/busybox mkdir -p /proc /sys /dev /tmp /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s 2>/dev/null

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmpfs /tmp 2>/dev/null
# Without a console node in the archive, PID 1 starts without stdio.
[ -t 1 ] || exec </dev/console >/dev/console 2>&1

finish() {
	echo "KM-EXIT=$1"
	# Let the UART drain before the power goes: stty sets the line with
	# TCSADRAIN, which waits until the driver has sent every byte.  A sleep
	# of 0.2 s lost this line in 1 of 16 boots on a loaded host.
	stty -echo 2>/dev/null || sleep 0.2 2>/dev/null || sleep 1
	poweroff -f
	# poweroff should not return; if it does, panic=-1 reboots and QEMU
	# (-no-reboot) exits.
	exit "$1"
}

# Boot facts, for the log only.
echo "KM-INFO kernel=$(uname -r) machine=$(uname -m)"
echo "KM-INFO cmdline=$(cat /proc/cmdline)"
el=$(dmesg 2>/dev/null | grep -m1 'started at EL' | sed 's/^\[[^]]*\] *//')
[ -n "$el" ] && echo "KM-INFO $el"

# Optional kernel modules, loaded in the listed order.
modfail=""	# one "# guest-init: insmod ... failed" line per module
loaded=""	# the loaded ones, last first, for unloading after the suite
if [ -f /etc/km/modules ]; then
	while IFS= read -r m; do
		case "$m" in ''|'#'*) continue ;; esac
		n=${m##*/}
		n=${n%.ko}
		before=$(dmesg 2>/dev/null | wc -l)
		if insmod "$m" >/tmp/insmod.out 2>&1; then
			loaded="$n $loaded"
		else
			why="insmod failed: $(tr '\n' ' ' </tmp/insmod.out |
				sed -e "s/^insmod: can't insert '[^']*': //" -e 's/ *$//')"
			said=$(dmesg 2>/dev/null | tail -n +$((before + 1)) |
				sed 's/^\[[^]]*\] *//' | uniq | tail -n 3 | tr '\n' ' ' | sed 's/ *$//')
			[ -z "$said" ] || why="$why; kernel: $said"
			modfail="$modfail# guest-init: $n.ko: $why
"
			export "KM_KMOD_WHY_$(echo "$n" | tr -- '-' '_')=$why"
		fi
	done </etc/km/modules
fi
[ ! -s /etc/km/kmod-why ] || export KM_KMOD_WHY="$(head -n1 /etc/km/kmod-why)"

# Unload what was loaded, last first.  A module that will not go (still in
# use, or its exit path fails) fails a run that had not failed otherwise.
unload_modules() {
	rmfail=""
	for n in $loaded; do
		rmmod "$n" >/tmp/rmmod.out 2>&1 ||
			rmfail="$rmfail $n($(tr '\n' ' ' </tmp/rmmod.out))"
	done
	[ -z "$rmfail" ] && return 0
	echo "# guest-init: rmmod failed:$rmfail"
	return 1
}

echo "KM-BEGIN"

[ -n "$modfail" ] && printf '%s' "$modfail"

if [ ! -x /memattr ]; then
	echo "# guest-init: /memattr is missing from the initramfs"
	finish 3
fi

if [ ! -e /dev/kvm ]; then
	why="the kernel under test exposes no KVM"
	case "$el" in
	*EL1*) why="$why: it booted at EL1 (run QEMU with -M virt,virtualization=on)" ;;
	esac
	if dmesg 2>/dev/null | grep -qi 'kvm.*\(disabled\|error\|fail\)'; then
		why="$why; kernel said: $(dmesg | grep -i -m1 'kvm.*\(disabled\|error\|fail\)' |
			sed 's/^\[[^]]*\] *//')"
	fi
	echo "# guest-init: /dev/kvm missing: $why"
	finish 3
fi

# Rebuild the argument list, one argument per line of the args file: the
# profile's own when run_tests.sh wrote one (the selection comes only from
# the initramfs, never from the command line).
args=/etc/km/args
profile=$(sed -n 's/.*kvm_memattr\.profile=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -z "$profile" ] || [ ! -f "/etc/km/args.$profile" ] || args=/etc/km/args.$profile
set --
if [ -f "$args" ]; then
	while IFS= read -r a; do
		set -- "$@" "$a"
	done <"$args"
fi

cd /tmp || cd /
# The suite is one process at a time: keep it on CPU 0.  Under TCG every
# guest CPU is a host thread, and a suite spread over two of them makes two
# busy threads per QEMU (measured: 50 s of host CPU for two profiles side by
# side instead of 42 s, and 29 s of wall time instead of 24 s).
pin=
if command -v taskset >/dev/null 2>&1; then
	pin="taskset 1"
fi
$pin /memattr "$@"
rc=$?
if ! unload_modules && { [ $rc = 0 ] || [ $rc = 4 ]; }; then
	rc=1
fi
# Kernel splats during the run, for the log (not a verdict of their own).
dmesg 2>/dev/null | grep -E 'Oops|BUG:|WARNING:|Unable to handle' |
	sed 's/^\[[^]]*\] */# guest-init: kernel: /'
finish $rc
