#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel modules of kmod/ (every obj-m of kmod/Kbuild:
# memattr_pfnmap.ko, memattr_s2desc.ko) for the kernel under test.
#
# Usage: scripts/build-kmod.sh [-o OUTDIR] [--kdir DIR] [--kernel-version VER]
#        scripts/build-kmod.sh --prepare [--kernel-version VER]
#   -o OUTDIR             where the .ko files go (default build/kmod)
#   --kdir DIR            a prepared kernel build tree to build against
#   --kernel-version VER  the Debian arm64 kernel (default $KM_DEFAULT_KERNEL)
#   --prepare             only set up the cross build tree for VER and exit
#
# Natively on arm64 the default tree is /lib/modules/$(uname -r)/build.
# Elsewhere the module is cross-built against Debian's packages for VER, which
# `scripts/setup.sh --kmod` downloads into $KM_CACHE/debs:
# linux-headers-VER-arm64, linux-headers-VER-common, linux-kbuild-VER (for
# this host's architecture) and, only when Debian's modpost cannot run here
# (it wants a newer glibc), linux-source-MAJOR.MINOR to rebuild modpost from.
# The tree is prepared once under $KM_CACHE/kmod-tree/VER.
#
# Exit: 0 built (or prepared), 2 error, 3 a package is missing (the message
# names it; setup.sh --kmod fetches it).
set -euo pipefail
# need_deb exits 3 from inside $(...): setup.sh then fetches linux-source.
shopt -s inherit_errexit
# Our own "make O=dir" must not reach kbuild, where O means its output tree.
unset O MAKEFLAGS MFLAGS MAKELEVEL

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/common.sh
. "$here/common.sh"

# Bump when the preparation below changes, so cached trees are redone.
prep_version=1

out=$root/build/kmod
kdir=""
kver=$KM_DEFAULT_KERNEL
prepare_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	-o) [ $# -ge 2 ] || km_die 2 "build-kmod: -o needs a directory"; out=$2; shift 2 ;;
	--kdir) [ $# -ge 2 ] || km_die 2 "build-kmod: --kdir needs a directory"; kdir=$2; shift 2 ;;
	--kernel-version) [ $# -ge 2 ] || km_die 2 "build-kmod: --kernel-version needs a value"
		kver=$2; shift 2 ;;
	--prepare) prepare_only=1; shift ;;
	-h|--help) sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) km_die 2 "build-kmod: unknown option '$1' (see --help)" ;;
	esac
done
case "$out" in /*) ;; *) out=$PWD/$out ;; esac

host_arch=$(uname -m)
cross=1
[ "$host_arch" = aarch64 ] && [ "$prepare_only" = 0 ] && [ -z "$kdir" ] && cross=0

deb_of() {	# deb_of PKG ARCH: the cached .deb, or nothing
	ls "$KM_CACHE/debs/$1"_*_"$2".deb 2>/dev/null | head -n1 || true
}
need_deb() {	# need_deb PKG ARCH
	local d
	d=$(deb_of "$1" "$2")
	[ -n "$d" ] ||
		km_die 3 "build-kmod: $1 ($2) is not in $KM_CACHE/debs: run scripts/setup.sh --kmod"
	echo "$d"
}

# The cross build tree: Debian's headers and kbuild, extracted under a prefix
# and made to work from there.
prepare_tree() {
	local top=$KM_CACHE/kmod-tree/$kver stamp tmp dpkg_arch hdr src mmv msg
	stamp=$top/.prepared
	hdr=$top/root/usr/src/linux-headers-$kver-arm64
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$prep_version" ] && [ -d "$hdr" ]; then
		echo "$hdr"
		return
	fi
	dpkg_arch=$(dpkg --print-architecture 2>/dev/null) || km_die 2 "build-kmod: needs dpkg"
	local d_hdr d_common d_kbuild
	d_hdr=$(need_deb "linux-headers-$kver-arm64" arm64)
	d_common=$(need_deb "linux-headers-$kver-common" all)
	d_kbuild=$(need_deb "linux-kbuild-$kver" "$dpkg_arch")

	km_log "build-kmod: preparing the $kver build tree in $top"
	rm -rf "$top"
	mkdir -p "$top"
	tmp=$top/root.tmp
	for d in "$d_hdr" "$d_common" "$d_kbuild"; do
		dpkg -x "$d" "$tmp"
	done
	# The flavour Makefile includes the common one by absolute path.
	sed -i "s#/usr/src/#$top/root/usr/src/#g" \
		"$tmp/usr/src/linux-headers-$kver-arm64/Makefile"
	mv "$tmp" "$top/root"

	# Debian's modpost is built against a newer glibc than some hosts have:
	# rebuild it from the kernel source when it cannot run here.
	mmv=$top/root/usr/lib/linux-kbuild-$kver/scripts/mod
	msg=$("$mmv/modpost.real-lsb-64" -h 2>&1 || true)
	if [[ $msg == *GLIBC_* ]]; then
		src=$(rebuild_modpost "$top" "$hdr")
		mv "$mmv/modpost.real-lsb-64" "$mmv/modpost.real-lsb-64.debian"
		install -m 0755 "$src" "$mmv/modpost.real-lsb-64"
	fi
	echo "$prep_version" > "$stamp"
	echo "$hdr"
}

# rebuild_modpost TOP HDR: prints the path of a modpost built for this host.
rebuild_modpost() {
	local top=$1 hdr=$2 mm d_src s w
	mm=${kver%%.*}.$(echo "$kver" | cut -d. -f2)
	d_src=$(need_deb "linux-source-$mm" all)
	km_log "build-kmod: Debian's modpost needs a newer glibc; rebuilding it" \
		"from linux-source-$mm"
	s=$top/src/linux-source-$mm
	mkdir -p "$top/src"
	# Only what modpost is made of: decompressing the tarball is the cost.
	dpkg-deb --fsys-tarfile "$d_src" | tar -xO "./usr/src/linux-source-$mm.tar.xz" | xz -dc |
		tar -x -C "$top/src" --wildcards \
			"linux-source-$mm/scripts/mod/*" "linux-source-$mm/scripts/include/*" \
			"linux-source-$mm/include/linux/license.h" \
			"linux-source-$mm/include/linux/module_symbol.h" \
			"linux-source-$mm/include/linux/mod_devicetable.h" \
			"linux-source-$mm/include/linux/device-id/*"
	[ -f "$s/scripts/mod/modpost.c" ] ||
		km_die 2 "build-kmod: no scripts/mod in linux-source-$mm"
	w=$top/modpost
	mkdir -p "$w/offsets"
	# devicetable-offsets.h: the target's struct layouts, as kbuild derives them.
	cp "$s/scripts/mod/devicetable-offsets.c" "$w/offsets/"
	echo 'obj-m :=' > "$w/offsets/Kbuild"
	make -s -C "$hdr" M="$w/offsets" "${kbuild_args[@]}" devicetable-offsets.s >&2
	{
		echo '#ifndef __DEVICETABLE_OFFSETS_H__'
		echo '#define __DEVICETABLE_OFFSETS_H__'
		# scripts/Makefile.lib: sed-offsets
		sed -ne 's:^[[:space:]]*\.ascii[[:space:]]*"\(.*\)".*:\1:' \
		    -e '/^->/{s:->#\(.*\):/* \1 */:' \
		    -e 's:^->\([^ ]*\) [\$#]*\([^ ]*\) \(.*\):#define \1 \2 /* \3 */:' \
		    -e 's:->::; p;}' "$w/offsets/devicetable-offsets.s"
		echo '#endif'
	} > "$w/devicetable-offsets.h"
	# elfconfig.h: the target's ELF class and byte order.
	aarch64-linux-gnu-gcc -c -o "$w/empty.o" "$s/scripts/mod/empty.c"
	${HOSTCC:-cc} -O2 -o "$w/mk_elfconfig" "$s/scripts/mod/mk_elfconfig.c"
	"$w/mk_elfconfig" < "$w/empty.o" > "$w/elfconfig.h"
	${HOSTCC:-cc} -O2 -I "$w" -I "$s/scripts/include" -o "$w/modpost" \
		"$s/scripts/mod/modpost.c" "$s/scripts/mod/file2alias.c" \
		"$s/scripts/mod/sumversion.c" "$s/scripts/mod/symsearch.c" >&2
	echo "$w/modpost"
}

