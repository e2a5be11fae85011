#!/usr/bin/env python
"""Open the tutorials in JupyterLab in headless chromium, run all their cells, check that every grid shows, click in the
grids and check that the clicks reach the tutorials' label stores.

    python .ci/jlab_browser.py [--flags "slow"] [NB ...]    # default: nbs/20_tutorial_workflow1.ipynb nbs/21_tutorial_label_errors.ipynb

1. The notebooks are copied into a temporary folder (nbs/ is never written), without the cells nbdev_test skips
   (.ci/run_outputs.py's `skip_reason`: flags of settings.ini's tst_flags not asked for with --flags, `#| eval: false`).
2. `jupyter lab` serves that folder on 127.0.0.1 (a free port, a random token), with its own config, settings,
   runtime and TMPDIR under the temporary folder, and this checkout first on PYTHONPATH. Notebook windowing is off
   (every cell stays in the DOM, so every grid can be counted) and the news/update checks are off (offline).
3. Debian's chromium (through chromedriver) opens each notebook, runs `notebook:run-all-cells` through the app's command
   registry (`--LabApp.expose_app_in_browser`), and waits until every code cell has run and the kernel is idle. A cell
   with an error output fails the check (JupyterLab stops a run-all at the first error).
4. Every grid is a live widget: the number of `av-label-grid` elements in the DOM, each with its thumbnails loaded,
   must equal the number of grid displays the notebook makes (outputs of kind application/vnd.jupyter.widget-view+json,
   counted in the live notebook model and in the saved notebook), and no widget output may show its text fallback.
5. In every grid, a real mouse click on a class button of the first tile (a class it does not have yet) must add one
   `label` event by a human for that tile's image and batch to the store the grid writes to, read from Python with
   `active_vision.store.Store` (the tutorials' stores live under the kernel's TMPDIR). In a review grid, a click on
   "accept suggestion" must add an `accepted-prediction` event too. The tile's text must then show the new label.
6. Screenshots of every grid, before and after the clicks, go to $ACTIVE_VISION_ARTIFACTS/jlab (default
   /tmp/active_vision_artifacts/jlab) with jlab_report.json. The lab server and its kernels are shut down at the end,
   also on failure (through the server's API, then by process id).
"""
import argparse, json, os, re, secrets, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_outputs import tst_flags, skip_reason, read_with_directives   # nbdev_test's skip rules, shared

WIDGET_MIME = 'application/vnd.jupyter.widget-view+json'
DEFAULT_NBS = ['nbs/20_tutorial_workflow1.ipynb', 'nbs/21_tutorial_label_errors.ipynb']

def log(*a): print(*a, flush=True)

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def copy_notebook(src:Path, dest:Path, flags:str) -> dict:
    "Write `src` to `dest` without the cells nbdev_test skips; how many grid displays the kept cells make"
    from execnb.nbio import read_nb
    nb, _ = read_with_directives(src)
    skip_flags = tst_flags() - set(flags.split())
    keep = [skip_reason(c, skip_flags) is None or c.cell_type != 'code' for c in nb.cells]
    raw = json.loads(src.read_text())
    raw['cells'] = [c for c, k in zip(raw['cells'], keep) if k]
    for c in raw['cells']:
        if c['cell_type'] == 'code': c['outputs'], c['execution_count'] = [], None   # what the lab shows comes from this run
    dest.write_text(json.dumps(raw, indent=1))
    saved = json.loads(src.read_text())['cells']
    grids = sum(WIDGET_MIME in o.get('data', {}) for c, k in zip(saved, keep) if k and c['cell_type'] == 'code' for o in c.get('outputs', []))
    return dict(cells=sum(c['cell_type'] == 'code' for c in raw['cells']), skipped=len(keep) - sum(keep), saved_grids=grids)

def lab_settings(settings:Path):
    "User settings of the lab under test: no windowing (all cells in the DOM), no news or update checks (offline)"
    for plugin, value in {'@jupyterlab/notebook-extension/tracker': {'windowingMode': 'none'},
                          '@jupyterlab/apputils-extension/notification': {'fetchNews': 'false', 'checkForUpdates': False}}.items():
        f = settings/f'{plugin}.jupyterlab-settings'
        f.parent.mkdir(parents=True, exist_ok=True); f.write_text(json.dumps(value))

