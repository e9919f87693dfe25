"""One-to-one matching of one image's predictions to its ground-truth garments: by score, by box overlap, or
by the lowest error (oracle)."""
import numpy as np
import scipy.optimize

from .arrays import VISIBLE

MATCHINGS = ('score', 'bbox', 'oracle')


def match_garments(matching, gt, pred, errors):
    """Index of the matched prediction per ground-truth garment, -1 where unmatched."""
    if matching not in MATCHINGS:
        raise ValueError('matching must be one of {}, not {!r}'.format(MATCHINGS, matching))
    if gt.n == 0 or pred.n == 0:
        return np.full(gt.n, -1, dtype=int)
    if matching == 'score':
        return match_by_score(gt, pred)
    if matching == 'bbox':
        return match_by_bbox(gt, pred)
    return match_by_oracle(gt, pred, errors)


def box_iou(boxes_a, boxes_b):
    """(a, 4) and (b, 4) [x, y, w, h] -> (a, b) IoU; 0 where a box has no area."""
    a = boxes_a[:, None, :]
    b = boxes_b[None, :, :]
    iw = np.clip(np.minimum(a[..., 0] + a[..., 2], b[..., 0] + b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 1] + a[..., 3], b[..., 1] + b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    intersection = iw * ih
    union = a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - intersection
    return np.where(union > 0, intersection / np.where(union > 0, union, 1.0), 0.0)


def box_center_distances(boxes_a, boxes_b):
    centers_a = boxes_a[:, :2] + 0.5 * boxes_a[:, 2:]
    centers_b = boxes_b[:, :2] + 0.5 * boxes_b[:, 2:]
    return np.linalg.norm(centers_a[:, None] - centers_b[None], axis=-1)


def match_by_score(gt, pred):
    iou = box_iou(gt.boxes, pred.boxes)
    centre_distance = box_center_distances(gt.boxes, pred.boxes)
    result = np.full(gt.n, -1, dtype=int)
    for p in np.argsort(-pred.scores, kind='stable'):
        free = np.flatnonzero(result < 0)
        if free.size == 0:
            break
        best = np.lexsort((centre_distance[free, p], -iou[free, p]))[0]
        result[free[best]] = p
    return result


def match_by_bbox(gt, pred):
    iou = box_iou(gt.boxes, pred.boxes)
    return greedy_pairs(-iou, iou > 0.0, pred.scores)


def match_by_oracle(gt, pred, errors):
    """The one-to-one assignment with the lowest total mean error over visible landmarks (Hungarian)."""
    visible = gt.keypoints[:, :, 2] == VISIBLE  # (g, k)
    n_visible = np.maximum(visible.sum(axis=1), 1)
    cost = np.sum(errors * visible[:, None, :], axis=2) / n_visible[:, None]
    garments, predictions = scipy.optimize.linear_sum_assignment(cost)
    result = np.full(gt.n, -1, dtype=int)
    result[garments] = predictions
    return result


def greedy_pairs(cost, allowed, scores):
    """One-to-one assignment: allowed (garment, prediction) pairs in ascending cost, ties by higher score."""
    g_index, p_index = np.nonzero(allowed)
    order = np.lexsort((-scores[p_index], cost[g_index, p_index]))
    result = np.full(cost.shape[0], -1, dtype=int)
    taken = np.zeros(cost.shape[1], dtype=bool)
    for i in order:
        g, p = g_index[i], p_index[i]
        if result[g] < 0 and not taken[p]:
            result[g] = p
            taken[p] = True
    return result
