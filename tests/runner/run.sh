#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of run_tests.sh itself: its failure paths (missing or old QEMU, a
# file that is not a kernel, a panic, a hang, Ctrl-C, no KVM, not root...),
# its exit codes, the parallel output and the reports.  Most cases use
# tests/runner/fake-qemu instead of QEMU and finish in well under a second;
# one boots the real kernel (no KVM: kvm-arm.mode=none) when it is set up.
# Prints KTAP; exit 0 when every case passed or skipped, else 1.
#
# Usage: tests/runner/run.sh [-v] [CASE-GLOB]   (make runner-check)
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fake=$here/fake-qemu
verbose=0
[ "${1:-}" != -v ] || { verbose=1; shift; }
only=${1:-*}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/km-runner-test.XXXXXX")
# Whatever a broken runner left behind goes too: no stray fake QEMU.
trap 'cat "$tmp"/pids.* 2>/dev/null | xargs -r kill -KILL 2>/dev/null; rm -rf "$tmp"' EXIT
# Something QEMU would take for an arm64 Image: the magic at offset 56.
kimg=$tmp/Image
{ head -c 56 /dev/zero; printf 'ARMd'; head -c 4096 /dev/zero; } > "$kimg"
printf 'this is not a kernel\n%.0s' $(seq 10) > "$tmp/notakernel"

