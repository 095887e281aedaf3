#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reports of a kvm-memattr run: tallies, the per-rule table, JUnit XML and JSON.

run_tests.sh writes, for every profile it ran, a result file (key=value
lines: name, cpu, rc, note, timings, the path of its KTAP) and a stamped
copy of its KTAP ("<ms since QEMU started>\t<line>").  This script is the
one reader of that KTAP: it reads them back, in the order listed in
RESULTS/order, and writes:

  --summary NAME the line that ends profile NAME's block: "# profile NAME:
                 exit RC, TIME (boot TIME; N passed, N failed, N skipped,
                 N xfailed; note)", without the counts with --raw
  --table        the profile facts and the rule x profile table, as KTAP
                 diagnostic ("# ") lines, on stdout
  --junit FILE   JUnit XML: one <testsuite> per profile, one <testcase> per
                 case (a profile without a result is one <error> case)
  --json FILE    everything above, machine-readable
  --closing      after the rest, the run's last lines: "# all profiles: TIME
                 wall, exit RC" (with more than one profile), then
                 "N passed, N failed, N skipped, N xfailed" over all profiles

A report file that cannot be written is one "# report.py: " line on stderr
and exit 2 (the closing lines still come, with that exit code).

Only the Python standard library is used.
"""
import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

RESULT_RE = re.compile(r'^(not )?ok (\d+) (\S+) (\S+)(?: # (.*))?$')
RUN_RE = re.compile(r'^# RUN (\S+) (\S+) \.\.\.$')
TOTALS_RE = re.compile(r'^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) '
                       r'error:(\d+)')
FACT_RES = {
    'kernel': re.compile(r'^# kernel: (\S+)'),
    'midr': re.compile(r'^# MIDR_EL1=(0x[0-9a-fA-F]+) \(vcpu\)'),
    'id_aa64mmfr2': re.compile(r'^# ID_AA64MMFR2_EL1=(0x[0-9a-fA-F]+)'),
    'fwb': re.compile(r'^# ID_AA64MMFR2_EL1=\S+ FWB=(\d+)'),
    'ctr_el0': re.compile(r'^# CTR_EL0=(0x[0-9a-fA-F]+)'),
    'dic': re.compile(r'^# CTR_EL0=.* DIC=(\d+)'),
    'idc': re.compile(r'^# CTR_EL0=.* IDC=(\d+)'),
    'kvm_mode': re.compile(r'^# KVM: mode=(\S+)'),
    'ipa_limit': re.compile(r'^# KVM: .*ipa_limit=(-?\d+)'),
    'caps': re.compile(r'^# KVM caps: (.*)$'),
}
VERDICTS = ('FAIL', 'XPASS', 'XFAIL', 'SKIP', 'PASS')


def read_result(path):
    res = {}
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            key, sep, val = line.rstrip('\n').partition('=')
            if sep:
                res[key] = val
    return res


# A profile's exit code (the suite's, or the runner's 5: no result) -> its result.
RESULTS = {0: 'PASS', 1: 'FAIL', 2: 'USAGE', 3: 'NOKVM', 4: 'SKIP'}


def result_of(rc):
    return '' if rc is None else RESULTS.get(rc, 'NORESULT')


def verdict_of(ok, directive):
    d = directive or ''
    if not ok:
        return 'FAIL'
    for v in ('SKIP', 'XFAIL', 'XPASS'):
        if d == v or d.startswith(v + ' '):
            return v
    return 'PASS'


def reason_of(verdict, directive):
    d = directive or ''
    if verdict in ('SKIP', 'XFAIL', 'XPASS'):
        return d[len(verdict):].strip()
    return d


def parse_ktap(path):
    """Cases, header facts, whole-run notes, plan, the suite's own totals
    (its last "# Totals:" line, as ints) and the time of its first case."""
    facts, cases, notes = {}, [], []
    pending_log, run_ms, plan, totals, first_ms = [], None, None, None, None
    if not path or not os.path.exists(path):
        return facts, cases, notes, plan, totals, first_ms
    with open(path, encoding='utf-8', errors='replace') as f:
        for raw in f:
            raw = raw.rstrip('\n')
            ms, sep, line = raw.partition('\t')
            if not sep:
                ms, line = '', raw
            t = int(ms) if ms.isdigit() else None
            m = TOTALS_RE.match(line)
            if m:
                totals = [int(g) for g in m.groups()]
            if first_ms is None and line.startswith('# RUN'):
                first_ms = t
            line = line.strip()
            if plan is None:
                for key, rx in FACT_RES.items():
                    m = rx.match(line)
                    if m and key not in facts:
                        facts[key] = m.group(1)
            m = re.match(r'^1\.\.(\d+)(?: # SKIP (.*))?$', line)
            if m:
                plan = int(m.group(1))
                if m.group(2):
                    notes.append('SKIP ' + m.group(2))
                continue
            if line.startswith('Bail out!'):
                notes.append(line)
                continue
            m = RUN_RE.match(line)
            if m:
                pending_log, run_ms = [], t
                continue
            m = RESULT_RE.match(line)
            if m:
                ok = not m.group(1)
                directive = m.group(5) or ''
                v = verdict_of(ok, directive)
                cases.append({
                    'num': int(m.group(2)), 'rule': m.group(3), 'name': m.group(4),
                    'verdict': v, 'reason': reason_of(v, directive),
                    'time_ms': (t - run_ms) if t is not None and run_ms is not None
                    else None,
                    'log': pending_log,
                })
                pending_log, run_ms = [], None
                continue
            if line.startswith('# ') and plan is not None and not line.startswith('# Totals:'):
                pending_log.append(line[2:])
    return facts, cases, notes, plan, totals, first_ms


def to_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def load(results_dir, only=None):
    order = []
    with open(os.path.join(results_dir, 'order'), encoding='utf-8') as f:
        order = [l.strip() for l in f if l.strip() and only in (None, l.strip())]
    profiles = []
    for name in order:
        rpath = os.path.join(results_dir, name + '.result')
        res = read_result(rpath) if os.path.exists(rpath) else {'name': name, 'rc': '',
                                                                 'note': 'not run'}
        facts, cases, notes, plan, suite_totals, first_ms = parse_ktap(res.get('stamps'))
        timing = {k: to_int(res.get(k)) for k in
                  ('boot_ms', 'suite_ms', 'teardown_ms', 'total_ms')}
        timing['first_test_ms'] = first_ms
        totals = {v.lower(): sum(1 for c in cases if c['verdict'] == v) for v in VERDICTS}
        profiles.append({
            'name': name, 'cpu': res.get('cpu', ''), 'description': res.get('desc', ''),
            'cmdline_extra': res.get('extra', ''), 'qemu_args': res.get('qargs', ''),
            'exit': to_int(res.get('rc')), 'note': res.get('note', ''),
            'result': result_of(to_int(res.get('rc'))), 'console_log': res.get('log', ''),
            'ktap': res.get('ktap', ''), 'timing': timing, 'facts': facts,
            'plan': plan, 'notes': notes, 'totals': totals, 'cases': cases,
            'tally': tally(to_int(res.get('rc')), suite_totals),
        })
    return profiles


def tally(rc, suite_totals):
    """[passed, failed, skipped, xfailed] of one profile, from the suite's
    own "# Totals:" line (xpass counts as passed, error as failed).  A
    failing run that reported no failing case still counts once."""
    p, f, x, xp, s, e = suite_totals or (0,) * 6
    counts = [p + xp, f + e, s, x]
    if rc not in (0, 4) and counts[1] == 0:
        counts[1] = 1
    return counts


def tally_text(counts):
    return '%d passed, %d failed, %d skipped, %d xfailed' % tuple(counts)


def tenths(ms):
    """12.3s, truncated, as the runner's own times are."""
    return '%d.%ds' % (ms // 1000, ms % 1000 // 100)


def summary_line(p, raw):
    t = p['timing']
    detail = 'boot none' if t['boot_ms'] is None else 'boot ' + tenths(t['boot_ms'])
    if not raw:
        detail += '; ' + tally_text(p['tally'])
    if p['note']:
        detail += '; ' + p['note']
    return '# profile %s: exit %s, %s (%s)' % (p['name'], '' if p['exit'] is None else p['exit'],
                                              tenths(t['total_ms'] or 0), detail)


def closing_lines(profiles, meta, out):
    if len(profiles) != 1:
        out.write('# all profiles: %s wall, exit %s\n' % (tenths(meta.get('wall_ms') or 0),
                                                         meta.get('exit')))
    counts = [sum(p['tally'][i] for p in profiles) for i in range(4)]
    out.write(tally_text(counts) + '\n')


def cell(cases, footnotes):
    """One table cell: the verdict of a rule's cases on one profile."""
    if not cases:
        return ''
    counts = {v: sum(1 for c in cases if c['verdict'] == v) for v in VERDICTS}
    present = [v for v in VERDICTS if counts[v]]
    if len(present) == 1:
        text = present[0]
    elif counts['FAIL']:
        text = 'FAIL %d/%d' % (counts['FAIL'], len(cases))
    else:
        text = '+'.join(present)
    refs = []
    for c in cases:
        if c['verdict'] in ('SKIP', 'XFAIL', 'XPASS') and c['reason']:
            key = c['verdict'] + ': ' + c['reason']
            if key not in footnotes:
                footnotes.append(key)
            n = footnotes.index(key) + 1
            if n not in refs:
                refs.append(n)
    if refs:
        text += '[' + ','.join(str(n) for n in refs) + ']'
    return text


def rule_table(profiles):
    rules = []
    for p in profiles:
        for c in p['cases']:
            if c['rule'] not in rules:
                rules.append(c['rule'])
    footnotes, rows = [], []
    for r in rules:
        rows.append([r] + [cell([c for c in p['cases'] if c['rule'] == r], footnotes)
                           for p in profiles])
    return rules, rows, footnotes


def secs(ms):
    return '-' if ms is None else '%.1fs' % (ms / 1000.0)


def print_table(profiles, out):
    def emit(s=''):
        out.write(('# ' + s).rstrip() + '\n')

    emit('profile facts (from the suite\'s header in each guest):')
    hdr = ['profile', '-cpu', 'kernel', 'KVM', 'MIDR_EL1', 'FWB', 'DIC', 'IDC', 'IPA',
           'result', 'boot', 'total']
    rows = []
    for p in profiles:
        f = p['facts']
        t = p['totals']
        res = p['result'] or ('exit %s' % p['exit'])
        if p['cases']:
            res += ' %d/%d/%d/%d' % (t['pass'] + t['xpass'], t['fail'], t['skip'], t['xfail'])
        rows.append([p['name'], p['cpu'], f.get('kernel', '-'), f.get('kvm_mode', '-'),
                     f.get('midr', '-'), f.get('fwb', '-'), f.get('dic', '-'),
                     f.get('idc', '-'), f.get('ipa_limit', '-'), res,
                     secs(p['timing']['boot_ms']), secs(p['timing']['total_ms'])])
    widths = [max(len(str(r[i])) for r in [hdr] + rows) for i in range(len(hdr))]
    for r in [hdr] + rows:
        emit('  '.join(str(v).ljust(widths[i]) for i, v in enumerate(r)))
    emit('(result: pass/fail/skip/xfail counts; raw registers in each profile\'s header)')
    for p in profiles:
        if p['note'] and p['result'] not in ('PASS', 'SKIP'):
            emit('%s: %s' % (p['name'], p['note']))
        elif p['notes'] and not p['cases']:
            emit('%s: %s' % (p['name'], '; '.join(p['notes'])))

    rules, rows, footnotes = rule_table(profiles)
    if not rules:
        return
    emit('')
    emit('rule x profile:')
    hdr = ['rule'] + [p['name'] for p in profiles]
    for i, p in enumerate(profiles):
        if not p['cases']:
            for r in rows:
                r[i + 1] = 'n/a'
    widths = [max(len(r[i]) for r in [hdr] + rows) for i in range(len(hdr))]
    for r in [hdr] + rows:
        emit('  '.join((v or '-').ljust(widths[i]) for i, v in enumerate(r)))
    for i, fn in enumerate(footnotes):
        emit('[%d] %s' % (i + 1, fn))


def write_junit(profiles, meta, path):
    root = ET.Element('testsuites', name='kvm-memattr')
    n_all = f_all = e_all = s_all = 0
    for p in profiles:
        cases = p['cases']
        ts = ET.SubElement(root, 'testsuite', name=p['name'])
        props = ET.SubElement(ts, 'properties')
        for k, v in [('cpu', p['cpu']), ('description', p['description']),
                     ('qemu', meta.get('qemu', '')), ('kernel_image', meta.get('kernel', ''))] + \
                sorted(p['facts'].items()):
            ET.SubElement(props, 'property', name=k, value=str(v))
        n = f = e = s = 0
        for c in cases:
            tc = ET.SubElement(ts, 'testcase', classname='%s.%s' % (p['name'], c['rule']),
                               name=c['name'])
            if c['time_ms'] is not None:
                tc.set('time', '%.3f' % (c['time_ms'] / 1000.0))
            log = '\n'.join(c['log'])
            n += 1
            if c['verdict'] == 'FAIL':
                el = ET.SubElement(tc, 'failure', message=c['reason'] or 'assertion failed')
                el.text = log
                f += 1
            elif c['verdict'] == 'SKIP':
                ET.SubElement(tc, 'skipped', message=c['reason'])
                s += 1
            elif c['verdict'] == 'XFAIL':
                # An expected failure is not a failure for CI; keep the reason.
                ET.SubElement(tc, 'skipped', message='XFAIL ' + c['reason'])
                s += 1
            if log and c['verdict'] != 'FAIL':
                ET.SubElement(tc, 'system-out').text = log
        # No result, or a failure that no case reports (Bail out!): an error.
        bad = p['result'] not in ('PASS', 'SKIP', 'FAIL') or \
            (p['result'] == 'FAIL' and not any(c['verdict'] == 'FAIL' for c in cases))
        if bad or not cases:
            tc = ET.SubElement(ts, 'testcase', classname=p['name'], name='run')
            n += 1
            if bad:
                ET.SubElement(tc, 'error', message=p['note'] or '; '.join(p['notes']) or
                              p['result'] or 'no result')
                e += 1
            elif p['notes']:
                ET.SubElement(tc, 'skipped', message='; '.join(p['notes']))
                s += 1
        ts.set('tests', str(n))
        ts.set('failures', str(f))
        ts.set('errors', str(e))
        ts.set('skipped', str(s))
        if p['timing']['total_ms'] is not None:
            ts.set('time', '%.3f' % (p['timing']['total_ms'] / 1000.0))
        n_all += n
        f_all += f
        e_all += e
        s_all += s
    root.set('tests', str(n_all))
    root.set('failures', str(f_all))
    root.set('errors', str(e_all))
    root.set('skipped', str(s_all))
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding='utf-8', xml_declaration=True)


