#!/usr/bin/env bash
# The main job on generated data: install, generate a DeepFashion-layout sample, convert it to COCO,
# train a small model from scratch on the CPU, evaluate NE on the held-out test split, predict on photos.
#
# DEMO_OUTPUT (default outputs/demo), DEMO_IMAGES (6000: 4200 for training) and DEMO_EPOCHS (2) change the size of
# the run (more images beat more epochs at one budget: the README's category head table).
# Training shows its progress on the terminal; the full logs of training, evaluation and prediction go to files
# in DEMO_OUTPUT, listed with the checkpoint, the NE table and the pictures at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=$(bash tools/install.sh | tail -n 1)
PY="$VENV/bin/python"
OUT=${DEMO_OUTPUT:-outputs/demo}
IMAGES=${DEMO_IMAGES:-6000}
EPOCHS=${DEMO_EPOCHS:-2}
DATA="$OUT/data"
step() { echo; echo "=== $*"; }
mkdir -p "$OUT"

step "generate $IMAGES images in DeepFashion's layout (2-4 garments each, every garment annotated)"
"$PY" -m openpifpaf_deepfashion.deepfashion.generator --output "$DATA" --n-images "$IMAGES" --seed 0 --multi-garment

step "convert to COCO keypoint json"
"$PY" -m openpifpaf_deepfashion.deepfashion.converter --root "$DATA" --output-dir "$DATA/annotations" --no-progress

step "train CIF, CAF and the category head for $EPOCHS epochs from scratch (full log: $OUT/train.log)"
# OpenPifPaf logs to stdout (into train.log); --deepfashion-progress renders its batch records on stderr
"$PY" -m openpifpaf.train --dataset=deepfashion --deepfashion-multi-garment="$DATA" \
    --basenet=shufflenetv2k16 --deepfashion-square-edge=161 --deepfashion-upsample=2 --deepfashion-rotation=10 \
    --batch-size=8 --adam --lr=1e-3 --momentum=0.9 --lr-warm-up-epochs=0.15 \
    --epochs="$EPOCHS" --loader-workers=1 --output="$OUT/model.pkl" \
    --deepfashion-progress --log-interval=5 > "$OUT/train.log"
CHECKPOINT=$(printf '%s/model.pkl.epoch%03d' "$OUT" "$EPOCHS")

step "evaluate on the held-out test split"
"$PY" -m openpifpaf.eval --dataset=deepfashion --deepfashion-multi-garment="$DATA" --checkpoint="$CHECKPOINT" \
    --deepfashion-eval-long-edge=161 --seed-threshold=0.2 --instance-threshold=0.05 \
    --loader-workers=0 --output="$OUT/eval" > "$OUT/eval.log" 2>&1
"$PY" -m openpifpaf_deepfashion.deepfashion.metrics "$OUT/eval.stats.json"

step "predict on photos (drawn to $OUT/predictions/)"
mkdir -p "$OUT/predictions"
# three held-out generated images (copied under their product folder's name: every folder has an
# img_00000001.jpg), then the real photos beside the checkout
mkdir -p "$OUT/photos"
PHOTOS=()
for name in $(awk 'NR > 2 && $2 == "test" {print $1}' "$DATA/Eval/list_eval_partition.txt" | head -n 3); do
    copy="$OUT/photos/$(basename "$(dirname "$name")")_$(basename "$name")"
    cp "$DATA/$name" "$copy"
    PHOTOS+=("$copy")
done
for photo in ../shared/data/photos/soccer.jpeg ../shared/data/fld_real/img_00000128.jpg; do
    [ -f "$photo" ] && PHOTOS+=("$photo")
done
"$PY" -m openpifpaf.predict --checkpoint="$CHECKPOINT" --long-edge=161 --seed-threshold=0.2 --instance-threshold=0.05 \
    --image-output="$OUT/predictions/" --json-output="$OUT/predictions/" "${PHOTOS[@]}" > "$OUT/predict.log" 2>&1
for photo in "${PHOTOS[@]}"; do
    name=$(basename "$photo")
    "$PY" -c 'import json, sys
garments = json.load(open(sys.argv[1]))
found = ", ".join("{} {:.2f}".format(g.get("category_name") or g["clothes_type_name"], g["score"]) for g in garments)
print("{}: {} garments ({})".format(sys.argv[2], len(garments), found or "none"))' "$OUT/predictions/$name.predictions.json" "$photo"
done
echo
echo "done: everything is in $OUT/"
echo "  checkpoint  $CHECKPOINT (for openpifpaf.predict/eval --checkpoint)"
echo "  NE table    $OUT/eval.stats.json (printed above)"
echo "  pictures    $OUT/predictions/ (*.predictions.jpeg: garments drawn on the photos; *.predictions.json)"
echo "  logs        $OUT/train.log (training; json records in $OUT/model.pkl.log), $OUT/eval.log, $OUT/predict.log"
echo "  data        $DATA/ (generated images, DeepFashion lists; COCO json in coco_multi_garment/, annotations/)"