rc=0 why=""
# rt ARGS...: run_tests.sh with the fake kernel and logs in $tmp.
rt() {
	"$root/run_tests.sh" --no-build --keep-logs "$tmp/logs" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
fail() { why="$*"; return 1; }
want_rc() { [ "$rc" = "$1" ] || fail "exit $rc, want $1"; }
out_has() { grep -q -e "$1" "$tmp/out" || fail "stdout lacks /$1/"; }
err_has() { grep -q -e "$1" "$tmp/err" || fail "stderr lacks /$1/"; }
last_is() { [[ $(tail -n1 "$tmp/out") =~ $1 ]] || fail "last stdout line is '$(tail -n1 "$tmp/out")'"; }
one_line() {	# the error is one line on stderr
	[ "$(grep -c . "$tmp/err")" = 1 ] || fail "stderr has $(grep -c . "$tmp/err") lines"
}
all_dead() {	# every PID in FILE is gone
	local p
	[ -s "$1" ] || fail "the fake QEMU never started"
	while read -r p; do
		! kill -0 "$p" 2>/dev/null || fail "fake QEMU $p is still running" || return 1
	done < "$1"
}

t_usage_unknown_option() { rt --bogus; want_rc 2 && one_line; }
t_usage_unknown_profile() { rt --profile nosuch; want_rc 2 && err_has "unknown profile 'nosuch'"; }
t_usage_two_kernels() {
	rt --kernel "$kimg" --debian-kernel 7.3.4+deb13; want_rc 2 && err_has 'exclude each other'
}
t_missing_qemu() {
	QEMU=$tmp/no-such-qemu rt --kernel "$kimg"
	want_rc 2 && one_line && err_has 'not found: run scripts/setup.sh'
}
t_old_qemu() {
	QEMU=$fake FAKE_QEMU_VERSION=7.2.0 rt --kernel "$kimg"
	want_rc 2 && one_line && err_has 'version 7.2 but >= '
}
t_missing_kernel() {
	QEMU=$fake rt --kernel "$tmp/no-such-Image"; want_rc 2 && one_line && err_has 'no kernel image'
}
t_not_a_kernel() {
	QEMU=$fake rt --kernel "$tmp/notakernel"
	want_rc 2 && one_line && err_has 'is not an arm64 kernel Image'
}
t_no_cross_compiler() {
	CROSS_COMPILE=km-no-such- "$root/run_tests.sh" --kernel "$kimg" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	want_rc 2 && one_line && err_has 'no km-no-such-gcc'
}
t_not_a_kernel_tree() {
	QEMU=$fake rt --kernel-tree "$tmp"; want_rc 2 && err_has 'not a Linux source tree'
}
t_native_not_arm64() {
	[ "$(uname -m)" != aarch64 ] || return 77
	rt --native; want_rc 2 && one_line && err_has 'needs an arm64 host'
}
t_native_not_root() {
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || { why="no setpriv"; return 77; }
		setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null ||
			{ why="setpriv cannot drop to uid 65534"; return 77; }
		KM_HOST_ARCH=aarch64 setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$root/run_tests.sh" --native --no-build >"$tmp/out" 2>"$tmp/err"
	else
		KM_HOST_ARCH=aarch64 "$root/run_tests.sh" --native --no-build >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
	[ "$rc" != 126 ] || { why="uid 65534 cannot run $root/run_tests.sh"; return 77; }
	want_rc 2 && one_line && err_has 'native mode needs root'
}
t_native_no_dev_kvm() {
	[ "$(id -u)" = 0 ] || { why="needs root"; return 77; }
	if [ -e /dev/kvm ]; then
		# Hide /dev/kvm behind a plain file in a private mount namespace.
		command -v unshare >/dev/null || { why="no unshare"; return 77; }
		: > "$tmp/nokvm"
		# shellcheck disable=SC2016
		unshare -m sh -c 'mount --bind "$1" /dev/kvm && shift && exec "$@"' sh "$tmp/nokvm" \
			env KM_HOST_ARCH=aarch64 "$root/run_tests.sh" --native --no-build \
			>"$tmp/out" 2>"$tmp/err"
		rc=$?
		grep -q 'mount\|unshare' "$tmp/err" && { why="cannot hide /dev/kvm: $(cat "$tmp/err")"; return 77; }
	else
		KM_HOST_ARCH=aarch64 rt --native
	fi
	want_rc 3 && one_line && err_has '/dev/kvm is missing'
}
t_guest_pass() {
	QEMU=$fake FAKE_QEMU_MODE=pass rt --kernel "$kimg" --profile max
	want_rc 0 && out_has '^ok 1 FAKE-PASS-01 fake.pass$' &&
		last_is '^1 passed, 0 failed, 0 skipped, 0 xfailed$'
}
t_guest_no_kvm() {
	QEMU=$fake FAKE_QEMU_MODE=nokvm rt --kernel "$kimg" --profile max
	want_rc 3 && out_has 'ERROR: max: /dev/kvm missing: the kernel under test exposes no KVM' &&
		last_is '^0 passed, 1 failed, 0 skipped, 0 xfailed$'
}
t_kernel_panic() {
	QEMU=$fake FAKE_QEMU_MODE=panic rt --kernel "$kimg" --profile max
	want_rc 5 && out_has 'ERROR: max: the kernel panicked: Kernel panic - not syncing: VFS' &&
		last_is '^0 passed, 1 failed'
}
t_qemu_error() {
	QEMU=$fake FAKE_QEMU_MODE=qemu-error rt --kernel "$kimg" --cpu bogus
	want_rc 5 && out_has "QEMU exited with status 1 before the kernel reached /init: .*unable to find CPU model"
}
t_no_exit_line() {
	QEMU=$fake FAKE_QEMU_MODE=no-exit rt --kernel "$kimg" --profile max
	want_rc 5 && out_has 'ended without a result'
}
t_boot_hang() {
	local t0=$SECONDS
	QEMU=$fake FAKE_QEMU_MODE=hang FAKE_QEMU_PIDFILE=$tmp/pids.hang \
		rt --kernel "$kimg" --profile max --boot-timeout 2
	want_rc 5 && out_has 'did not reach /init within 2s' && all_dead "$tmp/pids.hang" &&
		{ [ $((SECONDS - t0)) -le 10 ] || fail "took $((SECONDS - t0))s"; }
}
t_suite_timeout() {
	QEMU=$fake FAKE_QEMU_MODE=suite-hang FAKE_QEMU_PIDFILE=$tmp/pids.suite \
		rt --kernel "$kimg" --profile max --timeout 2
	want_rc 5 && out_has 'ERROR: max: timed out after 2s' && all_dead "$tmp/pids.suite"
}
t_ctrl_c() {	# SIGINT to the runner's process group, as a terminal sends it
	local p left
	mkdir -p "$tmp/ctrlc"
	set -m
	TMPDIR=$tmp/ctrlc QEMU=$fake FAKE_QEMU_MODE=hang FAKE_QEMU_PIDFILE=$tmp/pids.int \
		"$root/run_tests.sh" --no-build --keep-logs "$tmp/logs" --kernel "$kimg" \
		--profiles max,neoverse-n1 -j 2 >"$tmp/out" 2>"$tmp/err" &
	p=$!
	set +m
	for _ in $(seq 50); do
		[ "$(wc -l < "$tmp/pids.int" 2>/dev/null || echo 0)" -ge 2 ] && break
		sleep 0.1
	done
	kill -INT -- "-$p"
	for _ in $(seq 100); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		kill -KILL -- "-$p"
		wait "$p"
		fail "run_tests.sh still running 10s after SIGINT"
		return 1
	fi
	wait "$p"
	rc=$?
	left=$(ls -A "$tmp/ctrlc")
	want_rc 130 && err_has 'interrupted by SIGINT' && all_dead "$tmp/pids.int" &&
		{ [ -z "$left" ] || fail "left behind in TMPDIR: $left"; }
}
t_rule_selection() {
	printf '# a comment\nCAP-CPFN-01\n\nS2MT-*  GMEM-BIND-03\n' > "$tmp/rules.txt"
	QEMU=$fake FAKE_QEMU_MODE=args rt --kernel "$kimg" --profile max \
		--rules 'SMOKE-*,CAP-GMEM-01' --rules "@$tmp/rules.txt" --skip-rules SMOKE-MMIO-02 \
		--skip-rules "$tmp/rules.txt" -- -T 5
	local got f g=/etc/km/rules
	got=$(sed -n 's/^# arg: //p' "$tmp/out" | tr '\n' ' ')
	[ "$got" = "-r SMOKE-*,CAP-GMEM-01 -r @$g/1-rules.txt -x SMOKE-MMIO-02 -x @$g/2-rules.txt -T 5 " ] ||
		fail "suite args: $got" || return 1
	# The suite reads the files in the guest: the host's, unparsed.
	for f in $g/1-rules.txt $g/2-rules.txt; do
		got=$(sed -n "s|^# rules $f: ||p" "$tmp/out")
		[ "$got" = "$(cat "$tmp/rules.txt")" ] || fail "$f in the guest: $got" || return 1
	done
	rt --rules ' , ' --kernel "$kimg"
	want_rc 2 && one_line && err_has "--rules ' , ' names no rule" || return 1
	rt --rules "@$tmp/no-such-rules" --kernel "$kimg"
	want_rc 2 && one_line && err_has "cannot read the rule file '$tmp/no-such-rules'"
}
args_seen() { sed -n 's/^# arg: //p' "$tmp/out" | tr '\n' ' '; }	# what fake-qemu's args mode saw
t_feature_profile() {	# a profile line with rules runs just them, unless told otherwise
	local got
	QEMU=$fake FAKE_QEMU_MODE=args rt --kernel "$kimg" --profile max-numa
	got=$(args_seen)
	want_rc 4 && { [ "$got" = "-r CAP-*,SMOKE-*,GMEM-NUMA-* " ] || fail "suite args: $got"; } ||
		return 1
	QEMU=$fake FAKE_QEMU_MODE=args rt --kernel "$kimg" --profile max-numa --full
	want_rc 4 || return 1
	! grep -q '^# arg: ' "$tmp/out" || fail "--full still limited the rules"
	QEMU=$fake FAKE_QEMU_MODE=args rt --kernel "$kimg" --profile max-numa --rules 'S2MT-*'
	got=$(args_seen)
	want_rc 4 || return 1
	[ "$got" = "-r S2MT-* " ] || fail "--rules did not replace the profile's: $got"
	QEMU=$fake FAKE_QEMU_MODE=args rt --kernel "$kimg" --profiles max,max-numa
	got=$(args_seen)
	[ "$got" = "-r CAP-*,SMOKE-*,GMEM-NUMA-* " ] || fail "max has no rules field: $got"
}
t_parallel_reports() {
	QEMU=$fake FAKE_QEMU_MODE=mixed FAKE_QEMU_FAIL_PROFILE=max rt --kernel "$kimg" \
		--profiles max,neoverse-n1 -j 2 --junit "$tmp/r.xml" --json "$tmp/r.json"
	want_rc 1 || return 1
	last_is '^3 passed, 1 failed, 2 skipped, 2 xfailed$' || return 1
	[ "$(grep -c '^TAP version 13$' "$tmp/out")" = 2 ] || fail "not two KTAP blocks"
	# Each profile's block is contiguous: its header, KTAP, then its summary.
	awk '/^# profile [a-z0-9-]+: -cpu/ { if (cur != "") bad = 1; cur = $3 }
	     /^# profile [a-z0-9-]+: exit/ { if ($3 != cur) bad = 1; cur = "" }
	     END { exit bad }' "$tmp/out" || fail "profile blocks are interleaved"
	out_has '^# FAKE-FAIL-01  *FAIL  *PASS' || return 1
	out_has '^# \[1\] SKIP: FWB absent: ID_AA64MMFR2_EL1.FWB=0' || return 1
	python3 - "$tmp/r.xml" "$tmp/r.json" <<'EOF' || fail "report check: $(cat "$tmp/py.err")"
import json, sys
import xml.etree.ElementTree as ET
x = ET.parse(sys.argv[1]).getroot()
assert x.tag == 'testsuites', x.tag
assert (x.get('tests'), x.get('failures'), x.get('skipped')) == ('8', '1', '4'), x.attrib
f = x.findall(".//testcase[@name='fake.fail']/failure")
assert len(f) == 1 and 'expected 1' in f[0].text, f
j = json.load(open(sys.argv[2]))
assert j['rules']['FAKE-FAIL-01'] == {'max': 'FAIL', 'neoverse-n1': 'PASS'}, j['rules']
assert j['exit'] == 1 and j['totals']['fail'] == 1, (j['exit'], j['totals'])
p = {q['name']: q for q in j['profiles']}
assert p['max']['facts']['fwb'] == '1' and p['max']['facts']['kvm_mode'] == 'vhe'
assert p['max']['timing']['boot_ms'] is not None
EOF
}
# The test modules: the ones built for the kernel under test, by vermagic.
# A fake build directory ($O) with a fake suite and fake modules, and a fake
# Image whose version string is 7.9.9-fake.
kmod_setup() {
	local o=$tmp/o
	rm -rf "$o"
	mkdir -p "$o/kmod/7.9.9-fake" "$o/kmod/7.8.0-other"
	printf '#!/bin/sh\nexit 0\n' > "$o/memattr"
	chmod +x "$o/memattr"
	fake_ko "$o/kmod/7.9.9-fake/memattr_pfnmap.ko" 7.9.9-fake
	fake_ko "$o/kmod/7.9.9-fake/memattr_s2desc.ko" 7.9.9-fake
	fake_ko "$o/kmod/7.8.0-other/memattr_pfnmap.ko" 7.8.0-other
	kimg_v=$tmp/Image-7.9.9
	{ head -c 56 /dev/zero; printf 'ARMd'; head -c 64 /dev/zero
	  printf 'Linux version 7.9.9-fake (fake@runner) #1 SMP\n'; } > "$kimg_v"
}
fake_ko() {	# fake_ko FILE RELEASE: a file whose .modinfo-like bytes carry a vermagic
	{ printf 'junk\0license=GPL\0vermagic=%s SMP mod_unload aarch64\0' "$2"
	  head -c 64 /dev/zero; } > "$1"
}
t_kmod_by_vermagic() {
	kmod_setup
	O=$tmp/o QEMU=$fake FAKE_QEMU_MODE=modules rt --kernel "$kimg_v" --profile max
	want_rc 4 && out_has '^# kvm-memattr: test modules memattr_pfnmap, memattr_s2desc (vermagic 7.9.9-fake ' &&
		out_has '^# module: /lib/modules/km/memattr_pfnmap.ko vermagic=7.9.9-fake ' &&
		out_has '^# module: /lib/modules/km/memattr_s2desc.ko vermagic=7.9.9-fake ' || return 1
	! grep -q '7.8.0-other\|kmod-why' "$tmp/out" || fail "another kernel's module, or a reason, went along"
}
t_kmod_none_for_kernel() {	# --kernel without --kdir and nothing built for it: said once, then run
	kmod_setup
	rm -rf "$tmp/o/kmod/7.9.9-fake"
	O=$tmp/o QEMU=$fake FAKE_QEMU_MODE=modules rt --kernel "$kimg_v" --profile max
	want_rc 4 && err_has 'no test modules: no test module built for kernel 7.9.9-fake: --kernel IMAGE without --kdir' &&
		out_has '^# kmod-why: no test module built for kernel 7.9.9-fake' &&
		out_has '^# kvm-memattr: test modules: none (' || return 1
	[ "$(grep -c 'no test modules' "$tmp/err")" = 1 ] || fail "not said once"
	! grep -q '^# module: .*memattr' "$tmp/out" || fail "a test module went along"
}
t_kmod_wrong_vermagic() {	# a module for another kernel in this kernel's directory: one ERROR line
	kmod_setup
	fake_ko "$tmp/o/kmod/7.9.9-fake/memattr_s2desc.ko" 7.8.0-other
	O=$tmp/o QEMU=$fake FAKE_QEMU_MODE=modules rt --kernel "$kimg_v" --profile max
	want_rc 2 && one_line &&
		err_has '^# ERROR: test modules: .*memattr_s2desc.ko is for kernel 7.8.0-other, not 7.9.9-fake'
}
t_kmod_no_kmod() {
	kmod_setup
	O=$tmp/o QEMU=$fake FAKE_QEMU_MODE=modules rt --kernel "$kimg_v" --profile max --no-kmod
	want_rc 4 && out_has '^# kmod-why: run_tests.sh --no-kmod' || return 1
	! grep -q '^# module: .*memattr' "$tmp/out" || fail "a test module went along"
}
t_kmod_kdir_needs_kernel() {
	rt --debian-kernel 7.3.4+deb13 --kdir "$tmp"; want_rc 2 && one_line && err_has '--kdir names the build directory'
}
t_kmod_build_failure() {	# build-kmod.sh: a tree whose build fails is one line naming the error
	local k=$tmp/badtree
	mkdir -p "$k/include/generated" "$k/include/config"
	echo '#define UTS_RELEASE "7.9.9-bad"' > "$k/include/generated/utsrelease.h"
	: > "$k/include/config/auto.conf"
	: > "$k/Module.symvers"
	printf 'modules:\n\t@echo "memattr_pfnmap.c:1:1: error: fake failure" >&2; exit 1\n' > "$k/Makefile"
	"$root/scripts/build-kmod.sh" -o "$tmp/kmodout" --kdir "$k" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	want_rc 2 && one_line && err_has 'failed: memattr_pfnmap.c:1:1: error: fake failure (see .*build.log)' &&
		{ [ ! -s "$tmp/out" ] || fail "stdout not empty"; }
}
t_kmod_release_of_tree() {	# the release comes from UTS_RELEASE (Debian 6.1's kernel.release differs)
	local k=$tmp/reltree
	mkdir -p "$k/include/generated" "$k/include/config"
	echo '#define UTS_RELEASE "6.1.0-50-arm64"' > "$k/include/generated/utsrelease.h"
	echo '6.1.176' > "$k/include/config/kernel.release"
	: > "$k/include/config/auto.conf"
	: > "$k/Makefile"
	"$root/scripts/build-kmod.sh" --release --kdir "$k" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	want_rc 0 && [ "$(cat "$tmp/out")" = 6.1.0-50-arm64 ] || fail "release '$(cat "$tmp/out")'"
}
t_kernel_spec() {	# Debian kernel names: version, flavour, complete or not
	local got
	got=$(. "$root/scripts/common.sh"
	      for s in 7.3.4+deb13 7.3.4+deb13-cloud-arm64 6.1.0-50 6.1.0-50-cloud 6.12.117 6.12.117+deb13-rt-arm64; do
		read -r v f <<< "$(km_kernel_spec "$s")"
		km_full_version "$v" && c=full || c=short
		printf '%s/%s/%s ' "$v" "$f" "$c"
	      done)
	[ "$got" = "7.3.4+deb13/arm64/full 7.3.4+deb13/cloud-arm64/full 6.1.0-50/arm64/full 6.1.0-50/cloud-arm64/full 6.12.117/arm64/short 6.12.117+deb13/rt-arm64/full " ] ||
		fail "got: $got"
}
have_real() {	# the real kernel, QEMU and suite binary are set up
	local k
	k=$(. "$root/scripts/common.sh" && echo "$(km_kernel_dir "$KM_DEFAULT_KERNEL")/Image")
	[ -f "$k" ] || { why="no cached kernel (scripts/setup.sh)"; return 77; }
	command -v qemu-system-aarch64 >/dev/null || { why="no QEMU"; return 77; }
	[ -x "$root/build/memattr" ] || { why="no build/memattr (make)"; return 77; }
}
t_real_kernel_panic() {	# a real boot: no /init to run, no root fs: the kernel panics
	have_real || return 77
	rt --profile max --append rdinit=/no-such-init
	want_rc 5 && out_has 'ERROR: max: the kernel panicked: Kernel panic - not syncing: '
}
t_real_insmod_failure() {	# a real boot where the kernel refuses the unsigned test module
	have_real || return 77
	local rel=7.3.4+deb13-arm64
	[ -f "$root/build/kmod/$rel/memattr_pfnmap.ko" ] ||
		{ why="no build/kmod/$rel/memattr_pfnmap.ko (make kmod)"; return 77; }
	rt --profile max --append module.sig_enforce=1 -- -r PFNMAP-KMOD-03
	want_rc 4 && out_has '^# guest-init: memattr_pfnmap.ko: insmod failed: .*; kernel: .*' &&
		out_has '^ok 1 PFNMAP-KMOD-03 .* # SKIP test module not loaded: insmod failed: '
}
t_real_kernel_without_kvm() {	# a real boot: kvm-arm.mode=none leaves no /dev/kvm
	have_real || return 77
	rt --profile max --append kvm-arm.mode=none -- -t CAP-GMEM-01
	want_rc 3 && out_has 'ERROR: max: /dev/kvm missing: the kernel under test exposes no KVM'
}

cases=$(declare -F | sed -n 's/^declare -f t_//p')
sel=()
for c in $cases; do
	# shellcheck disable=SC2053
	[[ $c == $only ]] && sel+=("$c")
done
echo "TAP version 13"
echo "1..${#sel[@]}"
n=0 npass=0 nfail=0 nskip=0
for c in ${sel[@]+"${sel[@]}"}; do
	n=$((n + 1)) why="" rc=""
	t0=$SECONDS
	"t_$c" 2>"$tmp/py.err"
	st=$?
	dt=$((SECONDS - t0))
	if [ "$st" = 0 ]; then
		echo "ok $n $c"
		npass=$((npass + 1))
	elif [ "$st" = 77 ]; then
		echo "ok $n $c # SKIP $why"
		nskip=$((nskip + 1))
	else
		echo "not ok $n $c # $why"
		nfail=$((nfail + 1))
	fi
	if [ "$st" != 0 ] && [ "$st" != 77 ] || [ "$verbose" = 1 ]; then
		sed 's/^/#   out| /' "$tmp/out" 2>/dev/null | tail -n 15
		sed 's/^/#   err| /' "$tmp/err" 2>/dev/null | tail -n 5
	fi
	[ "$dt" -lt 15 ] || echo "# $c took ${dt}s"
	rm -f "$tmp/out" "$tmp/err"
done
echo "# runner tests: $npass passed, $nfail failed, $nskip skipped"
[ "$nfail" = 0 ]
