#!/usr/bin/env python
"""Run notebooks in place the way `nbdev_test` does, and save them with their outputs.

    python .ci/run_outputs.py [--flags "slow ..."] [--n-workers 2] NB...

Each notebook runs in its own execnb `CaptureShell`, in the notebook's folder, with the project root on `sys.path` and
IN_TEST=1, as `nbdev_test` runs it; the cells `nbdev_test` skips are skipped here too (`skip_reason`: a flag of
settings.ini's `tst_flags` not asked for with --flags, `#| eval: false`, a `nbdev_export(` call, frontmatter
`skip_exec`), and keep the outputs they had (they are counted in the summary). Cells that run get fresh outputs.

Nothing is written when a cell fails, or when an output holds a machine path (/work/, /tmp/, /home/, /root/;
.ci/check_outputs.py's rule): fix what the notebook prints and rerun. Saved notebooks are cleaned with `nbdev_clean`
(outputs kept), and .ci/check_outputs.py's promises (`#| shows:`) are checked and reported.
"""
import argparse, configparser, copy, os, re, sys, time, traceback
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

def tst_flags() -> set:
    "The flags settings.ini's `tst_flags` lists (their cells are skipped unless asked for)"
    cfg = configparser.ConfigParser(); cfg.read(root/'settings.ini')
    return set(cfg['DEFAULT'].get('tst_flags', '').split())

def skip_reason(cell, skip_flags:set) -> str|None:
    "Why `nbdev_test` would not run `cell` (an execnb/nbdev cell with `directives_`), or None when it runs"
    if cell.cell_type != 'code': return 'not code'
    if 'nbdev_export' + '(' in cell.source: return 'nbdev_export call'
    direc = getattr(cell, 'directives_', {}) or {}
    if direc.get('eval:', [''])[0].lower() == 'false': return 'eval: false'
    flags = sorted(skip_flags & direc.keys())
    return f'flag {flags[0]}' if flags else None

def read_with_directives(path):
    "The notebook as execnb reads it (raw sources), each cell with nbdev's `directives_`, and its frontmatter"
    from execnb.nbio import read_nb
    from nbdev.process import NBProcessor
    from nbdev.frontmatter import FrontmatterProc
    nb = read_nb(path)
    direc = NBProcessor(nb=copy.deepcopy(nb), rm_directives=False).nb.cells
    for cell, d in zip(nb.cells, direc): cell.directives_ = d.directives_
    fm = getattr(NBProcessor(path, procs=FrontmatterProc, process=True).nb, 'frontmatter_', {})
    return nb, fm

def run_one(path, flags:str='') -> dict:
    "Run notebook `path` as nbdev_test does and save it with its outputs; a summary dict"
    from execnb.nbio import write_nb
    from execnb.shell import CaptureShell
    from fastcore.basics import str2bool
    from fastcore.xtras import working_directory
    import check_outputs
    path, start = Path(path).resolve(), time.time()
    res = dict(notebook=str(path.relative_to(root)) if path.is_relative_to(root) else str(path), written=False)
    skip_flags = tst_flags() - set(flags.split())
    nb, fm = read_with_directives(path)
    if str2bool(fm.get('skip_exec', False)): return dict(res, error='frontmatter skip_exec: not run', seconds=0.)
    if str(root) not in sys.path: sys.path.insert(0, str(root))   # nbdev_test's basepath
    os.environ['IN_TEST'] = '1'
    reasons = [skip_reason(c, skip_flags) for c in nb.cells]
    for cell, why in zip(nb.cells, reasons):
        if why is None: cell.outputs = []    # fresh outputs (execnb sets them only when there are some)
    shell = CaptureShell(path)
    try:
        with working_directory(path.parent):
            shell.run_all(nb, exc_stop=True, preproc=lambda c: skip_reason(c, skip_flags) is not None)
    except Exception:
        return dict(res, error=shell.prettytb(fname=path) if shell.exc else traceback.format_exc(), seconds=time.time() - start)
    for cell in nb.cells:
        cell.pop('directives_', None)
        if cell.cell_type == 'code': cell.pop('idx_', None)
    tmp = path.with_name(f'.{path.stem}.run_outputs.ipynb')
    try:
        write_nb(nb, tmp)
        problems, _, n_out = check_outputs.check(tmp, set())
        leaks = {}   # code cell -> machine paths in its outputs
        for p in problems:
            if m := re.match(r'.*?: code cell (\d+): output holds the machine path (\S+?):? print', p): leaks.setdefault(int(m[1]), []).append(m[2])
        if leaks:
            return dict(res, seconds=time.time() - start, error='outputs hold machine paths, notebook not written (print paths '
                        'relative to the project, the data folder or the example folder, and rerun):\n' + '\n'.join(
                        f'  code cell {i}: {len(v)} paths, e.g. {v[0]}' for i, v in sorted(leaks.items())))
        tmp.replace(path)
    finally: tmp.unlink(missing_ok=True)
    from nbdev.clean import nbdev_clean
    nbdev_clean(fname=str(path))
    problems, promised, n_out = check_outputs.check(path, set())
    skipped = [(i, w) for i, (c, w) in enumerate(zip(nb.cells, reasons)) if c.cell_type == 'code' and w]
    return dict(res, written=True, seconds=time.time() - start, cells_with_outputs=n_out, promised=promised,
                warnings=problems, skipped=[f'cell {i} ({w})' for i, w in skipped])

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('notebooks', nargs='+', help='notebooks to run and save with their outputs')
    ap.add_argument('--flags', default='', help="test flags to run, as nbdev_test's --flags (e.g. 'slow')")
    ap.add_argument('--n-workers', type=int, default=2, help='notebooks run in parallel processes, as nbdev_test --n_workers')
    args = ap.parse_args(argv)
    from fastcore.parallel import parallel
    paths = [Path(p).resolve() for p in args.notebooks]
    for p in paths:
        if not p.is_file() or p.suffix != '.ipynb': sys.exit(f'{p}: not a notebook')
    n_workers = min(args.n_workers, len(paths)) if len(paths) > 1 else 0
    import run_outputs   # by module name: a notebook's IPython shell replaces a worker's __main__, as nbdev_test's test_nb avoids too
    results = parallel(run_outputs.run_one, paths, flags=args.flags, n_workers=n_workers, pause=0.01)
    failed = 0
    for r in results:
        if not r['written']:
            failed += 1; print(f"FAILED {r['notebook']} ({r['seconds']:.0f}s):\n{r['error']}", file=sys.stderr); continue
        print(f"{r['notebook']}: saved with outputs in {r['seconds']:.0f}s; {r['cells_with_outputs']} code cells with outputs, "
              f"{r['promised']} promised results; {len(r['skipped'])} cells skipped as nbdev_test skips them "
              f"(their earlier outputs kept){': ' + ', '.join(r['skipped']) if r['skipped'] else ''}")
        for w in r['warnings']: print(f'  warning: {w}')
    print(f'run_outputs: {len(results) - failed} notebooks saved, {failed} failed')
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
