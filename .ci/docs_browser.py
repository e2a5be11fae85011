#!/usr/bin/env python
"""Open every page of the built docs site (_docs/, from `make docs`) in a real browser and check it.

    python .ci/docs_browser.py [--site _docs] [--require-figures]

Debian's chromium and chromedriver (`apt-get install chromium chromium-driver`) drive the pages, served from
127.0.0.1 by a server that refuses foreign Host headers. For every page it checks that
- every image has loaded (naturalWidth > 0);
- every notebook in nbs/ has a page (on sites built by .ci/docs.py, whose pages name their notebook);
- every internal link (a page of the site, with or without #anchor) reaches a page that exists and, for an anchor,
  an element with that id on it;
and saves a screenshot of the page (its first 4000 px) to $ACTIVE_VISION_ARTIFACTS/docs/ (default
/tmp/active_vision_artifacts), with docs_report.json beside them.

Broken links and images fail the check. Tutorial pages (notebook names starting with 2x_ or containing 'tutorial')
without a figure (an image or svg in a cell output) are reported; --require-figures (or
ACTIVE_VISION_REQUIRE_FIGURES=1) makes that a failure too.
"""
import argparse, configparser, functools, http.server, json, os, posixpath, re, sys, threading, time
from pathlib import Path
from urllib.parse import urlsplit, unquote

root = Path(__file__).resolve().parent.parent
SHOT_MAX_H = 4000

class Handler(http.server.SimpleHTTPRequestHandler):
    "Static files from the site folder; a Host other than this server's own is refused (DNS rebinding)"
    def do_GET(self):
        host = self.headers.get('Host', '')
        port = self.server.server_address[1]
        if host not in (f'127.0.0.1:{port}', f'localhost:{port}'):
            self.send_error(403, 'foreign Host header'); return
        super().do_GET()
    def log_message(self, *a): pass

def serve(site):
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv

def browser(width=1280, height=900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions(); o.binary_location = '/usr/bin/chromium'
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', f'--window-size={width},{height}',
                '--hide-scrollbars', '--disable-extensions', '--no-first-run',
                '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'):   # the site alone: a CDN fails at once, offline or not
        o.add_argument(arg)
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=o)

# Everything a page needs checking, collected in one round trip once it has loaded (images included).
COLLECT = """
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.images);
Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; setTimeout(r, 5000); })))
.then(() => {
  const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id)
    .concat(Array.from(document.querySelectorAll('a[name]')).map(e => e.getAttribute('name')));
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => ({href: a.href, raw: a.getAttribute('href'),
    text: (a.textContent || '').trim().slice(0, 60)}));
  const images = imgs.map(i => ({src: (i.getAttribute('src') || '').slice(0, 80), w: i.naturalWidth}));
  const out = document.querySelectorAll('.jp-OutputArea-output img, .jp-OutputArea-output svg, .cell-output img, .cell-output svg, .cell-output-display img, .cell-output-display svg');
  const figures = Array.from(out).filter(e => e.tagName.toLowerCase() === 'svg' || e.naturalWidth > 0).length;
  const source = (document.querySelector('meta[name="source-notebook"]') || {}).content || null;
  done({ids, links, images, figures, source, title: document.title, height: document.documentElement.scrollHeight});
});
"""