def write_json(profiles, meta, path):
    rules, rows, footnotes = rule_table(profiles)
    doc = {
        'tool': 'kvm-memattr',
        'format': 1,
        'qemu': meta.get('qemu', ''),
        'kernel_image': meta.get('kernel', ''),
        'kernel_source': meta.get('kernel_source', ''),
        'exit': meta.get('exit'),
        'wall_ms': meta.get('wall_ms'),
        'profiles': profiles,
        'rules': {r[0]: {p['name']: r[i + 1] for i, p in enumerate(profiles) if r[i + 1]}
                  for r in rows},
        'footnotes': footnotes,
        'totals': {v.lower(): sum(p['totals'][v.lower()] for p in profiles) for v in VERDICTS},
    }
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--results', required=True, help='directory of the run\'s result files')
    ap.add_argument('--summary', metavar='NAME')
    ap.add_argument('--raw', action='store_true', help='no counts in --summary')
    ap.add_argument('--table', action='store_true')
    ap.add_argument('--closing', action='store_true')
    ap.add_argument('--junit')
    ap.add_argument('--json')
    ap.add_argument('--qemu', default='')
    ap.add_argument('--kernel', default='')
    ap.add_argument('--kernel-source', default='')
    ap.add_argument('--exit', type=int)
    ap.add_argument('--wall-ms', type=int)
    a = ap.parse_args()
    meta = {'qemu': a.qemu, 'kernel': a.kernel, 'kernel_source': a.kernel_source,
            'exit': a.exit, 'wall_ms': a.wall_ms}
    status = 0
    if a.summary:
        for p in load(a.results, a.summary):
            print(summary_line(p, a.raw))
    profiles = load(a.results) if a.table or a.junit or a.json or a.closing else []
    if a.table:
        print_table(profiles, sys.stdout)
    for path, write in ((a.junit, write_junit), (a.json, write_json)):
        try:
            if path:
                write(profiles, meta, path)
        except OSError as e:
            print('# report.py: cannot write %s: %s' % (path, e), file=sys.stderr)
            status = meta['exit'] = 2
    if a.closing:
        closing_lines(profiles, meta, sys.stdout)
    sys.stdout.flush()
    return status


if __name__ == '__main__':
    sys.exit(main())
