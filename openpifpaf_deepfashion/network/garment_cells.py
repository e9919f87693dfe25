"""Which cells of a field belong to which garment: the rule shared by the category head's training targets and
its per-garment readout, so that a garment is read out from the cells it was trained on."""
import numpy as np

NO_GARMENT = -1


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
