#!/usr/bin/env python
"""Build the docs site (`make docs`): nbdev/Quarto where Quarto is installed, a static HTML site from the processed
notebooks where it is not.

    python .ci/docs.py              # quarto on PATH: nbdev_docs; otherwise process the notebooks and build _docs/
    python .ci/docs.py --static     # always the static build (what CI checks)
    python .ci/docs.py --proc-only  # only process the notebooks into _proc/ (what `nbdev_proc_nbs` does)

Processing is `nbdev_proc_nbs` without its Quarto installer: when `quarto` is missing, nbdev tries `sudo` to install
it and then runs `pip install -e .[dev]`, which re-points a shared editable install at whichever checkout ran it.

The static build reads the notebooks that exist in nbs/ (nbdev's own file rule) and their processed copies in _proc/,
where nbdev has already turned `#| export` cells into API docs (show_doc) and backtick names into links. Each notebook
becomes one page, named as Quarto names it: the front matter's `output-file` (`strategies.html` for
`03_strategies.ipynb`), `index.html` for `index.ipynb`. nbconvert's HTML exporter renders the cells; this script adds
what Quarto adds: the title block from the notebook's H1 and summary, the sidebar from nbs/sidebar.yml on every page,
a table of contents, Pandoc's heading ids (so `page.html#heading` and `page.html#symbol` links work), links to `.ipynb`
files and to the published site rewritten to the local pages, cells hidden per their `#|` options, and nbs/styles.css.
Images are embedded (outputs as base64 PNG, markdown images read from beside the notebook as data URIs), so each page is one self-contained file
beside the shared stylesheets in site_libs/.
"""
import argparse, base64, html, json, mimetypes, os, posixpath, re, shutil, subprocess, sys, time
from pathlib import Path
from urllib.parse import unquote

root = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def quarto_options(source):
    "The `#|` options at the top of a cell's source, as {name: value}, and the source without them"
    opts, lines = {}, source.splitlines()
    i = 0
    while i < len(lines) and (DIRECTIVE.match(lines[i]) or not lines[i].strip()):
        m = DIRECTIVE.match(lines[i])
        if m: opts[m.group(1).lower()] = m.group(2).strip().strip('"\'').lower()
        i += 1
    return opts, '\n'.join(lines[i:])

def is_false(v): return v in ('false', 'no', '0')

def proc_nbs(n_workers=2):
    "Process nbs/ into _proc/ as `nbdev_proc_nbs` does, minus its attempt to install Quarto (and reinstall the project)"
    import nbdev.quarto
    nbdev.quarto._ensure_quarto = lambda: None
    start = time.time()
    # the arguments the nbdev_proc_nbs command passes (its file_glob='' also puts the .yml and .css files in sidebar.yml)
    nbdev.quarto.nbdev_proc_nbs.__wrapped__(path='', n_workers=n_workers, force=False, file_glob='', file_re='', symlinks=False,
                                            folder_re=None, skip_file_glob=None, skip_file_re='^[_.]', skip_folder_re='^[_.]')
    print(f'processed notebooks into _proc/ in {time.time()-start:.0f}s', flush=True)

# ---------------------------------------------------------------- pages and names

def source_notebooks():
    "Notebooks in nbs/ relative to it, by nbdev's rule (folders and files starting with _ or . are skipped)"
    from nbdev.doclinks import nbglob
    from nbdev.config import get_config
    nbs = get_config().nbs_path
    return nbs, sorted(Path(p).relative_to(nbs).as_posix() for p in nbglob(nbs))

def front_matter(nb):
    "Front matter of a processed notebook (nbdev puts it in a first raw cell) and the notebook without that cell"
    import yaml
    if nb.cells and nb.cells[0].cell_type == 'raw' and nb.cells[0].source.lstrip().startswith('---'):
        text = nb.cells[0].source.strip().strip('-')
        nb.cells = nb.cells[1:]
        return yaml.safe_load(text) or {}
    return {}

def output_name(rel, fm):
    "Where Quarto writes notebook `rel` (relative to nbs/): its `output-file` beside it, else the same stem .html"
    folder = posixpath.dirname(rel)
    return posixpath.join(folder, fm.get('output-file') or posixpath.splitext(posixpath.basename(rel))[0] + '.html')

