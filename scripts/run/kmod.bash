# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# run_tests.sh: the test modules (kmod/) for the kernel under test, built
# with scripts/build-kmod.sh into $bdir/kmod/<release>/ and chosen by their
# vermagic.  Sets kmods (the files) and, when there are none, kmod_why (what
# the suite's module rows say in their SKIP).  A build failure or a module
# for another kernel is one "# ERROR: test modules:" line and exit 2.

kmods=()
kmod_why=""
kmod_fetch=()	# a command that fetches what the modules build with (build-kmod.sh exit 3)

# kmod_prepare RELEASE build|none [ARGS...]: build the modules with
# scripts/build-kmod.sh ARGS (unless "none": nothing to build them against),
# then take every .ko built for RELEASE; "# prog: no test modules: ..." on
# stderr when there are none.
kmod_prepare() {
	local rel=$1 how=$2 d
	shift 2
	kmods=()
	if [ "$no_kmod" = 1 ]; then
		kmod_why="run_tests.sh --no-kmod"
		return 0
	fi
	if [ -z "$rel" ]; then
		kmod_why="the kernel Image has no version string to match a module's vermagic against"
		echo "# $prog: no test modules: $kmod_why" >&2
		return 0
	fi
	d=$bdir/kmod/$rel
	if [ "$build" = 1 ] && [ "$how" = build ]; then
		d=$(kmod_build "$@") || exit 2
	fi
	kmod_collect "$rel" "$d"
	[ ${#kmods[@]} -gt 0 ] || kmod_explain "$rel" "$how" "$d"
}

# kmod_build ARGS...: scripts/build-kmod.sh ARGS, once more after kmod_fetch
# when a package was missing; prints the modules' directory.  A failure is
# one line naming build-kmod.sh's last message.
kmod_build() {
	local rc=0 d err log=$tmpdir/kmod.err
	d=$("$root/scripts/build-kmod.sh" -o "$bdir/kmod" "$@" 2>"$log") || rc=$?
	if [ "$rc" = 3 ] && [ ${#kmod_fetch[@]} -gt 0 ]; then
		echo "# $prog: fetching what the test modules for $rel build with: ${kmod_fetch[*]#"$root/"}" >&2
		"${kmod_fetch[@]}" >&2 || {
			echo "# ERROR: test modules: ${kmod_fetch[*]#"$root/"} failed;" \
				"pass --no-kmod to run without them" >&2
			return 2
		}
		rc=0
		d=$("$root/scripts/build-kmod.sh" -o "$bdir/kmod" "$@" 2>"$log") || rc=$?
	fi
	if [ "$rc" != 0 ]; then
		err=$(grep -v '^build-kmod: preparing\|rebuilding it\|lacks, so off' "$log" | tail -n1)
		echo "# ERROR: test modules: ${err:-scripts/build-kmod.sh $* failed (exit $rc)};" \
			"pass --no-kmod to run without them" >&2
		return 2
	fi
	# Say what preparing a new tree did (once per tree).
	grep '^build-kmod: \(preparing\|.*lacks, so off\|.*rebuilding\)' "$log" | sed 's/^/# /' >&2
	echo "$d"
}

# kmod_collect RELEASE DIR: every .ko of DIR into kmods; one for another
# kernel is an error, not a silent skip (insmod would refuse it anyway).
kmod_collect() {
	local f vm
	for f in "$2"/*.ko; do
		[ -f "$f" ] || continue
		vm=$(km_ko_vermagic "$f")
		if [ "${vm%% *}" != "$1" ]; then
			echo "# ERROR: test modules: $f is for kernel ${vm%% *}, not $1" \
				"(vermagic '$vm'); rebuild it or pass --no-kmod" >&2
			exit 2
		fi
		kmods+=("$f")
	done
}

# kmod_explain RELEASE HOW DIR: why there are no test modules, said once.
kmod_explain() {
	if [ "$build" = 0 ] && [ "$2" = build ]; then
		kmod_why="no test module built for kernel $1 (--no-build: make kmod, or drop --no-build)"
	elif [ "$2" = none ]; then
		kmod_why="no test module built for kernel $1: --kernel IMAGE without --kdir DIR (its build directory)"
	else
		kmod_why="no test module in $3"
	fi
	echo "# $prog: no test modules: $kmod_why; their rows skip" >&2
}

kmod_names() {	# the module names of kmods, comma-separated
	local f n=""
	for f in ${kmods[@]+"${kmods[@]}"}; do n+="${n:+, }$(basename "$f" .ko)"; done
	echo "$n"
}
