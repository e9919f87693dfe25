"""The plugin's normalized error (NE) on DeepFashion2, per category: the definition of the first dataset's
evaluator (``deepfashion.metrics.NormalizedError``) on each category's own slots.

For a ground-truth garment g in an image of original size W x H and its slot k::

    e(g, k) = sqrt(((x_hat - x) / W)^2 + ((y_hat - y) / H)^2)

Only VISIBLE landmarks (v = 2) are samples (occluded v = 1 and unlabelled v = 0 are not).  A garment of
category c is matched one-to-one to a prediction of the same category (a prediction of another category has
nothing in c's slots, as in AP); ``matching`` 'score' (default, as the first evaluator): predictions in
descending score each take the unmatched garment of their category with the highest box IoU (ties: nearest
box centre); 'bbox': pairs with IoU > 0 in descending IoU.  A garment without a match, and every slot its
match did not predict (confidence 0), is predicted at the canonical pose of its category
(``constants.canonical_keypoints``) in the central box of the image that leaves ``margin`` (10 %) free on each
side, as the first evaluator's canonical fill.

NE of a set of garments: per slot the mean of e over the garments whose slot is visible; ``NE avg`` the
mean of those per-slot NEs over the slots that have samples (the first evaluator's ``NE avg`` on 294 slots);
``NE <category>`` the same over that category's slots; ``NE pooled`` the mean over all samples.
"""
import types

import numpy as np

from .. import constants
from ...deepfashion.metrics.matching import match_by_bbox, match_by_score
from ...deepfashion.metrics.rows import normalized_distances
from ...deepfashion.metrics.values import UNDEFINED
from .arrays import N_SLOTS, VISIBLE

MATCHINGS = ('score', 'bbox')


def canonical_fill(category_ids, width, height, margin):
    """(g, 294, 2): each garment's canonical pose in the central box of the image."""
    box = (margin * width, margin * height, (1.0 - 2.0 * margin) * width, (1.0 - 2.0 * margin) * height)
    return np.array([constants.canonical_keypoints(c, box)[:, :2] for c in category_ids]).reshape(-1, N_SLOTS, 2)


def match_per_category(gt, pred, matching='score'):
    """Index of the matched prediction per ground-truth garment (-1 where unmatched), pairing only garments
    and predictions of the same category."""
    if matching not in MATCHINGS:
        raise ValueError('matching must be one of {}, not {!r}'.format(MATCHINGS, matching))
    match_function = match_by_score if matching == 'score' else match_by_bbox
    result = np.full(gt.n, -1, dtype=int)
    for c in np.intersect1d(gt.category_ids, pred.category_ids):
        garments = np.flatnonzero(gt.category_ids == c)
        predictions = np.flatnonzero(pred.category_ids == c)
        sub_gt = types.SimpleNamespace(n=garments.size, boxes=gt.boxes[garments])
        sub_pred = types.SimpleNamespace(n=predictions.size, boxes=pred.boxes[predictions],
                                         scores=pred.scores[predictions])
        sub_match = match_function(sub_gt, sub_pred)
        matched = sub_match >= 0
        result[garments[matched]] = predictions[sub_match[matched]]
    return result


def garment_errors(gt, pred, width, height, *, matching='score', margin=0.1):
    """(errors (g, 294), visible (g, 294) bool, match (g,)) of one image's garments."""
    match = match_per_category(gt, pred, matching)
    xy = canonical_fill(gt.category_ids, width, height, margin)
    for g in np.flatnonzero(match >= 0):
        predicted = pred.keypoints[match[g], :, 2] > 0.0
        xy[g, predicted] = pred.keypoints[match[g], predicted, :2]
    # the first evaluator's normalisation, garment g against its own prediction (the diagonal of (g, g, 294))
    pairs = np.arange(gt.n)
    errors = normalized_distances(gt.keypoints[:, :, :2], xy, width, height)[pairs, pairs]
    return errors, gt.keypoints[:, :, 2] == VISIBLE, match


class SlotErrors:
    """Running per-slot sums and counts of e(g, k) over visible landmarks."""

    def __init__(self):
        self.sums = np.zeros(N_SLOTS)
        self.counts = np.zeros(N_SLOTS, dtype=int)

    def add(self, errors, visible):
        self.sums += np.where(visible, errors, 0.0).sum(axis=0)
        self.counts += visible.sum(axis=0)

    def per_slot(self):
        return np.where(self.counts > 0, self.sums / np.maximum(self.counts, 1), UNDEFINED)

    def average(self, category_id=None):
        """Mean of the per-slot NEs with samples (of one category's slots, or all); UNDEFINED without any."""
        start, stop = constants.SLOT_RANGES[category_id] if category_id else (0, N_SLOTS)
        sampled = self.counts[start:stop] > 0
        return float(np.mean(self.per_slot()[start:stop][sampled])) if sampled.any() else UNDEFINED

    def pooled(self):
        n = int(self.counts.sum())
        return float(self.sums.sum() / n) if n else UNDEFINED