def pandoc_id(text):
    "Pandoc's auto_identifiers rule (what Quarto gives headings): keep alphanumerics, _ - .; spaces to -; lowercase; start at a letter"
    text = re.sub(r'[^\w\s.-]', '', text.strip(), flags=re.UNICODE).lower()
    text = re.sub(r'\s+', '-', text)
    text = re.sub(r'^[^a-z]+', '', text)
    return text or 'section'

PANDOC_LINK = re.compile(r'\[([^\]\n]+)\]\(([^)\s]+)\)\{([^}\n]*)\}')

def pandoc_link_attrs(md):
    "`[text](url){target=\"_blank\" .cls}` (Pandoc link attributes, as in nbdev's [source] links) to an HTML <a>"
    def repl(m):
        attrs, classes = [], []
        for tok in re.findall(r'[\w-]+="[^"]*"|[\w-]+=\S+|\.[\w-]+|#[\w-]+', m.group(3)):
            if tok.startswith('.'): classes.append(tok[1:])
            elif tok.startswith('#'): attrs.append(f'id="{tok[1:]}"')
            else:
                k, v = tok.split('=', 1)
                attrs.append(f'{k}="{html.escape(v.strip(chr(34)))}"')
        if classes: attrs.append(f'class="{" ".join(classes)}"')
        return f'<a href="{html.escape(m.group(2))}" {" ".join(attrs)}>{m.group(1)}</a>'
    return PANDOC_LINK.sub(repl, md)

# ---------------------------------------------------------------- cells

def prepare_cells(nb):
    "Hide what Quarto hides and strip the `#|` lines it strips; make nbdev's markdown readable by nbconvert"
    cells = []
    for cell in nb.cells:
        if cell.cell_type == 'markdown':
            cell.source = pandoc_link_attrs(cell.source)
            cells.append(cell); continue
        if cell.cell_type != 'code': continue    # raw cells are for other formats
        opts, code = quarto_options(cell.source)
        if 'hide' in opts or is_false(opts.get('include', '')): continue
        tags = set(cell.metadata.get('tags', []))
        if is_false(opts.get('echo', '')) or not code.strip(): tags.add('remove_input')
        if is_false(opts.get('output', '')): cell.outputs = []
        cell.source = code
        for out in cell.get('outputs', []):
            data = out.get('data', {})
            if 'text/markdown' in data: data['text/markdown'] = pandoc_link_attrs(data['text/markdown'])
        if 'remove_input' in tags and not cell.get('outputs'): continue
        cell.metadata['tags'] = sorted(tags)
        cells.append(cell)
    nb.cells = cells
    return nb

# ---------------------------------------------------------------- the site

