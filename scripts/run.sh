#!/usr/bin/env bash
# One command: install what is missing, fetch the model, build the index if missing, serve the app
# on http://127.0.0.1:7860 (UI at /, JSON API at /api, docs at /api/docs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh llm
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python app.py "$@"
