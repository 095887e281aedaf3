#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build an arm64 kernel Image from a kernel source tree for run_tests.sh
# --kernel-tree: the base configuration, then scripts/kernel/qemu-virt.config
# (what booting on QEMU virt from an initramfs needs), then the suite's
# `config` fragment, merged with the tree's scripts/kconfig/merge_config.sh.
# The build goes to a cache directory (the source tree stays untouched), and
# a later call with the same tree and configuration only rebuilds when a
# source file is newer than the Image.
#
# Usage: scripts/build-kernel.sh [options] TREE
#   --base BASE     alldefconfig (default: every option at its Kconfig
#                   default, so arch features and errata are on and drivers
#                   off: the fastest build that still has KVM and PL011),
#                   defconfig, allnoconfig, or a .config file (e.g. Debian's)
#   --page-size SZ  the kernel's page size: 4K (default), 16K or 64K
#                   (scripts/kernel/pages-SZ.config, merged last)
#   -o DIR          build directory (default $KM_CACHE/kbuild/<key>)
#   -j N            parallel jobs (default: the number of CPUs)
#   --force         run make even if the Image looks up to date
#   --debs DIR      also package the kernel for Debian (make bindeb-pkg) and
#                   put its linux-image and linux-headers .debs in DIR, for
#                   booting it natively (scripts/standin.sh --kernel-debs)
# Prints three lines on stdout: "image PATH", "modules DIR" (DIR is empty
# when the configuration has no modules) and "build DIR", the build
# directory that out-of-tree modules build against (scripts/build-kmod.sh
# --kdir), then with --debs "debs DIR".  Progress goes to stderr, the
# compiler's output to DIR/build.log.  Exit: 0 built (or up to date), 2 a
# missing tool or a bad tree, 5 the kernel build failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/common.sh
. "$here/common.sh"

prog=build-kernel.sh
base=alldefconfig
out=""
jobs=$(nproc 2>/dev/null || echo 2)
force=0
tree=""
debs=""
page_size=4K
while [ $# -gt 0 ]; do
	case "$1" in
	--base) [ $# -ge 2 ] || km_die 2 "$prog: --base needs a value"; base=$2; shift 2 ;;
	--page-size) [ $# -ge 2 ] || km_die 2 "$prog: --page-size needs a value"; page_size=${2^^}; shift 2 ;;
	-o) [ $# -ge 2 ] || km_die 2 "$prog: -o needs a value"; out=$2; shift 2 ;;
	-j) [ $# -ge 2 ] || km_die 2 "$prog: -j needs a value"; jobs=$2; shift 2 ;;
	--force) force=1; shift ;;
	--debs) [ $# -ge 2 ] || km_die 2 "$prog: --debs needs a value"; debs=$2; shift 2 ;;
	-h|--help) awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) km_die 2 "$prog: unknown option '$1' (see --help)" ;;
	*) [ -z "$tree" ] || km_die 2 "$prog: one tree only"; tree=$1; shift ;;
	esac
done
[ -n "$tree" ] || km_die 2 "usage: $prog [--base B] [-o DIR] [-j N] [--force] TREE"
[ -d "$tree" ] || km_die 2 "$prog: no such directory: $tree"
tree=$(cd "$tree" && pwd)
[ -f "$tree/Makefile" ] && [ -d "$tree/arch/arm64" ] && [ -f "$tree/scripts/kconfig/merge_config.sh" ] ||
	km_die 2 "$prog: $tree is not a Linux source tree with arch/arm64"

cross=${CROSS_COMPILE-}
if [ -z "${CROSS_COMPILE+x}" ] && [ "$(uname -m)" != aarch64 ]; then
	cross=aarch64-linux-gnu-
fi
command -v "${cross}gcc" >/dev/null ||
	km_die 2 "$prog: no ${cross}gcc: run scripts/setup.sh --kernel-build (or set CROSS_COMPILE)"
for t in make flex bison bc perl; do
	command -v "$t" >/dev/null || km_die 2 "$prog: $t not found: run scripts/setup.sh --kernel-build"
done

case "$base" in
alldefconfig|defconfig|allnoconfig|tinyconfig) base_desc=$base ;;
*)	[ -f "$base" ] || km_die 2 "$prog: --base: no such config file: $base"
	base=$(cd "$(dirname "$base")" && pwd)/$(basename "$base")
	base_desc="file $base" ;;
esac

frags=("$here/kernel/qemu-virt.config" "$root/config")
case "$page_size" in
4K) ;;
16K|64K) frags+=("$here/kernel/pages-${page_size,,}.config") ;;
*) km_die 2 "$prog: --page-size: 4K, 16K or 64K, not '$page_size'" ;;
esac
key=$( { echo "$tree"; echo "$base_desc"; [ -f "$base" ] && cat "$base"; cat "${frags[@]}"; } |
	sha256sum | cut -c1-16)
