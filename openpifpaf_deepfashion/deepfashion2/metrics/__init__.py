"""The evaluator of DeepFashion2 (``DeepFashion2Metric``): keypoint AP as DeepFashion2 defines it (OKS with its
per-landmark sigmas, per category), box AP, the plugin's normalized error per category, the multi-garment table,
and results in DeepFashion2's result format.

Modules: ``metric`` (the OpenPifPaf metric), ``arrays`` (ground truth and predictions as arrays), ``coco_ap``
(keypoint and box AP with pycocotools), ``landmark_error`` (NE), ``multi_garment`` (recall and NE on images with
2+ garments, all predictions against the top-1 reading), ``results`` (DeepFashion2's result format),
``table`` and ``cli`` (``python -m openpifpaf_deepfashion.deepfashion2.metrics``).
"""
from .arrays import CategorySlots, Garments, GroundTruth, Predictions, keypoint_box
from .coco_ap import BOX_LABELS, KEYPOINT_LABELS, KeypointAP, box_ground_truth, keypoint_ground_truth
from .landmark_error import MATCHINGS, SlotErrors, canonical_fill, garment_errors, match_per_category
from .metric import DeepFashion2Metric, evaluate_result_files
from .multi_garment import GROUPS, READINGS, MultiGarmentTable, found, multi_garment_rows
from .results import (ResultFormatError, box_entries, keypoint_entries, predictions_by_image, read_results,
                      write_results)
from .table import format_table
