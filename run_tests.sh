#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kvm-memattr suite: natively on an arm64 host with /dev/kvm, else in
# an arm64 guest under QEMU TCG (virtualization=on) on one or more CPU profiles.
#
# Usage: ./run_tests.sh [options] [-- suite-args...]
#  Where:
#   --qemu              use QEMU even on an arm64 host with KVM
#   --native            run build/memattr on this host (arm64, root, /dev/kvm)
#   --profile NAME      a profile from the file `profiles` (repeatable)
#   --profiles LIST     comma-separated profile names, or "all"
#   --cpu MODEL         an ad-hoc profile: a raw QEMU -cpu value
#   --list-profiles     print the profiles and exit
#   --full              run the whole suite on feature profiles too (those
#                       whose `profiles` line names the rules they are for)
#   -j, --jobs N        profiles booted at once (default: the number of CPUs)
#  Kernel under test (QEMU; one of the first three, default the cached Debian
#  $KM_DEFAULT_KERNEL from scripts/setup.sh):
#   --kernel IMAGE      an arm64 kernel Image
#   --debian-kernel VER a Debian arm64 kernel (e.g. 7.2.13+deb14 or 6.12.107),
#                       fetched with scripts/setup.sh when not in the cache
#   --kernel-tree DIR   build an Image from a kernel source tree (with the
#                       suite's `config` merged; scripts/build-kernel.sh), cached
#   --kernel-config B   the base configuration for --kernel-tree: alldefconfig
#                       (default), defconfig, or a .config file
#   --page-size SZ      the page size of the --kernel-tree kernel: 4K
#                       (default), 16K or 64K
#   --modules DIR       the modules tree (lib/modules/VER) of that kernel, for
#                       tests that load modules (default: next to the Image)
#   --kdir DIR          the build directory of the --kernel IMAGE (configured,
#                       with Module.symvers), to build the test modules
#                       against; with --native, of the running kernel
#   --no-kmod           no test modules (kmod/): their rows skip
#   --append ARGS       extra guest kernel command line
#   --qemu-arg ARG      one extra QEMU argument (repeatable), e.g.
#                       --qemu-arg -machine --qemu-arg mte=on
#  Selection (passed to the suite):
#   --rules LIST        only these rule IDs (globs), separated by commas or
#                       blanks, or a file of them (FILE or @FILE, any number a
#                       line, '#' comments; under QEMU the guest gets a copy)
#   --skip-rules LIST   leave out these rule IDs (globs), same forms
#  Reports:
#   --junit FILE        JUnit XML, one testsuite per profile
#   --json FILE         JSON: facts, timings, every case, the rule table
#   --no-table          no rule x profile table at the end
#  Limits and logs:
#   --timeout SECS      limit for each boot, suite included (default 900)
#   --boot-timeout SECS limit for the kernel to reach /init (default 120)
#   --memory SIZE       guest memory (default 2G; 4G with --page-size 64K)
#   --smp N             guest CPUs (default 2)
#   --keep-logs DIR     where console logs, KTAP, results.json and junit.xml
#                       go (default build/logs)
#   --initrd FILE       boot this initramfs as it is (benchmarks, debugging)
#   --no-build          do not build first: neither the suite (make) nor the
#                       test modules (those in build/kmod/<release>/ are used)
#   -h, --help          this text
# Suite arguments after "--" go to memattr unchanged (e.g. -- -t caps).
# Environment: QEMU (the qemu-system-aarch64 binary), KM_CACHE, O (build
# dir), CROSS_COMPILE.  Needs bash >= 5.1 and python3 (scripts/report.py).
#
# Output: a "# " header (QEMU, kernel); each profile's KTAP on stdout as a
# block (as it comes with one job, when the profile ends with several), then
# the profile facts and the rule x profile table as "# " lines; the last
# line is "N passed, N failed, N skipped, N xfailed" over all profiles.
# Test modules (kmod/, scripts/build-kmod.sh): built for the kernel under
# test into build/kmod/<its uname -r>/ and chosen by their vermagic: against
# Debian's headers (--debian-kernel, the default kernel), the tree's build
# directory (--kernel-tree), --kdir (with --kernel), the running kernel's
# (natively).  --kernel without --kdir: only modules built before for that
# release.  A module that does not build is one "# ERROR: test modules: ..."
# line and exit 2 (--no-kmod runs without them).
# Exit: 0 pass, 1 a case failed, 2 usage error or incomplete setup (or a
# build failed), 3 no KVM in the kernel under test, 4 everything skipped,
# 5 no result from a guest (kernel panic, hang, timeout, QEMU error).
# Profiles that disagree:
# 1 if any ended other than 0 or 4, else 0.  130/143: interrupted.