class Lab:
    "A `jupyter lab` server on 127.0.0.1 in folder `work`, all its state under `base`; `stop()` ends it and its kernels"
    def __init__(self, work:Path, base:Path):
        self.port, self.token, self.base = free_port(), secrets.token_hex(16), base
        (base/'tmp').mkdir(); lab_settings(base/'settings')
        env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(base/'config'), 'JUPYTER_RUNTIME_DIR': str(base/'runtime'),
               'JUPYTERLAB_SETTINGS_DIR': str(base/'settings'), 'JUPYTERLAB_WORKSPACES_DIR': str(base/'workspaces'),
               'IPYTHONDIR': str(base/'ipython'), 'TMPDIR': str(base/'tmp'), 'MPLBACKEND': 'module://matplotlib_inline.backend_inline',
               'PYTHONPATH': os.pathsep.join([str(root), *filter(None, [os.environ.get('PYTHONPATH')])])}
        env.pop('IN_TEST', None)    # a person's lab, not nbdev_test
        self.log_file = open(base/'lab.log', 'w')
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={self.port}',
             '--ServerApp.port_retries=0', f'--IdentityProvider.token={self.token}', f'--ServerApp.root_dir={work}',
             '--LabApp.expose_app_in_browser=True', '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
             '--ServerApp.terminals_enabled=False', '--LanguageServerManager.autodetect=False',
             *(['--allow-root'] if hasattr(os, 'geteuid') and os.geteuid() == 0 else [])],   # CI's containers run as root
            cwd=work, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)
        self.kernel_pids = set()

    @property
    def url(self): return f'http://127.0.0.1:{self.port}'
    def api(self, path, method='GET'):
        req = urllib.request.Request(f'{self.url}/api/{path}', method=method, headers={'Authorization': f'token {self.token}'})
        with urllib.request.urlopen(req, timeout=10) as r: body = r.read()
        return json.loads(body) if body else None

    def wait(self, timeout=120):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None: raise RuntimeError(f'jupyter lab exited ({self.proc.returncode}):\n{self.tail()}')
            try: return self.api('status')
            except OSError: time.sleep(.5)
        raise TimeoutError(f'jupyter lab did not answer in {timeout}s:\n{self.tail()}')

    def tail(self, n=4000): return (self.base/'lab.log').read_text()[-n:]

    def remember_kernels(self):
        "Note the process ids of the server's descendants (its kernels run in sessions of their own)"
        import psutil
        try: self.kernel_pids |= {p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)}
        except psutil.NoSuchProcess: pass

    def cpu_seconds(self, pids=None) -> float:
        "CPU time used by processes `pids` (default: the server), children included (wall time is distorted on a loaded machine)"
        import psutil
        total = 0.
        for pid in (pids if pids is not None else [self.proc.pid]):
            try: t = psutil.Process(pid).cpu_times(); total += t.user + t.system + t.children_user + t.children_system
            except psutil.NoSuchProcess: pass
        return total

    def stop(self):
        import psutil
        self.remember_kernels()
        try:
            for k in self.api('kernels'): self.api(f'kernels/{k["id"]}', 'DELETE')
            self.api('shutdown', 'POST')
        except Exception as e: log(f'note: shutting the lab down through its API failed ({e}); stopping it by process id')
        try: self.proc.wait(20)
        except subprocess.TimeoutExpired: os.killpg(self.proc.pid, signal.SIGTERM)
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: os.killpg(self.proc.pid, signal.SIGKILL); self.proc.wait(5)
        for pid in self.kernel_pids:   # the kernels, by the ids noted while they ran
            try: p = psutil.Process(pid); p.terminate(); p.wait(10)
            except psutil.NoSuchProcess: pass
            except psutil.TimeoutExpired: p.kill()
        self.log_file.close()

def browser(width=1400, height=1600):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions(); o.binary_location = '/usr/bin/chromium'
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', f'--window-size={width},{height}',
                '--disable-extensions', '--no-first-run', '--disable-background-networking', '--disable-component-update',
                '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'):   # the lab alone: nothing else is fetched
        o.add_argument(arg)
    d = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=o)
    d.set_page_load_timeout(120); d.set_script_timeout(120)
    return d

