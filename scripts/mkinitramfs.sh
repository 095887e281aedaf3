#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the cpio initramfs that runs the kvm-memattr suite in a guest.
#
# Usage: scripts/mkinitramfs.sh -o OUT.cpio[.gz] [options] [-- SUITE-ARGS...]
#
# OUT.cpio is left uncompressed: under TCG the guest kernel takes 0.3-0.5 s
# to gunzip the 2 MB archive, on every boot.  OUT.cpio.gz is gzip'd.
#   -o FILE          output archive (required)
#   --suite FILE     the static aarch64 suite binary (default: build/memattr)
#   --busybox FILE   static arm64 busybox (default: $KM_CACHE/busybox/bin/busybox)
#   --init FILE      the guest /init (default: scripts/guest-init.sh)
#   --args-file FILE suite arguments, one per line (else the SUITE-ARGS)
#   --add SRC:DEST   copy host file SRC to DEST in the archive (repeatable)
#   --module FILE    a kernel module (.ko or .ko.xz): stored decompressed under
#                    /lib/modules/km/ and insmod'ed at boot, in the given order
#                    (repeatable; list dependencies first)
#
# The archive holds /init, /bin/busybox (+ a few applet links; the rest are
# made by `busybox --install -s` at boot), /memattr, /etc/km/args and the
# extras.  Owners are root; no device nodes are needed (the kernel's built-in
# initramfs supplies /dev/console, and /init mounts devtmpfs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/common.sh
. "$here/common.sh"

usage() { km_die 2 "usage: mkinitramfs.sh -o OUT [--suite F] [--busybox F] [--init F] [--args-file F] [--add SRC:DEST]... [--module KO]... [-- SUITE-ARGS]"; }

out=""
suite=$root/build/memattr
busybox=$KM_CACHE/busybox/bin/busybox
init=$here/guest-init.sh
args_file=""
adds=()
modules=()
while [ $# -gt 0 ]; do
	case "$1" in
	-o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--suite) [ $# -ge 2 ] || usage; suite=$2; shift 2 ;;
	--busybox) [ $# -ge 2 ] || usage; busybox=$2; shift 2 ;;
	--init) [ $# -ge 2 ] || usage; init=$2; shift 2 ;;
	--args-file) [ $# -ge 2 ] || usage; args_file=$2; shift 2 ;;
	--add) [ $# -ge 2 ] || usage; adds+=("$2"); shift 2 ;;
	--module) [ $# -ge 2 ] || usage; modules+=("$2"); shift 2 ;;
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ -n "$out" ] || usage

[ -x "$busybox" ] || km_die 2 "mkinitramfs: no arm64 busybox at $busybox (run scripts/setup.sh)"
[ -f "$init" ] || km_die 2 "mkinitramfs: no init script at $init"
[ -f "$suite" ] || km_die 2 "mkinitramfs: no suite binary at $suite (run make)"
command -v cpio >/dev/null || km_die 2 "mkinitramfs: cpio not found (run scripts/setup.sh)"

stage=$(mktemp -d "${TMPDIR:-/tmp}/km-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc/km,lib/modules/km}
install -m 0755 "$busybox" "$stage/bin/busybox"
# Enough applets for /init to reach `busybox --install -s`.
for a in sh mount mkdir cat echo sleep grep sed tr dmesg uname insmod ls; do
	ln -s busybox "$stage/bin/$a"
done
ln -s ../bin/busybox "$stage/sbin/poweroff"
install -m 0755 "$init" "$stage/init"
install -m 0755 "$suite" "$stage/memattr"
# Debug info is of no use in the guest; symbols stay for backtraces.
strip=${CROSS_COMPILE:-aarch64-linux-gnu-}strip
[ "$(uname -m)" = aarch64 ] && strip=${CROSS_COMPILE:-}strip
if command -v "$strip" >/dev/null; then
	"$strip" --strip-debug "$stage/memattr" 2>/dev/null || install -m 0755 "$suite" "$stage/memattr"
fi

if [ -n "$args_file" ]; then
	install -m 0644 "$args_file" "$stage/etc/km/args"
else
	: > "$stage/etc/km/args"
	for a in "$@"; do printf '%s\n' "$a" >> "$stage/etc/km/args"; done
fi

for m in ${modules[@]+"${modules[@]}"}; do
	[ -f "$m" ] || km_die 2 "mkinitramfs: no module file $m"
	name=${m##*/}
	case "$name" in
	*.ko.xz) name=${name%.xz}; xz -dc "$m" > "$stage/lib/modules/km/$name" ;;
	*.ko.zst) name=${name%.zst}; zstd -qdc "$m" > "$stage/lib/modules/km/$name" ;;
	*.ko.gz) name=${name%.gz}; gzip -dc "$m" > "$stage/lib/modules/km/$name" ;;
	*) cp "$m" "$stage/lib/modules/km/$name" ;;
	esac
	echo "/lib/modules/km/$name" >> "$stage/etc/km/modules"
done

for spec in ${adds[@]+"${adds[@]}"}; do
	src=${spec%%:*}
	dest=${spec#*:}
	if [ "$src" = "$spec" ] || [ -z "$src" ] || [ -z "$dest" ]; then
		km_die 2 "mkinitramfs: --add wants SRC:DEST, got '$spec'"
	fi
	[ -e "$src" ] || km_die 2 "mkinitramfs: --add: no such file $src"
	dest=/${dest#/}
	mkdir -p "$stage$(dirname "$dest")"
	cp -a "$src" "$stage$dest"
done

mkdir -p "$(dirname "$out")"
compress=cat
[[ $out != *.gz ]] || compress="gzip -1"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | $compress > "$out.tmp"
mv "$out.tmp" "$out"
