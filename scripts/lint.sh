#!/usr/bin/env bash
# The lint and type check, exactly as `make test` (and so CI) runs them before pytest; `make lint` runs this alone.
# Configuration: [tool.ruff] and [tool.mypy] in pyproject.toml.  To apply what ruff can fix safely:
#   .venv/bin/ruff check --fix . && .venv/bin/ruff format .
# All three checks run, so every problem is reported at once; the exit status is 1 if any of them failed.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
# caches inside the virtual environment: nothing is written into the repository
export RUFF_CACHE_DIR="$VENV/.ruff_cache" MYPY_CACHE_DIR="$VENV/.mypy_cache"
failed=()
"$VENV/bin/ruff" check . || failed+=("ruff check")
"$VENV/bin/ruff" format --check . || failed+=("ruff format --check (run: $VENV/bin/ruff format .)")
"$VENV/bin/mypy" || failed+=("mypy")
if ((${#failed[@]})); then
  printf 'lint failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
