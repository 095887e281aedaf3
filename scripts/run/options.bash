# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# run_tests.sh: the checks of its options, the rule selection handed to the
# suite, the profiles and the choice between QEMU and the host.

usage_err() { echo "$prog: $* (usage: $prog [options] [-- suite-args...]; see $prog -h)" >&2; exit 2; }
need_arg() { [ "$2" -ge 2 ] || usage_err "option $1 needs a value"; }

# Bad values are usage errors here, before anything is built or booted.
check_options() {
	local k
	[[ $timeout =~ ^[1-9][0-9]*$ ]] || usage_err "--timeout wants a number of seconds, got '$timeout'"
	[[ $boot_timeout =~ ^[1-9][0-9]*$ ]] ||
		usage_err "--boot-timeout wants a number of seconds, got '$boot_timeout'"
	[[ $smp =~ ^[1-9][0-9]*$ ]] || usage_err "--smp wants a number, got '$smp'"
	# Measured with QEMU 10.0.2: one TCG vCPU (or thread=single) completes
	# unaligned loads to stage-2 Device memory that must take alignment faults.
	[ "$smp" != 1 ] || echo "# $prog: note: with --smp 1 QEMU TCG misses Device alignment faults" \
		"(17 cases fail on max with QEMU 10.0.2); the suite's verdicts need --smp 2 or more" >&2
	# A 64 KiB-page THP is 512 MiB: in 2G, with the kernel and the memory
	# kept outside the linear map, no 512 MiB-aligned block stays free.
	[ -n "$memory" ] || { memory=2G; [ "${page_size^^}" != 64K ] || memory=4G; }
	[[ $memory =~ ^[1-9][0-9]*[KMGT]?$ ]] || usage_err "--memory wants a size like 2G, got '$memory'"
	[ -z "$jobs" ] || [[ $jobs =~ ^[1-9][0-9]*$ ]] || usage_err "--jobs wants a number, got '$jobs'"
	nk=0
	for k in "$kernel" "$debian_kernel" "$kernel_tree"; do [ -z "$k" ] || nk=$((nk + 1)); done
	[ "$nk" -le 1 ] || usage_err "--kernel, --debian-kernel and --kernel-tree exclude each other"
	[[ ${page_size^^} =~ ^(4K|16K|64K)$ ]] || usage_err "--page-size: 4K, 16K or 64K, not '$page_size'"
	[ "${page_size^^}" = 4K ] || [ -n "$kernel_tree" ] ||
		usage_err "--page-size chooses the page size of a --kernel-tree build"
	[ -z "$kdir_opt" ] || [ -n "$kernel" ] || [ "$mode" = native ] ||
		usage_err "--kdir names the build directory of a --kernel IMAGE or, with --native, of the running kernel (Debian kernels and --kernel-tree have their own)"
}

