#!/usr/bin/env bash
# One command: install what the tests need (packages, model, headless Chromium + CJK font), then run
# the whole suite, slow (real model), browser and eval-floor tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev,llm,milvus,bench
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  echo "test: installing Debian's chromium and fonts-noto-cjk for the browser test"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
set +e
.venv/bin/python -m pytest -m "slow or not slow" "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then echo "test: pytest collected no tests: failing" >&2; exit 1; fi
exit "$rc"
