"""Which cells of a field belong to which garment: the rule shared by the category head's training targets and
its per-garment readout, so that a garment is read out from the cells it was trained on.

A garment's region is one of :data:`REGIONS`:

* ``'landmarks'``: the box of its landmarks grown by ``LANDMARK_MARGIN`` of its size on every side.  Training
  computes it from the ground-truth landmarks, decoding from the decoded ones: both sides see the same region.
* ``'box'``: in training the annotation's garment box; in decoding the decoded garment's box (OpenPifPaf's
  ``Annotation.bbox()``: its landmarks' box grown by each landmark's predicted scale), which is narrower for
  garments whose landmarks lie inside their outline (a skirt's waist and hem); kept for checkpoints trained so.
"""
import numpy as np

import openpifpaf

NO_GARMENT = -1
REGIONS = ('landmarks', 'box')
#: Margin of the ``'landmarks'`` region, a fraction of the landmarks' box on each side: on generated garments the
#: garment box extends beyond its landmarks by a median 0-14 % of their box per side (lower garments the most).
LANDMARK_MARGIN = 0.1


def landmarks_box(keypoints, margin=LANDMARK_MARGIN):
    """[x, y, w, h] of the landmarks with v > 0 (rows of x, y, v) grown by ``margin`` of its width and height on
    each side, or None where no landmark is set."""
    keypoints = np.asarray(keypoints, dtype=np.float64).reshape(-1, 3)
    if not np.any(keypoints[:, 2] > 0):
        return None
    x, y, w, h = openpifpaf.Annotation.bbox_from_keypoints(keypoints, np.zeros(len(keypoints)))
    return [x - margin * w, y - margin * h, (1.0 + 2.0 * margin) * w, (1.0 + 2.0 * margin) * h]


def garment_region(region, keypoints, box, margin=LANDMARK_MARGIN):
    """The region of a garment given its landmarks (rows of x, y, v) and its box ([x, y, w, h]): its landmarks'
    box grown by ``margin`` for ``'landmarks'`` (its box where it has no landmark), its box for ``'box'``."""
    if region not in REGIONS:
        raise ValueError('category region must be one of {}, not {!r}'.format(REGIONS, region))
    if region == 'landmarks':
        around_landmarks = landmarks_box(keypoints, margin)
        if around_landmarks is not None:
            return around_landmarks
    return [float(v) for v in box]


def cell_owners(boxes, field_shape, stride):
    """For a field of ``field_shape`` (rows, columns) at ``stride``, the index of the box each cell belongs to,
    or ``NO_GARMENT``.

    A cell belongs to the boxes ([x, y, w, h] in image pixels) that contain its centre (column * stride,
    row * stride); where boxes overlap, to the smallest (the garment in front).  A box that contains no cell
    centre gets the cell nearest to its own centre, so that every garment has at least one cell."""
    rows, columns = field_shape
    owners = np.full((rows, columns), NO_GARMENT, dtype=np.int64)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if not len(boxes):
        return owners
    areas = boxes[:, 2] * boxes[:, 3]
    ys = np.arange(rows) * float(stride)
    xs = np.arange(columns) * float(stride)
    for index in np.argsort(-areas, kind='stable'):  # largest first: smaller boxes overwrite
        x, y, w, h = boxes[index]
        inside_rows = (ys >= y) & (ys <= y + h)
        inside_columns = (xs >= x) & (xs <= x + w)
        if inside_rows.any() and inside_columns.any():
            owners[np.ix_(inside_rows, inside_columns)] = index
        else:
            row = int(np.clip(np.rint((y + 0.5 * h) / stride), 0, rows - 1))
            column = int(np.clip(np.rint((x + 0.5 * w) / stride), 0, columns - 1))
            owners[row, column] = index
    return owners
