#!/usr/bin/env bash
# The CUDA check on a GPU machine without a package registry (how the figures in the issue notes were made).
#
# Expects in .carry/: the openpifpaf-vita 0.14.2 sdist and cp312 wheels of matplotlib<3.9, pycocotools,
# python-json-logger, pysparkling, importlib_metadata, thop (see README "GPU").  Builds OpenPifPaf against the
# machine's own torch, then runs generate -> convert -> train -> eval -> predict on CUDA and the network
# benchmark.  Results go to $OUT (default outputs/gpu).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-outputs/gpu}
EPOCHS=${GPU_EPOCHS:-12}
mkdir -p "$OUT"
SITE=/tmp/site
python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target "$SITE" .carry/*.whl
mkdir -p /tmp/toolchain
printf '#!/bin/sh\nexec g++ "$@" -std=c++20\n' > /tmp/toolchain/cxx20 && chmod +x /tmp/toolchain/cxx20
export PYTHONPATH="$SITE:$PWD" MAX_JOBS=16
start=$(date +%s)
CXX=/tmp/toolchain/cxx20 python3 -m pip install -q --no-index --no-deps --no-build-isolation --target "$SITE" \
    .carry/openpifpaf-vita-0.14.2.tar.gz > "$OUT/build.log" 2>&1
echo "openpifpaf build: $(( $(date +%s) - start )) s"
python3 -c 'import torch, openpifpaf; print("torch", torch.__version__, "cuda", torch.cuda.is_available(),
      torch.cuda.get_device_name(0), "plugins", openpifpaf.plugin.versions())'

DATA=/tmp/gpu-data
python3 -m openpifpaf_deepfashion.deepfashion.generator --output "$DATA" --n-images 800 --seed 0
python3 -m openpifpaf_deepfashion.deepfashion.converter --root "$DATA" --output-dir "$DATA/annotations" --no-progress \
    | tail -n 2
start=$(date +%s)
python3 -m openpifpaf.train --dataset=deepfashion --deepfashion-root="$DATA" \
    --basenet=shufflenetv2k16 --deepfashion-square-edge=161 --deepfashion-upsample=2 --deepfashion-rotation=10 \
    --batch-size=8 --adam --lr=1e-3 --momentum=0.9 --lr-warm-up-epochs=1 \
    --epochs="$EPOCHS" --loader-workers=8 --output=/tmp/gpu-model.pkl > "$OUT/train.log" 2>&1
echo "train on cuda: $(( $(date +%s) - start )) s for $EPOCHS epochs"
CHECKPOINT=$(printf '/tmp/gpu-model.pkl.epoch%03d' "$EPOCHS")
python3 -m openpifpaf.eval --dataset=deepfashion --deepfashion-root="$DATA" --checkpoint="$CHECKPOINT" \
    --seed-threshold=0.2 --instance-threshold=0.05 --loader-workers=4 --output="$OUT/eval" > "$OUT/eval.log" 2>&1
grep "time per image" "$OUT/eval.log" || true
python3 -m openpifpaf_deepfashion.deepfashion.metrics "$OUT/eval.stats.json" | head -n 30
mkdir -p "$OUT/predict"
PHOTOS=${PHOTOS:-.carry/photos}  # ../shared/data/photos and fld_real images, copied (../shared does not travel)
python3 -m openpifpaf.predict --checkpoint="$CHECKPOINT" --seed-threshold=0.2 --instance-threshold=0.05 \
    --image-output="$OUT/predict/" --json-output="$OUT/predict/" "$PHOTOS"/*.jp*g \
    $(ls "$DATA"/img/*/img_00000002.jpg | head -n 3) > "$OUT/predict.log" 2>&1 || { tail -n 20 "$OUT/predict.log"; exit 1; }
echo "predict on cuda: $(ls "$OUT"/predict/*.json | wc -l) json files"
python3 tools/benchmark_network.py --device cuda --size 321 --repeats 30
