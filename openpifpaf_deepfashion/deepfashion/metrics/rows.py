"""What one image contributes: per ground-truth garment its landmark errors (the canonical pose stands in for
whatever was not predicted), visibility, keypoint confidence, match, detection and category outcome."""
import numpy as np

from .. import constants
from .arrays import N_KEYPOINTS
from .categories import predicted_type, rank_of_category, top1_category
from .matching import box_iou


def canonical_fill(width, height, margin):
    """(8, 2) canonical full-body pose in the box that leaves ``margin`` of the image free on each side."""
    pose = constants.canonical_pose_in_box(margin * width, margin * height,
                                           (1.0 - 2.0 * margin) * width, (1.0 - 2.0 * margin) * height,
                                           constants.FULL)
    return pose[:, :2]


def normalized_distances(gt_xy, pred_xy, width, height):
    """(g, 8, 2) and (p, 8, 2) coordinates -> (g, p, 8) distances normalized by the image size."""
    delta = (pred_xy[None, :, :, :] - gt_xy[:, None, :, :]) / np.array([width, height])
    return np.sqrt(np.sum(np.square(delta), axis=-1))


def garment_rows(gt, pred, match, errors, fill_errors, detection_iou):
    """Per ground-truth garment: errors (matched prediction, canonical fill where there is none), visibility,
    keypoint confidence, whether it is matched and detected (matched with box IoU >= ``detection_iou``), and
    the category outcome of its matched prediction."""
    matched = match >= 0
    detected = np.zeros(gt.n, dtype=bool)
    garment_errors = fill_errors.copy()
    confidence = np.zeros((gt.n, N_KEYPOINTS))
    category_rank = np.full(gt.n, -1, dtype=int)
    top1 = np.zeros(gt.n, dtype=int)
    types = np.zeros(gt.n, dtype=int)
    iou = box_iou(gt.boxes, pred.boxes)
    for g in np.flatnonzero(matched):
        p = match[g]
        garment_errors[g] = errors[g, p]
        confidence[g] = np.clip(pred.keypoints[p, :, 2], 0.0, None)
        detected[g] = iou[g, p] >= detection_iou
        category_rank[g] = rank_of_category(pred.category_scores[p], gt.category_ids[g])
        top1[g] = top1_category(pred.category_scores[p], gt.category_ids[g])
        types[g] = predicted_type(pred.clothes_types[p], pred.category_scores[p])
    return {
        'errors': garment_errors,
        'visibility': gt.keypoints[:, :, 2].astype(int),
        'confidence': confidence,
        'matched': matched,
        'detected': detected,
        'clothes_type': gt.clothes_types,
        'variation_type': gt.variation_types,
        'category_id': gt.category_ids,
        'category_rank': category_rank,
        'top1_category': top1,
        'predicted_type': types,
    }


def concatenate_rows(per_image):
    keys = ('errors', 'visibility', 'confidence', 'matched', 'detected', 'clothes_type', 'variation_type',
            'category_id', 'category_rank', 'top1_category', 'predicted_type')
    empty = {'errors': np.zeros((0, N_KEYPOINTS)), 'visibility': np.zeros((0, N_KEYPOINTS), dtype=int),
             'confidence': np.zeros((0, N_KEYPOINTS)), 'matched': np.zeros(0, dtype=bool),
             'detected': np.zeros(0, dtype=bool)}
    return {key: np.concatenate([rows[key] for rows in per_image]) if per_image
            else empty.get(key, np.zeros(0, dtype=int)) for key in keys}
