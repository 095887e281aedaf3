#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A stand-in for an arm64 host: a Debian arm64 system (its own userspace,
# apt and kernel packages) booted under qemu-system-aarch64 with EL2
# emulated, so that KVM runs in it as on a board.  Each run copies a clean
# clone of this project in and runs the README's two commands there, as a
# new user on an arm64 machine would; their output, the KTAP, JSON and
# JUnit reports and the host-clean check come back under --out.
#
# Usage: scripts/standin.sh [options]
#   --prepare           only build the stand-in image (or see it is cached)
#   --kernel VER        the Debian kernel to boot (repeatable; default
#                       $KM_DEFAULT_KERNEL).  Every image holds that kernel
#                       and the CI matrix's other +deb13 kernels (make -s
#                       print-check-kernels), installed with apt, and any
#                       other VER named
#   --kernel-debs DIR   also install these kernel packages (a tree's make
#                       bindeb-pkg); --kernel then names their release
#   --cpu MODEL         the stand-in's CPU, a QEMU -cpu value (repeatable;
#                       default max): one run each
#   --command CMD       run CMD instead of the README's commands (repeatable)
#   --memory MIB        the stand-in's RAM (default 6144); the top 64 MiB are
#                       kept from its kernel with mem=, as an operator would
#                       reserve memory outside the linear map
#   --smp N             its CPUs (default 2)
#   --timeout SECS      limit for one run (default 5400)
#   --out DIR           results (default build/standin): DIR/<kernel>/<cpu>/
# The image is cached under $KM_CACHE/standin/<key>, the key covering the
# recipe (scripts/standin/), the Debian suite, the packages and the kernels;
# it is rebuilt only when one of them changes.  Needs root (debootstrap).
# Exit: 0 every run's commands passed and the host was left clean, 1 a
# command failed or the host was not left as it was, 2 usage or setup, 5 a
# boot gave no result.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/common.sh
. "$here/common.sh"
prog=standin.sh

suite=trixie
backports=trixie-backports
# The base system: what debootstrap's minbase lacks for booting a Debian
# kernel from its own initrd, and sudo for the README's commands.
base_pkgs=busybox,kmod,initramfs-tools,iproute2,sudo,ca-certificates,procps,xz-utils
# The kernels every image holds, so that runs on any of them share one
# image: the default and the CI matrix's other trixie (+deb13) kernels.
standin_kernels=$KM_DEFAULT_KERNEL
for k in $(make -s --no-print-directory -C "$root" print-check-kernels); do
	case "$k" in
	"$KM_DEFAULT_KERNEL") ;;
	*+deb13) standin_kernels+=" $k" ;;
	esac
done

kernels=()
debs=""
cpus=()
cmds=()
prepare_only=0
mem=6144
smp=2
timeout=5400
out=$root/build/standin
while [ $# -gt 0 ]; do
	case "$1" in
	--prepare) prepare_only=1; shift ;;
	--kernel|--kernel-debs|--cpu|--command|--memory|--smp|--timeout|--out)
		[ $# -ge 2 ] || km_die 2 "$prog: $1 needs a value"
		case "$1" in
		--kernel) kernels+=("$2") ;;
		--kernel-debs) debs=$(cd "$2" && pwd) || km_die 2 "$prog: no such directory: $2" ;;
		--cpu) cpus+=("$2") ;;
		--command) cmds+=("$2") ;;
		--memory) mem=$2 ;;
		--smp) smp=$2 ;;
		--timeout) timeout=$2 ;;
		--out) out=$2 ;;
		esac
		shift 2 ;;
	-h|--help) awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) km_die 2 "$prog: unknown option '$1' (see --help)" ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=("$KM_DEFAULT_KERNEL")
