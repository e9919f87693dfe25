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

NO_GARMENT = -1
REGIONS = ('landmarks', 'box')
#: Margin of the ``'landmarks'`` region, a fraction of the landmarks' box on each side: on generated garments the
#: garment box extends beyond its landmarks by a median 0-14 % of their box per side (lower garments the most).
LANDMARK_MARGIN = 0.1


def landmarks_boxes(keypoints, margin=LANDMARK_MARGIN):
    """(n, 4) [x, y, w, h] per garment of n garments' landmarks (each rows of x, y, v, or COCO's flat list): the
    box of the landmarks with v > 0 grown by ``margin`` of its width and height on each side; a row of NaN where
    no landmark is set.
    One array operation for all the garments of an image (the decoder's many instances)."""
    arrays = [np.asarray(k, dtype=np.float64).reshape(-1, 3) for k in keypoints]
    if len({a.shape for a in arrays}) != 1:  # none, or garments of different slot counts (DeepFashion2's passes)
        return np.concatenate([landmarks_boxes([a], margin) for a in arrays]) if arrays else np.zeros((0, 4))
    keypoints = np.stack(arrays)
    visible = keypoints[:, :, 2:] > 0
    low = np.min(np.where(visible, keypoints[:, :, :2], np.inf), axis=1, initial=np.inf)
    high = np.max(np.where(visible, keypoints[:, :, :2], -np.inf), axis=1, initial=-np.inf)
    size = high - low
    boxes = np.concatenate([low - margin * size, (1.0 + 2.0 * margin) * size], axis=1)
    boxes[~visible.any(axis=(1, 2))] = np.nan
    return boxes


def landmarks_box(keypoints, margin=LANDMARK_MARGIN):
    """[x, y, w, h] of one garment's landmarks (:func:`landmarks_boxes`), or None where no landmark is set."""
    box = landmarks_boxes([keypoints], margin)[0]
    return None if np.isnan(box[0]) else box.tolist()


def garment_regions(region, keypoints, boxes, margin=LANDMARK_MARGIN):
    """The regions of garments given their landmarks (each rows of x, y, v) and their boxes ([x, y, w, h], or
    functions that return them, called only where a box is needed: a decoded annotation's ``bbox``): their
    landmarks' boxes grown by ``margin`` for ``'landmarks'`` (the garment's box where it has no landmark), their
    boxes for ``'box'``.  A list of [x, y, w, h]."""
    if region not in REGIONS:
        raise ValueError('category region must be one of {}, not {!r}'.format(REGIONS, region))
    around_landmarks = (landmarks_boxes(keypoints, margin) if region == 'landmarks' and len(keypoints)
                        else np.full((len(boxes), 4), np.nan))
    return [[float(v) for v in (box() if callable(box) else box)] if np.isnan(around[0]) else around.tolist()
            for around, box in zip(around_landmarks, boxes)]


def garment_region(region, keypoints, box, margin=LANDMARK_MARGIN):
    """The region of one garment (:func:`garment_regions`)."""
    return garment_regions(region, [keypoints], [box], margin)[0]


def cell_owners(boxes, field_shape, stride):
    """For a field of ``field_shape`` (rows, columns) at ``stride``, the index of the box each cell belongs to,
    or ``NO_GARMENT``.

    A cell belongs to the boxes ([x, y, w, h] in image pixels) that contain its centre (column * stride,
    row * stride); where boxes overlap, to the smallest (the garment in front).  A box that contains no cell
    centre gets the cell nearest to its own centre, so that every garment has at least one cell."""
    return owners_of(cell_claims(boxes, field_shape, stride), boxes)


def cell_claims(boxes, field_shape, stride):
    """(boxes, rows, columns) booleans: the cells each box claims on its own (:func:`cell_owners`' rule before
    overlaps are settled): those whose centre it contains, else the one nearest to its centre."""
    rows, columns = field_shape
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    x, y, w, h = boxes.T[:, :, None]
    row_centres, column_centres = np.arange(rows) * float(stride), np.arange(columns) * float(stride)
    inside_rows = (row_centres >= y) & (row_centres <= y + h)
    inside_columns = (column_centres >= x) & (column_centres <= x + w)
    claims = inside_rows[:, :, None] & inside_columns[:, None, :]
    for index in np.flatnonzero(~claims.any(axis=(1, 2))):
        row = int(np.clip(np.rint((y[index, 0] + 0.5 * h[index, 0]) / stride), 0, rows - 1))
        column = int(np.clip(np.rint((x[index, 0] + 0.5 * w[index, 0]) / stride), 0, columns - 1))
        claims[index, row, column] = True
    return claims


def owners_of(claims, boxes):
    """Owner per cell of :func:`cell_claims`: the boxes claim largest first and smaller ones (of equal ones the
    later) overwrite, so the last claim in that order wins; ``NO_GARMENT`` where no box claims the cell."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if not len(boxes):
        return np.full(claims.shape[1:], NO_GARMENT, dtype=np.int64)
    order = np.argsort(-boxes[:, 2] * boxes[:, 3], kind='stable')
    ordered = claims[order]
    last = len(order) - 1 - np.argmax(ordered[::-1], axis=0)
    return np.where(ordered.any(axis=0), order[last], NO_GARMENT)
