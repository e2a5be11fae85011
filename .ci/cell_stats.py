#!/usr/bin/env python
"""Print the size of exported cells: mean lines per `#| export` cell, overall and per notebook, and the cells
holding 3 or more top-level definitions. Print only (no threshold yet); the target is a mean under 15 lines.

A cell's length counts its code lines (not the `#|` directives, blank lines or the notebook's imports cell);
a definition is a top-level `def` or `class` (a `@patch` method counts as one)."""
import ast, json, sys
from pathlib import Path

EXPORT = ('export', 'exports')

def exported_cells(nb_path):
    "(index, code lines, definitions, first line) of each exported cell of `nb_path`"
    for i, c in enumerate(json.loads(Path(nb_path).read_text())['cells']):
        if c['cell_type'] != 'code': continue
        lines = ''.join(c['source']).splitlines()
        dirs = [l.strip()[2:].split() for l in lines if l.strip().startswith('#|')]
        if not any(d and d[0].rstrip(':') in EXPORT for d in dirs): continue
        code = [l for l in lines if l.strip() and not l.strip().startswith('#|')]
        try: tree = ast.parse('\n'.join(lines))
        except SyntaxError: continue
        if all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body): continue  # the imports cell
        defs = sum(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for s in tree.body)
        yield i, len(code), defs, (code[0] if code else '')[:70]

def main(nbs='nbs'):
    rows = [(nb.name, *cell) for nb in sorted(Path(nbs).glob('[0-9]*.ipynb')) for cell in exported_cells(nb)]
    if not rows: return print('no exported cells')
    mean = lambda xs: sum(xs) / len(xs)
    print(f'exported cells: {len(rows)}, mean {mean([r[2] for r in rows]):.1f} lines and {mean([r[3] for r in rows]):.2f} '
          'definitions per cell (target: under 15 lines)')
    for name in dict.fromkeys(r[0] for r in rows):
        mine = [r for r in rows if r[0] == name]
        print(f'  {name:32} {len(mine):3} cells  mean {mean([r[2] for r in mine]):5.1f} lines  max {max(r[2] for r in mine):3}')
    big = [r for r in rows if r[3] >= 3]
    print(f'cells with 3 or more definitions: {len(big)}')
    for name, i, n, d, first in big: print(f'  {name} cell {i}: {d} definitions, {n} lines: {first}')

if __name__ == '__main__': main(*sys.argv[1:])
