"""The entries of ``<output>.pred-deepfashion.json`` that ``NormalizedError.write_predictions`` writes."""
import numpy as np

from .. import constants
from .arrays import CATEGORY_LABELS

#: How many of a prediction's highest ``category_scores`` an entry keeps.
N_CATEGORY_SCORES = 5


def guess_clothes_type(keypoint_scores, threshold):
    """Clothes type whose landmark slots best match the confidently predicted ones; 0 if none."""
    return constants.clothes_type_of_slots(np.asarray(keypoint_scores) >= max(threshold, 1e-12)) or 0


def top_category_scores(scores, n=N_CATEGORY_SCORES):
    """{category id: probability} of the n highest scores, highest first (ties: lower id first)."""
    scores = np.asarray(scores, dtype=np.float64)[:len(constants.CATEGORIES)]
    order = np.argsort(-scores, kind='stable')[:n]
    return {int(i) + 1: round(float(scores[i]), 4) for i in order}


def prediction_entries(image_id, pred, matched_gt_ids, confidence_threshold):
    """One dict per prediction; ``category_name`` where the prediction has one or its ``category_id`` is
    known, ``category_scores`` (top 5 as {id: probability}) where it has them."""
    entries = []
    for p in range(pred.n):
        keypoints = pred.keypoints[p].copy()
        keypoints[:, 2] = np.where(keypoints[:, 2] > 0.0, np.maximum(keypoints[:, 2], 0.01), 0.0)
        entry = {
            'image_id': image_id,
            'category_id': pred.category_ids[p],
            'keypoints': [round(float(v), 2) for v in keypoints.reshape(-1)],
            'bbox': [round(float(v), 2) for v in pred.boxes[p]],
            'score': max(0.001, round(float(pred.scores[p]), 3)),
            'clothes_type': pred.clothes_types[p] or guess_clothes_type(pred.keypoints[p, :, 2], confidence_threshold),
            'matched_gt_id': matched_gt_ids[p],
        }
        category_name = pred.category_names[p] or CATEGORY_LABELS.get(pred.category_ids[p])
        if category_name:
            entry['category_name'] = category_name
        if pred.category_scores[p] is not None and pred.category_scores[p].size:
            entry['category_scores'] = top_category_scores(pred.category_scores[p])
        entries.append(entry)
    return entries
