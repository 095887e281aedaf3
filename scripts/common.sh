# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared settings and helpers for the kvm-memattr shell scripts.

KM_DEFAULT_KERNEL=${KM_DEFAULT_KERNEL:-7.3.4+deb13}
KM_QEMU_MIN=9.0
KM_CACHE=${KM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-memattr}

km_log() { echo "$*" >&2; }
km_die() { local rc=$1; shift; echo "$*" >&2; exit "$rc"; }

# Debian arm64 kernels: a version (7.3.4+deb13, 6.1.0-50) and a flavour
# (arm64, cloud-arm64, rt-arm64, arm64-16k); `uname -r` is VERSION-FLAVOUR.
km_flavours="cloud-arm64 rt-arm64 arm64-16k arm64"

# km_kernel_spec SPEC: "VERSION FLAVOUR" of 7.3.4+deb13, 7.3.4+deb13-arm64,
# 7.3.4+deb13-cloud-arm64, 6.1.0-50-cloud (short for -cloud-arm64), ...
km_kernel_spec() {
	local s=$1 f
	for f in $km_flavours; do
		case "$s" in *-"$f") echo "${s%-"$f"} $f"; return ;; esac
	done
	case "$s" in
	*-cloud) echo "${s%-cloud} cloud-arm64" ;;
	*-rt) echo "${s%-rt} rt-arm64" ;;
	*) echo "$s arm64" ;;
	esac
}

# km_full_version VERSION: true when VERSION names one Debian kernel: with
# its +debNN suffix (7.3.4+deb13) or in bookworm's ABI form (6.1.0-50).
km_full_version() {
	[[ $1 == *+* ]] || [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+$ ]]
}

# km_kernel_dir VERSION [FLAVOUR]: where the Image (and modules/) of a Debian
# kernel are cached; the arm64 flavour keeps the plain VERSION.
km_kernel_dir() {
	if [ "${2:-arm64}" = arm64 ]; then
		echo "$KM_CACHE/kernels/$1"
	else
		echo "$KM_CACHE/kernels/$1-$2"
	fi
}

# km_ko_vermagic FILE: the vermagic of a kernel module ("7.3.4+deb13-arm64
# SMP preempt mod_unload aarch64"), read without the target's binutils.
km_ko_vermagic() {
	LC_ALL=C grep -a -o -m1 'vermagic=[[:print:]]*' "$1" 2>/dev/null | head -n1 | sed 's/^vermagic=//'
}

# The major.minor version of qemu-system-aarch64 (or of the binary $1).
km_qemu_version() {
	"${1:-qemu-system-aarch64}" --version 2>/dev/null |
		sed -n 's/.*version \([0-9]*\.[0-9]*\).*/\1/p' | head -n1
}

# True when qemu-system-aarch64 (or the binary $1) is at least KM_QEMU_MIN.
# shellcheck disable=SC2120
km_qemu_version_ok() {
	local v
	v=$(km_qemu_version "${1:-qemu-system-aarch64}")
	[ -n "$v" ] || return 1
	[ "$(printf '%s\n%s\n' "$KM_QEMU_MIN" "$v" | sort -V | head -n1)" = "$KM_QEMU_MIN" ]
}

# Print the profiles of FILE (see the file `profiles`) as tab-separated
# records "name<TAB>qemu-cpu<TAB>extra-cmdline<TAB>description<TAB>qemu-args",
# extra and qemu-args "-" meaning none.  Fields may be quoted; '#' starts a comment line.
km_profiles() {
	local line f
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in ''|'#'*) continue ;; esac
		[ -n "${line//[[:space:]]/}" ] || continue
		mapfile -d '' -t f < <(printf '%s\n' "$line" | xargs printf '%s\0')
		[ ${#f[@]} -ge 2 ] || continue
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${f[0]}" "${f[1]}" "${f[2]:--}" "${f[3]:-}" \
			"${f[4]:--}" "${f[5]:--}"
	done < "$1"
}

# The Debian mirror this host's apt uses (read at run time, never stored).
km_debian_mirror() {
	local uri
	uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	      awk '{print $2}' | grep -v security | grep -E '/debian/?$' | head -n1 || true)
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
		      /etc/apt/sources.list)
	fi
	echo "$uri"
}