out=${out:-$KM_CACHE/kbuild/$key}
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/build.log
kmake() {
	make -C "$tree" O="$out" ARCH=arm64 CROSS_COMPILE="$cross" "$@"
}

image=$out/arch/arm64/boot/Image
if [ "$(cat "$out/.km-config-key" 2>/dev/null)" != "$key" ]; then
	km_log "$prog: configuring ($base_desc + ${frags[*]##*/}) in $out"
	rm -f "$out/.km-config-key"
	if [ -f "$base" ]; then
		cp "$base" "$out/.config"
	else
		kmake -s "$base" >"$log" 2>&1 || km_die 5 "$prog: make $base failed (see $log)"
	fi
	(cd "$out" && ARCH=arm64 CROSS_COMPILE="$cross" \
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}") \
		>>"$log" 2>&1 || km_die 5 "$prog: merging the config fragments failed (see $log)"
	kmake -s olddefconfig >>"$log" 2>&1 || km_die 5 "$prog: make olddefconfig failed (see $log)"
	# What the fragments asked for and Kconfig did not give (unmet
	# dependencies, or symbols that are not user-selectable): said once here,
	# the suite skips what really needs them.
	miss=()
	while IFS= read -r l; do
		case "$l" in CONFIG_*=*) ;; *) continue ;; esac
		sym=${l%%=*} val=${l#*=}
		got=$(grep -E "^$sym=|^# $sym is not set" "$out/.config" | head -n1 || true)
		[ "$val" = n ] && { [ -z "$got" ] || [[ $got == "# "* ]]; } && continue
		[ "$got" = "$sym=$val" ] || miss+=("$sym=$val (got ${got:-nothing})")
	done < <(cat "${frags[@]}" | grep '^CONFIG_' | tac | awk -F= '!seen[$1]++')	# the last one counts
	for m in ${miss[@]+"${miss[@]}"}; do km_log "$prog: warning: config: $m"; done
	grep -q '^CONFIG_KVM=y' "$out/.config" ||
		km_die 5 "$prog: the merged configuration has no CONFIG_KVM=y (see $out/.config)"
	echo "$key" > "$out/.km-config-key"
	force=1
fi

# Up to date: an Image newer than every source file that could change it.
if [ "$force" = 0 ] && [ -f "$image" ] &&
   [ -z "$(find "$tree" -newer "$image" -type f \( -name '*.[chS]' -o -name 'Makefile*' \
	-o -name 'Kconfig*' -o -name '*.lds' \) -print -quit 2>/dev/null)" ]; then
	km_log "$prog: $image is up to date"
else
	km_log "$prog: building Image and modules with -j$jobs (log: $log)"
	t0=$(date +%s)
	if ! kmake -j"$jobs" Image modules >>"$log" 2>&1; then
		grep -E 'error|Error' "$log" | tail -n 5 >&2
		km_die 5 "$prog: the kernel build failed (see $log)"
	fi
	rm -rf "$out/modroot"
	if grep -q '^CONFIG_MODULES=y' "$out/.config"; then
		kmake -s INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 modules_install \
			>>"$log" 2>&1 || km_die 5 "$prog: make modules_install failed (see $log)"
	fi
	km_log "$prog: built in $(( $(date +%s) - t0 ))s"
fi
if [ -n "$debs" ]; then
	# The packages dpkg-buildpackage writes beside the build directory;
	# build dependencies are not checked (-d) because the build itself
	# (above) already had everything, and linux-libc-dev is left out so that
	# installing the kernel does not replace the system's own.
	for t in dpkg-buildpackage dh_listpackages rsync; do
		command -v "$t" >/dev/null || km_die 2 "$prog: $t not found: run scripts/setup.sh --kernel-build"
	done
	km_log "$prog: packaging with make bindeb-pkg (log: $log)"
	rm -f "$out"/../linux-*.deb "$out"/../linux-upstream_*
	kmake -j"$jobs" DPKG_FLAGS=-d bindeb-pkg >>"$log" 2>&1 ||
		km_die 5 "$prog: make bindeb-pkg failed (see $log)"
	mkdir -p "$debs"
	rm -f "$debs"/linux-image-*.deb "$debs"/linux-headers-*.deb
	mv "$out"/../linux-image-*.deb "$out"/../linux-headers-*.deb "$debs"/
	rm -f "$out"/../linux-*.deb "$out"/../linux-upstream_*
fi
mods=$(ls -d "$out"/modroot/lib/modules/* 2>/dev/null | head -n1 || true)
echo "image $image"
echo "modules $mods"
echo "build $out"
[ -z "$debs" ] || echo "debs $(cd "$debs" && pwd)"