# The steps are in scripts/run/; this file reads the options and calls them
# in order.  options.bash: checks, rule selection, profiles; kmod.bash: the
# test modules; kernel.bash: QEMU and the kernel under test; initramfs.bash:
# the guest's archive with the suite's arguments; boot.bash: one profile;
# schedule.bash: many (-j), signals; native.bash: the suite on this host;
# results.bash: result files, exit code, scripts/report.py.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=run_tests.sh
for m in common.sh run/options.bash run/kmod.bash run/kernel.bash run/initramfs.bash \
	 run/boot.bash run/schedule.bash run/native.bash run/results.bash; do
	[ -r "$root/scripts/$m" ] ||
		{ echo "$prog: no $root/scripts/$m: an incomplete copy (make install copies scripts/)" >&2; exit 2; }
	# shellcheck source=/dev/null
	. "$root/scripts/$m"
done

mode=auto
build=1
profile_names=()
user_qemu_args=()
adhoc_cpus=()
kernel=""
debian_kernel=""
kernel_tree=""
kernel_config=alldefconfig page_size=4K
modules_dir="" kdir_opt=""
no_kmod=0
user_append=""
timeout=900
boot_timeout=120
memory=""
smp=2
jobs=""
logdir=""
list_profiles=0
full=0
suite_args=()
rule_specs=()
skip_specs=()
junit=""
json=""
table=1
user_initrd=""
heartbeat=${KM_HEARTBEAT:-60}

# wait -n -p (the parallel profiles) is bash 5.1.
[ "${BASH_VERSINFO[0]}${BASH_VERSINFO[1]}" -ge 51 ] 2>/dev/null ||
	{ echo "$prog: needs bash >= 5.1 (this is $BASH_VERSION)" >&2; exit 2; }

while [ $# -gt 0 ]; do
	opt=$1
	case "$opt" in
	--*=*) set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; continue ;;
	esac
	case "$opt" in
	--qemu) mode=qemu; shift ;;
	--native) mode=native; shift ;;
	--profile) need_arg "$opt" $#; profile_names+=("$2"); shift 2 ;;
	--profiles)
		need_arg "$opt" $#
		IFS=, read -r -a _p <<< "$2"
		profile_names+=(${_p[@]+"${_p[@]}"}); shift 2 ;;
	--cpu) need_arg "$opt" $#; adhoc_cpus+=("$2"); shift 2 ;;
	--list-profiles) list_profiles=1; shift ;;
	--full) full=1; shift ;;
	-j|--jobs) need_arg "$opt" $#; jobs=$2; shift 2 ;;
	--kernel) need_arg "$opt" $#; kernel=$2; shift 2 ;;
	--debian-kernel) need_arg "$opt" $#; debian_kernel=$2; shift 2 ;;
	--kernel-tree) need_arg "$opt" $#; kernel_tree=$2; shift 2 ;;
	--kernel-config) need_arg "$opt" $#; kernel_config=$2; shift 2 ;;
	--page-size) need_arg "$opt" $#; page_size=$2; shift 2 ;;
	--modules) need_arg "$opt" $#; modules_dir=$2; shift 2 ;;
	--kdir) need_arg "$opt" $#; kdir_opt=$2; shift 2 ;;
	--no-kmod) no_kmod=1; shift ;;
	--append) need_arg "$opt" $#; user_append+=" $2"; shift 2 ;;
	--qemu-arg) need_arg "$opt" $#; user_qemu_args+=("$2"); shift 2 ;;
	--rules) need_arg "$opt" $#; rule_specs+=("$2"); shift 2 ;;
	--skip-rules) need_arg "$opt" $#; skip_specs+=("$2"); shift 2 ;;
	--junit) need_arg "$opt" $#; junit=$2; shift 2 ;;
	--json) need_arg "$opt" $#; json=$2; shift 2 ;;
	--no-table) table=0; shift ;;
	--timeout) need_arg "$opt" $#; timeout=$2; shift 2 ;;
	--boot-timeout) need_arg "$opt" $#; boot_timeout=$2; shift 2 ;;
	--memory) need_arg "$opt" $#; memory=$2; shift 2 ;;
	--smp) need_arg "$opt" $#; smp=$2; shift 2 ;;
	--keep-logs) need_arg "$opt" $#; logdir=$2; shift 2 ;;
	--initrd) need_arg "$opt" $#; user_initrd=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	-h|--help) awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; suite_args=("$@"); break ;;
	*) usage_err "unknown option '$opt'" ;;
	esac
done
user_append=${user_append# }

check_options
select_rules
load_profiles
[ "$list_profiles" = 0 ] || { print_profiles; exit 0; }
select_profiles
choose_mode
check_reports
find_suite
[ "$mode" != native ] || native_checks
build_suite
start_run

[ "$mode" != native ] || { run_native; finish_run; }
check_qemu
prepare_kernel
# The test modules built for this kernel (none with --initrd: the archive
# is the user's).
[ -n "$user_initrd" ] || kmod_prepare "$kver" "${kmod_args[@]}"
prepare_initramfs
print_header
run_profiles
finish_run
