#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what kvm-memattr needs on a Debian/Ubuntu x86 (or arm64) host, from
# the distribution's package registry only.  Idempotent: a second run only
# checks.  Newer suites (bookworm-backports for QEMU >= 9.0, trixie-backports
# and sid for arm64 kernels) are reached through a private apt configuration
# under the cache directory, pinned so that the host's libc never upgrades.
#
# Usage: scripts/setup.sh [--kernel-version VER] [--no-kernel] [--modules]
#                         [--kernel-build]
#   --kernel-version VER  a Debian arm64 kernel: 7.3.4+deb13, or just 7.2.13
#                         (the newest VER+debNN in the package lists)
#   --modules             also its modules, under kernels/VER/modules
#   --kernel-build        what run_tests.sh --kernel-tree needs to build a
#                         kernel (flex, bison, bc, kmod, libssl-dev, libelf-dev)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/common.sh
. "$here/common.sh"

kver=$KM_DEFAULT_KERNEL
want_kmod=0	# --kmod: what scripts/build-kmod.sh needs (see the end)
want_kernel=1
want_modules=0
want_kbuild=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kmod) want_kmod=1; shift ;;
	--kernel-version) kver=$2; shift 2 ;;
	--no-kernel) want_kernel=0; shift ;;
	--modules) want_modules=1; shift ;;
	--kernel-build) want_kbuild=1; shift ;;
	-h|--help) sed -n '3,18p' "$0"; exit 0 ;;
	*) km_die 2 "setup: unknown option '$1' (see --help)" ;;
	esac
done

[ "$(id -u)" = 0 ] || km_die 2 "setup: must run as root (installs packages)"
command -v apt-get >/dev/null || km_die 2 "setup: needs a Debian-based host (apt-get not found)"

host_arch=$(dpkg --print-architecture)

# The private apt tree: sources copied from the host's own mirror at run time.
apt_dir=$KM_CACHE/apt
mkdir -p "$apt_dir"/{lists/partial,archives/partial,sources.list.d,preferences.d}
mirror_uri() {
	local uri
	uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	      awk '{print $2}' | grep -v security | grep -E '/debian/?$' | head -n1 || true)
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
		      /etc/apt/sources.list)
	fi
	echo "$uri"
}
uri=$(mirror_uri)
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

