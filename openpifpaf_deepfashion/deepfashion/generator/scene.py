"""One image: its size, where the figures go, drawing order, ground truth (landmarks, boxes), the JPEG."""
import dataclasses
import math
import os
from typing import List, Optional

import numpy as np
from PIL import Image, ImageFilter

from ... import atomic
from .. import constants
from .backgrounds import render_background
from .cues import garment_shape
from .objects import draw_distractors, draw_occluder
from .options import LOWER, UPPER, VARIATION_ROTATION, VARIATION_WEIGHTS, VARIATION_ZOOM
from .plan import attribute_ids_of, rng_for
from .records import Garment
from .render import draw_garments
from .shapes import affine, sample_pose, shifted
from .styles import DRAWING_STYLES


def layout_figure(shapes, rng, region, zoom, rotation_max, truncate):
    """Rotation, squash, scale and position of one figure (person) inside region (x0, y0, x1, y1)."""
    theta = math.radians(rng.uniform(-rotation_max, rotation_max))
    squash = rng.uniform(0.65, 0.85) if rotation_max > 20 else rng.uniform(0.85, 1.0)
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    base = rotation @ np.diag([squash, 1.0])
    pts = affine(base, np.zeros(2), np.concatenate([p for s in shapes for p in s.polygons]))
    extent = pts.max(axis=0) - pts.min(axis=0)
    centre = (pts.max(axis=0) + pts.min(axis=0)) / 2.0
    rx0, ry0, rx1, ry1 = region
    region_size = np.array([rx1 - rx0, ry1 - ry0], dtype=float)
    unit = rng.uniform(0.6, 0.9) * zoom * min(region_size / extent)
    size = extent * unit
    slack = np.maximum((region_size - size) / 2.0, 0.0)
    target = np.array([(rx0 + rx1) / 2.0, (ry0 + ry1) / 2.0]) + rng.uniform(-1.0, 1.0, size=2) * slack
    if truncate:
        axis = int(rng.integers(2))
        target[axis] += rng.choice([-1.0, 1.0]) * (slack[axis] + rng.uniform(0.15, 0.4) * size[axis])
    matrix = base * unit
    return matrix, target - centre * unit


def clip_target(offset, matrix, shapes, width, height):
    """Keep the figure's centre inside the image (so every garment's clipped box has an area)."""
    pts = affine(matrix, offset, np.concatenate([p for s in shapes for p in s.polygons]))
    centre = (pts.max(axis=0) + pts.min(axis=0)) / 2.0
    inside = np.clip(centre, [0.15 * width, 0.15 * height], [0.85 * width, 0.85 * height])
    return offset + inside - centre


def place_figure(rng, figure, region, variation_type, zoom, opts, image_size, annotated=None):
    """Shapes and image transform of one figure.  A too strong zoom or shift is retried smaller until every
    garment has a landmark inside the image and the annotated garment three (or all, if it has fewer)."""
    width, height = image_size
    shapes = figure_shapes(figure, rng, sample_pose(rng, variation_type))
    truncate = rng.random() < opts.truncation_rate
    for _ in range(8):
        matrix, offset = layout_figure(shapes, rng, region, zoom, VARIATION_ROTATION[variation_type], truncate)
        offset = clip_target(offset, matrix, shapes, width, height)
        if all(landmarks_inside(shape, matrix, offset, image_size) >= (min(3, len(shape.landmarks))
                                                                       if k == annotated else 1)
               for k, shape in enumerate(shapes)):
            break
        zoom, truncate = max(1.0, zoom * 0.85), False
    return shapes, matrix, offset


def landmarks_inside(shape, matrix, offset, image_size):
    landmarks = affine(matrix, offset, np.array(list(shape.landmarks.values())))
    return int(np.all((landmarks >= 0) & (landmarks <= [image_size[0] - 1, image_size[1] - 1]), axis=1).sum())


def figure_shapes(figure, rng, pose):
    """Shapes of one figure's garments in its own frame: an upper garment sits over the trousers' waist."""
    shapes = [garment_shape(g.category_id, pose) for g in figure]
    upper = [i for i, g in enumerate(figure) if g.clothes_type == UPPER]
    lower = [i for i, g in enumerate(figure) if g.clothes_type == LOWER]
    if upper and lower:
        hem_y = shapes[upper[0]].landmarks[7][1]
        shapes[lower[0]] = shifted(shapes[lower[0]], hem_y - rng.uniform(0.12, 0.25))
    return shapes


def image_size(rng, opts, style=DRAWING_STYLES['default']):
    long_side = int(rng.integers(opts.min_size, opts.max_size + 1))
    short_side = int(round(long_side * rng.uniform(*style.aspect)))
    return (short_side, long_side) if rng.random() < 1.0 - style.landscape else (long_side, short_side)


def figure_regions(n_figures, width, height):
    """Side-by-side regions, one per figure (person), overlapping a little."""
    overlap = 0.06 * width
    return [(i * width / n_figures - (overlap if i else 0.0), 0.0,
             (i + 1) * width / n_figures + (overlap if i < n_figures - 1 else 0.0), height)
            for i in range(n_figures)]


def place_figures(rng, plan, variation_type, zoom, opts, image_size):
    """(garment plan, shape, matrix, offset) of every garment, in drawing order."""
    placed = []
    first = 0
    for figure, region in zip(plan.figures, figure_regions(len(plan.figures), *image_size)):
        annotated = plan.annotated - first if 0 <= plan.annotated - first < len(figure) else None
        shapes, matrix, offset = place_figure(rng, figure, region, variation_type, zoom, opts, image_size, annotated)
        placed += [(g, s, matrix, offset) for g, s in zip(figure, shapes)]
        first += len(figure)
    return placed


