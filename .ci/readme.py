#!/usr/bin/env python
"""Render README.md from nbs/index.ipynb without Quarto (which `nbdev_readme` needs).

Markdown cells are copied, code cells become ```python blocks with their text outputs below them.
Cells whose first lines carry `#| hide`, `#| echo: false` or `#| include: false` are left out; directive
lines are stripped.  `python .ci/readme.py --check` fails when README.md is not what this would write.
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
HIDE = re.compile(r'^#\|\s*(hide|echo:\s*false|include:\s*false)\s*$')
DIRECTIVE = re.compile(r'^#\|')

def render(nb_path=root/'nbs'/'index.ipynb'):
    nb = json.loads(Path(nb_path).read_text())
    parts = []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        lines = src.splitlines()
        if any(HIDE.match(l.strip()) for l in lines if DIRECTIVE.match(l.strip())): continue
        if cell['cell_type'] == 'markdown':
            parts.append(src.strip())
            continue
        if cell['cell_type'] != 'code': continue
        code = '\n'.join(l for l in lines if not DIRECTIVE.match(l.strip())).strip()
        if code: parts.append(f'```python\n{code}\n```')
        for out in cell.get('outputs', []):
            text = out.get('text') or out.get('data', {}).get('text/plain')
            if text: parts.append('```\n' + ''.join(text).rstrip() + '\n```')
    body = '\n\n'.join(p for p in parts if p)
    return '<!-- Generated from nbs/index.ipynb by `make readme` (.ci/readme.py); edit the notebook, not this file. -->\n\n' + body + '\n'

if __name__ == '__main__':
    text, readme = render(), root/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `make readme` and commit README.md')
        print('README.md is in step with nbs/index.ipynb')
    else:
        readme.write_text(text); print('wrote', readme)
