#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what kvm-memattr needs on a Debian/Ubuntu x86 (or arm64) host, from
# the distribution's package registry only.  Idempotent: a second run only
# checks.  Newer suites (bookworm-backports for QEMU >= 9.0, trixie-backports
# and sid for arm64 kernels) are reached through a private apt configuration
# under the cache directory, pinned so that the host's libc never upgrades.
#
# Usage: scripts/setup.sh [--kernel-version VER]... [--kernels LIST]
#                         [--no-kernel] [--no-modules] [--no-kmod] [--kernel-build]
#   --kernel-version VER  a Debian arm64 kernel (repeatable; default
#                         $KM_DEFAULT_KERNEL): 7.3.4+deb13, 7.2.13 (the newest
#                         7.2.13+debNN packaged), bookworm's 6.1.0-50, with an
#                         optional flavour: 7.3.4+deb13-cloud-arm64 (or -cloud)
#   --kernels LIST        several, comma-separated (the CI matrix:
#                         make -s print-check-kernels)
#   --no-kernel           only the host tools and busybox
#   --no-modules          not the kernel's modules (kernels/VER/modules: vfio)
#   --no-kmod             not what the test modules build with (the kernel's
#                         headers and kbuild, prepared under kmod-tree/)
#   --kernel-build        what run_tests.sh --kernel-tree needs to build a
#                         kernel (flex, bison, bc, kmod, libssl-dev, libelf-dev),
#                         and scripts/build-kernel.sh --debs to package it
#                         (dpkg-dev, debhelper, rsync)
# Without options: everything the default ./run_tests.sh needs, its test
# modules included: on an arm64 host with /dev/kvm, for running natively
# (a compiler, python3 and the running kernel's headers, from
# the host's own apt), elsewhere for QEMU.  --modules and --kmod, the
# default, are accepted.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/common.sh
. "$here/common.sh"

kspecs=()
want_kmod=1	# what scripts/build-kmod.sh needs (see the end)
want_kernel=1
want_modules=1
want_kbuild=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kmod) want_kmod=1; shift ;;
	--no-kmod) want_kmod=0; shift ;;
	--kernel-version)
		[ $# -ge 2 ] || km_die 2 "setup: --kernel-version needs a value"
		kspecs+=("$2"); shift 2 ;;
	--kernels)
		[ $# -ge 2 ] || km_die 2 "setup: --kernels needs a list"
		IFS=', ' read -r -a _k <<< "$2"
		kspecs+=(${_k[@]+"${_k[@]}"}); shift 2 ;;
	--no-kernel) want_kernel=0; shift ;;
	--modules) want_modules=1; shift ;;
	--no-modules) want_modules=0; shift ;;
	--kernel-build) want_kbuild=1; shift ;;
	-h|--help) awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) km_die 2 "setup: unknown option '$1' (see --help)" ;;
	esac
