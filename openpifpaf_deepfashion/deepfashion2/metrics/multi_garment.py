"""Multi-garment evidence: on images with 2+ ground-truth garments, garment recall and NE over all garments,
side by side for all predictions (the bottom-up model) and for a one-garment-per-image reading of the same
predictions (only the highest-scoring prediction of each image: what a one-garment landmark model gives).

* **recall**: the share of ground-truth garments found, where a garment is found when a prediction of the
  *same category* has box IoU >= ``iou_threshold`` (0.5) with it, one-to-one (pairs in descending IoU, ties:
  higher score): a DeepFashion2 garment is only found with the right landmark set, as keypoint AP counts it.
  **recall any cat** drops the category condition (a box found with any category), so the two together
  separate detection from classification.
* **NE avg** / **NE pooled**: ``landmark_error`` over all garments of those images (matching per category,
  unmatched garments at their category's canonical pose), the same definition as the main NE.

Rows are by garments per image: ``2``, ``3``, ``4+`` and ``2+`` (all images with 2 or more).
"""
import numpy as np

from ...deepfashion.metrics.matching import box_iou, greedy_pairs
from ...deepfashion.metrics.values import ratio_or_undefined
from .landmark_error import SlotErrors, garment_errors

READINGS = ('all', 'top-1')
READING_NAMES = {'all': 'all predictions (bottom-up)', 'top-1': 'top-1 per image (one garment)'}
GROUPS = ('2', '3', '4+', '2+')
FIGURES = ('recall', 'recall any cat', 'NE avg', 'NE pooled')


def group_of(n_garments):
    return str(n_garments) if n_garments < 4 else '4+'


def found(gt, pred, iou_threshold=0.5, same_category=True):
    """(g,) bool: garments with a one-to-one matched prediction of box IoU >= iou_threshold (and the same
    category when ``same_category``)."""
    if gt.n == 0 or pred.n == 0:
        return np.zeros(gt.n, dtype=bool)
    iou = box_iou(gt.boxes, pred.boxes)
    allowed = iou >= iou_threshold
    if same_category:
        allowed &= gt.category_ids[:, None] == pred.category_ids[None, :]
    return greedy_pairs(-iou, allowed, pred.scores) >= 0


class _Cell:
    def __init__(self):
        self.images = 0
        self.garments = 0
        self.found = 0
        self.found_any = 0
        self.errors = SlotErrors()

    def values(self):
        return {'images': self.images, 'garments': self.garments,
                'recall': ratio_or_undefined(self.found, self.garments),
                'recall any cat': ratio_or_undefined(self.found_any, self.garments),
                'NE avg': self.errors.average(), 'NE pooled': self.errors.pooled()}


class MultiGarmentTable:
    """Accumulates images one by one; ``rows()`` gives the table."""

    def __init__(self, *, iou_threshold=0.5, matching='score', margin=0.1, min_garments=2):
        self.iou_threshold = iou_threshold
        self.matching = matching
        self.margin = margin
        self.min_garments = min_garments
        self._cells = {(group, reading): _Cell() for group in GROUPS for reading in READINGS}

    def add_image(self, gt, pred, width, height):
        if gt.n < self.min_garments:
            return
        for reading, predictions in (('all', pred), ('top-1', pred.top(1))):
            errors, visible, _ = garment_errors(gt, predictions, width, height, matching=self.matching,
                                                margin=self.margin)
            n_found = int(found(gt, predictions, self.iou_threshold).sum())
            n_found_any = int(found(gt, predictions, self.iou_threshold, same_category=False).sum())
            for group in (group_of(gt.n), '2+'):
                cell = self._cells[group, reading]
                cell.images += 1
                cell.garments += gt.n
                cell.found += n_found
                cell.found_any += n_found_any
                cell.errors.add(errors, visible)

    def rows(self):
        """One dict per (group, reading) with images: group, reading, images, garments and FIGURES."""
        return [dict(group=group, reading=reading, **self._cells[group, reading].values())
                for group in GROUPS for reading in READINGS if self._cells[group, reading].images]

    def stats(self):
        """(label, value) pairs for every cell, empty ones included (labels do not depend on the data):
        ``n multi <group> images|garments`` and ``multi <group> <reading> <figure>``."""
        result = []
        for group in GROUPS:
            cell = self._cells[group, READINGS[0]]
            result += [('n multi {} images'.format(group), cell.images),
                       ('n multi {} garments'.format(group), cell.garments)]
            for reading in READINGS:
                values = self._cells[group, reading].values()
                result += [('multi {} {} {}'.format(group, reading, field), values[field]) for field in FIGURES]
        return result


def multi_garment_rows(images, **kwargs):
    """The table's rows for an iterable of (ground-truth Garments, Predictions, width, height) per image."""
    table = MultiGarmentTable(**kwargs)
    for gt, pred, width, height in images:
        table.add_image(gt, pred, width, height)
    return table.rows()
