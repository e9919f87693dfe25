"""Per-garment category from the category head's field, over the cells that belong to the garment's region
(:func:`.garment_cells.cell_owners`, the rule its training targets follow): the mean of the cells' probabilities
(``'garment'`` readout), or the softmax of the mean of their log-probabilities, which is the softmax of the mean
logits the ``'pooled'`` readout is trained on (a cell's log-probabilities differ from its logits by one constant).
With the ``'image'`` readout the head puts the same distribution in every cell, so every garment reads it."""
import numpy as np

from .garment_cells import claimed_ranges, owners_of

TINY = 1e-38  #: the smallest float32 probability read as such (a softmax underflows to 0 below it)


def garment_category_scores(field, boxes, stride, pooled=False):
    """field: (n_categories, H, W) probabilities; boxes: [x, y, w, h] per garment (its region) in image pixels;
    pooled: the softmax of the mean log-probabilities instead of the mean probabilities.

    Returns a (n_garments, n_categories) array of probabilities (each row sums to 1)."""
    # a torch tensor's own numpy view: np.asarray alone would go through the slower __array__
    field = np.asarray(field.numpy() if hasattr(field, 'numpy') else field, dtype=np.float64)
    values = field.reshape(field.shape[0], -1)
    ranges = claimed_ranges(boxes, field.shape[1:], stride)
    owners = owners_of(ranges, boxes, field.shape[1:])
    membership = owners.reshape(-1) == np.arange(len(ranges))[:, None]  # garments x cells
    for index in np.flatnonzero(~membership.any(axis=1)).tolist():
        # every cell taken by smaller boxes in front: the garment's own box decides
        first_row, end_row, first_column, end_column = ranges[index]
        membership[index].reshape(field.shape[1:])[first_row:end_row, first_column:end_column] = True
    weights = membership / membership.sum(axis=1, keepdims=True)
    if pooled:
        log_mean = weights @ np.log(np.maximum(values, TINY)).T
        scores = np.exp(log_mean - log_mean.max(axis=1, keepdims=True))
    else:
        scores = weights @ values.T
    return scores / np.maximum(scores.sum(axis=1, keepdims=True), 1e-12)
