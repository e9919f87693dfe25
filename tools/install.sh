#!/usr/bin/env bash
# Install this plugin and its stack into a virtual environment kept OUTSIDE the clone.
#
# The environment is keyed by the pinned versions, so a second run (or CI on a fresh clone)
# reuses it and only re-links this checkout (seconds); a fresh machine builds it from nothing
# (about 6 minutes: openpifpaf-vita compiles a C++ extension against torch).
#
# Prints the venv's path on its last line.  Override the location with DEEPFASHION_VENV.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
OPENPIFPAF_VERSION=0.14.2
MATPLOTLIB_SPEC='matplotlib<3.9'
# Light requirements, (re)installed whenever this list changes.  scipy: OpenPifPaf's rotation augmentation;
# thop: imported by openpifpaf.eval (it counts the network's operations); onnx, onnxscript: openpifpaf.export_onnx
# (torch 2.14 exports through its dynamo-based exporter, which needs both); onnxruntime: runs the exported model
# in the export test (the check that the ONNX file computes the same fields as PyTorch).
LIGHT_REQUIREMENTS="pycocotools numpy Pillow scipy thop onnx onnxscript onnxruntime pytest pycodestyle"

PY_TAG=$("$PYTHON" -c 'import sys; print("py%d%d" % sys.version_info[:2])')
KEY="$PY_TAG-torch$TORCH_VERSION-tv$TORCHVISION_VERSION-openpifpaf$OPENPIFPAF_VERSION"
CACHE_ROOT=${XDG_CACHE_HOME:-${HOME:-$(cd ~ && pwd)}/.cache}/openpifpaf_deepfashion
VENV=${DEEPFASHION_VENV:-$CACHE_ROOT/venv-$KEY}
log() { echo "[install] $*" >&2; }

if [ ! -f "$VENV/.stack-complete" ]; then
    log "building the stack in $VENV (first run on this machine: several minutes)"
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV"
    # pip 24+ refuses openpifpaf-vita (its "train" extra names a git URL): keep the pip of Python 3.11.
    "$VENV/bin/python" -m pip install -q 'pip==23.2.1' 'setuptools>=68,<76' wheel
    "$VENV/bin/python" -m pip install -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
    # torch 2.14's headers need C++20; CFLAGS never reach the C++ compiler, so wrap it.
    mkdir -p "$VENV/toolchain"
    cat > "$VENV/toolchain/cxx20" <<'WRAP'
#!/bin/sh
exec g++ "$@" -std=c++20
WRAP
    chmod +x "$VENV/toolchain/cxx20"
    CXX="$VENV/toolchain/cxx20" "$VENV/bin/python" -m pip install -q --no-build-isolation \
        "openpifpaf-vita==$OPENPIFPAF_VERSION" "$MATPLOTLIB_SPEC" \
        "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
    touch "$VENV/.stack-complete"
fi

if [ "$(cat "$VENV/.light-requirements" 2>/dev/null)" != "$LIGHT_REQUIREMENTS" ]; then
    log "installing $LIGHT_REQUIREMENTS"
    # shellcheck disable=SC2086
    "$VENV/bin/python" -m pip install -q $LIGHT_REQUIREMENTS \
        "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" "$MATPLOTLIB_SPEC"
    echo "$LIGHT_REQUIREMENTS" > "$VENV/.light-requirements"
fi

# Link this checkout (editable, no dependency resolution: the stack above is pinned).
# compat mode puts the checkout on sys.path through a .pth file, so that OpenPifPaf's plugin scan
# (pkgutil.iter_modules) sees the package; the default editable finder hook hides it.
"$VENV/bin/python" -m pip install -q --no-build-isolation --no-deps --config-settings editable_mode=compat \
    -e "$ROOT[test]" >&2
"$VENV/bin/python" -c 'import openpifpaf; assert "openpifpaf_deepfashion" in openpifpaf.plugin.versions()' >&2
log "ready: $VENV"
echo "$VENV"
