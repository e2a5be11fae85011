#!/usr/bin/env python
"""Fail on notebook cells that mix imports with other code outside `#| export` cells.

nbdev's docs processor (`nbdev_proc_nbs`) executes every cell that contains an import, so such a cell runs
without the cells before it and breaks (or slows) the docs build. Put imports in cells of their own.
"""
import ast, json, sys
from pathlib import Path

def bad_cells(nb_path):
    for i, c in enumerate(json.loads(Path(nb_path).read_text())['cells']):
        src = ''.join(c['source'])
        if c['cell_type'] != 'code' or 'nbdev_export()' in src: continue
        dirs = [l.strip() for l in src.splitlines() if l.strip().startswith('#|')]
        if any(d.split()[1].rstrip(':') in ('export', 'exports', 'exporti', 'exec_doc') for d in dirs if len(d.split()) > 1): continue
        if any('eval: false' in d for d in dirs): continue
        try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!'))))
        except SyntaxError: continue
        stmts = tree.body
        if any(isinstance(s, (ast.Import, ast.ImportFrom)) for n in stmts for s in ast.walk(n)) and \
           any(not isinstance(s, (ast.Import, ast.ImportFrom)) for s in stmts):
            yield i, src.splitlines()[0][:80]

if __name__ == '__main__':
    found = [(nb, i, l) for nb in sorted(Path('nbs').glob('*.ipynb')) for i, l in bad_cells(nb)]
    for nb, i, l in found: print(f'{nb} cell {i}: imports mixed with other code: {l}')
    if found: sys.exit('put imports in cells of their own: nbdev_proc_nbs executes every cell that imports')
    print('notebook cells: imports are in cells of their own')
