#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel modules of kmod/ (every NAME.o that kmod/Kbuild lists
# in obj-m) for one kernel, into a directory of their own for that kernel.
#
# Usage: scripts/build-kmod.sh [-o OUTDIR] [--kdir DIR | --kernel-version VER]
#                              [--force] [--log FILE]
#        scripts/build-kmod.sh --prepare [--kernel-version VER]
#        scripts/build-kmod.sh --release [--kdir DIR | --kernel-version VER]
#   -o OUTDIR             the modules go to OUTDIR/RELEASE/ (default
#                         build/kmod), RELEASE being the kernel's `uname -r`
#   --kdir DIR            a configured and built kernel build directory: a
#                         kernel tree's output (run_tests.sh --kernel-tree
#                         builds in $KM_CACHE/kbuild/<key>), or
#                         /lib/modules/RELEASE/build
#   --kernel-version VER  a Debian arm64 kernel, cross-built against its
#                         headers: 7.3.4+deb13, 6.12.117 (the newest
#                         6.12.117+debNN cached), 6.1.0-50, with an optional
#                         flavour: 7.3.4+deb13-cloud-arm64 (default arm64)
#   --force               build even when the modules are up to date
#   --log FILE            the compiler's output (default OUTDIR/RELEASE/build.log)
#   --prepare             only set up the cross build tree for VER
#   --release             print the kernel release the modules would be for
#
# Without --kdir or --kernel-version: natively on arm64 the running kernel
# (/lib/modules/$(uname -r)/build), elsewhere Debian's $KM_DEFAULT_KERNEL.
# Prints the directory holding the modules on stdout; one line of progress
# or of error on stderr.  A second call with the same sources and tree only
# checks (a stamp in the directory).
#
# Debian's packages, which `scripts/setup.sh` downloads into $KM_CACHE/debs:
# linux-headers-VER-FLAVOUR (arm64), the -common headers and linux-kbuild
# package it depends on (for this host's architecture) and, only when
# Debian's modpost cannot run here (it wants a newer glibc),
# linux-source-MAJOR.MINOR to rebuild modpost from.  The tree is prepared
# once under $KM_CACHE/kmod-tree/v<N>/VER-FLAVOUR; what Debian's compiler had and
# the host's cross compiler lacks (newer gcc features) is turned off in that
# copy's configuration.
#
# Exit: 0 built (or up to date, or prepared), 2 error (the build failed: the
# line names the first compiler error and the log), 3 a package is missing
# (the message names it; scripts/setup.sh fetches it).
set -euo pipefail
# need_deb exits 3 from inside $(...): setup.sh then fetches linux-source.
shopt -s inherit_errexit
# Our own "make O=dir" must not reach kbuild, where O means its output tree.
unset O MAKEFLAGS MFLAGS MAKELEVEL

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/common.sh
. "$here/common.sh"

# Bump when the preparation below changes: prepared trees live under
# kmod-tree/v<prep_version>/, so that checkouts of different versions that
# share the cache do not redo each other's.
prep_version=3
prog=build-kmod

out=$root/build/kmod
kdir=""
kspec=""
prepare_only=0
print_release=0
force=0
log=""
while [ $# -gt 0 ]; do
	case "$1" in
	-o) [ $# -ge 2 ] || km_die 2 "$prog: -o needs a directory"; out=$2; shift 2 ;;
	--kdir) [ $# -ge 2 ] || km_die 2 "$prog: --kdir needs a directory"; kdir=$2; shift 2 ;;
	--kernel-version) [ $# -ge 2 ] || km_die 2 "$prog: --kernel-version needs a value"
		kspec=$2; shift 2 ;;
	--force) force=1; shift ;;
	--log) [ $# -ge 2 ] || km_die 2 "$prog: --log needs a file"; log=$2; shift 2 ;;
	--prepare) prepare_only=1; shift ;;
	--release) print_release=1; shift ;;
	-h|--help) sed -n '3,43p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) km_die 2 "$prog: unknown option '$1' (see --help)" ;;
	esac
