"""Per-garment category from the category head's field: the mean of the per-cell probabilities over the
cells that belong to the garment (:func:`.garment_cells.cell_owners`, the rule its training targets follow).
With the ``'image'`` readout the head puts the same distribution in every cell, so every garment reads it."""
import numpy as np

from .garment_cells import cell_owners


def garment_category_scores(field, boxes, stride):
    """field: (n_categories, H, W) probabilities; boxes: [x, y, w, h] per garment in image pixels.

    Returns a (n_garments, n_categories) array of probabilities (each row sums to 1)."""
    field = np.asarray(field, dtype=np.float64)
    owners = cell_owners(boxes, field.shape[1:], stride)
    scores = np.zeros((len(boxes), field.shape[0]))
    for garment in range(len(boxes)):
        cells = owners == garment
        if not cells.any():  # every cell taken by smaller boxes in front: the garment's own box decides
            cells = cell_owners([boxes[garment]], field.shape[1:], stride) == 0
        scores[garment] = field[:, cells].mean(axis=1)
    return scores / np.maximum(scores.sum(axis=1, keepdims=True), 1e-12)