if [ "$cross" = 1 ]; then
	command -v aarch64-linux-gnu-gcc >/dev/null ||
		km_die 2 "build-kmod: aarch64-linux-gnu-gcc not found: run scripts/setup.sh"
	# Debian builds with gcc-14: an older cross gcc lacks
	# -fmin-function-alignment, and BTF for modules needs pahole (whose
	# version check only warns).
	kbuild_args=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- CC=aarch64-linux-gnu-gcc
		     CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT= CONFIG_DEBUG_INFO_BTF_MODULES=
		     CONFIG_PAHOLE_VERSION=0)
else
	kbuild_args=()
fi

if [ -z "$kdir" ]; then
	if [ "$cross" = 1 ]; then
		kdir=$(prepare_tree)
	else
		kdir=/lib/modules/$(uname -r)/build
		[ -d "$kdir" ] ||
			km_die 2 "build-kmod: no kernel build tree at $kdir:" \
				"install the headers of $(uname -r)"
	fi
fi
[ "$prepare_only" = 1 ] && exit 0
[ -f "$kdir/Makefile" ] || km_die 2 "build-kmod: $kdir is not a kernel build tree"

# Build in a copy, so kbuild's by-products stay out of the source tree.
bdir=$out/build
rm -rf "$bdir"
mkdir -p "$bdir"
cp "$root"/kmod/Kbuild "$root"/kmod/*.c "$root"/kmod/*.h "$bdir/"
make -s -C "$kdir" M="$bdir" ${kbuild_args[@]+"${kbuild_args[@]}"} modules >&2 ||
	km_die 2 "build-kmod: building the modules of kmod/Kbuild against $kdir failed"
objcopy=objcopy
[ "$cross" = 1 ] && objcopy=aarch64-linux-gnu-objcopy
# Every module kmod/Kbuild lists (obj-m := / += NAME.o).
for module in $(sed -n 's/^obj-m[[:space:]]*[:+]\{0,1\}=[[:space:]]*//p' "$root/kmod/Kbuild" |
		tr ' ' '\n' | sed -n 's/\.o$//p'); do
	[ -f "$bdir/$module.ko" ] || km_die 2 "build-kmod: $module.ko was not built"
	install -m 0644 "$bdir/$module.ko" "$out/$module.ko"
	vm=$("$objcopy" -O binary --only-section=.modinfo "$out/$module.ko" /dev/stdout \
		2>/dev/null | tr '\0' '\n' | sed -n 's/^vermagic=//p' || true)
	km_log "build-kmod: $out/$module.ko (vermagic: ${vm:-?})"
done