# --rules and --skip-rules become the suite's -r and -x, ahead of the
# arguments after "--", as they are: the suite is their one parser.  A rule
# file (FILE or @FILE) is on this host: it is passed as @PATH, and
# rule_files maps the index of that argument in suite_args to PATH, so that
# write_args can give the guest a copy.  Sets raw (the suite prints a
# listing or its help, not KTAP) and user_selects (the user chose cases: a
# feature profile's own rules then give way).
select_rules() {
	local s a sel=()
	rule_files=()
	for s in ${rule_specs[@]+"${rule_specs[@]}"}; do
		! no_globs "$s" || usage_err "--rules '$s' names no rule"
		add_rule_spec -r "$s"
	done
	for s in ${skip_specs[@]+"${skip_specs[@]}"}; do
		no_globs "$s" || add_rule_spec -x "$s"
	done
	suite_args=(${sel[@]+"${sel[@]}"} ${suite_args[@]+"${suite_args[@]}"})
	raw=0 user_selects=0
	for a in ${suite_args[@]+"${suite_args[@]}"}; do
		case "$a" in
		-l|--list|-h|--help) raw=1 ;;
		-t*|-r*|-x*) user_selects=1 ;;
		esac
	done
}
# no_globs SPEC: nothing but separators (commas, blanks), so no glob to the
# suite.  Such a --rules is refused here, before anything is built or booted
# (the suite would refuse it only in the guest); such a --skip-rules is
# dropped, so that it does not count as a selection of the user's.
no_globs() { [ -z "${1//[,[:space:]]/}" ]; }
add_rule_spec() {	# add_rule_spec -r|-x SPEC: onto select_rules' sel
	local f
	sel+=("$1")
	case "$2" in
	@*) f=${2#@} ;;
	*) [ -f "$2" ] || { sel+=("$2"); return 0; }
	   f=$2 ;;
	esac
	{ [ -f "$f" ] && [ -r "$f" ]; } || usage_err "cannot read the rule file '$f'"
	rule_files[${#sel[@]}]=$f
	sel+=("@$f")
}

# The file `profiles`: pdef maps a name to
# "cpu<TAB>extra<TAB>description<TAB>qemu-args<TAB>focus"; pall keeps their order.
load_profiles() {
	local n c e d q f
	declare -gA pdef=()
	pall=()
	[ -f "$root/profiles" ] || return 0
	while IFS=$'\t' read -r n c e d q f; do
		pdef[$n]="$c"$'\t'"$e"$'\t'"$d"$'\t'"$q"$'\t'"$f"
		pall+=("$n")
	done < <(km_profiles "$root/profiles")
}

print_profiles() {	# --list-profiles
	local n c e d q f
	for n in ${pall[@]+"${pall[@]}"}; do
		IFS=$'\t' read -r c e d q f <<< "${pdef[$n]}"
		[ "$q" = - ] && q="" || q="  [qemu: $q]"
		[ "$f" = - ] && f="" || f="  [rules: $f]"
		printf '%-12s -cpu %-12s %-24s %s%s%s\n' "$n" "$c" "${e/#-/}" "$d" "$q" "$f"
	done
}

# runs: the profiles asked for, in order, each name once, as
# name<TAB>cpu<TAB>extra<TAB>description<TAB>qemu-args<TAB>focus.
add_run() {
	[ -z "${run_seen[$1]+x}" ] || return 0
	run_seen[$1]=1
	runs+=("$1"$'\t'"$2")
}
select_profiles() {
	local n a c
	runs=()
	declare -gA run_seen=()
	for n in ${profile_names[@]+"${profile_names[@]}"}; do
		if [ "$n" = all ]; then
			for a in ${pall[@]+"${pall[@]}"}; do add_run "$a" "${pdef[$a]}"; done
		elif [ -n "$n" ] && [ -n "${pdef[$n]+x}" ]; then
			add_run "$n" "${pdef[$n]}"
		else
			usage_err "unknown profile '$n' (known: ${pall[*]:-none}; see --list-profiles)"
		fi
	done
	for c in ${adhoc_cpus[@]+"${adhoc_cpus[@]}"}; do
		add_run "${c//[^A-Za-z0-9._-]/_}" "$c"$'\t-\t'"ad-hoc -cpu $c"$'\t-\t-'
	done
}

# focus_of FOCUS: a feature profile's rules (its `profiles` field), or "-"
# when it runs everything: no rules, --full, the user's own selection, or
# --initrd (that archive's own arguments decide).
focus_of() {
	if [ "$1" != - ] && [ "$full" = 0 ] && [ "$user_selects" = 0 ] && [ -z "$user_initrd" ]; then
		echo "$1"
	else
		echo -
	fi
}

# Natively when nothing asks for QEMU and this is an arm64 host with KVM.
# KM_HOST_ARCH only exists so that tests/runner can reach the native checks.
choose_mode() {
	host_arch=${KM_HOST_ARCH:-$(uname -m)}
	if [ "$mode" = auto ]; then
		if [ "$host_arch" = aarch64 ] && [ -c /dev/kvm ] && [ ${#runs[@]} -eq 0 ] &&
		   [ "$nk" = 0 ]; then
			mode=native
		else
			mode=qemu
		fi
	fi
	if [ "$mode" = native ] && [ ${#runs[@]} -gt 0 ]; then
		usage_err "--profile/--profiles/--cpu select QEMU CPU models; they do not go with --native"
	fi
	if [ "$mode" = native ] && [ "$nk" -gt 0 ]; then
		usage_err "--kernel/--debian-kernel/--kernel-tree choose a guest kernel; natively the running kernel is tested"
	fi
	[ ${#runs[@]} -gt 0 ] || runs=("max"$'\t'"${pdef[max]:-$'max\t-\t\t-'}")
}

# The suite binary: build/memattr in a source tree ($O), ./memattr in an
# installed copy (which has nothing to build).
find_suite() {
	bdir=${O:-build}
	case "$bdir" in /*) ;; *) bdir=$root/$bdir ;; esac
	bin=$bdir/memattr
	if [ ! -f "$root/Makefile" ] && [ -x "$root/memattr" ]; then
		bin=$root/memattr
		build=0
	fi
}

build_suite() {
	local cross
	if [ "$build" = 1 ]; then
		cross=${CROSS_COMPILE-}
		[ -n "${CROSS_COMPILE+x}" ] || [ "$(uname -m)" = aarch64 ] || cross=aarch64-linux-gnu-
		command -v "${cross}gcc" >/dev/null ||
			km_die 2 "$prog: no ${cross}gcc to build the suite: run scripts/setup.sh (or pass --no-build)"
		if ! make -s -C "$root" ${O:+O="$O"} all >&2; then
			echo "$prog: the build failed (make all); fix it or pass --no-build" >&2
			exit 2
		fi
	fi
	[ -x "$bin" ] || km_die 2 "$prog: no suite binary at $bin (run make)"
}