def is_tutorial(name):
    base = posixpath.basename(name)
    return bool(re.match(r'2\d_', base)) or 'tutorial' in base.lower()

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    cfg = configparser.ConfigParser(); cfg.read(root/'settings.ini')
    ap.add_argument('--site', default=str(root/cfg['DEFAULT'].get('doc_path', '_docs')), help="the built site (settings.ini's doc_path)")
    ap.add_argument('--require-figures', action='store_true', default=bool(os.environ.get('ACTIVE_VISION_REQUIRE_FIGURES')))
    args = ap.parse_args()
    site = Path(args.site).resolve()
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html') if not any(s.startswith(('.', '_')) for s in p.relative_to(site).parts[:-1]))
    if not pages: sys.exit(f'no pages in {site}: run `make docs` first')
    art = Path(os.environ.get('ACTIVE_VISION_ARTIFACTS', '/tmp/active_vision_artifacts'))/'docs'
    art.mkdir(parents=True, exist_ok=True)
    for old in art.glob('*.png'): old.unlink()
    start = time.time()
    srv = serve(site)
    base = f'http://127.0.0.1:{srv.server_address[1]}/'
    drv = browser()
    drv.set_script_timeout(30)
    found = {}
    try:
        for i, page in enumerate(pages, 1):
            drv.get(base + page)
            info = drv.execute_async_script(COLLECT)
            h = min(info['height'], SHOT_MAX_H)
            drv.set_window_size(1280, max(h, 600))
            shot = art/(page.replace('/', '__')[:-len('.html')] + '.png')
            drv.save_screenshot(str(shot))
            drv.set_window_size(1280, 900)
            found[page] = info
            print(f'[{i}/{len(pages)}] {page}: {len(info["links"])} links, {len(info["images"])} images, '
                  f'{info["figures"]} figures -> {shot.name}', flush=True)
    finally:
        drv.quit(); srv.shutdown()

    broken, bad_images, no_figure = [], [], []
    for page, info in found.items():
        for img in info['images']:
            if not img['w']: bad_images.append(dict(page=page, src=img['src']))
        for link in info['links']:
            u = urlsplit(link['href'])
            if not link['href'].startswith(base): continue      # another site: not ours to check
            target = unquote(u.path[len(urlsplit(base).path):]) or 'index.html'
            if target.endswith('/'): target += 'index.html'
            if target not in found:
                if not (site/target).is_file(): broken.append(dict(page=page, href=link['raw'], text=link['text'], why='no such page'))
                continue
            frag = unquote(u.fragment)
            if frag and frag not in found[target]['ids']:
                broken.append(dict(page=page, href=link['raw'], text=link['text'], why=f'no #{frag} on {target}'))
        name = info['source'] or page
        if is_tutorial(name) and not info['figures']: no_figure.append(name)
    # every notebook is a page (pages built by .ci/docs.py name their notebook; a Quarto site's pages don't)
    sources = {v['source'] for v in found.values() if v['source']}
    nbs = root/'nbs'
    notebooks = sorted(p.relative_to(nbs).as_posix() for p in nbs.rglob('*.ipynb')
                       if not any(s.startswith(('.', '_')) for s in p.relative_to(nbs).parts))
    no_page = [n for n in notebooks if n not in sources] if sources else []

    report = dict(pages=len(found), notebooks_without_page=no_page, seconds=round(time.time() - start, 1), broken_links=broken, broken_images=bad_images,
                  tutorials_without_figure=no_figure, require_figures=args.require_figures,
                  per_page={p: dict(source=v['source'], title=v['title'], links=len(v['links']), images=len(v['images']),
                                    figures=v['figures']) for p, v in found.items()})
    (art/'docs_report.json').write_text(json.dumps(report, indent=1))
    for n in no_page: print(f'NO PAGE for notebook {n} (stale site? run `make docs`)')
    for b in broken: print(f'BROKEN LINK on {b["page"]}: [{b["text"]}]({b["href"]}): {b["why"]}')
    for b in bad_images: print(f'IMAGE NOT LOADED on {b["page"]}: {b["src"]}')
    for n in no_figure: print(f'{"FAIL" if args.require_figures else "note"}: tutorial {n} shows no figure')
    tutorials = sum(is_tutorial(v['source'] or p) for p, v in found.items())
    print(f'docs browser check: {len(found)} pages, {len(broken)} broken internal links, {len(bad_images)} images not loaded, '
          f'{len(no_figure)}/{tutorials} tutorial pages without a figure; screenshots in {art} ({report["seconds"]}s)')
    if broken or bad_images or no_page or (args.require_figures and no_figure): sys.exit(1)

if __name__ == '__main__': main()
