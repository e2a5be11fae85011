#!/usr/bin/env python
"""Fail when the module structure drifts (issue 10's rules, kept by CI):
- SQL lives in the store: no SQL statement in a string literal outside store.py;
- benchmarks live in the bench module: no function or method whose name contains `bench` outside bench.py and cli.py;
- models.py stays under 450 lines.
Prints one line per breach naming the file and line, and exits 1."""
import ast, re, sys
from pathlib import Path

SQL = re.compile(r'\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|DROP\s+TABLE|ALTER\s+TABLE|PRAGMA\s+\w+|BEGIN\s+IMMEDIATE)\b', re.S)  # upper case, as the store writes it
STORE, BENCH, MAX_MODELS = {'store.py'}, {'bench.py', 'cli.py'}, 450

def breaches(lib:Path):
    "(file, line, what) for every rule broken in the package folder `lib`"
    for f in sorted(lib.glob('*.py')):
        if f.name == '_modidx.py': continue
        tree = ast.parse(f.read_text())
        for node in ast.walk(tree):
            if f.name not in STORE and isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                yield f.name, node.lineno, f'SQL outside the store: {node.value.strip()[:50]!r} (add a Store method in 01_store)'
            if f.name not in BENCH and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and 'bench' in node.name:
                yield f.name, node.lineno, f'benchmark {node.name!r} outside the bench module (move it to 14_bench)'
    n = len((lib/'models.py').read_text().splitlines())
    if n >= MAX_MODELS: yield 'models.py', n, f'{n} lines, the limit is {MAX_MODELS}: move a job into its own module'

if __name__ == '__main__':
    found = list(breaches(Path(__file__).resolve().parent.parent/'active_vision'))
    for f, line, what in found: print(f'active_vision/{f}:{line}: {what}', file=sys.stderr)
    print(f'module structure: {len(found)} breaches' if found else 'module structure: SQL only in store.py, benchmarks only in bench/cli, models.py under 450 lines')
    sys.exit(1 if found else 0)