def point_in_polygon(x, y, polygon):
    """Even-odd rule (ray casting)."""
    inside = False
    n = len(polygon)
    for i in range(n):
        xa, ya = polygon[i]
        xb, yb = polygon[(i + 1) % n]
        if (ya > y) != (yb > y) and x < xa + (y - ya) * (xb - xa) / (yb - ya):
            inside = not inside
    return inside


def landmark_ground_truth(local, matrix, offset, covering, width, height):
    """(x, y, visibility) of a landmark: 2 truncated (written 0 0), 1 inside a later-drawn shape, 0 visible."""
    position = affine(matrix, offset, local[None, :])[0]
    if not (0 <= position[0] <= width - 1 and 0 <= position[1] <= height - 1):
        return (0, 0, 2)
    x, y = (int(round(c)) for c in position)
    if any(point_in_polygon(x, y, polygon) for polygon in covering):
        return (x, y, 1)
    return (x, y, 0)


def clipped_bbox(polygons, width, height):
    """Integer corners of the polygons' extent clipped to the image; None if nothing is inside."""
    pts = np.concatenate(polygons)
    x1, y1 = np.floor(pts.min(axis=0))
    x2, y2 = np.ceil(pts.max(axis=0))
    x1, x2 = (int(np.clip(v, 0, width - 1)) for v in (x1, x2))
    y1, y2 = (int(np.clip(v, 0, height - 1)) for v in (y1, y2))
    return (x1, y1, x2, y2) if x1 < x2 and y1 < y2 else None


def ground_truth(plan, placed, drawn, occluders, image_size, benchmark):
    """Garments inside the image (another garment with no landmark inside is left out) and the index of the
    annotated one among them.  A landmark under a later-drawn garment or an occluder is occluded."""
    garments, annotated = [], None
    for k, (garment, shape, matrix, offset) in enumerate(placed):
        covering = [p for later in drawn[k + 1:] for p in later] + occluders
        landmarks = [None] * len(constants.KEYPOINTS)
        for slot, local in shape.landmarks.items():
            landmarks[slot] = landmark_ground_truth(local, matrix, offset, covering, *image_size)
        bbox = clipped_bbox(drawn[k], *image_size)
        if k == plan.annotated:
            if bbox is None:
                raise RuntimeError('annotated garment outside the image: {}'.format(plan.image_name))
            annotated = len(garments)
        elif bbox is None or all(lm is None or lm[2] == 2 for lm in landmarks):
            continue
        garments.append(Garment(
            clothes_type=garment.clothes_type,
            category_id=garment.category_id if benchmark == 'category' else None,
            drawn_category_id=garment.category_id,
            landmarks=landmarks,
            bbox=bbox,
            attribute_ids=attribute_ids_of(garment) if benchmark == 'category' else (),
            texture=garment.texture,
        ))
    return garments, annotated


@dataclasses.dataclass
class Scene:
    """One drawn image and its ground truth (``garments[annotated]`` is the garment of the list files)."""
    image: Image.Image
    variation_type: int
    garments: List[Garment]
    annotated: int
    background: Optional[Image.Image] = None  #: the image before any garment was drawn (keep_background)


def compose(plan, benchmark, seed, opts, keep_background=False):
    """Draw one image of the plan in the options' drawing style."""
    style = DRAWING_STYLES[opts.style]
    rng = rng_for(seed, plan.index, 1)
    width, height = image_size(rng, opts, style)
    variation_type = int(rng.choice([1, 2, 3, 4, 5], p=VARIATION_WEIGHTS[benchmark]))
    zoom = rng.uniform(*VARIATION_ZOOM[variation_type])
    family = str(rng.choice(style.palettes)) if len(style.palettes) > 1 else style.palettes[0]
    canvas, background_colours = render_background(rng, str(rng.choice(opts.backgrounds)), width, height, style,
                                                   family)
    if style.distractor_rate and rng.random() < style.distractor_rate:
        background_colours = background_colours + draw_distractors(canvas, rng, family)
    background = canvas.copy() if keep_background else None
    placed = place_figures(rng, plan, variation_type, zoom, opts, (width, height))
    drawn, garment_colours = draw_garments(canvas, placed, background_colours, rng, style, family)
    occluders = []
    if rng.random() < opts.occlusion_rate:
        occluders = draw_occluder(canvas, placed[plan.annotated], background_colours + garment_colours, rng, style,
                                  affine)
    if style.blur_rate and rng.random() < style.blur_rate:
        canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9)))
    garments, annotated = ground_truth(plan, placed, drawn, occluders, (width, height), benchmark)
    return Scene(canvas, variation_type, garments, annotated, background)


def render_image(plan, root, benchmark, seed, opts):
    """Draw one image, write it (atomically) and return its size, variation_type, the garments inside it
    and the index of the annotated one among them."""
    scene = compose(plan, benchmark, seed, opts)
    save_jpeg_atomic(scene.image, os.path.join(root, plan.image_name), opts.jpeg_quality)
    width, height = scene.image.size
    return width, height, scene.variation_type if benchmark == 'fld' else None, scene.garments, scene.annotated


def save_jpeg_atomic(image, path, quality):
    with atomic.atomic_path(path) as tmp_path:
        image.save(tmp_path, format='JPEG', quality=quality)
