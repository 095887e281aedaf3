#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the time of a run goes, per profile, against the budget: one
# profile <= 20 s wall, the whole matrix <= 2 min, boot to the first test
# within 1.5x of a bare kernel boot (an initramfs whose /init powers off at
# once: the floor no suite can beat).  Each measurement is repeated and the
# median reported; the machine may be shared, so look at the spread too.
#
# Usage: scripts/bench.sh [options] [-- run_tests.sh options]
#   --profiles LIST   profiles to measure one by one (default: all)
#   --matrix LIST     the profiles of the matrix run (default: the same)
#   --repeat N        repetitions of every measurement (default 3)
#   --json FILE       where the results go (default build/bench.json)
#   --no-matrix       skip the matrix runs
# Options after "--" go to every run_tests.sh call (e.g. --kernel IMAGE,
# --memory 1G).  make bench runs this with BENCH_ARGS.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/common.sh
. "$here/common.sh"

profiles=all
matrix=""
repeat=3
out=$root/build/bench.json
do_matrix=1
rt_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--profiles) profiles=$2; shift 2 ;;
	--matrix) matrix=$2; shift 2 ;;
	--repeat) repeat=$2; shift 2 ;;
	--json) out=$2; shift 2 ;;
	--no-matrix) do_matrix=0; shift ;;
	-h|--help) sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; rt_args=("$@"); break ;;
	*) km_die 2 "bench.sh: unknown option '$1' (see --help)" ;;
	esac
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || km_die 2 "bench.sh: --repeat wants a number"
matrix=${matrix:-$profiles}
command -v python3 >/dev/null || km_die 2 "bench.sh: needs python3 (run scripts/setup.sh)"

if [ "$profiles" = all ]; then
	profiles=$(km_profiles "$root/profiles" | cut -f1 | paste -sd, -)
fi
IFS=, read -r -a plist <<< "$profiles"

work=$(mktemp -d "${TMPDIR:-/tmp}/km-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The floor: the same kernel and QEMU, an initramfs with busybox and an /init
# that only says it started and powers off (after the same UART drain as
# guest-init.sh: without it the last line can be lost).
cat > "$work/bare-init" <<'EOF'
#!/bin/sh
echo KM-BEGIN
echo KM-EXIT=0
/bin/busybox stty -echo 2>/dev/null || /bin/busybox sleep 0.2
/bin/busybox poweroff -f
EOF
: > "$work/empty"
"$here/mkinitramfs.sh" -o "$work/bare.cpio" --init "$work/bare-init" --suite "$work/empty" ||
	km_die 2 "bench.sh: cannot build the bare initramfs"

make -s -C "$root" all >&2 || km_die 2 "bench.sh: make failed"
rt() {	# rt TAG ARGS...: one run_tests.sh call, its JSON kept as $work/TAG.json
	local tag=$1 rc
	shift
	"$root/run_tests.sh" --no-build --no-table --keep-logs "$work/logs" --json "$work/$tag.json" \
		${rt_args[@]+"${rt_args[@]}"} "$@" > "$work/$tag.out" 2>&1
	rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 4 ] ||
		echo "# bench: $tag exited $rc (see the table; $(tail -n1 "$work/$tag.out"))" >&2
}

# The initramfs of the suite is the one run_tests.sh builds; its size is part
# of the boot cost, so report it.
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for ((i = 1; i <= repeat; i++)); do
	for p in "${plist[@]}"; do
		echo "# bench: round $i/$repeat, $p: bare boot, then the suite" >&2
		rt "bare.$p.$i" --profile "$p" --initrd "$work/bare.cpio"
		rt "suite.$p.$i" --profile "$p" -j 1
	done
	if [ "$do_matrix" = 1 ]; then
		echo "# bench: round $i/$repeat, matrix $matrix" >&2
		rt "matrix.$i" --profiles "$matrix"
	fi
done

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$work" "$out" "$repeat" "$matrix" "$root/build/initramfs.cpio" \
	"$work/bare.cpio" "$load_start" "$load_end" "${plist[@]}" <<'EOF'
import json, os, statistics, sys

work, out, repeat, matrix, initrd, bare_initrd, load_start, load_end = sys.argv[1:9]
plist = sys.argv[9:]
repeat = int(repeat)

def load(tag):
    try:
        with open(os.path.join(work, tag + '.json')) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None

def spread(xs):
    xs = [x for x in xs if x is not None]
    return (min(xs), max(xs)) if xs else (None, None)

def s(ms):
    return '-' if ms is None else '%.1f' % (ms / 1000.0)

