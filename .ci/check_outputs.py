#!/usr/bin/env python
"""CI check: notebooks keep the outputs they promise, and no output holds a path of the machine that ran it.

A code cell promises a result with a `#| shows:` line among its `#|` options:

    #| shows: figure     an image output (image/png, image/jpeg or image/svg+xml): a plot, or a static image of a widget
    #| shows: table      an HTML table (a DataFrame) or a markdown table
    #| shows: widget     a static image of the widget (a live widget can't render in the static docs)
    #| shows: output     any non-empty output (text included)

(Not `#| output: required`: `output` is a Quarto option, which takes only true/false/all/asis.)
Such a cell fails the check when its outputs are missing or of the wrong kind, or when it is also `#| eval: false`.

Every output of every notebook is also searched for machine paths (/work/, /tmp/, /home/, /root/): outputs are read
by others, and a path there is a leak and a sign the notebook ran against files nobody else has. Image data is skipped.

    python .ci/check_outputs.py [notebooks...]     # default: every notebook in nbs/ (nbdev's rule: no _ or . names)
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')
MACHINE_PATH = re.compile(r'/(?:work|tmp|home|root)/[^\s"\'<>)]*')
IMAGES = ('image/png', 'image/jpeg', 'image/gif', 'image/svg+xml')
BINARY = ('image/png', 'image/jpeg', 'image/gif', 'application/pdf')   # base64: may hold "/tmp/" by chance
# Known machine paths, allowed until the notebook holding them is rerun (then delete the entry; a stale one is reported).
# (none today: 13_label_errors's outputs name the shared data relative to the project, ../shared/data/...)
KNOWN_PATHS = set()

def options(cell):
    "The cell's `#|` options as {name: value}"
    opts = {}
    for line in ''.join(cell.get('source', '')).splitlines():
        m = DIRECTIVE.match(line)
        if m: opts[m.group(1).lower()] = m.group(2).strip().strip('"\'').lower()
        elif line.strip(): break
    return opts

def text_of(out):
    "Every piece of text in an output (stream text, tracebacks, non-binary data of every mime type)"
    parts = [out.get('text', ''), *out.get('traceback', [])]
    for mime, value in out.get('data', {}).items():
        if mime in BINARY: continue
        parts.append(value if isinstance(value, str) else json.dumps(value) if not isinstance(value, list) else ''.join(value))
    return '\n'.join(''.join(p) if isinstance(p, list) else p for p in parts)

def kinds(outputs):
    "What the outputs show: {'figure', 'table', 'output'}"
    found = set()
    for out in outputs:
        data = out.get('data', {})
        if any(m in data for m in IMAGES): found.add('figure')
        html = ''.join(data.get('text/html', '')); md = ''.join(data.get('text/markdown', ''))
        if '<table' in html or re.search(r'^\s*\|.*\|\s*$', md, re.M): found.add('table')
        if text_of(out).strip() or data: found.add('output')
    return found

def check(path, known_seen):
    "Problems of one notebook, as one-line messages"
    nb, problems = json.loads(Path(path).read_text()), []
    name = Path(path).relative_to(root) if Path(path).resolve().is_relative_to(root) else path
    code_cells = [c for c in nb.get('cells', []) if c.get('cell_type') == 'code']
    for i, cell in enumerate(code_cells, 1):
        opts, outs = options(cell), cell.get('outputs', [])
        want = opts.get('shows')
        if want:
            need = {'figure': 'figure', 'widget': 'figure', 'table': 'table', 'output': 'output'}.get(want)
            if need is None: problems.append(f'{name}: code cell {i}: `#| shows: {want}` is not one of figure, widget, table, output')
            elif opts.get('eval') in ('false', 'no'): problems.append(f'{name}: code cell {i} is `#| shows: {want}` and `#| eval: false`: it never runs')
            elif need not in kinds(outs):
                problems.append(f'{name}: code cell {i} promises a {want} (`#| shows: {want}`) but its outputs '
                                f'{"are empty" if not outs else "show " + (", ".join(sorted(kinds(outs))) or "nothing")}: '
                                'run the notebook and save it with its outputs')
        for out in outs:
            for p in sorted(set(MACHINE_PATH.findall(text_of(out)))):
                if p in KNOWN_PATHS: known_seen.add(p); continue
                problems.append(f'{name}: code cell {i}: output holds the machine path {p}: print paths relative to the '
                                'project or the data folder, and rerun')
    return problems, sum(bool(options(c).get('shows')) for c in code_cells), sum(bool(c.get('outputs')) for c in code_cells)

def notebooks():
    nbs = root/'nbs'
    return sorted(p for p in nbs.rglob('*.ipynb') if not any(s.startswith(('.', '_')) for s in p.relative_to(nbs).parts))

def main(args):
    paths = [Path(a).resolve() for a in args] or notebooks()
    problems, known_seen, promised, with_out = [], set(), 0, 0
    for p in paths:
        prob, n_promised, n_out = check(p, known_seen)
        problems += prob; promised += n_promised; with_out += n_out
    if known_seen:
        print(f'note: {len(known_seen)} known machine paths in outputs are allowed until their notebook is rerun (KNOWN_PATHS in .ci/check_outputs.py)')
    elif not args and KNOWN_PATHS:
        print('note: no output holds the KNOWN_PATHS of .ci/check_outputs.py any more: delete them from it')
    for msg in problems: print(msg, file=sys.stderr)
    print(f'outputs: {len(paths)} notebooks, {with_out} code cells with outputs, {promised} promised results, {len(problems)} problems')
    return 1 if problems else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
