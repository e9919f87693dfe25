#!/usr/bin/env bash
# Install (or reuse) the environment, then lint and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=$(bash tools/install.sh | tail -n 1)
"$VENV/bin/python" -m pycodestyle --max-line-length=119 openpifpaf_deepfashion tests tools
"$VENV/bin/python" -m pytest -q tests "$@"