rows, res = [], {'repeat': repeat, 'profiles': {}, 'matrix': None,
                 'initramfs_bytes': os.path.getsize(initrd) if os.path.exists(initrd) else None,
                 'bare_initramfs_bytes': os.path.getsize(bare_initrd),
                 'loadavg_start': load_start, 'loadavg_end': load_end, 'cpus': os.cpu_count()}
for p in plist:
    bare, suite = [], []
    for i in range(1, repeat + 1):
        b, t = load('bare.%s.%d' % (p, i)), load('suite.%s.%d' % (p, i))
        if b and b['profiles']:
            bare.append(b['profiles'][0])
        if t and t['profiles']:
            suite.append(t['profiles'][0])
    m = {
        'bare_boot_ms': med([b['timing']['boot_ms'] for b in bare]),
        'bare_total_ms': med([b['timing']['total_ms'] for b in bare]),
        'boot_ms': med([t['timing']['boot_ms'] for t in suite]),
        'first_test_ms': med([t['timing']['first_test_ms'] for t in suite]),
        'suite_ms': med([t['timing']['suite_ms'] for t in suite]),
        'teardown_ms': med([t['timing']['teardown_ms'] for t in suite]),
        'total_ms': med([t['timing']['total_ms'] for t in suite]),
        'total_range_ms': spread([t['timing']['total_ms'] for t in suite]),
        'bare_total_range_ms': spread([b['timing']['total_ms'] for b in bare]),
        'cases': suite[0]['totals'] if suite else None,
        'exit': [t['exit'] for t in suite],
    }
    ft, bt = m['first_test_ms'], m['bare_total_ms']
    m['boot_overhead'] = round(ft / bt, 2) if ft and bt else None
    res['profiles'][p] = m
    rows.append(m)

mx = [load('matrix.%d' % i) for i in range(1, repeat + 1)]
mx = [x for x in mx if x]
if mx:
    res['matrix'] = {'profiles': matrix, 'wall_ms': med([x['wall_ms'] for x in mx]),
                     'wall_range_ms': spread([x['wall_ms'] for x in mx]),
                     'exit': [x['exit'] for x in mx]}

print('kvm-memattr bench: medians of %d run(s), seconds; %d CPUs, load average %s at the'
      ' start, %s at the end' % (repeat, os.cpu_count(), load_start, load_end))
hdr = ('profile', 'bare', 'boot', '1st test', 'suite', 'teardown', 'total', 'min-max',
       'overhead')
print('%-12s %6s %6s %8s %6s %8s %6s %11s %8s' % hdr)
for p in plist:
    m = res['profiles'][p]
    lo, hi = m['total_range_ms']
    print('%-12s %6s %6s %8s %6s %8s %6s %11s %8s' % (
        p, s(m['bare_total_ms']), s(m['boot_ms']), s(m['first_test_ms']), s(m['suite_ms']),
        s(m['teardown_ms']), s(m['total_ms']), '%s-%s' % (s(lo), s(hi)),
        '-' if m['boot_overhead'] is None else '%.2fx' % m['boot_overhead']))
print('(bare: QEMU start to exit with an /init that powers off; boot: to /init starting the'
      ' suite; 1st test: to the first case; overhead: 1st test / bare)')
ok = True
worst = max((m['total_ms'] or 0) for m in res['profiles'].values())
print('target: one profile <= 20 s: worst median %s s: %s' % (s(worst), 'met' if worst <= 20000
                                                              else 'MISSED'))
ok &= worst <= 20000
ovs = [m['boot_overhead'] for m in res['profiles'].values() if m['boot_overhead']]
if ovs:
    print('target: boot overhead <= 1.5x: worst %.2fx: %s' % (max(ovs), 'met' if max(ovs) <= 1.5
                                                              else 'MISSED'))
    ok &= max(ovs) <= 1.5
if res['matrix']:
    w = res['matrix']['wall_ms']
    lo, hi = res['matrix']['wall_range_ms']
    print('target: matrix (%s) <= 120 s: median %s s (%s-%s): %s' % (
        matrix, s(w), s(lo), s(hi), 'met' if w <= 120000 else 'MISSED'))
    ok &= w <= 120000
if res['initramfs_bytes']:
    print('initramfs: suite %d KiB, bare %d KiB' % (res['initramfs_bytes'] // 1024,
                                                    res['bare_initramfs_bytes'] // 1024))
res['targets_met'] = bool(ok)
os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
with open(out, 'w') as f:
    json.dump(res, f, indent=1)
    f.write('\n')
print('written: %s' % out)
EOF
