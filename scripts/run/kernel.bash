# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# run_tests.sh: QEMU, and the kernel under test (an Image, a Debian kernel
# from the cache, or one built from a source tree) with its modules tree.
# Sets qemu, kernel (an absolute path), kver (its release, or empty),
# kernel_src (how it was chosen), modules_dir, and kmod_args: how the test
# modules are built for it ("none" for --kernel IMAGE without --kdir).

check_qemu() {
	local ver
	qemu=${QEMU:-qemu-system-aarch64}
	command -v "$qemu" >/dev/null ||
		km_die 2 "$prog: $qemu not found: run scripts/setup.sh (needs QEMU >= $KM_QEMU_MIN)"
	ver=$(km_qemu_version "$qemu")
	[ -n "$ver" ] || km_die 2 "$prog: $qemu --version does not say which QEMU it is"
	km_qemu_version_ok "$qemu" ||
		km_die 2 "$prog: $qemu is version $ver but >= $KM_QEMU_MIN is needed: run scripts/setup.sh"
	qemu_desc="$(command -v "$qemu") $("$qemu" --version 2>/dev/null | head -n1 |
		sed -n 's/.*version \([^ ]*\).*/\1/p')"
}

prepare_kernel() {
	kernel_src=""
	kmod_args=(none)
	[ -z "$kdir_opt" ] || kmod_args=(build --kdir "$kdir_opt")
	if [ -n "$kernel_tree" ]; then
		kernel_from_tree
	elif [ -z "$kernel" ]; then
		kernel_from_debian
	fi
	check_image
	kernel=$(cd "$(dirname "$kernel")" && pwd)/$(basename "$kernel")
	kernel_src=${kernel_src:-file}
	find_modules_dir
}

# --kernel-tree: scripts/build-kernel.sh builds (or finds cached) the Image,
# its modules and the build directory the test modules build against.
kernel_from_tree() {
	local out
	[ -d "$kernel_tree" ] || km_die 2 "$prog: --kernel-tree: no such directory: $kernel_tree"
	out=$("$root/scripts/build-kernel.sh" --base "$kernel_config" --page-size "$page_size" \
		"$kernel_tree") ||
		km_die 2 "$prog: building a kernel from $kernel_tree failed (see above)"
	kernel=$(sed -n 's/^image //p' <<< "$out")
	[ -n "$modules_dir" ] || modules_dir=$(sed -n 's/^modules //p' <<< "$out")
	kmod_args=(build --kdir "$(sed -n 's/^build //p' <<< "$out")")
	kernel_src="tree $kernel_tree ($kernel_config, $page_size pages)"
}

# find_debian VER FLAVOUR: the directory of a cached Debian kernel; a VER
# without its +debNN suffix takes the newest cached one.
find_debian() {
	local d f
	if km_full_version "$1"; then
		d=$(km_kernel_dir "$1" "$2")
		[ ! -f "$d/Image" ] || echo "$d"
		return 0
	fi
	while IFS= read -r d; do
		read -r _ f <<< "$(km_kernel_spec "${d##*/}")"
		[ "$f" = "$2" ] && [ -f "$d/Image" ] && { echo "$d"; return 0; }
	done < <(printf '%s\n' "$KM_CACHE/kernels/$1"+* | sort -V -r)
	return 0
}

# A Debian kernel: --debian-kernel VER[-FLAVOUR] (fetched with
# scripts/setup.sh when not cached), else the default one.
kernel_from_debian() {
	local dspec dver dflav kd
	dspec=${debian_kernel:-$KM_DEFAULT_KERNEL}
	read -r dver dflav <<< "$(km_kernel_spec "$dspec")"
	kd=$(find_debian "$dver" "$dflav")
	if [ -z "$kd" ] && [ -n "$debian_kernel" ]; then
		echo "# $prog: fetching the Debian arm64 kernel $debian_kernel (scripts/setup.sh)" >&2
		"$root/scripts/setup.sh" --kernel-version "$debian_kernel" >&2 ||
			km_die 2 "$prog: cannot fetch the Debian kernel $debian_kernel (scripts/setup.sh failed)"
		kd=$(find_debian "$dver" "$dflav")
		[ -n "$kd" ] || km_die 2 "$prog: setup.sh left no Image for $debian_kernel in $KM_CACHE/kernels"
	fi
	[ -n "$kd" ] ||
		km_die 2 "$prog: no kernel image at $(km_kernel_dir "$dver" "$dflav")/Image: run scripts/setup.sh (or pass --kernel IMAGE)"
	kernel=$kd/Image
	read -r dver _ <<< "$(km_kernel_spec "${kd##*/}")"
	kernel_src="Debian $dver"
	[ "$dflav" = arm64 ] || kernel_src+="-$dflav"
	kmod_args=(build --kernel-version "$dver-$dflav")
	kmod_fetch=("$root/scripts/setup.sh" --kernel-version "$dver-$dflav")
}

# An arm64 Image has "ARM\x64" at offset 56; QEMU also boots a gzip'd one.
# kver: its release, from the "Linux version" banner.
check_image() {
	local kmagic khead
	[ -f "$kernel" ] || km_die 2 "$prog: no kernel image at $kernel"
	kmagic=$(od -An -tx1 -j56 -N4 "$kernel" 2>/dev/null | tr -d ' \n')
	khead=$(od -An -tx1 -N2 "$kernel" 2>/dev/null | tr -d ' \n')
	if [ "$kmagic" != 41524d64 ] && [ "$khead" != 1f8b ]; then
		km_die 2 "$prog: $kernel is not an arm64 kernel Image (no ARM\\x64 magic at offset 56)"
	fi
	if [ "$khead" = 1f8b ]; then
		kver=$(gzip -dc "$kernel" 2>/dev/null | LC_ALL=C grep -a -m1 -o 'Linux version [^ ]*')
	else
		kver=$(LC_ALL=C grep -a -m1 -o 'Linux version [^ ]*' "$kernel")
	fi
	kver=${kver#Linux version }
}

# The modules of the kernel under test: --modules, else a modules/ directory
# next to the Image (scripts/setup.sh --modules puts Debian's there).
find_modules_dir() {
	if [ -n "$modules_dir" ]; then
		[ -d "$modules_dir" ] || km_die 2 "$prog: --modules: no such directory: $modules_dir"
		modules_dir=$(cd "$modules_dir" && pwd)
		# A lib/modules/VER directory should be for this kernel's VER.
		case "${modules_dir##*/}" in
		[0-9]*.*) [ -z "$kver" ] || [ "${modules_dir##*/}" = "$kver" ] ||
			echo "# $prog: warning: modules $modules_dir are not for kernel $kver" >&2 ;;
		esac
	elif [ -d "$(dirname "$kernel")/modules" ]; then
		modules_dir=$(dirname "$kernel")/modules
	fi
}