km_apt() {
	apt-get -q -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$apt_dir/sources.list.d" \
		-o Dir::Etc::PreferencesParts="$apt_dir/preferences.d" \
		-o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache::Archives="$apt_dir/archives" \
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
	for p in flex bison bc kmod libssl-dev libelf-dev; do have "$p" || need_host_pkgs+=("$p"); done
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

# Static libnuma for the suite's NUMA tests, linked into the aarch64 binary
# (the Makefile's LIBNUMA_DIR points here).
if [ ! -f "$KM_CACHE/libnuma/usr/lib/aarch64-linux-gnu/libnuma.a" ]; then
	km_log "setup: fetching libnuma-dev:arm64"
	rm -rf "$KM_CACHE/libnuma"
	fetch_arm64 libnuma-dev "$KM_CACHE/libnuma" ||
		km_die 2 "setup: cannot download libnuma-dev:arm64"
	[ -f "$KM_CACHE/libnuma/usr/lib/aarch64-linux-gnu/libnuma.a" ] ||
		km_die 2 "setup: libnuma-dev:arm64 has no usr/lib/aarch64-linux-gnu/libnuma.a"
fi

km_apt_cache() {
	apt-cache -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$apt_dir/sources.list.d" \
		-o Dir::Etc::PreferencesParts="$apt_dir/preferences.d" \
		-o Dir::State::Lists="$apt_dir/lists" \
		-o APT::Architectures::="$host_arch" -o APT::Architectures::=arm64 "$@"
}
# A version without its Debian suffix (7.2.13): the newest VER+debNN packaged.
if [ $want_kernel = 1 ] && [[ $kver != *+* ]] && [ ! -f "$(km_kernel_dir "$kver")/Image" ]; then
	update_lists
	full=$( { km_apt_cache pkgnames "linux-binary-$kver+"; km_apt_cache pkgnames "linux-image-$kver+"; } |
		sed -n "s/^linux-\(binary\|image\)-\($kver+[a-z0-9.]*\)-arm64\(:arm64\)\{0,1\}\$/\2/p" |
		sort -V | tail -n1)
	[ -n "$full" ] || km_die 2 "setup: no Debian arm64 kernel package matches $kver (e.g. 7.3.4+deb13)"
	km_log "setup: kernel $kver is $full"
	kver=$full
fi

if [ $want_kernel = 1 ]; then
	kdir=$(km_kernel_dir "$kver")
	if [ ! -f "$kdir/Image" ]; then
		km_log "setup: fetching Debian arm64 kernel $kver"
		update_lists
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		# 7.x images are split: the Image lives in linux-binary-<ver>;
		# older ones ship it in linux-image-<ver>-arm64 itself.
		fetch_arm64 "linux-binary-$kver-arm64" "$tmp" ||
			fetch_arm64 "linux-image-$kver-arm64" "$tmp" ||
			km_die 2 "setup: no Debian arm64 kernel package for $kver"
		img=$(find "$tmp" -name "vmlinuz*" -type f | head -n1)
		[ -n "$img" ] || km_die 2 "setup: no vmlinuz in the packages for $kver"
		mkdir -p "$kdir"
		if gzip -t "$img" 2>/dev/null; then zcat "$img" > "$kdir/Image"; else cp "$img" "$kdir/Image"; fi
		rm -rf "$tmp"
		trap - EXIT
	fi
	if [ $want_modules = 1 ] && [ ! -d "$kdir/modules" ]; then
		km_log "setup: fetching modules for $kver"
		tmp=$(mktemp -d)
		fetch_arm64 "linux-modules-$kver-arm64" "$tmp" ||
			fetch_arm64 "linux-image-$kver-arm64" "$tmp" ||
			km_die 2 "setup: no Debian arm64 modules package for $kver"
		mv "$tmp"/usr/lib/modules/* "$kdir/modules" 2>/dev/null ||
			mv "$tmp"/lib/modules/* "$kdir/modules"
		rm -rf "$tmp"
	fi
fi
# --kmod: the packages scripts/build-kmod.sh cross-builds the test module
# with (kmod/, `make kmod`): Debian's arm64 headers of $kver, its kbuild
# tools for this host, and, only when Debian's modpost cannot run here (it
# wants a newer glibc), the kernel source to rebuild modpost from.  Then the
# build tree is prepared once, under $KM_CACHE/kmod-tree.  On an arm64 host
# the module builds against the running kernel's headers instead.
download_deb() {	# download_deb PKG ARCH: into $KM_CACHE/debs unless there
	local pkg=$1 arch=$2 spec=$1
	mkdir -p "$KM_CACHE/debs"
	ls "$KM_CACHE/debs/${pkg}"_*_"$arch".deb >/dev/null 2>&1 && return 0
	update_lists
	[ "$arch" = all ] || spec=$pkg:$arch
	km_log "setup: fetching $spec"
	(cd "$KM_CACHE/debs" && km_apt download "$spec" >/dev/null 2>&1) ||
		km_die 2 "setup: cannot download $spec"
}
if [ $want_kmod = 1 ] && [ "$host_arch" != arm64 ]; then
	download_deb "linux-headers-$kver-arm64" arm64
	download_deb "linux-headers-$kver-common" all
	download_deb "linux-kbuild-$kver" "$host_arch"
	rc=0
	"$here/build-kmod.sh" --prepare --kernel-version "$kver" || rc=$?
	if [ $rc = 3 ]; then
		mm=$(echo "$kver" | cut -d. -f1-2)
		download_deb "linux-source-$mm" all
		rc=0
		"$here/build-kmod.sh" --prepare --kernel-version "$kver" || rc=$?
	fi
	[ $rc = 0 ] || km_die 2 "setup: preparing the test module's build tree failed"
fi
km_log "setup: ready (cache $KM_CACHE)"