SITE_CSS = """
:root { --sidebar-w: 250px; --toc-w: 220px; --nav-h: 52px; }
html { scroll-padding-top: calc(var(--nav-h) + 8px); }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #373a3c; background: #fff; }
a { color: #2780e3; }
.site-nav { position: fixed; top: 0; left: 0; right: 0; height: var(--nav-h); z-index: 10; display: flex;
            align-items: center; padding: 0 1.2rem; background: #2780e3; }
.site-nav a { color: #fff; font-size: 1.25rem; text-decoration: none; }
.site-sidebar { position: fixed; top: var(--nav-h); bottom: 0; left: 0; width: var(--sidebar-w); overflow-y: auto;
                padding: 1rem .8rem; box-sizing: border-box; border-right: 1px solid #e6e6e6; background: #fafafa; }
.site-sidebar ul { list-style: none; margin: 0; padding-left: 0; }
.site-sidebar ul ul { padding-left: .9rem; }
.site-sidebar li { margin: .15rem 0; }
.site-sidebar a { display: block; padding: .2rem .5rem; border-radius: 4px; color: #495057; text-decoration: none;
                  font-size: .92rem; }
.site-sidebar a:hover { background: #eef3fb; }
.site-sidebar a.active { color: #2780e3; font-weight: 600; background: #eef3fb; }
.site-sidebar .section { display: block; margin-top: .6rem; padding: .2rem .5rem; font-weight: 600; font-size: .92rem; }
.site-main { margin: var(--nav-h) var(--toc-w) 0 var(--sidebar-w); padding: 1.5rem 2.5rem 4rem; max-width: 980px; }
.site-toc { position: fixed; top: var(--nav-h); right: 0; width: var(--toc-w); bottom: 0; overflow-y: auto;
            padding: 1.2rem .8rem; box-sizing: border-box; font-size: .85rem; }
.site-toc h2 { font-size: .9rem; margin: 0 0 .4rem; }
.site-toc ul { list-style: none; padding-left: 0; margin: 0; }
.site-toc li.level3 { padding-left: .8rem; }
.site-toc a { color: #6c757d; text-decoration: none; display: block; padding: .1rem 0; }
#title-block-header h1.title { font-size: 2.2rem; margin: .5rem 0 .3rem; }
.site-main h2 { border-bottom: 1px solid #e6e6e6; padding-bottom: .3rem; margin-top: 2rem; }
.site-main .jp-Cell { padding: 0; }
.site-main .jp-InputPrompt, .site-main .jp-OutputPrompt { display: none; }
.site-main .jp-Notebook-cell { margin-bottom: .6rem; }
.site-main img { max-width: 100%; }
.site-main .jp-OutputArea-output pre { white-space: pre-wrap; }
@media (max-width: 1200px) { .site-toc { display: none; } .site-main { margin-right: 0; } }
@media (max-width: 800px) { .site-sidebar { display: none; } .site-main { margin-left: 0; padding: 1rem; } }
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="active-vision .ci/docs.py (nbconvert {nbconvert})">
<meta name="source-notebook" content="{source}">
<title>{title} – {site}</title>
<link rel="stylesheet" href="{up}site_libs/notebook.css">
<link rel="stylesheet" href="{up}site_libs/site.css">
<link rel="stylesheet" href="{up}styles.css">
{math}</head>
<body>
<nav class="site-nav"><a href="{up}index.html">{site}</a></nav>
<nav class="site-sidebar" id="quarto-sidebar">
{sidebar}
</nav>
<nav class="site-toc" id="TOC">{toc}</nav>
<main class="site-main content" id="quarto-document-content">
<header id="title-block-header">
<h1 class="title">{title}</h1>
{description}
</header>
{body}
</main>
</body>
</html>
"""

# Quarto loads MathJax from this CDN too; offline, the TeX stays as written
MATHJAX = """<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']]}};</script>
<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml-full.js"></script>
"""

def sidebar_items(contents, pages):
    "sidebar.yml's `contents` as (kind, text, target, children): pages by notebook name, sections, and hrefs"
    items = []
    for it in contents or []:
        if isinstance(it, str) or (isinstance(it, dict) and 'href' in it and 'contents' not in it):
            href = it if isinstance(it, str) else it['href']
            if href in pages: items.append(('page', (it.get('text') if isinstance(it, dict) else None) or pages[href]['title'], href, []))
            elif re.match(r'\w+://', href): items.append(('link', it.get('text', href) if isinstance(it, dict) else href, href, []))
            elif href.endswith(('.ipynb', '.qmd', '.md')): print(f'  sidebar.yml lists {href}, which is not a notebook in nbs/: left out', flush=True)
            # other files (nbdev.yml, styles.css...) are not pages: Quarto leaves them out as well
        elif isinstance(it, dict):
            text = it.get('section') or it.get('text') or ''
            items.append(('section', text, it.get('href'), sidebar_items(it.get('contents'), pages)))
    return items

def sidebar_html(items, here, pages):
    "The sidebar as nested lists, links relative to page `here`, the current page marked active"
    out = ['<ul>']
    for kind, text, target, children in items:
        if kind == 'page':
            out_file = pages[target]['out']
            cls = ' class="active"' if out_file == here else ''
            out.append(f'<li><a href="{rel_url(out_file, here)}"{cls}>{html.escape(str(text))}</a></li>')
        elif kind == 'link': out.append(f'<li><a href="{html.escape(target)}">{html.escape(str(text))}</a></li>')
        else:
            head = (f'<a class="section" href="{rel_url(pages[target]["out"], here)}">{html.escape(text)}</a>'
                    if target in pages else f'<span class="section">{html.escape(text)}</span>')
            out.append(f'<li>{head}{sidebar_html(children, here, pages)}</li>')
    out.append('</ul>')
    return '\n'.join(out)

