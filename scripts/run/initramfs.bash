# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# run_tests.sh: the initramfs every profile boots (scripts/mkinitramfs.sh,
# scripts/guest-init.sh), rebuilt only when one of its inputs changed.  It
# is the guest's one source of the suite's arguments: /etc/km/args, and
# /etc/km/args.NAME for a feature profile NAME that runs its own rules
# (/init picks it by the kvm_memattr.profile= the suite reads too).  Sets
# initrd.

prepare_initramfs() {
	local key
	initrd=$bdir/initramfs.cpio
	if [ -n "$user_initrd" ]; then
		[ -f "$user_initrd" ] || km_die 2 "$prog: --initrd: no such file: $user_initrd"
		initrd=$user_initrd
		return 0
	fi
	busybox=$KM_CACHE/busybox/bin/busybox
	[ -x "$busybox" ] || km_die 2 "$prog: no arm64 busybox at $busybox: run scripts/setup.sh"
	mk_args=()	# for mkinitramfs.sh: --module, --add
	deb_mods=()
	add_debian_modules
	add_test_modules
	write_args
	key=$(initramfs_key)
	if [ ! -f "$initrd" ] || [ "$(cat "$initrd.key" 2>/dev/null)" != "$key" ]; then
		rm -f "$initrd.key"
		"$root/scripts/mkinitramfs.sh" -o "$initrd" --suite "$bin" --busybox "$busybox" \
			--args-file "$argsd/args" ${mk_args[@]+"${mk_args[@]}"} ||
			km_die 2 "$prog: building the initramfs failed"
		echo "$key" > "$initrd.key"
	fi
	# The profiles boot this run's own copy: another run in the same tree
	# may replace $initrd (with other arguments) before the last one boots.
	ln -f "$initrd" "$tmpdir/initramfs.cpio" 2>/dev/null || cp "$initrd" "$tmpdir/initramfs.cpio" ||
		km_die 2 "$prog: cannot copy the initramfs to $tmpdir"
	initrd=$tmpdir/initramfs.cpio
}

# What the archive is made of, contents and names: a hash.
initramfs_key() {
	local f
	{
		cat "$root/scripts/mkinitramfs.sh" "$root/scripts/guest-init.sh" "$busybox" "$bin" \
			${kmods[@]+"${kmods[@]}"} 2>/dev/null
		for f in "$argsd"/*; do
			printf '%s\n' "${f##*/}"
			cat "$f"
		done
		printf '%s\n' ${deb_mods[@]+"${deb_mods[@]}"} ${kmods[@]+"${kmods[@]}"} "why $kmod_why"
	} | sha256sum | cut -d' ' -f1
}

# The suite's arguments, one a line: the user's for every profile, and a
# feature profile's rules (as -r) ahead of them when it runs only those.
# A rule file goes along as /etc/km/rules/N-NAME, and the suite is given
# that path instead of the host's.
write_args() {
	local r n f focus i dest
	argsd=$tmpdir/args
	mkdir -p "$argsd"
	guest_args=(${suite_args[@]+"${suite_args[@]}"})
	n=0
	for i in ${rule_files[@]+"${!rule_files[@]}"}; do
		f=${rule_files[$i]}
		n=$((n + 1))
		dest=${f##*/}
		dest=/etc/km/rules/$n-${dest//[^A-Za-z0-9._-]/_}
		cp "$f" "$argsd/rules.$n" || km_die 2 "$prog: cannot copy the rule file $f"
		mk_args+=(--add "$argsd/rules.$n:$dest")
		guest_args[i]=@$dest
	done
	put_args "$argsd/args"
	for r in "${runs[@]}"; do
		IFS=$'\t' read -r n _ _ _ _ f <<< "$r"
		focus=$(focus_of "${f:--}")
		[ "$focus" != - ] || continue
		put_args "$argsd/args.$n" -r "$focus"
		mk_args+=(--add "$argsd/args.$n:/etc/km/args.$n")
	done
}
put_args() {	# put_args FILE ARGS...: ARGS, then the suite's, one a line
	local out=$1 a
	shift
	: > "$out"
	for a in "$@" ${guest_args[@]+"${guest_args[@]}"}; do printf '%s\n' "$a" >> "$out"; done
}

# Modules of the kernel under test named in kmod/debian-modules, from the
# modules tree next to its Image (setup.sh --modules), loaded first, each
# after what its modinfo "depends=" names (Debian ships no modules.dep;
# 6.1's vfio-pci-core needs vfio_virqfd, later kernels have it in vfio).
add_debian_modules() {
	local n missing=""
	kmods_dir=${modules_dir:-$(dirname "$kernel")/modules}
	declare -gA mod_seen=()
	while read -r n _; do
		case "$n" in ''|'#'*) continue ;; esac
		add_mod "$n"
	done < <(cat "$root/kmod/debian-modules" 2>/dev/null)
	[ -z "$missing" ] ||
		echo "# $prog: note: no$missing under $kmods_dir (scripts/setup.sh --modules): tests needing them will skip" >&2
}
mod_file() {	# mod_file NAME: its file under kmods_dir (- and _ alike)
	local a=${1//-/_} b=${1//_/-}
	find "$kmods_dir" \( -name "$a.ko" -o -name "$a.ko.*" -o -name "$b.ko" -o -name "$b.ko.*" \) \
		2>/dev/null | head -n1
}
mod_depends() {	# mod_depends FILE: what it depends on, one a line
	case "$1" in
	*.xz) xz -dc "$1" ;; *.zst) zstd -qdc "$1" ;; *.gz) gzip -dc "$1" ;; *) cat "$1" ;;
	esac 2>/dev/null | LC_ALL=C grep -a -o -m1 'depends=[[:print:]]*' | sed 's/^depends=//' |
		tr ',' '\n' | sed '/^$/d'
}
add_mod() {	# add_mod NAME: its dependencies, then itself, each once (missing: the caller's)
	local n=$1 f d
	[ -z "${mod_seen[${n//-/_}]+x}" ] || return 0
	mod_seen[${n//-/_}]=1
	f=$(mod_file "$n")
	if [ -z "$f" ]; then
		missing+=" $n"
		return 0
	fi
	while read -r d; do add_mod "$d"; done < <(mod_depends "$f")
	deb_mods+=("$f")
	mk_args+=(--module "$f")
}

# The test modules ride along and /init loads them; without them, why not
# goes to the guest (/etc/km/kmod-why), for the suite's SKIP reasons.
add_test_modules() {
	local m mib
	for m in ${kmods[@]+"${kmods[@]}"}; do
		mk_args+=(--module "$m")
	done
	if [ -n "$kmod_why" ]; then
		printf '%s\n' "$kmod_why" > "$tmpdir/kmod-why"
		mk_args+=(--add "$tmpdir/kmod-why:/etc/km/kmod-why")
	fi
	# The test module's memory outside the linear map: the top 64 MiB of
	# guest RAM, which mem= keeps from the kernel (kmod/memattr_pfnmap.c
	# finds it).
	if [[ " ${kmods[*]-}" == *"/memattr_pfnmap.ko"* ]] && [[ " $user_append" != *" mem="* ]]; then
		case "$memory" in
		*T) mib=$((${memory%T} * 1048576)) ;; *G) mib=$((${memory%G} * 1024)) ;;
		*M) mib=${memory%M} ;; *K) mib=$((${memory%K} / 1024)) ;; *) mib=$memory ;;
		esac
		[ "$mib" -le 256 ] || user_append="${user_append:+$user_append }mem=$((mib - 64))M"
	fi
}
