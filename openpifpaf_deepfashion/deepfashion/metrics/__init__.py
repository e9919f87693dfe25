"""The evaluators of ``openpifpaf.eval --dataset=deepfashion``: the normalized error (NE) of the DeepFashion /
FLD papers with detection and category figures (``NormalizedError``), and COCO OKS AP (``coco_oks``).

Modules: ``normalized_error`` (the metric), ``arrays`` (ground truth and predictions as arrays), ``matching``,
``rows`` (per-garment errors), ``categories``, ``summary`` (the statistics), ``table`` (the printed table and
its CLI: ``python -m openpifpaf_deepfashion.deepfashion.metrics <output>.stats.json``), ``predictions`` (the
written prediction json), ``values`` (the UNDEFINED sentinel).
"""
from .arrays import (CATEGORY_LABELS, N_KEYPOINTS, OCCLUDED, TRUNCATED, VISIBLE, GarmentArrays, GroundTruth,
                     PredictionArrays, category_scores_of, clothes_type_of, load_document)
from .categories import (N_CONFUSIONS, TOP_K, category_figures, confusions, is_labelled, predicted_type,
                         rank_of_category, top1_category)
from .coco_oks import GarmentCocoKeypoints
from .matching import (MATCHINGS, box_center_distances, box_iou, greedy_pairs, match_by_bbox, match_by_oracle,
                       match_by_score, match_garments)
from .normalized_error import NormalizedError
from .predictions import N_CATEGORY_SCORES, guess_clothes_type, prediction_entries, top_category_scores
from .rows import canonical_fill, concatenate_rows, garment_rows, normalized_distances
from .summary import breakdowns, landmark_ne, pdl_label, summarize
from .table import format_table, format_value, main
from .values import UNDEFINED, finite, mean_or_undefined, ratio_or_undefined