done
[ -z "$kdir" ] || [ -z "$kspec" ] || km_die 2 "$prog: --kdir and --kernel-version exclude each other"
case "$out" in /*) ;; *) out=$PWD/$out ;; esac

host_arch=$(uname -m)
# Native: the running kernel's own tree, built with the host's compiler.
native=0
if [ -z "$kdir" ] && [ -z "$kspec" ] && [ "$host_arch" = aarch64 ] && [ "$prepare_only" = 0 ]; then
	native=1
fi
[ -n "$kdir" ] || [ "$native" = 1 ] || kspec=${kspec:-$KM_DEFAULT_KERNEL}

deb_of() {	# deb_of PKG ARCH: the cached .deb (the newest), or nothing
	ls "$KM_CACHE/debs/$1"_*_"$2".deb 2>/dev/null | sort -V | tail -n1 || true
}
need_deb() {	# need_deb PKG ARCH
	local d
	d=$(deb_of "$1" "$2")
	[ -n "$d" ] ||
		km_die 3 "$prog: $1 ($2) is not in $KM_CACHE/debs: run scripts/setup.sh --kernel-version $kspec"
	echo "$d"
}

# A Debian kernel: VER and FLAVOUR; a version without +debNN is the newest
# one whose headers are cached.
if [ -n "$kspec" ]; then
	read -r kver flavour <<< "$(km_kernel_spec "$kspec")"
	if ! km_full_version "$kver" >/dev/null; then
		full=$(ls "$KM_CACHE/debs" 2>/dev/null |
		       sed -n "s/^linux-headers-\($kver+[a-z0-9.]*\)-$flavour"'_.*_arm64\.deb$/\1/p' |
		       sort -V | tail -n1)
		[ -n "$full" ] ||
			km_die 3 "$prog: no headers of a Debian kernel $kver ($flavour) in $KM_CACHE/debs:" \
				"run scripts/setup.sh --kernel-version $kspec"
		kver=$full
	fi
	kname=$kver-$flavour
fi

# What the host's cross compiler lacks of what Debian's (newer) gcc had,
# tested the way Kconfig does (init/Kconfig, arch/Kconfig, arch/arm64/Kconfig
# of 7.x): each is turned off in the prepared tree's configuration.
cross_prefix=aarch64-linux-gnu-
[ "$host_arch" != aarch64 ] || cross_prefix=
CC_X=${cross_prefix}gcc
gcc_version() { # as CONFIG_GCC_VERSION: 120200
	"$CC_X" -dumpfullversion 2>/dev/null | awk -F. '{ printf "%d%02d%02d\n", $1, $2, $3 }'
}
cc_ok() { "$CC_X" -Werror "$@" -x c -c -o /dev/null - >/dev/null 2>&1; }
has_feature() {	# has_feature SYMBOL: the cross compiler has what CONFIG_SYMBOL says
	local g
	g=$(gcc_version)
	case "$1" in
	CC_HAS_MIN_FUNCTION_ALIGNMENT) echo 'void f(void) {}' | cc_ok -fmin-function-alignment=8 ;;
	CC_HAS_ASSUME) [ "$g" -ge 130100 ] ;;
	CC_HAS_COUNTED_BY) [ "$g" -ge 150100 ] ;;
	CC_HAS_COUNTED_BY_PTR) [ "$g" -ge 160000 ] ;;
	CC_HAS_MULTIDIMENSIONAL_NONSTRING)
		echo 'char tag[][4] __attribute__((__nonstring__)) = { };' | cc_ok ;;
	CC_HAS_TYPEOF_UNQUAL) echo 'int x; __typeof_unqual__(x) y;' | cc_ok ;;
	AS_HAS_LSUI) printf '.arch_extension lsui\n' |
		"$CC_X" -x assembler -c -o /dev/null - >/dev/null 2>&1 ;;
	# BTF for modules needs pahole and the kernel's vmlinux: never here.
	DEBUG_INFO_BTF_MODULES) return 1 ;;
	*) return 0 ;;
	esac
}
compiler_features="CC_HAS_MIN_FUNCTION_ALIGNMENT CC_HAS_ASSUME CC_HAS_COUNTED_BY
	CC_HAS_COUNTED_BY_PTR CC_HAS_MULTIDIMENSIONAL_NONSTRING CC_HAS_TYPEOF_UNQUAL AS_HAS_LSUI
	DEBUG_INFO_BTF_MODULES"

# unset_config HDR SYMBOL: off in include/config/auto.conf (the Makefiles)
# and, for what the compiler can do (CC_HAS_*, AS_HAS_*), in
# include/generated/autoconf.h (the C code).  Other symbols stay in the C
# view, where they can shape structures the module shares with the kernel
# (CONFIG_DEBUG_INFO_BTF_MODULES adds fields to struct module: without it
# the kernel refuses the module, ".gnu.linkonce.this_module section size
# must match").
unset_config() {
	local hdr=$1 s=$2
	sed -i "/^CONFIG_$s=/d" "$hdr/include/config/auto.conf"
	case "$s" in
	CC_HAS_*|AS_HAS_*) sed -i "/^#define CONFIG_$s /d" "$hdr/include/generated/autoconf.h" ;;
	esac
}

# The cross build tree: Debian's headers and kbuild, extracted under a prefix
# and made to work from there.
prepare_tree() {
	local top=$KM_CACHE/kmod-tree/v$prep_version/$kname stamp tmp dpkg_arch hdr src mmv msg dep p s off
	stamp=$top/.prepared
	hdr=$top/root/usr/src/linux-headers-$kname
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$prep_version" ] && [ -f "$hdr/Makefile" ]; then
		echo "$hdr"
		return
	fi
	dpkg_arch=$(dpkg --print-architecture 2>/dev/null) || km_die 2 "$prog: needs dpkg"
	local d_hdr d_common d_kbuild common kbuild
	d_hdr=$(need_deb "linux-headers-$kname" arm64)
	# The -common headers and the kbuild tools: what the flavour depends on
	# (linux-headers-6.1.0-50-common and linux-kbuild-6.1 for 6.1.0-50-arm64).
	dep=$(dpkg-deb -f "$d_hdr" Depends | tr ',|' '\n' | sed 's/(.*//; s/[[:space:]]//g')
	common=$(grep -m1 '^linux-headers-.*-common' <<< "$dep" || true)
	kbuild=$(grep -m1 '^linux-kbuild-' <<< "$dep" || true)
	[ -n "$common" ] && [ -n "$kbuild" ] ||
		km_die 2 "$prog: $(basename "$d_hdr") names no -common headers or linux-kbuild package"
	d_common=$(need_deb "$common" all)
	d_kbuild=$(need_deb "$kbuild" "$dpkg_arch")

	km_log "$prog: preparing the $kname build tree in $top"
	rm -rf "$top"
	mkdir -p "$top"
	tmp=$top/root.tmp
	for d in "$d_hdr" "$d_common" "$d_kbuild"; do
		dpkg -x "$d" "$tmp"
	done
	[ -f "$tmp/usr/src/linux-headers-$kname/Makefile" ] ||
		km_die 2 "$prog: $(basename "$d_hdr") has no usr/src/linux-headers-$kname/Makefile"
	# The flavour Makefile includes the common one by absolute path.
	sed -i "s#/usr/src/#$top/root/usr/src/#g" "$tmp/usr/src/linux-headers-$kname/Makefile"
	mv "$tmp" "$top/root"

	# The compiler features Debian's gcc had and the cross compiler lacks.
	off=()
	for s in $compiler_features; do
		grep -q "^CONFIG_$s=y" "$hdr/include/config/auto.conf" || continue
		has_feature "$s" && continue
		unset_config "$hdr" "$s"
		off+=("$s")
	done
	[ ${#off[@]} = 0 ] || km_log "$prog: $kname was built with" \
		"$(sed -n 's/^CONFIG_CC_VERSION_TEXT=//p' "$hdr/include/config/auto.conf");" \
		"$CC_X $("$CC_X" -dumpfullversion) lacks, so off: ${off[*]}"

	# Debian's host tools are built against the glibc of their suite:
	# modpost is rebuilt from the kernel source when it cannot run here.
	mmv=$(cd "$hdr/scripts" && pwd -P)/mod
	msg=$("$mmv/modpost.real-lsb-64" -h 2>&1 || true)
	if [[ $msg == *GLIBC_* ]]; then
		src=$(rebuild_modpost "$top" "$hdr" "$(dpkg-deb -f "$d_hdr" Version)")
		mv "$mmv/modpost.real-lsb-64" "$mmv/modpost.real-lsb-64.debian"
		install -m 0755 "$src" "$mmv/modpost.real-lsb-64"
	fi
	# genksyms (CONFIG_MODVERSIONS) is not rebuilt: say so if it cannot run.
	if grep -q '^CONFIG_MODVERSIONS=y' "$hdr/include/config/auto.conf"; then
		p=$(cd "$hdr/scripts" && pwd -P)/genksyms/genksyms
		if [ -x "$p" ]; then
			msg=$("$p" --version 2>&1 || true)
			[[ $msg != *GLIBC_* ]] ||
				km_die 2 "$prog: Debian's genksyms for $kname cannot run on this host: $msg"
		fi
	fi
	echo "$prep_version" > "$stamp"
	echo "$hdr"
}

# rebuild_modpost TOP HDR VERSION: prints the path of a modpost built for
# this host from linux-source-MAJOR.MINOR (at VERSION when cached).
rebuild_modpost() {
	local top=$1 hdr=$2 dver=$3 mm d_src s w objs
	mm=$(echo "$kver" | cut -d. -f1-2)
	d_src=$(ls "$KM_CACHE/debs/linux-source-${mm}_${dver}_all.deb" 2>/dev/null ||
		need_deb "linux-source-$mm" all)
	km_log "$prog: Debian's modpost needs a newer glibc; rebuilding it from $(basename "$d_src")"
	s=$top/src/linux-source-$mm
	mkdir -p "$top/src"
	# Only what modpost is made of: decompressing the tarball is the cost.
	dpkg-deb --fsys-tarfile "$d_src" | tar -xO "./usr/src/linux-source-$mm.tar.xz" | xz -dc |
		tar -x -C "$top/src" --wildcards \
			"linux-source-$mm/scripts/mod/*" "linux-source-$mm/scripts/include/*" \
			"linux-source-$mm/include/linux/*"
	[ -f "$s/scripts/mod/modpost.c" ] ||
		km_die 2 "$prog: no scripts/mod in linux-source-$mm"
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
	"$CC_X" -c -o "$w/empty.o" "$s/scripts/mod/empty.c"
	${HOSTCC:-cc} -O2 -o "$w/mk_elfconfig" "$s/scripts/mod/mk_elfconfig.c"
	"$w/mk_elfconfig" < "$w/empty.o" > "$w/elfconfig.h"
	# The objects scripts/mod/Makefile links (modpost-objs).
	objs=$(sed -n 's/^modpost-objs[[:space:]]*:=//p' "$s/scripts/mod/Makefile")
	[ -n "$objs" ] || objs="modpost.o file2alias.o sumversion.o"
	# shellcheck disable=SC2046,SC2086
	${HOSTCC:-cc} -O2 -I "$w" -I "$s/scripts/include" -o "$w/modpost" \
		$(for o in $objs; do echo "$s/scripts/mod/${o%.o}.c"; done) >&2
	echo "$w/modpost"
}

if [ "$native" = 0 ]; then
	command -v "$CC_X" >/dev/null ||
		km_die 2 "$prog: $CC_X not found: run scripts/setup.sh"
	kbuild_args=(ARCH=arm64 CROSS_COMPILE="$cross_prefix" CC="$CC_X")
	[ -n "$kdir" ] || kbuild_args+=(CONFIG_PAHOLE_VERSION=0)
else
	kbuild_args=()
fi

if [ -z "$kdir" ]; then
	if [ "$native" = 0 ]; then
		kdir=$(prepare_tree)
	else
		kdir=/lib/modules/$(uname -r)/build
		[ -d "$kdir" ] ||
			km_die 2 "$prog: no kernel build tree at $kdir: install the headers of $(uname -r)"
	fi
fi
[ "$prepare_only" = 0 ] || exit 0
[ -d "$kdir" ] || km_die 2 "$prog: --kdir: no such directory: $kdir"
kdir=$(cd "$kdir" && pwd)
[ -f "$kdir/Makefile" ] || km_die 2 "$prog: $kdir is not a kernel build tree (no Makefile)"
uts=$kdir/include/generated/utsrelease.h
[ -f "$uts" ] && [ -f "$kdir/include/config/auto.conf" ] ||
	km_die 2 "$prog: $kdir is not a configured kernel build tree (no $uts; run make modules_prepare there)"
# The release vermagic will carry (include/config/kernel.release can differ:
# Debian's 6.1 headers say 6.1.176 there).
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts")
[ -n "$release" ] || km_die 2 "$prog: no UTS_RELEASE in $uts"
if [ "$print_release" = 1 ]; then
	echo "$release"
	exit 0
fi
[ -f "$kdir/Module.symvers" ] ||
	km_die 2 "$prog: $kdir has no Module.symvers: build that kernel's modules first (make modules)"

# The modules kmod/Kbuild lists: obj-m := a.o b.o, obj-m += c.o.
mods=$(sed -n 's/^[[:space:]]*obj-m[[:space:]]*[:+]\{0,1\}=//p' "$root/kmod/Kbuild" |
       tr ' \t' '\n' | sed -n 's/\.o$//p')
[ -n "$mods" ] || km_die 2 "$prog: kmod/Kbuild lists no obj-m module"

dest=$out/$release
mkdir -p "$dest"
log=${log:-$dest/build.log}
case "$log" in /*) ;; *) log=$PWD/$log ;; esac
# One build per kernel at a time (parallel runs of the suite).
exec 9>"$dest/.lock"
flock 9

# Up to date: the same sources, script, tree and compiler as last time.
key=$( { cat "$root"/kmod/Kbuild "$root"/kmod/*.c "$root"/kmod/*.h "$0"; echo "$kdir"
	 stat -c '%n %s %Y' "$kdir/include/generated/autoconf.h" "$kdir/Module.symvers" \
		"$kdir/include/generated/utsrelease.h" 2>/dev/null || true
	 echo "${kbuild_args[*]-}"; } | sha256sum | cut -c1-32)
uptodate=1
for m in $mods; do [ -f "$dest/$m.ko" ] || uptodate=0; done
if [ "$force" = 0 ] && [ "$uptodate" = 1 ] && [ "$(cat "$dest/.km-stamp" 2>/dev/null)" = "$key" ]; then
	echo "$dest"
	exit 0
fi
rm -f "$dest/.km-stamp" "$dest"/*.ko

# Build in a copy, so kbuild's by-products stay out of the source tree.
bdir=$dest/build
rm -rf "$bdir"
mkdir -p "$bdir"
cp "$root"/kmod/Kbuild "$root"/kmod/*.c "$root"/kmod/*.h "$bdir/"
names=$(for m in $mods; do printf '%s.ko ' "$m"; done)
names=${names% }
if ! make -C "$kdir" M="$bdir" ${kbuild_args[@]+"${kbuild_args[@]}"} modules >"$log" 2>&1; then
	first=$(grep -m1 -E 'error:|Error [0-9]|ERROR:|undefined!|No rule to make' "$log" ||
		tail -n1 "$log")
	km_die 2 "$prog: building $names for $release against $kdir failed: $first (see $log)"
fi
for m in $mods; do
	[ -f "$bdir/$m.ko" ] || km_die 2 "$prog: $m.ko was not built (see $log)"
	vm=$(km_ko_vermagic "$bdir/$m.ko")
	[ "${vm%% *}" = "$release" ] ||
		km_die 2 "$prog: $m.ko has vermagic '$vm', not for $release (see $log)"
	# kmod/Kbuild builds without ftrace sites; one left would BUG at insmod.
	if "${cross_prefix}readelf" -S "$bdir/$m.ko" 2>/dev/null |
	   grep -q __patchable_function_entries; then
		km_die 2 "$prog: $m.ko has ftrace patch sites (__patchable_function_entries):" \
			"its cold functions may be misaligned for this kernel's CALL_OPS"
	fi
	install -m 0644 "$bdir/$m.ko" "$dest/$m.ko"
done
echo "$key" > "$dest/.km-stamp"
km_log "$prog: $names for $release in $dest (vermagic: $(km_ko_vermagic "$dest/${mods%%$'\n'*}.ko"))"
echo "$dest"