# Open a notebook in the lab's main area and wait for its kernel (arguments: path; resolves to an error string or '')
OPEN = """
const [path, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const app = window.jupyterapp;
  await app.started; await app.restored;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready; await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  const t0 = Date.now();
  while (!(panel.sessionContext.session && panel.sessionContext.session.kernel &&
           panel.sessionContext.session.kernel.status === 'idle') && Date.now() - t0 < 90000)
    await new Promise(r => setTimeout(r, 200));
  return panel.sessionContext.session ? '' : 'no kernel';
})().then(done, e => done('open failed: ' + e));
"""

# Shut the current notebook's kernel down and close it (the next notebook gets the CPU)
CLOSE = """
const done = arguments[arguments.length - 1], panel = window.jupyterapp.shell.currentWidget;
panel.sessionContext.shutdown().then(() => { panel.dispose(); done(''); }, e => done('' + e));
"""

# Where the run stands, from the live notebook model and the DOM
STATE = """
const app = window.jupyterapp, panel = app.shell.currentWidget;
const nb = panel.context.model.toJSON();
const code = nb.cells.filter(c => c.cell_type === 'code');
const outs = code.flatMap(c => c.outputs || []);
const busy = Array.from(panel.node.querySelectorAll('.jp-InputArea-prompt')).filter(e => e.textContent.includes('*')).length;
const errors = outs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue + '\\n' + (o.traceback || []).join('\\n'));
const grids = Array.from(panel.node.querySelectorAll('.av-label-grid'));
const tilesReady = grids.map(g => Array.from(g.querySelectorAll('.av-tile')).filter(t => t.offsetParent !== null)
  .map(t => { const i = t.querySelector('img'); return !!(i && i.complete && i.naturalWidth > 0); }));
const fallback = Array.from(panel.node.querySelectorAll('.jp-OutputArea-output'))
  .filter(e => /LabelGrid\\(|Loading widget|Error displaying widget|Model not found/.test(e.textContent)).length;
return {kernel: panel.sessionContext.session && panel.sessionContext.session.kernel ? panel.sessionContext.session.kernel.status : 'none',
        cells: code.length, ran: code.filter(c => c.execution_count !== null).length, busy, errors,
        widget_outputs: outs.filter(o => o.data && o.data['""" + WIDGET_MIME + """']).length,
        grids: grids.length, tiles: tilesReady.map(t => t.length), thumbs_loaded: tilesReady.map(t => t.filter(Boolean).length),
        titles: grids.map(g => (g.querySelector('code') || {}).textContent || ''), fallback};
"""

def run_all(drv, timeout:float) -> dict:
    "Run every cell of the current notebook; the state once all ran and the kernel is idle (or an error stopped it)"
    drv.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    end, st, idle_since = time.time() + timeout, None, None
    while time.time() < end:
        time.sleep(1)
        st = drv.execute_script(STATE)
        if st['errors']: return st
        done = st['ran'] == st['cells'] and not st['busy'] and st['kernel'] == 'idle'
        idle_since = (idle_since or time.time()) if done else None
        if idle_since and time.time() - idle_since > 2: return st     # idle for 2 s: no comm message still in flight
    raise TimeoutError(f'cells still running after {timeout:.0f}s: {st}')

def find_stores(tmp:Path, batch:str) -> list[Path]:
    "The label stores under the kernel's TMPDIR holding labeling batch `batch` (a tutorial's store, and copies saved after it)"
    from active_vision.store import Store
    found = []
    for f in sorted(tmp.rglob('*.sqlite')):
        try:
            if Store(f).get_record(f'session:{batch}') is not None: found.append(f)
        except Exception: pass   # not a label store
    return found