done
native_ok=0
[ ${#kspecs[@]} -gt 0 ] || { kspecs=("$KM_DEFAULT_KERNEL"); [ $want_kbuild = 1 ] || native_ok=1; }

[ "$(id -u)" = 0 ] || km_die 2 "setup: must run as root (installs packages)"
command -v apt-get >/dev/null || km_die 2 "setup: needs a Debian-based host (apt-get not found)"

host_arch=$(dpkg --print-architecture)

# Natively (an arm64 host with /dev/kvm and no guest kernel asked for) the
# suite runs on the host itself: what builds it, its reports, the test
# modules (the running kernel's headers) and tracing come from the host's
# own apt, and nothing is downloaded for QEMU.
native_setup() {
	local rel pkgs=() p
	rel=$(uname -r)
	for p in make gcc libc6-dev python3 kmod; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || pkgs+=("$p")
	done
	if [ $want_kmod = 1 ] && [ ! -e "/lib/modules/$rel/build" ]; then
		pkgs+=("linux-headers-$rel")
	fi
	if [ ${#pkgs[@]} -gt 0 ]; then
		km_log "setup: native: installing ${pkgs[*]}"
		apt-get -q update >/dev/null || km_die 2 "setup: apt-get update failed"
		if ! DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends \
			install "${pkgs[@]}" >/dev/null; then
			[[ " ${pkgs[*]} " == *" linux-headers-$rel "* ]] || km_die 2 "setup: cannot install ${pkgs[*]}"
			pkgs=("${pkgs[@]/linux-headers-$rel}")
			DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends \
				install ${pkgs[@]} >/dev/null || km_die 2 "setup: cannot install ${pkgs[*]}"
			km_log "setup: native: no package linux-headers-$rel: the test modules need" \
				"the running kernel's build tree (run_tests.sh --kdir DIR), or their rows skip (--no-kmod)"
		fi
	fi
	km_log "setup: ready (native: kernel $rel, /dev/kvm)"
}
if [ "$host_arch" = arm64 ] && [ -e /dev/kvm ] && [ "$native_ok" = 1 ]; then
	native_setup
	exit 0
fi

# The private apt tree: sources copied from the host's own mirror at run time.
apt_dir=$KM_CACHE/apt
mkdir -p "$apt_dir"/{lists/partial,archives/partial,cache,sources.list.d,preferences.d}
uri=$(km_debian_mirror)
[ -n "$uri" ] || km_die 2 "setup: cannot find the host's Debian mirror in /etc/apt"

cat > "$apt_dir/sources.list.d/km.sources" <<EOS
Types: deb
URIs: $uri
Suites: bookworm bookworm-backports trixie trixie-backports sid
Components: main
Architectures: $host_arch arm64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
cat > "$apt_dir/preferences.d/km.pref" <<'EOS'
Package: *
Pin: release n=bookworm
Pin-Priority: 990

Package: *
Pin: release n=bookworm-updates
Pin-Priority: 990

Package: *
Pin: release n=bookworm-security
Pin-Priority: 990

Package: *
Pin: release n=bookworm-backports
Pin-Priority: 600

Package: *
Pin: release n=trixie
Pin-Priority: 50

Package: *
Pin: release n=trixie-backports
Pin-Priority: 50

Package: *
Pin: release n=sid
Pin-Priority: 50
EOS

# apt's binary package caches, under the private tree: built from five
# suites' lists for two architectures, each apt call took 4-6 s without them
# (hosts such as container images turn them off in /etc/apt/apt.conf.d:
# named here explicitly).
apt_caches=(-o Dir::Cache="$apt_dir/cache" -o Dir::Cache::pkgcache="$apt_dir/cache/pkgcache.bin"
	    -o Dir::Cache::srcpkgcache="$apt_dir/cache/srcpkgcache.bin")
km_apt() {
	apt-get -q -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$apt_dir/sources.list.d" \
		-o Dir::Etc::PreferencesParts="$apt_dir/preferences.d" \
		-o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache::Archives="$apt_dir/archives" ${apt_caches[@]+"${apt_caches[@]}"} \
		-o APT::Architectures::="$host_arch" -o APT::Architectures::=arm64 \
		-o Acquire::Languages=none -o APT::Sandbox::User=root "$@"
}

lists_fresh() {
	[ -n "$(find "$apt_dir/lists" -maxdepth 1 -name '*Packages*' -mmin -720 2>/dev/null | head -n1)" ]
}
update_lists() {
	lists_fresh && return 0
	km_log "setup: refreshing package lists"
	km_apt update >/dev/null
}

need_host_pkgs=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# python3: the JUnit/JSON reports and the rule table (scripts/report.py).
for p in make gcc cpio xz-utils python3; do have "$p" || need_host_pkgs+=("$p"); done
if [ $want_kbuild = 1 ]; then
	for p in flex bison bc kmod libssl-dev libelf-dev dpkg-dev debhelper rsync; do have "$p" || need_host_pkgs+=("$p"); done
fi
if [ "$host_arch" != arm64 ]; then
	for p in gcc-aarch64-linux-gnu libc6-dev-arm64-cross; do
		have "$p" || need_host_pkgs+=("$p")
	done
fi

qemu_ok() {
	command -v qemu-system-aarch64 >/dev/null || return 1
	km_qemu_version_ok
}

if [ ${#need_host_pkgs[@]} -gt 0 ] || { [ "$host_arch" != arm64 ] && ! qemu_ok; }; then
	update_lists
	if [ ${#need_host_pkgs[@]} -gt 0 ]; then
		km_log "setup: installing ${need_host_pkgs[*]}"
		DEBIAN_FRONTEND=noninteractive km_apt install -y --no-install-recommends \
			"${need_host_pkgs[@]}" >/dev/null
	fi
	if [ "$host_arch" != arm64 ] && ! qemu_ok; then
		km_log "setup: installing qemu-system-arm (>= $KM_QEMU_MIN) from bookworm-backports"
		DEBIAN_FRONTEND=noninteractive km_apt install -y --no-install-recommends \
			-t bookworm-backports qemu-system-arm >/dev/null
		qemu_ok || km_die 2 "setup: qemu-system-aarch64 is still older than $KM_QEMU_MIN"
	fi
fi

# arm64 packages are only ever downloaded and extracted, never installed.
fetch_arm64() {	# fetch_arm64 PKG DESTDIR
	local pkg=$1 dest=$2 deb
	mkdir -p "$KM_CACHE/debs" "$dest"
	deb=$(ls "$KM_CACHE"/debs/"${pkg}"_*_arm64.deb "$KM_CACHE"/debs/"${pkg}"_*_all.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		update_lists
		(cd "$KM_CACHE/debs" && km_apt download "$pkg:arm64" >/dev/null 2>&1) ||
		(cd "$KM_CACHE/debs" && km_apt download "$pkg" >/dev/null 2>&1) ||
			return 1
		deb=$(ls "$KM_CACHE"/debs/"${pkg}"_*.deb | head -n1)
	fi
	dpkg -x "$deb" "$dest"
}

if [ ! -x "$KM_CACHE/busybox/bin/busybox" ]; then
	km_log "setup: fetching busybox-static:arm64"
	rm -rf "$KM_CACHE/busybox"
	fetch_arm64 busybox-static "$KM_CACHE/busybox" ||
		km_die 2 "setup: cannot download busybox-static:arm64"
fi

km_apt_cache() {
	apt-cache -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$apt_dir/sources.list.d" \
		-o Dir::Etc::PreferencesParts="$apt_dir/preferences.d" \
		-o Dir::State::Lists="$apt_dir/lists" ${apt_caches[@]+"${apt_caches[@]}"} \
		-o APT::Architectures::="$host_arch" -o APT::Architectures::=arm64 "$@"
}

download_deb() {	# download_deb PKG ARCH [VERSION]: into $KM_CACHE/debs unless there
	local pkg=$1 arch=$2 ver=${3:-} spec=$1
	mkdir -p "$KM_CACHE/debs"
	if [ -n "$ver" ]; then
		[ ! -f "$KM_CACHE/debs/${pkg}_${ver//:/%3a}_$arch.deb" ] || return 0
	else
		! ls "$KM_CACHE/debs/$pkg"_*_"$arch".deb >/dev/null 2>&1 || return 0
	fi
	update_lists
	[ "$arch" = all ] || spec=$pkg:$arch
	[ -z "$ver" ] || spec=$spec=$ver
	km_log "setup: fetching $spec"
	(cd "$KM_CACHE/debs" && km_apt download "$spec" >/dev/null 2>&1)
}
# pkg_exists PKG: the arm64 package lists know it
pkg_exists() {
	update_lists
	[ -n "$(km_apt_cache pkgnames "$1" | grep -x -e "$1" -e "$1:arm64" | head -n1)" ]
}

# One Debian kernel: SPEC is VER[-FLAVOUR] (see --help).
setup_kernel() {
	local spec=$1 kver flavour full kdir tmp img d_hdr dep common kbuild hver mm rc pkg
	read -r kver flavour <<< "$(km_kernel_spec "$spec")"

	# A version without its Debian suffix (7.2.13): the newest VER+debNN,
	# cached or else packaged.
	if ! km_full_version "$kver"; then
		full=""
		for kdir in $(ls -d "$KM_CACHE/kernels/$kver"+* 2>/dev/null | sort -V -r); do
			read -r v f <<< "$(km_kernel_spec "${kdir##*/}")"
			if [ "$f" = "$flavour" ] && [ -f "$kdir/Image" ]; then full=$v; break; fi
		done
		if [ -z "$full" ]; then
			update_lists
			full=$( { km_apt_cache pkgnames "linux-binary-$kver+"
				  km_apt_cache pkgnames "linux-image-$kver+"; } |
				sed -n "s/^linux-\(binary\|image\)-\($kver+[a-z0-9.]*\)-$flavour\(:arm64\)\{0,1\}\$/\2/p" |
				sort -V | tail -n1)
			[ -n "$full" ] ||
				km_die 2 "setup: no Debian arm64 kernel package matches $kver ($flavour; e.g. 7.3.4+deb13, 6.1.0-50)"
			km_log "setup: kernel $kver is $full"
		fi
		kver=$full
	fi
	local kname=$kver-$flavour
	kdir=$(km_kernel_dir "$kver" "$flavour")

	# 7.x images are split: the Image lives in linux-binary-VER, the modules
	# in linux-modules-VER; older ones (6.1.0-NN, 6.12.x) ship both in
	# linux-image-VER itself (the Image gzip'd under boot/ in bookworm).
	# Each package is extracted once.
	tmp=""
	if [ ! -f "$kdir/Image" ] || { [ $want_modules = 1 ] && [ ! -d "$kdir/modules" ]; }; then
		tmp=$(mktemp -d)
	fi
	if [ ! -f "$kdir/Image" ]; then
		km_log "setup: fetching Debian arm64 kernel $kname"
		pkg=linux-image-$kname
		if [ -z "$(ls "$KM_CACHE/debs/$pkg"_*_arm64.deb 2>/dev/null)" ] &&
		   { [ -n "$(ls "$KM_CACHE/debs/linux-binary-$kname"_*_arm64.deb 2>/dev/null)" ] ||
		     pkg_exists "linux-binary-$kname"; }; then
			pkg=linux-binary-$kname
		fi
		fetch_arm64 "$pkg" "$tmp/$pkg" || { rm -rf "$tmp"; km_die 2 "setup: cannot download $pkg"; }
		img=$(find "$tmp/$pkg" -name "vmlinuz*" -type f | head -n1)
		[ -n "$img" ] || { rm -rf "$tmp"; km_die 2 "setup: no vmlinuz in $pkg"; }
		mkdir -p "$kdir"
		if gzip -t "$img" 2>/dev/null; then zcat "$img" > "$kdir/Image.tmp"; else cp "$img" "$kdir/Image.tmp"; fi
		mv "$kdir/Image.tmp" "$kdir/Image"
	fi
	if [ $want_modules = 1 ] && [ ! -d "$kdir/modules" ]; then
		km_log "setup: fetching the modules of $kname"
		pkg=linux-modules-$kname
		if [ ! -d "$tmp/$pkg" ] && [ -z "$(ls "$KM_CACHE/debs/$pkg"_*_arm64.deb 2>/dev/null)" ] &&
		   ! pkg_exists "$pkg"; then
			pkg=linux-image-$kname
		fi
		if [ ! -d "$tmp/$pkg" ]; then
			fetch_arm64 "$pkg" "$tmp/$pkg" || { rm -rf "$tmp"; km_die 2 "setup: cannot download $pkg"; }
		fi
		if [ -d "$tmp/$pkg/usr/lib/modules/$kname" ]; then
			mv "$tmp/$pkg/usr/lib/modules/$kname" "$kdir/modules"
		elif [ -d "$tmp/$pkg/lib/modules/$kname" ]; then
			mv "$tmp/$pkg/lib/modules/$kname" "$kdir/modules"
		else
			rm -rf "$tmp"
			km_die 2 "setup: $pkg has no lib/modules/$kname"
		fi
	fi
	[ -z "$tmp" ] || rm -rf "$tmp"

	# What scripts/build-kmod.sh cross-builds the test modules with: the
	# kernel's arm64 headers, the -common headers and the kbuild tools (for
	# this host) they depend on, and, only when Debian's modpost cannot
	# run here (it wants a newer glibc), the kernel source to rebuild
	# modpost from.  The build tree is then prepared once, under
	# $KM_CACHE/kmod-tree.
	[ $want_kmod = 1 ] || return 0
	download_deb "linux-headers-$kname" arm64 || km_die 2 "setup: cannot download linux-headers-$kname:arm64"
	d_hdr=$(ls "$KM_CACHE/debs/linux-headers-$kname"_*_arm64.deb | sort -V | tail -n1)
	hver=$(dpkg-deb -f "$d_hdr" Version)
	dep=$(dpkg-deb -f "$d_hdr" Depends | tr ',|' '\n' | sed 's/(.*//; s/[[:space:]]//g')
	common=$(grep -m1 '^linux-headers-.*-common' <<< "$dep" || true)
	kbuild=$(grep -m1 '^linux-kbuild-' <<< "$dep" || true)
	[ -n "$common" ] && [ -n "$kbuild" ] ||
		km_die 2 "setup: $(basename "$d_hdr") names no -common headers or linux-kbuild package"
	download_deb "$common" all "$hver" || download_deb "$common" all ||
		km_die 2 "setup: cannot download $common"
	download_deb "$kbuild" "$host_arch" "$hver" || download_deb "$kbuild" "$host_arch" ||
		km_die 2 "setup: cannot download $kbuild:$host_arch"
	# First without linux-source: exit 3 when modpost must be rebuilt.
	rc=0
	"$here/build-kmod.sh" --prepare --kernel-version "$kname" 2>"$apt_dir/prepare.err" || rc=$?
	[ $rc = 3 ] || cat "$apt_dir/prepare.err" >&2
	if [ $rc = 3 ]; then
		mm=$(echo "$kver" | cut -d. -f1-2)
		download_deb "linux-source-$mm" all "$hver" || download_deb "linux-source-$mm" all ||
			km_die 2 "setup: cannot download linux-source-$mm"
		rc=0
		"$here/build-kmod.sh" --prepare --kernel-version "$kname" || rc=$?
	fi
	[ $rc = 0 ] || km_die 2 "setup: preparing the test modules' build tree for $kname failed"
}

if [ $want_kernel = 1 ]; then
	for k in "${kspecs[@]}"; do setup_kernel "$k"; done
fi
km_log "setup: ready (cache $KM_CACHE)"