def rel_url(target, here):
    "URL of site file `target` from page `here` (both relative to the site root)"
    return posixpath.relpath(target, posixpath.dirname(here) or '.')

def fix_page(body_html, page, pages, site_url, nbs_dir):
    "Pandoc heading ids, a table of contents, and links that point at local pages; returns (body, toc)"
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(body_html, 'html.parser')
    for a in soup.select('a.anchor-link'): a.decompose()
    seen, toc = {}, []
    for h in soup.find_all(re.compile(r'^h[1-6]$')):
        ident = pandoc_id(h.get_text(' ', strip=True))
        if ident in seen:
            seen[ident] += 1; ident = f'{ident}-{seen[ident]}'
        else: seen[ident] = 0
        h['id'] = ident
        if h.name in ('h2', 'h3'): toc.append((h.name, ident, h.get_text(' ', strip=True)))
    for img in soup.find_all('img', src=True):   # markdown images: files beside the notebook, embedded as data URIs
        src = img['src']
        if re.match(r'^[a-z][\w+.-]*:', src): continue
        f = nbs_dir/posixpath.dirname(page['rel'])/unquote(src)
        if f.is_file():
            mime = mimetypes.guess_type(f.name)[0] or 'application/octet-stream'
            img['src'] = f'data:{mime};base64,' + base64.b64encode(f.read_bytes()).decode()
        else: print(f'  {page["rel"]}: image {src} not found beside the notebook', flush=True)
    by_source = {k: v['out'] for k, v in pages.items()}
    for a in soup.find_all('a', href=True):
        href = a['href']
        if site_url and href.startswith(site_url): href = href[len(site_url):].lstrip('/') or 'index.html'
        elif not href or re.match(r'^[a-z][\w+.-]*:|^#|^/', href): continue
        else: href = posixpath.normpath(posixpath.join(posixpath.dirname(page['out']), href))
        path, _, frag = href.partition('#')   # path is now relative to the site root, like the keys of `pages`
        if path in by_source: path = by_source[path]    # a link to a notebook goes to its page
        elif path.endswith('.ipynb'): path = path[:-len('.ipynb')] + '.html'
        a['href'] = rel_url(path, page['out']) + (f'#{frag}' if frag else '')
    toc_html = ''
    if toc:
        toc_html = '<h2>On this page</h2><ul>' + ''.join(
            f'<li class="level{h[1]}"><a href="#{i}">{html.escape(t)}</a></li>' for h, i, t in toc) + '</ul>'
    return str(soup), toc_html

def notebook_css(full_html):
    "nbconvert's lab stylesheet (the <style> blocks of one exported page), written once for every page"
    return '\n'.join(re.findall(r'<style[^>]*>(.*?)</style>', full_html, flags=re.S))