def click_and_check(drv, grid_el, k:int, tmp:Path, what:str, shots:Path, name:str) -> dict:
    "Click `what` ('class' or 'accept') on the first tile of grid element `grid_el`; check the store got the event"
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from active_vision.store import Store
    from active_vision.session import load_batch
    batch = grid_el.find_element(By.CSS_SELECTOR, 'code').text.strip()
    page = int(drv.execute_script("return arguments[0].textContent.match(/page (\\d+) of/)[1]", grid_el)) - 1
    size = len(grid_el.find_elements(By.CSS_SELECTOR, '.av-tile'))
    stores = find_stores(tmp, batch)
    if not stores: raise AssertionError(f'grid {k}: no store under the kernel TMPDIR holds batch {batch}')
    opened = {s: Store(s) for s in stores}
    before = {s: int(st.history().id.max()) if len(st.history()) else 0 for s, st in opened.items()}
    tile = grid_el.find_elements(By.CSS_SELECTOR, '.av-tile')[0]
    if what == 'accept':
        button = next(b for b in tile.find_elements(By.TAG_NAME, 'button') if 'accept' in b.text)
        want_label, want_source = None, 'accepted-prediction'
    else:   # a class button whose class the tile does not have yet (not highlighted as the current label)
        candidates = [b for b in tile.find_elements(By.TAG_NAME, 'button') if b.get_attribute('title') and
                      b.get_attribute('title').startswith(('label as ', 'relabel as ')) and 'mod-success' not in b.get_attribute('class')]
        if not candidates: raise AssertionError(f'grid {k}: no class button on its first tile')
        button = candidates[0]; want_label, want_source = button.text.strip(), 'human'
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    t = time.perf_counter(); button.click()
    end, new = time.time() + 30, {}
    while time.time() < end and not any(len(v) for v in new.values()):
        time.sleep(.1)
        new = {s: st.history().query(f'id > {before[s]}') for s, st in opened.items()}
    click_s = time.perf_counter() - t
    time.sleep(.5); new = {s: st.history().query(f'id > {before[s]}') for s, st in opened.items()}   # nothing more may follow
    changed = {s: v for s, v in new.items() if len(v)}
    if len(changed) != 1: raise AssertionError(f'grid {k} ({batch}): {what} click changed {len(changed)} stores, not one')
    store, ev = next(iter(changed.items()))
    if len(ev) != 1: raise AssertionError(f'grid {k}: one click gave {len(ev)} events:\n{ev}')
    ev = ev.iloc[0]
    rec = load_batch(opened[store], batch)
    image_id = rec['image_ids'][page * size]
    if what == 'accept': want_label = rec['pred'][page * size]    # accepting takes the tile's suggestion
    problems = [f'{col} is {ev[col]!r}, not {want!r}' for col, want in
                (('kind', 'label'), ('source', want_source), ('session', batch), ('image_id', image_id),
                 ('label', want_label)) if ev[col] != want]
    if problems: raise AssertionError(f'grid {k} ({batch}), {what} click: ' + '; '.join(problems))
    WebDriverWait(drv, 30).until(lambda d: f'✓ {ev.label}' in tile.text)   # the tile shows what the store holds
    grid_el.screenshot(str(shots/f'{name}_grid{k}_after_{what}.png'))
    log(f'  grid {k} ({batch}): {what} click -> {ev.kind} {ev.label!r} by {ev.source} in {store.name} '
        f'({click_s * 1000:.0f} ms to the store)')
    return dict(grid=k, batch=batch, action=what, store=store.name, label=ev.label, source=ev.source, ms=round(click_s * 1000))