[ ${#cpus[@]} -gt 0 ] || cpus=(max)
[ ${#cmds[@]} -gt 0 ] || cmds=("sudo scripts/setup.sh" "./run_tests.sh")
[[ $mem =~ ^[0-9]+$ ]] && [ "$mem" -ge 2048 ] || km_die 2 "$prog: --memory: MiB, at least 2048"
[ "$(id -u)" = 0 ] || km_die 2 "$prog: must run as root (debootstrap, disk images)"

qemu=${QEMU:-qemu-system-aarch64}
km_qemu_version_ok "$qemu" || km_die 2 "$prog: needs $qemu >= $KM_QEMU_MIN: run scripts/setup.sh"
boot_kdir=$(km_kernel_dir "$KM_DEFAULT_KERNEL")
[ -f "$boot_kdir/Image" ] && [ -d "$boot_kdir/modules/kernel" ] ||
	km_die 2 "$prog: the preparation boots with the Debian $KM_DEFAULT_KERNEL kernel: run scripts/setup.sh"
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
if [ ${#need[@]} -gt 0 ]; then
	km_log "$prog: installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -q -y install "${need[@]}" >/dev/null ||
		km_die 2 "$prog: cannot install ${need[*]}"
fi

# Debian's package names of the kernels: linux-image-VERSION-FLAVOUR; the
# image's set is sorted, so that the order of --kernel does not matter.
kpkgs=() releases=()
for k in "${kernels[@]}"; do
	read -r v f <<< "$(km_kernel_spec "$k")"
	releases+=("$v-$f")
done
if [ -z "$debs" ]; then
	# shellcheck disable=SC2086
	for k in $standin_kernels "${kernels[@]}"; do
		read -r v f <<< "$(km_kernel_spec "$k")"
		kpkgs+=("linux-image-$v-$f")
	done
	mapfile -t kpkgs < <(printf '%s\n' "${kpkgs[@]}" | sort -u)
fi
if [ -n "$debs" ]; then
	ls "$debs"/linux-image-*.deb >/dev/null 2>&1 || km_die 2 "$prog: no linux-image-*.deb in $debs"
	releases=("${kernels[@]}")
fi

key=$( { cat "$here"/standin/initramfs-init.sh "$here"/standin/prep.sh "$here"/standin/init.sh
	 echo "$suite $backports $base_pkgs ${kpkgs[*]-}"
	 [ -z "$debs" ] || sha256sum "$debs"/*.deb | cut -d' ' -f1; } | sha256sum | cut -c1-16)
img_dir=$KM_CACHE/standin/$key
mkdir -p "$KM_CACHE/standin"

now() { date +%s; }

# The stand-in's "hardware" is QEMU TCG, which the suite cannot tell from a
# board: say so on its kernel command line, as the QEMU runner does, so that
# the faults TCG does not model are XFAILs here too and nowhere else.
tcg_flag=kvm_memattr.accel=tcg

# qemu_run LOG TIMEOUT ARGS...: QEMU in its own session, stopped at TIMEOUT.
qemu_run() {
	local log=$1 t=$2 pid rc
	shift 2
	setsid "$qemu" -nographic -no-reboot -M virt,virtualization=on,gic-version=3 "$@" \
		</dev/null >"$log" 2>&1 &
	pid=$!
	# shellcheck disable=SC2064
	trap "kill -- -$pid 2>/dev/null" EXIT INT TERM
	( sleep "$t"; kill -- -"$pid" 2>/dev/null ) &
	local watch=$!
	wait "$pid"
	rc=$?
	kill "$watch" 2>/dev/null
	wait "$watch" 2>/dev/null
	trap - EXIT INT TERM
	return "$rc"
}

# The busybox initramfs of the preparation boots: the cached Debian kernel's
# disk, ext4 and network modules, decompressed, each after its dependencies.
bootstrap_initramfs() {
	local dir=$1 mods=$boot_kdir/modules/kernel m f order=()
	add() {
		local n=$1 f d
		[[ " ${order[*]-} " == *" $n "* ]] && return
		f=$(find "$mods" -name "$n.ko*" | head -n1)
		[ -n "$f" ] || return 0		# built in
		for d in $(modinfo -F depends "$f" | tr ',' ' '); do add "$d"; done
		order+=("$n")
		mkdir -p "$dir/lib/modules"
		case "$f" in
		*.xz) xz -dc "$f" > "$dir/lib/modules/$n.ko" ;;
		*.zst) zstd -qdc "$f" > "$dir/lib/modules/$n.ko" ;;
		*) cp "$f" "$dir/lib/modules/$n.ko" ;;
		esac
	}
	for m in virtio_pci virtio_blk ext4 virtio_net; do add "$m"; done
	printf '%s.ko\n' "${order[@]}" > "$dir/modules"
	mkdir -p "$dir/bin"
	cp "$KM_CACHE/busybox/bin/busybox" "$dir/bin/busybox"
	ln -sf busybox "$dir/bin/sh"
	cp "$here/standin/initramfs-init.sh" "$dir/init"
	chmod +x "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) > "$dir.cpio.gz"
}

prepare() {
	[ -f "$img_dir/base.img" ] && [ -d "$img_dir/boot" ] && return 0
	local t0 tmp mirror
	t0=$(now)
	tmp=$KM_CACHE/standin/tmp-$key
	rm -rf "$tmp" && mkdir -p "$tmp"
	mirror=$(km_debian_mirror)
	[ -n "$mirror" ] || km_die 2 "$prog: cannot find the host's Debian mirror in /etc/apt"
	km_log "$prog: debootstrap $suite arm64 (first stage) into $tmp/rootfs"
	mkdir -p "$KM_CACHE/standin/debs"
	debootstrap --arch=arm64 --foreign --variant=minbase --include="$base_pkgs" \
		--cache-dir="$KM_CACHE/standin/debs" \
		"$suite" "$tmp/rootfs" "$mirror" > "$tmp/debootstrap.log" 2>&1 ||
		km_die 2 "$prog: debootstrap failed (see $tmp/debootstrap.log)"
	mkdir -p "$tmp/rootfs/km-standin" "$tmp/rootfs/usr/local/sbin"
	cp "$here/standin/prep.sh" "$tmp/rootfs/km-standin/"
	install -m 0755 "$here/standin/init.sh" "$tmp/rootfs/usr/local/sbin/km-standin-init"
	printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates %s\nComponents: main\nSigned-By: %s\n' \
		"$mirror" "$suite" "$suite" "$backports" \
		/usr/share/keyrings/debian-archive-keyring.gpg > "$tmp/rootfs/km-standin/debian.sources"
	echo "$backports" > "$tmp/rootfs/km-standin/backports"
	if [ -n "$debs" ]; then
		mkdir -p "$tmp/rootfs/km-standin/debs"
		cp "$debs"/*.deb "$tmp/rootfs/km-standin/debs/"
		printf '/km-standin/debs/%s\n' $(cd "$debs" && ls ./*.deb | sed 's|^\./||') \
			> "$tmp/rootfs/km-standin/kernels"
	else
		printf '%s\n' "${kpkgs[@]}" > "$tmp/rootfs/km-standin/kernels"
	fi
	km_log "$prog: the root disk (ext4, 24 GiB sparse)"
	mkfs.ext4 -q -F -L km-standin -d "$tmp/rootfs" "$tmp/base.img" 24G >/dev/null ||
		km_die 2 "$prog: mkfs.ext4 -d failed"
	rm -rf "$tmp/rootfs"
	bootstrap_initramfs "$tmp/initramfs"
	truncate -s 512M "$tmp/boot.tar"
	km_log "$prog: second stage and kernels in the guest (log: $tmp/prep.log)"
	qemu_run "$tmp/prep.log" 3600 -cpu max -smp "$smp" -m 2048 \
		-kernel "$boot_kdir/Image" -initrd "$tmp/initramfs.cpio.gz" \
		-append "console=ttyAMA0 panic=-1" \
		-drive if=virtio,format=raw,file="$tmp/base.img" \
		-drive if=virtio,format=raw,file="$tmp/boot.tar" \
		-nic user,model=virtio-net-pci -global virtio-net-pci.romfile=
	grep -q '^KM-PREP-OK' "$tmp/prep.log" ||
		km_die 5 "$prog: preparing the stand-in failed: $(grep -a -m1 'KM-PREP-FAIL' "$tmp/prep.log" || tail -n 3 "$tmp/prep.log")"
	mkdir -p "$tmp/out" && tar -x -f "$tmp/boot.tar" -C "$tmp/out" ||
		km_die 5 "$prog: no /boot from the guest"
	rm -rf "$img_dir"
	mkdir -p "$img_dir"
	mv "$tmp/base.img" "$img_dir/base.img"
	mv "$tmp/out/boot" "$img_dir/boot"
	mv "$tmp/prep.log" "$tmp/debootstrap.log" "$img_dir/"
	rm -rf "$tmp"
	km_log "$prog: stand-in prepared in $(( $(now) - t0 ))s: $img_dir"
}

# run_one RELEASE CPU: boot the stand-in on RELEASE's kernel with CPU.
run_one() {
	local rel=$1 cpu=$2 dir vmlinuz initrd t0 rc=0 tmp
	dir=$out/$rel/$cpu
	vmlinuz=$img_dir/boot/vmlinuz-$rel
	initrd=$img_dir/boot/initrd.img-$rel
	[ -f "$vmlinuz" ] || { km_log "$prog: $rel is not installed in the stand-in"; return 2; }
	rm -rf "$dir" && mkdir -p "$dir"
	tmp=$(mktemp -d)
	git -C "$root" clone -q --no-local . "$tmp/job/clone" 2>/dev/null ||
		{ rm -rf "$tmp"; km_die 2 "$prog: cannot clone $root (a git checkout is needed)"; }
	tar -c -f "$tmp/job/clone.tar" -C "$tmp/job/clone" . && rm -rf "$tmp/job/clone"
	cp "$here/standin/job.sh" "$tmp/job/"
	printf '%s\n' "${cmds[@]}" > "$tmp/job/commands"
	date +%s > "$tmp/job/clock"
	tar -c -f "$tmp/job.tar" -C "$tmp/job" .
	truncate -s 1G "$tmp/results.tar"
	qemu-img create -q -f qcow2 -b "$img_dir/base.img" -F raw "$tmp/root.qcow2"
	km_log "$prog: $rel on -cpu $cpu (console: $dir/console.log)"
	t0=$(now)
	qemu_run "$dir/console.log" "$timeout" -cpu "$cpu" -smp "$smp" -m "$mem" \
		-kernel "$vmlinuz" ${initrd:+-initrd "$initrd"} \
		-append "root=/dev/vda rw console=ttyAMA0 init=/usr/local/sbin/km-standin-init mem=$((mem - 64))M panic=-1 $tcg_flag" \
		-drive if=virtio,format=qcow2,file="$tmp/root.qcow2" \
		-drive if=virtio,format=raw,file="$tmp/job.tar",readonly=on \
		-drive if=virtio,format=raw,file="$tmp/results.tar" \
		-nic user,model=virtio-net-pci -global virtio-net-pci.romfile=
	echo "$(( $(now) - t0 ))" > "$dir/wall_seconds"
	if grep -q '^KM-JOB-DONE' "$dir/console.log"; then
		tar -x -f "$tmp/results.tar" -C "$dir" 2>/dev/null
	else
		km_log "$prog: $rel/$cpu: no result (see $dir/console.log)"
		rc=5
	fi
	rm -rf "$tmp"
	[ "$rc" = 0 ] || return "$rc"
	local last=?
	while read -r src secs cmd; do
		km_log "$prog: $rel/$cpu: '$cmd' exit $src in ${secs}s"
		last=$secs
		case "$src" in 0|4) ;; *) rc=1 ;; esac
	done < "$dir/steps"
	grep -q '^KM-HOST-CLEAN ok' "$dir/console.log" || { km_log "$prog: $rel/$cpu: host not left clean"; rc=1; }
	km_log "$prog: $rel/$cpu: $(grep -a -E '^[0-9]+ passed, ' "$dir"/step*.out | tail -n1 | cut -d: -f2-) (last command ${last}s; boot to done $(cat "$dir/wall_seconds")s)"
	return "$rc"
}

prepare
[ "$prepare_only" = 0 ] || exit 0
worst=0
for rel in "${releases[@]}"; do
	for cpu in "${cpus[@]}"; do
		run_one "$rel" "$cpu"
		rc=$?
		[ "$rc" -le "$worst" ] || worst=$rc
	done
done
exit "$worst"
