#!/usr/bin/env bash
# The README's test command (`make test`) runs this. FLAGS adds test flags, e.g. `make test FLAGS="slow benchmark"`;
# extra args go to nbdev_test (e.g. --path nbs/01_store.ipynb).
set -euo pipefail
cd "$(dirname "$0")/.."
sum() { find "$@" -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*' -print0 | sort -z | xargs -0 md5sum; }

echo "== nbdev_clean"
before=$(sum nbs); nbdev_clean; after=$(sum nbs)
if [ "$before" != "$after" ]; then
  echo "nbdev_clean changed notebooks: run nbdev_clean and commit the result" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true; exit 1
fi

echo "== nbdev_export"
before=$(sum active_vision); nbdev_export; after=$(sum active_vision)
if [ "$before" != "$after" ]; then
  echo "notebooks and library out of sync: nbdev_export changed active_vision/; commit the exported module" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true; exit 1
fi

echo "== README"
python .ci/readme.py --check

echo "== cell sizes (print only)"
python .ci/cell_stats.py

echo "== module structure"
python .ci/check_layers.py

browser=""
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  browser=1    # browser tests run wherever Debian's chromium and chromedriver are installed
elif [ -n "${ACTIVE_VISION_BROWSER_TESTS:-}" ]; then
  echo "browser tests requested but chromium/chromedriver are missing (apt-get install chromium chromium-driver)" >&2; exit 1
else
  echo "skipping browser tests: chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
fi

echo "== docs: notebooks processed for Quarto (nbdev_proc_nbs, without its Quarto installer), outputs, static site"
python .ci/check_cells.py
start=$(date +%s)
log=$(mktemp)
python .ci/docs.py --proc-only --n-workers 2 >"$log" 2>&1 || { cat "$log" >&2; echo "processing the notebooks (nbdev_proc_nbs) failed" >&2; exit 1; }
rm -f "$log"
echo "processed $(ls _proc/*.ipynb | wc -l) notebooks into _proc/ in $(( $(date +%s) - start ))s"
python .ci/check_outputs.py
python .ci/docs.py --static --no-proc | grep -v '^\['    # the site `make docs` builds without Quarto (warnings and a summary)
if [ -n "$browser" ]; then python .ci/docs_browser.py; fi    # every page in chromium: links, images, screenshots

# The tutorials in JupyterLab in chromium: all cells run (those nbdev_test runs, with the same flags), every grid shows as
# a live widget, clicks in the grids reach the label store. A cell that fails there fails CI, so the tutorials are tested
# here and nbdev_test below leaves them out: each runs once (two runs would add about three minutes on 2 cores).
skip_nbs=()
if [ -n "$browser" ]; then
  echo "== tutorials in JupyterLab (chromium)"
  start=$(date +%s)
  python .ci/jlab_browser.py --flags "${FLAGS:-}"
  echo "jupyterlab check took $(( $(date +%s) - start ))s"
  skip_nbs=(--skip_file_re '^([_.]|2[01]_tutorial)')    # nbdev's default skip (^[_.]) and the tutorials run above
fi

echo "== nbdev_test"
flags="${FLAGS:-}"
if [ -n "$browser" ]; then flags="$flags browser"; fi
start=$(date +%s)
n=$(find nbs -name '[0-9]*.ipynb' | wc -l); [ ${#skip_nbs[@]} -gt 0 ] && n="$(( n - 2 )) (and 2 tutorials in JupyterLab)"
if nbdev_test --n_workers 2 --timing --flags "$flags" "${skip_nbs[@]}" "$@"; then
  echo "nbdev_test took $(( $(date +%s) - start ))s"
  echo "notebooks: $n passed, 0 failed"
else
  echo "notebooks: some failed (see above)"; exit 1
fi