def build_static(out_dir, jobs=1):
    import nbformat, nbconvert, yaml
    from nbconvert import HTMLExporter
    from nbdev.config import get_config
    cfg = get_config()
    proc = cfg.config_path/'_proc'
    nbs_dir, rels = source_notebooks()
    site_url = (cfg.get('doc_host', '') + cfg.get('doc_baseurl', '')).rstrip('/') + '/' if cfg.get('doc_host') else ''
    site_title = cfg.get('title') or cfg.get('lib_name')
    missing = [r for r in rels if not (proc/r).exists()]
    if missing: sys.exit(f'not processed: {", ".join(missing)}; run `python .ci/docs.py --proc-only` (nbdev_proc_nbs) first')
    start = time.time()
    pages, nb_of = {}, {}
    for rel in rels:
        nb = nbformat.read(proc/rel, as_version=4)
        fm = front_matter(nb)
        title = str(fm.get('title') or Path(rel).stem)
        pages[rel] = dict(rel=rel, out=output_name(rel, fm), title=title, description=fm.get('description', ''))
        nb_of[rel] = nb
    clash = {}
    for p in pages.values(): clash.setdefault(p['out'], []).append(p['rel'])
    clash = {k: v for k, v in clash.items() if len(v) > 1}
    if clash: sys.exit(f'notebooks that would write the same page: {clash}; give one an `output-file`')
    sidebar_yml = nbs_dir/'sidebar.yml'
    contents = yaml.safe_load(sidebar_yml.read_text())['website']['sidebar']['contents'] if sidebar_yml.exists() else list(pages)
    items = sidebar_items(contents, pages)
    listed = {t for k, _, t, _ in _walk(items) if k in ('page', 'section')}
    for rel in rels:
        if rel not in listed: print(f'  {rel} is not in sidebar.yml: its page is built but not in the sidebar', flush=True)

    if out_dir.exists(): shutil.rmtree(out_dir)
    (out_dir/'site_libs').mkdir(parents=True)
    (out_dir/'site_libs'/'site.css').write_text(SITE_CSS)
    if (nbs_dir/'styles.css').exists(): shutil.copy(nbs_dir/'styles.css', out_dir/'styles.css')
    else: (out_dir/'styles.css').write_text('')
    from traitlets.config import Config
    c = Config(); c.TagRemovePreprocessor.remove_input_tags = {'remove_input'}; c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, template_name='lab', exclude_anchor_links=True)  # embed_images splits inline <a> tags; fix_page embeds
    css_written = False
    for i, rel in enumerate(rels, 1):
        t0 = time.time()
        page = pages[rel]
        nb = prepare_cells(nb_of[rel])
        nb.metadata.pop('widgets', None)    # widget state needs a live kernel; static pages show outputs only
        try: full, _ = exporter.from_notebook_node(nb, resources={'metadata': {'path': str((nbs_dir/rel).parent), 'name': page['title']}})
        except Exception as e: sys.exit(f'{rel}: nbconvert could not render it ({type(e).__name__}: {e}); see _proc/{rel}')
        if not css_written:
            (out_dir/'site_libs'/'notebook.css').write_text(notebook_css(full)); css_written = True
        m = re.search(r'<main>(.*)</main>', full, flags=re.S)
        body = m.group(1) if m else re.search(r'<body[^>]*>(.*)</body>', full, flags=re.S).group(1)
        body = re.sub(r'<script\b.*?</script>', '', body, flags=re.S)
        body, toc = fix_page(body, page, pages, site_url, nbs_dir)
        up = '../' * page['out'].count('/')
        desc = f'<div class="description">{html.escape(str(page["description"]))}</div>' if page['description'] else ''
        text = PAGE.format(nbconvert=nbconvert.__version__, source=html.escape(rel), title=html.escape(page['title']),
                           site=html.escape(site_title), up=up, sidebar=sidebar_html(items, page['out'], pages),
                           toc=toc, description=desc, body=body, math=MATHJAX if re.search(r'\$[^$\s]|\\\(', body) else '')
        dest = out_dir/page['out']
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text)
        n_img = body.count('<img ')
        print(f'[{i}/{len(rels)}] {rel} -> {page["out"]} ({len(text)//1024} KB, {n_img} images, {time.time()-t0:.1f}s)', flush=True)
    (out_dir/'.nojekyll').write_text('')
    print(f'built {len(rels)} pages into {out_dir.relative_to(root)}/ in {time.time()-start:.0f}s', flush=True)
    return pages

def _walk(items):
    for it in items:
        yield it
        yield from _walk(it[3])

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--static', action='store_true', help='build the static site even where Quarto is installed')
    ap.add_argument('--proc-only', action='store_true', help='only process the notebooks into _proc/')
    ap.add_argument('--no-proc', action='store_true', help='use _proc/ as it is (processed by an earlier step)')
    ap.add_argument('--n-workers', type=int, default=2)
    args = ap.parse_args()
    os.chdir(root)
    if not args.static and not args.proc_only and shutil.which('quarto'):
        print('quarto found: nbdev_docs', flush=True)
        nbdev_docs = Path(sys.executable).parent/'nbdev_docs'
        sys.exit(subprocess.call([str(nbdev_docs) if nbdev_docs.exists() else 'nbdev_docs', '--n_workers', str(args.n_workers)]))
    if not args.no_proc: proc_nbs(args.n_workers)
    if args.proc_only: return
    from nbdev.config import get_config
    build_static(get_config().doc_path)

if __name__ == '__main__': main()
