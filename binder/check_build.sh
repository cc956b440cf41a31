#!/usr/bin/env bash
# Replay Binder's build locally: a fresh clone, a fresh virtual environment with the pip packages of
# binder/environment.yml, then binder/postBuild; finally serve the notebook the way Binder does
# (Jupyter Server with the Voilà extension) and fetch the README's urlpath.
# Usage: binder/check_build.sh [WORKDIR]   (default: a new temporary folder)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
port="${PORT:-8899}"

git clone --quiet "$repo" "$work/repo"
python3 -m venv "$work/env"
# The pip: section of environment.yml, one requirement per line.
sed -n '/^  - pip:/,$p' "$repo/binder/environment.yml" | sed -n 's/^ *- \(.*\)$/\1/p' | grep -v '^pip:' \
  > "$work/requirements.txt"
"$work/env/bin/python" -m pip install --quiet -r "$work/requirements.txt"

cd "$work/repo"
PATH="$work/env/bin:$PATH" bash binder/postBuild

as_root=""
[ "$(id -u)" = 0 ] && as_root="--allow-root"  # Binder does not run as root; a local check may
PATH="$work/env/bin:$PATH" jupyter server --no-browser --port "$port" --IdentityProvider.token='' \
  --ServerApp.ip=127.0.0.1 $as_root >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
url="http://127.0.0.1:$port/voila/render/dashboards/credit_dashboard.ipynb"
for _ in $(seq 60); do
  if curl -fs -o "$work/page.html" "$url"; then break; fi
  sleep 2
done
# The rendered page must hold the dashboard's widgets, and no traceback.
grep -q "application/vnd.jupyter.widget-view+json" "$work/page.html"
if grep -q "Traceback" "$work/page.html"; then echo "the page shows a traceback" >&2; exit 1; fi
echo "Binder build replayed in $work: $url answered ($(wc -c <"$work/page.html") bytes)"
