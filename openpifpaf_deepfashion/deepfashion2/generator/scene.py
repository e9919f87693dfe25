"""One image: its size and backdrop, the figures and where they go, which garments are kept, drawing order,
occluders, and the finished JPEG with its annos json.

A garment that would show fewer than MIN_LABELLED_LANDMARKS landmarks in the image or fewer than
MIN_VISIBLE_PIXELS pixels is left out before anything is drawn (so no drawn garment goes unlabelled), and
the others are judged again without it.
"""
import dataclasses
import json
import os
from typing import List

import numpy as np
from PIL import Image, ImageFilter

from ... import atomic
from ...deepfashion.generator.backgrounds import render_background
from ...deepfashion.generator.objects import draw_distractors
from ...deepfashion.generator.plan import rng_for
from ...deepfashion.generator.scene import save_jpeg_atomic
from ...deepfashion.generator.styles import DRAWING_STYLES
from .draw import draw_figure, draw_occluder_over, warp_many
from .options import MIN_LABELLED_LANDMARKS, MIN_VISIBLE_PIXELS
from .people import build_figure, place_figures
from .truth import annos_item, label_image, visibilities

PLACEMENT_ATTEMPTS = 6


@dataclasses.dataclass
class Scene:
    """A drawn image and its ``annos`` content; ``kept`` lists (figure, garment) per item, in item order."""
    image: Image.Image
    annos: dict
    figures: list
    kept: List[tuple]
    occluders: list


def image_size(rng, opts, style, plan):
    long_side = int(rng.integers(opts.min_size, opts.max_size + 1))
    short_side = int(round(long_side * rng.uniform(*style.aspect)))
    if plan.figures[0].worn:
        portrait = 0.8 if len(plan.figures) == 1 else 0.4
    else:
        portrait = 1.0 - style.landscape
    return (short_side, long_side) if rng.random() < portrait else (long_side, short_side)


def layers(figures, kept, occluders=()):
    """[(label, key, image polygons)] in drawing order, labels 1, 2, ... in that order: a person's skin
    (key None), then their kept garments (key (figure, garment)), then the occluders (key None)."""
    result = []
    for f, figure in enumerate(figures):
        if figure.skin:
            result.append((None, warp_many(figure.warp, [p for p, _ in figure.skin])))
        result += [((f, g), warp_many(figure.warp, shape.polygons)) for g, shape in enumerate(figure.shapes)
                   if (f, g) in kept]
    if len(occluders):
        result.append((None, list(occluders)))
    return [(label, key, polygons) for label, (key, polygons) in enumerate(result, 1)]


def garment_layers(all_layers):
    """(figure, garment) -> (label, its polygons, the polygons drawn after it)."""
    return {key: (label, polygons, [p for _, _, later in all_layers[label:] for p in later])
            for label, key, polygons in all_layers if key is not None}


def keep_garments(figures, width, height):
    """(figure, garment) pairs worth drawing, in drawing order (see the module docstring)."""
    kept = [(f, g) for f, figure in enumerate(figures) for g in range(len(figure.shapes))]
    while kept:
        all_layers = layers(figures, kept)
        labels = label_image([(label, polygons) for label, _, polygons in all_layers], (width, height))
        counts = np.bincount(labels.ravel(), minlength=256)
        keep = []
        for (f, g), (label, _, later) in garment_layers(all_layers).items():
            shape = figures[f].shapes[g]
            _, v = visibilities(figures[f].warp(shape.landmarks), shape.hidden, later, width, height)
            if np.count_nonzero(v) >= MIN_LABELLED_LANDMARKS and counts[label] >= MIN_VISIBLE_PIXELS:
                keep.append((f, g))
        if keep == kept:
            break
        kept = keep
    return kept


def compose(plan, seed, opts):
    """Draw one image of the plan; same plan, seed and options, same pixels."""
    style = DRAWING_STYLES[opts.style]
    rng = rng_for(seed, plan.index, 1)
    width, height = image_size(rng, opts, style, plan)
    family = str(rng.choice(style.palettes)) if len(style.palettes) > 1 else style.palettes[0]
    canvas, used = render_background(rng, str(rng.choice(opts.backgrounds)), width, height, style, family)
    if style.distractor_rate and rng.random() < style.distractor_rate:
        used = used + draw_distractors(canvas, rng, family)
    figures = [build_figure(rng, figure) for figure in plan.figures]
    for _ in range(PLACEMENT_ATTEMPTS):
        place_figures(rng, figures, width, height)
        kept = keep_garments(figures, width, height)
        if kept:
            break
    else:
        raise RuntimeError('image {} of {}: no garment could be placed'.format(plan.name, plan.split))
    for f, figure in enumerate(figures):
        used = draw_figure(canvas, figure, used, rng, style, family, {g for ff, g in kept if ff == f})
    occluders = []
    if rng.random() < opts.occlusion_rate:
        f, g = kept[int(rng.integers(len(kept)))]
        shape = figures[f].shapes[g]
        points = figures[f].warp(shape.landmarks)
        inside = (~shape.hidden & (points[:, 0] >= 0) & (points[:, 0] <= width - 1) & (points[:, 1] >= 0)
                  & (points[:, 1] <= height - 1))
        if inside.any():
            occluders = draw_occluder_over(canvas, points[inside], figures[f].warp.unit, used, rng, style)
    if style.blur_rate and rng.random() < style.blur_rate:
        canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9)))
    annos, kept = annotate(plan, figures, kept, occluders, width, height)
    return Scene(canvas, annos, figures, kept, occluders)


def annotate(plan, figures, kept, occluders, width, height):
    """(the annos dict: source, pair_id and item1..itemN in drawing order; (figure, garment) per item)."""
    all_layers = layers(figures, kept, occluders)
    labels = label_image([(label, polygons) for label, _, polygons in all_layers], (width, height))
    annos = {'source': plan.source, 'pair_id': plan.pair_id}
    annotated = []
    for (f, g), (label, polygons, later) in garment_layers(all_layers).items():
        figure = figures[f]
        shape = figure.shapes[g]
        item = annos_item(figure.plan.garments[g], shape, figure.warp(shape.landmarks), later, polygons, labels,
                          label, figure.plan.viewpoint)
        if item is not None:
            annotated.append((f, g))
            annos['item{}'.format(len(annotated))] = item
    return annos, annotated


def paths(root, plan):
    """(image path, annos path) of an image: ROOT/<split>/image/<name>.jpg and ROOT/<split>/annos/<name>.json."""
    return (os.path.join(root, plan.split, 'image', plan.name + '.jpg'),
            os.path.join(root, plan.split, 'annos', plan.name + '.json'))


def render_image(plan, root, seed, opts):
    """Draw one image, write its JPEG and annos json (atomically); returns (split, name, width, height,
    category ids of its items)."""
    scene = compose(plan, seed, opts)
    image_path, annos_path = paths(root, plan)
    save_jpeg_atomic(scene.image, image_path, opts.jpeg_quality)
    with atomic.atomic_open(annos_path, newline='\n') as f:
        f.write(json.dumps(scene.annos))
    categories = tuple(item['category_id'] for key, item in scene.annos.items() if key.startswith('item'))
    return plan.split, plan.name, scene.image.size[0], scene.image.size[1], categories
