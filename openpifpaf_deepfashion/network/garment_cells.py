"""Which cells of a field belong to which garment: the rule shared by the category head's training targets and
its per-garment readout, so that a garment is read out from the cells it was trained on.

A garment's region is one of :data:`REGIONS`:

* ``'landmarks'``: the box of its landmarks grown by ``LANDMARK_MARGIN`` of its size on every side.  Training
  computes it from the ground-truth landmarks, decoding from the decoded ones: both sides see the same region.
* ``'box'``: in training the annotation's garment box; in decoding the decoded garment's box (OpenPifPaf's
  ``Annotation.bbox()``: its landmarks' box grown by each landmark's predicted scale), which is narrower for
  garments whose landmarks lie inside their outline (a skirt's waist and hem); kept for checkpoints trained so.

The geometry works on plain Python numbers, one garment at a time: the decoder reads out a handful of garments
right after the network's forward pass, where every numpy call starts from cold caches (on a 2-core Xeon, in
alternating forward and decode runs, the regions of an image's garments took 0.11 ms as array operations, 0.04
in Python, and the readout with its claims and owners 0.19 and 0.12 ms).
"""
import bisect

import numpy as np

NO_GARMENT = -1
REGIONS = ('landmarks', 'box')
#: Margin of the ``'landmarks'`` region, a fraction of the landmarks' box on each side: on generated garments the
#: garment box extends beyond its landmarks by a median 0-14 % of their box per side (lower garments the most).
LANDMARK_MARGIN = 0.1


def keypoint_rows(keypoints):
    """[x, y, v] lists of a garment's landmarks given as rows of x, y, v or COCO's flat list."""
    if isinstance(keypoints, np.ndarray) and keypoints.ndim == 2 and keypoints.shape[1] == 3:
        return keypoints.tolist()
    return np.asarray(keypoints, dtype=np.float64).reshape(-1, 3).tolist()


def landmarks_box(keypoints, margin=LANDMARK_MARGIN):
    """[x, y, w, h] of one garment's landmarks (rows of x, y, v, or COCO's flat list): the box of the landmarks
    with v > 0 grown by ``margin`` of its width and height on each side; None where no landmark is set."""
    visible = [(x, y) for x, y, v in keypoint_rows(keypoints) if v > 0]
    if not visible:
        return None
    xs, ys = [x for x, _ in visible], [y for _, y in visible]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    return [min(xs) - margin * width, min(ys) - margin * height,
            (1.0 + 2.0 * margin) * width, (1.0 + 2.0 * margin) * height]


def garment_regions(region, keypoints, boxes, margin=LANDMARK_MARGIN):
    """The regions of garments given their landmarks (each rows of x, y, v) and their boxes ([x, y, w, h], or
    functions that return them, called only where a box is needed: a decoded annotation's ``bbox``): their
    landmarks' boxes grown by ``margin`` for ``'landmarks'`` (the garment's box where it has no landmark), their
    boxes for ``'box'``.  An (n, 4) array of [x, y, w, h]."""
    if region not in REGIONS:
        raise ValueError('category region must be one of {}, not {!r}'.format(REGIONS, region))
    around = ([landmarks_box(garment_keypoints, margin) for garment_keypoints in keypoints] if region == 'landmarks'
              else [None] * len(boxes))
    regions = [around_landmarks if around_landmarks is not None else (box() if callable(box) else box)
               for around_landmarks, box in zip(around, boxes, strict=True)]
    return np.array(regions, dtype=np.float64).reshape(-1, 4)


def garment_region(region, keypoints, box, margin=LANDMARK_MARGIN):
    """The region of one garment (:func:`garment_regions`) as a list [x, y, w, h]."""
    return garment_regions(region, [keypoints], [box], margin)[0].tolist()


def cell_owners(boxes, field_shape, stride):
    """For a field of ``field_shape`` (rows, columns) at ``stride``, the index of the box each cell belongs to,
    or ``NO_GARMENT``.

    A cell belongs to the boxes ([x, y, w, h] in image pixels) that contain its centre (column * stride,
    row * stride); where boxes overlap, to the smallest (the garment in front).  A box that contains no cell
    centre gets the cell nearest to its own centre, so that every garment has at least one cell."""
    return owners_of(claimed_ranges(boxes, field_shape, stride), boxes, field_shape)


def claimed_ranges(boxes, field_shape, stride):
    """The cells each box claims on its own (:func:`cell_owners`' rule before overlaps are settled), per box a
    rectangle (first row, row past the last, first column, column past the last): the cells whose centre it
    contains, else the one nearest to its centre."""
    rows, columns = field_shape
    row_centres = [row * float(stride) for row in range(rows)]
    column_centres = [column * float(stride) for column in range(columns)]
    ranges = []
    for x, y, w, h in np.asarray(boxes, dtype=np.float64).reshape(-1, 4).tolist():
        first_row, end_row = bisect.bisect_left(row_centres, y), bisect.bisect_right(row_centres, y + h)
        first_column, end_column = bisect.bisect_left(column_centres, x), bisect.bisect_right(column_centres, x + w)
        if first_row >= end_row or first_column >= end_column:
            first_row = min(max(round((y + 0.5 * h) / stride), 0), rows - 1)
            first_column = min(max(round((x + 0.5 * w) / stride), 0), columns - 1)
            end_row, end_column = first_row + 1, first_column + 1
        ranges.append((first_row, end_row, first_column, end_column))
    return ranges


def owners_of(ranges, boxes, field_shape):
    """Owner per cell given each box's :func:`claimed_ranges`: the boxes claim largest first and smaller ones (of
    equal ones the later) overwrite, so the last claim in that order wins; ``NO_GARMENT`` where no box claims the
    cell."""
    areas = [w * h for _, _, w, h in np.asarray(boxes, dtype=np.float64).reshape(-1, 4).tolist()]
    owners = np.full(tuple(field_shape), NO_GARMENT, dtype=np.int64)
    for index in sorted(range(len(areas)), key=lambda index: -areas[index]):
        first_row, end_row, first_column, end_column = ranges[index]
        owners[first_row:end_row, first_column:end_column] = index
    return owners
