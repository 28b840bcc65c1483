#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check a shared library's dynamic exports against its public header.

The exported function names (nm -D --defined-only) must be exactly the
functions the header declares with SMMU_EXT_API, each bound to the
version node given (except names passed with --transitional), and the
version script must name every declared function, with no glob.  With
--symbols, the Debian symbols file must list exactly the exports and the
version node, as NAME@VERSION (what dpkg-gensymbols -c4 holds the package
build to, checked here before a package is built).

--expect-missing / --expect-extra turn the run into a control: it passes
only if the check fails and reports those names, which proves the check
sees a library that exports the wrong set.
"""
import argparse
import os
import re
import subprocess
import sys


def strip_c(text):
    """The header without comments and preprocessor lines."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    text = re.sub(r'\\\n', ' ', text)
    return '\n'.join(line for line in text.split('\n')
                     if not line.lstrip().startswith('#'))


def declared(header):
    with open(header, encoding='utf-8') as f:
        text = strip_c(f.read())
    names = set()
    # One declaration runs from SMMU_EXT_API to its ';'; the function name
    # is the identifier right before the first '('.
    for decl in re.findall(r'\bSMMU_EXT_API\b([^;{}]*);', text):
        m = re.search(r'\b([A-Za-z_][A-Za-z0-9_]*)\s*\(', decl)
        if m:
            names.add(m.group(1))
    return names


def nm_dynamic(lib):
    """(type, name, version) of each defined dynamic symbol."""
    nm = os.environ.get('NM', 'nm')
    out = subprocess.run([nm, '-D', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        name, _, version = parts[2].partition('@')
        yield parts[1], name, version.lstrip('@')


def exported(lib):
    # 'A': the version node definitions, not functions.
    return {name: version for kind, name, version in nm_dynamic(lib)
            if kind != 'A'}


def symbols_file_names(path):
    """NAME@VERSION of each symbol line of a Debian symbols file."""
    names = set()
    with open(path, encoding='utf-8') as f:
        for line in f:
            if not line.startswith(' '):
                continue        # the library line, '*' fields, comments
            entry = line.split()[0]
            entry = re.sub(r'^(\([^)]*\))+', '', entry)   # (optional) tags
            names.add(entry)
    return names


def check_symbols_file(path, lib):
    # dpkg-gensymbols names a version node NODE@NODE.
    want = {'%s@%s' % (name, version or name)
            for _, name, version in nm_dynamic(lib)}
    listed = symbols_file_names(path)
    base = os.path.basename(path)
    return (['%s lacks: %s' % (base, n) for n in sorted(want - listed)] +
            ['%s extra: %s' % (base, n) for n in sorted(listed - want)])


def map_names(path, node):
    with open(path, encoding='utf-8') as f:
        text = re.sub(r'/\*.*?\*/', ' ', f.read(), flags=re.S)
    m = re.search(re.escape(node) + r'\s*\{(.*?)\}', text, re.S)
    if not m:
        return None, ['version script has no node ' + node]
    body = m.group(1)
    errors = []
    glob = re.search(r'global:(.*?)(local:|$)', body, re.S)
    names = set()
    for entry in (glob.group(1) if glob else '').split(';'):
        entry = entry.strip()
        if not entry:
            continue
        if re.search(r'[*?\[]', entry):
            errors.append('version script exports by pattern: ' + entry)
        names.add(entry)
    return names, errors


def check(args):
    """Every problem found, as lines."""
    decl = declared(args.header)
    syms = exported(args.lib)
    transitional = set(args.transitional)
    problems = []
    if not decl:
        problems.append('no SMMU_EXT_API declaration in ' + args.header)
    for n in sorted(decl - syms.keys()):
        problems.append('missing: ' + n)
    for n in sorted(syms.keys() - decl):
        problems.append('extra: ' + n)
    for n in sorted(syms.keys() & decl):
        want = 'transitional' if n in transitional else args.node
        if n not in transitional and syms[n] != args.node:
            problems.append('version: %s@%s, want %s' % (n, syms[n], want))
        if n in transitional and syms[n] == args.node:
            problems.append('version: %s is transitional but in %s'
                            % (n, args.node))
    if args.map:
        listed, errors = map_names(args.map, args.node)
        problems += errors
        if listed is not None:
            for n in sorted(decl - transitional - listed):
                problems.append('not in %s: %s' % (args.map, n))
            for n in sorted(listed & transitional):
                problems.append('transitional name in %s: %s'
                                % (args.node, n))
            for n in sorted(listed - decl):
                # ld ignores a listed name the library lacks; say so.
                print('note: %s names %s, not declared in %s (yet)'
                      % (os.path.basename(args.map), n,
                         os.path.basename(args.header)))
    if args.symbols:
        problems += check_symbols_file(args.symbols, args.lib)
    return decl, syms, problems


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--header', required=True)
    p.add_argument('--lib', required=True)
    p.add_argument('--node', required=True)
    p.add_argument('--map')
    p.add_argument('--symbols', help='Debian symbols file to compare')
    p.add_argument('--transitional', action='append', default=[])
    p.add_argument('--expect-missing', action='append', default=[])
    p.add_argument('--expect-extra', action='append', default=[])
    p.add_argument('--expect-problem', action='append', default=[],
                   help='a control: this exact problem line must appear')
    args = p.parse_args()

    decl, syms, problems = check(args)
    control = (args.expect_missing or args.expect_extra or
               args.expect_problem)
    for line in problems:
        print(('expected ' if control else '') + line)
    if control:
        wanted = (['missing: ' + n for n in args.expect_missing] +
                  ['extra: ' + n for n in args.expect_extra] +
                  args.expect_problem)
        absent = [w for w in wanted if w not in problems]
        if absent:
            print('control FAILED: the check did not report: ' +
                  ', '.join(absent))
            return 1
        print('control ok: the check rejects %s against %s'
              % (os.path.basename(args.lib), os.path.basename(args.header)))
        return 0
    if problems:
        print('FAIL: %d problem(s) in the exports of %s'
              % (len(problems), args.lib))
        return 1
    print('ok: %s exports exactly the %d functions of %s under %s'
          % (os.path.basename(args.lib), len(decl),
             os.path.basename(args.header), args.node))
    return 0


if __name__ == '__main__':
    sys.exit(main())
