#!/usr/bin/env bash
# The README's test command (`make test`) runs this. Extra args go to nbdev_test (e.g. --flags slow).
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

echo "== nbdev_test"
start=$(date +%s)
n=$(find nbs -name '[0-9]*.ipynb' | wc -l)
if nbdev_test --n_workers 2 --timing "$@"; then
  echo "nbdev_test took $(( $(date +%s) - start ))s"
  echo "notebooks: $n passed, 0 failed"
else
  echo "notebooks: some failed (see above)"; exit 1
fi
