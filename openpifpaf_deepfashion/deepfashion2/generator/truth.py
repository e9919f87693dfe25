"""Ground truth of one image: which pixels each garment keeps, landmark visibility, segmentation, box and
the annos levels, as DeepFashion2's ``annos`` item.

Visibility (written v; DeepFashion2's README: 2 visible, 1 occlusion, 0 not labeled): a landmark outside the
image (its rounded position off the pixel grid) is not labelled, v 0 and x = y = 0 (a point off the photo
cannot be clicked; the README does not say, this is the choice here).  A landmark inside the image is
occluded (v 1, position kept) when a later-drawn garment, a later-drawn person or an occluder covers it, when
the garment hides it itself (the back of the neckline behind the neck, the front in a back view), or when no
pixel of its garment shows within 2 px (it lies on the very edge of what covers it, or on a sliver thinner
than a pixel: under 1 % of the landmarks); otherwise it is visible (v 2).  Segmentation: the outlines of the
pixels the garment keeps in the finished image (what is visible of it, clipped to the image; holes left out),
simplified to within half a pixel.  Box: the extent of the whole garment inside the image, hidden parts
included, as DeepFashion2's boxes (they enclose occluded landmarks too).
"""
import contourpy
import numpy as np
from PIL import Image, ImageDraw

from .. import constants
from .geometry import clip_to_rect, distance_to_boundary, points_in_polygon, polygon_area, simplify_ring
from .options import OCCLUSION_LEVELS, SCALE_LEVELS, SEGMENTATION_TOLERANCE, ZOOM_LEVELS, level

NEIGHBOURHOOD = 2  # pixels: how far a visible landmark may lie from its garment's segmentation


def label_image(layers, size):
    """uint8 image: each pixel the label of the last layer drawn over it (0 none).  layers: [(label,
    [polygons])] in drawing order, labels increasing (so a larger label was drawn later)."""
    image = Image.new('L', size, 0)
    draw = ImageDraw.Draw(image)
    for label, polygons in layers:
        for polygon in polygons:
            draw.polygon([tuple(p) for p in polygon], fill=label)
    return np.asarray(image)


def visibilities(points, hidden, covering, width, height):
    """(rounded (n, 2) int positions, (n,) visibility 0/1/2) of a garment's landmarks (image coordinates)."""
    rounded = np.round(points).astype(int)
    inside = ((rounded[:, 0] >= 0) & (rounded[:, 0] <= width - 1) & (rounded[:, 1] >= 0)
              & (rounded[:, 1] <= height - 1))
    covered = np.array(hidden, dtype=bool)
    for polygon in covering:
        covered |= points_in_polygon(points, polygon)
    v = np.where(inside, np.where(covered, 1, 2), 0)
    rounded[v == 0] = 0
    return rounded, v


def off_segmentation(rounded, v, polygons):
    """Visible landmarks farther than NEIGHBOURHOOD pixels from their garment's segmentation become occluded:
    no pixel of the garment shows there (a landmark on the edge of what covers it, or on a sliver of the
    garment thinner than a pixel), so every visible landmark lies on its garment's segmentation."""
    v = v.copy()
    rings = [np.asarray(p, dtype=float).reshape(-1, 2) for p in polygons]
    for k in np.flatnonzero(v == 2):
        point = rounded[k:k + 1].astype(float)
        if not any(points_in_polygon(point, ring)[0] or distance_to_boundary(point, ring)[0] <= NEIGHBOURHOOD
                   for ring in rings):
            v[k] = 1
    return v


def segmentation(labels, label):
    """Outer outlines of the pixels with this label, as DeepFashion2 polygons (flat int lists)."""
    rows, cols = np.nonzero(labels == label)
    if len(rows) == 0:
        return []
    r0, r1 = max(rows.min() - 1, 0), min(rows.max() + 2, labels.shape[0])
    c0, c1 = max(cols.min() - 1, 0), min(cols.max() + 2, labels.shape[1])
    mask = (labels[r0:r1, c0:c1] == label).astype(np.float64)
    if mask.shape[0] < 2 or mask.shape[1] < 2:
        mask = np.pad(mask, ((0, max(0, 2 - mask.shape[0])), (0, max(0, 2 - mask.shape[1]))))
    generator = contourpy.contour_generator(z=mask, fill_type='OuterOffset', corner_mask=False)
    points, offsets = generator.filled(0.5, 1.5)
    polygons = []
    for pts, offset in zip(points, offsets):
        ring = pts[offset[0]:offset[1] - 1] + (c0, r0)  # the outer boundary, closing point dropped
        ring = simplify_ring(ring, SEGMENTATION_TOLERANCE)
        ring = np.round(ring).astype(int)
        ring = ring[np.any(ring != np.roll(ring, 1, axis=0), axis=1)]
        if len(ring) >= 3 and polygon_area(ring) > 0:
            polygons.append([int(v) for v in ring.ravel()])
    return polygons


def whole_and_inside(polygons, width, height):
    """(area of the garment, area inside the image, (x1, y1, x2, y2) of its part inside the image or None)."""
    whole = sum(polygon_area(p) for p in polygons)
    clipped = [clip_to_rect(p, 0, 0, width - 1, height - 1) for p in polygons]
    clipped = [p for p in clipped if len(p) >= 3]
    inside = sum(polygon_area(p) for p in clipped)
    if not clipped:
        return whole, 0.0, None
    points = np.concatenate(clipped)
    x1, y1 = np.maximum(np.floor(points.min(axis=0) + 1e-6), 0).astype(int)
    x2, y2 = np.minimum(np.ceil(points.max(axis=0) - 1e-6), [width - 1, height - 1]).astype(int)
    return whole, inside, (int(x1), int(y1), int(x2), int(y2))


def annos_item(garment, shape, points, covering, polygons, labels, label, viewpoint):
    """The item dict (key order of DeepFashion2's files), or None when the garment keeps too little."""
    height, width = labels.shape
    whole, inside, box = whole_and_inside(polygons, width, height)
    if box is None or box[2] <= box[0] or box[3] <= box[1]:
        return None
    outlines = segmentation(labels, label)
    rounded, v = visibilities(points, shape.hidden, covering, width, height)
    v = off_segmentation(rounded, v, outlines)
    visible = int(np.count_nonzero(labels == label))
    landmarks = [int(c) for x, y, vis in zip(rounded[:, 0], rounded[:, 1], v) for c in (x, y, vis)]
    return {
        'segmentation': outlines,
        'scale': level(inside / float(width * height), SCALE_LEVELS),
        'viewpoint': viewpoint,
        'zoom_in': level(1.0 - inside / max(whole, 1e-9), ZOOM_LEVELS),
        'landmarks': landmarks,
        'style': garment.style,
        'bounding_box': list(box),
        'category_id': garment.category_id,
        'occlusion': level(1.0 - visible / max(inside, 1.0), OCCLUSION_LEVELS),
        'category_name': constants.CATEGORY_NAMES[garment.category_id - 1],
    }