def check_notebook(drv, lab:Lab, name:str, expect:dict, shots:Path, timeout:float) -> dict:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    start = time.time()
    err = drv.execute_async_script(OPEN, name)
    if err: raise AssertionError(f'{name}: {err}')
    st = run_all(drv, timeout)
    run_s = time.time() - start
    drv.save_screenshot(str(shots/f'{name[:-6]}_end.png'))
    if st['errors']:
        tb = re.sub(r'\x1b\[[0-9;]*m', '', '\n'.join(st['errors']))   # without the terminal colours
        raise AssertionError(f'{name}: a cell failed in JupyterLab:\n{tb[-4000:]}')
    log(f'{name}: {st["cells"]} code cells ran in {run_s:.0f}s (kernel {st["kernel"]}); {st["widget_outputs"]} widget outputs')
    want = expect['saved_grids']
    # every grid display renders: as many live grids, each with its thumbnails loaded, as the notebook displays
    try: WebDriverWait(drv, 60, .5).until(lambda d: (s := d.execute_script(STATE))['grids'] >= want and s['tiles'] == s['thumbs_loaded'])
    except Exception: pass
    st = drv.execute_script(STATE)
    if not (st['grids'] == st['widget_outputs'] == want) or st['fallback'] or st['tiles'] != st['thumbs_loaded'] or 0 in st['tiles']:
        raise AssertionError(f'{name}: {want} grid displays in the saved notebook, {st["widget_outputs"]} widget outputs in the '
                             f'lab, {st["grids"]} grids rendered (visible tiles {st["tiles"]}, thumbnails loaded '
                             f'{st["thumbs_loaded"]}), {st["fallback"]} widget outputs showing a text fallback')
    panel = drv.execute_script('return window.jupyterapp.shell.currentWidget.node')
    grids = panel.find_elements(By.CSS_SELECTOR, '.av-label-grid')
    for k, g in enumerate(grids):
        drv.execute_script("arguments[0].scrollIntoView({block: 'start'})", g)
        g.screenshot(str(shots/f'{name[:-6]}_grid{k}.png'))
    log(f'  {len(grids)} grids rendered as live widgets, as displayed ({want} in the saved notebook); '
        f'visible tiles {st["tiles"]}, all thumbnails loaded')
    clicks = []
    for k, g in enumerate(grids):
        review = 'Review' in g.text.split('batch')[0]
        if review: clicks.append(click_and_check(drv, g, k, lab.base/'tmp', 'accept', shots, name[:-6]))
        clicks.append(click_and_check(drv, g, k, lab.base/'tmp', 'class', shots, name[:-6]))
    seen = set(lab.kernel_pids); lab.remember_kernels()
    cpu = lab.cpu_seconds(lab.kernel_pids - seen)    # this notebook's kernel
    drv.execute_async_script(CLOSE)
    log(f'  {name}: its kernel used {cpu:.0f} CPU-seconds')
    return dict(notebook=name, seconds_to_run=round(run_s, 1), cpu_seconds=round(cpu), code_cells=st['cells'], skipped_cells=expect['skipped'],
                grids=len(grids), tiles=st['tiles'], clicks=clicks)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('notebooks', nargs='*', default=DEFAULT_NBS)
    ap.add_argument('--flags', default='', help="tst_flags to run, as nbdev_test's --flags (default: none, as CI)")
    ap.add_argument('--timeout', type=float, default=600, help='seconds one notebook may take to run')
    args = ap.parse_args()
    t0 = time.time()
    shots = Path(os.environ.get('ACTIVE_VISION_ARTIFACTS', '/tmp/active_vision_artifacts'))/'jlab'
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob('*.png'): old.unlink()
    base = Path(tempfile.mkdtemp(prefix='av-jlab-'))
    work = base/'notebooks'; work.mkdir()
    expect = {}
    for nb in args.notebooks:
        src = (root/nb).resolve() if not Path(nb).is_absolute() else Path(nb)
        expect[src.name] = copy_notebook(src, work/src.name, args.flags)
    lab, drv, report, ok = None, None, [], False
    try:
        lab = Lab(work, base)
        lab.wait()
        log(f'jupyter lab on 127.0.0.1:{lab.port} ({time.time() - t0:.0f}s); notebooks copied to a temporary folder: '
            + ', '.join(f'{n} ({e["cells"]} code cells, {e["skipped"]} skipped as nbdev_test skips them)' for n, e in expect.items()))
        drv = browser()
        drv.get(f'{lab.url}/lab?token={lab.token}&reset')
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(drv, 120).until(lambda d: d.execute_script('return !!(window.jupyterapp && window.jupyterapp.shell)'))
        for name, e in expect.items(): report.append(check_notebook(drv, lab, name, e, shots, args.timeout))
        ok = True
    except Exception:
        if drv is not None:
            try: drv.save_screenshot(str(shots/'failure.png'))
            except Exception: pass
        if lab is not None: log(f'--- jupyter lab log (tail) ---\n{lab.tail()}')
        raise
    finally:
        if drv is not None: drv.quit()
        if lab is not None:
            log(f'lab server used {lab.cpu_seconds():.0f} CPU-seconds'); lab.stop()
        (shots/'jlab_report.json').write_text(json.dumps(dict(ok=ok, seconds=round(time.time() - t0, 1), notebooks=report), indent=1))
        shutil.rmtree(base, ignore_errors=True)
    n_grids, n_clicks = sum(r['grids'] for r in report), sum(len(r['clicks']) for r in report)
    log(f'jupyterlab browser check: {len(report)} notebooks run in JupyterLab, {n_grids} grids rendered live, {n_clicks} clicks '
        f'recorded in the stores; screenshots in {shots} ({time.time() - t0:.0f}s)')

if __name__ == '__main__': main()
