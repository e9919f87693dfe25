"""Drawing a garment: fabric and pattern inside its outline, its details and cues, the outline itself."""
import math

import numpy as np
from PIL import Image, ImageDraw

from .cues import garment_shape
from .palette import clipped, contrasting_shade, distinct_colour, metal, mix, thread
from .plan import GarmentPlan
from .shapes import affine
from .styles import DRAWING_STYLES
from .textures import fabric_polygons, loose_texture_polygons, texture_polygons

FILLED_DETAILS = ('band', 'panel', 'patch', 'trim')  # they hide what is under them (ground truth counts them)
SKETCH_POSE = {'arms': (50.0, 50.0), 'legs': (0.03, 0.03)}


def draw_detail(draw, kind, pts, base, second, background_colours, unit):
    """One detail (image coordinates): 'band' (waistbands, cuffs, hood linings: a shade that stands out from
    the backdrop), 'panel' (lapels, collars, pockets), 'patch' (second colour), 'trim' (fur, lace), 'line',
    'cord', 'stitch' (dashed thread), 'zip', 'buttons' (points), 'fringe' (pairs of points)."""
    xy = [tuple(p) for p in pts]
    if kind == 'band':
        draw.polygon(xy, fill=contrasting_shade(base, background_colours))
    elif kind == 'panel':
        draw.polygon(xy, fill=contrasting_shade(base, [base], 0.8, 0.22),
                     outline=contrasting_shade(base, [base], 0.5, 0.55))
    elif kind == 'patch':
        draw.polygon(xy, fill=second)
    elif kind == 'trim':
        draw.polygon(xy, fill=contrasting_shade(base, background_colours, dark=0.45, light=0.7))
    elif kind == 'line':
        draw.line(xy, fill=contrasting_shade(base, [base], 0.55, 0.45), width=max(1, int(round(unit * 0.015))))
    elif kind == 'cord':
        draw.line(xy, fill=contrasting_shade(base, [base], 0.45, 0.75), width=max(1, int(round(unit * 0.018))))
    elif kind == 'stitch':
        dash = max(2.0, 0.035 * unit)
        for a, b in zip(pts[:-1], pts[1:]):
            length = float(np.hypot(*(b - a)))
            for start in np.arange(0.0, length, 1.7 * dash):
                end = min(start + dash, length)
                draw.line([tuple(a + (b - a) * start / length), tuple(a + (b - a) * end / length)],
                          fill=thread(base), width=max(1, int(round(unit * 0.012))))
    elif kind == 'zip':
        colour = metal(base)
        draw.line(xy, fill=colour, width=max(2, int(round(unit * 0.03))))
        (x, y), w = xy[0], max(1.5, 0.022 * unit)
        draw.rectangle([x - w, y, x + w, y + 3 * w], fill=colour, outline=contrasting_shade(colour, [colour]))
    elif kind == 'buttons':
        r = max(1.0, unit * 0.02)
        for x, y in xy:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=second)
    elif kind == 'fringe':
        colour = contrasting_shade(base, [base], 0.6, 0.5)
        for a, b in zip(xy[0::2], xy[1::2]):
            draw.line([a, b], fill=colour, width=max(1, int(round(unit * 0.012))))
    else:
        raise ValueError('unknown detail kind {}'.format(kind))


def shaded(texture, rng, polygons, heather):
    """Light falling across the garment (brighter on one side), and on solid fabric a heathered grain."""
    array = np.asarray(texture, dtype=float)
    height, width = array.shape[:2]
    pts = np.concatenate(polygons)
    angle = rng.uniform(0.0, 2.0 * math.pi)
    ys, xs = np.mgrid[0:height, 0:width]
    t = xs * math.cos(angle) + ys * math.sin(angle)
    ends = pts @ np.array([math.cos(angle), math.sin(angle)])
    t = np.clip((t - ends.min()) / max(ends.max() - ends.min(), 1.0), 0.0, 1.0)
    array = array * (1.15 - 0.37 * t)[:, :, None]
    if heather:
        array = array + rng.normal(0.0, 9.0, size=(height, width, 1))
    return Image.fromarray(clipped(array), 'RGB')


def draw_garment(canvas, shape, garment, matrix, offset, colours, background_colours, rng,
                 style=DRAWING_STYLES['default']):
    """Draw one garment; returns the polygons (image coordinates) that hide what is under it."""
    width, height = canvas.size
    mask = Image.new('L', (width, height), 0)
    mask_draw = ImageDraw.Draw(mask)
    image_polygons = [affine(matrix, offset, p) for p in shape.polygons]
    for polygon in image_polygons:
        mask_draw.polygon([tuple(p) for p in polygon], fill=255)
    base, second = colours
    texture = Image.new('RGB', (width, height), base)
    texture_draw = ImageDraw.Draw(texture)
    all_local = np.concatenate(shape.polygons)
    local_box = (all_local.min(axis=0) - 0.2, all_local.max(axis=0) + 0.2)
    unit = math.sqrt(abs(np.linalg.det(matrix)))
    if garment.texture == 'solid':
        shade = contrasting_shade(base, [base], dark=0.84, light=0.14)
        for polygon in fabric_polygons(garment.fabric, local_box, unit):
            texture_draw.polygon([tuple(p) for p in affine(matrix, offset, polygon)], fill=shade)
    if style.patterns == 'grid':
        for polygon in texture_polygons(garment, local_box, rng, unit):
            texture_draw.polygon([tuple(p) for p in affine(matrix, offset, polygon)], fill=second)
    else:
        roles = {'second': second, 'mix': mix(base, second),
                 'accent': contrasting_shade(second, [base, second], 0.45, 0.65)}
        for polygon, role in loose_texture_polygons(garment, local_box, rng, unit):
            texture_draw.polygon([tuple(p) for p in affine(matrix, offset, polygon)], fill=roles[role])
    if style.shading:
        texture = shaded(texture, rng, image_polygons, garment.texture == 'solid')
    canvas.paste(texture, (0, 0), mask)
    draw = ImageDraw.Draw(canvas)
    for kind, pts in shape.details:
        draw_detail(draw, kind, affine(matrix, offset, pts), base, second, background_colours, unit)
    widths = style.outline_widths
    outline_width = widths[0] if len(widths) == 1 else int(rng.choice(widths))
    if outline_width:
        if style.ink_outlines:
            outline = (22, 22, 28) if rng.random() < 0.6 else tuple(int(0.3 * c) for c in base)
        else:
            outline = contrasting_shade(base, background_colours, dark=0.55, light=0.5)
        for polygon in image_polygons:
            draw.line([tuple(p) for p in polygon] + [tuple(polygon[0])], fill=outline, width=outline_width)
    filled = [affine(matrix, offset, pts) for kind, pts in shape.details if kind in FILLED_DETAILS]
    return image_polygons + filled


def draw_garments(canvas, placed, background_colours, rng, style=DRAWING_STYLES['default'], family='any'):
    """Draw the garments in order; returns each garment's polygons (image coordinates) and the colours used."""
    drawn, garment_colours = [], []
    for garment, shape, matrix, offset in placed:
        base = distinct_colour(rng, background_colours, garment.fabric, family=family)
        second = distinct_colour(rng, background_colours + [base], min_distance=120, family=family)
        garment_colours += [base, second]
        drawn.append(draw_garment(canvas, shape, garment, matrix, offset, (base, second), background_colours,
                                  rng, style))
    return drawn, garment_colours


def garment_sketch(category_id, cues=True, pose=None, unit=100.0, size=(360, 470)):
    """Drawing (RGB uint8 array) of one category on white at a fixed pose, plain fabric, fixed colours: what
    tells categories apart in pixels (tests compare near-confusions with it)."""
    canvas = Image.new('RGB', size, (255, 255, 255))
    shape = garment_shape(category_id, pose or SKETCH_POSE, cues=cues)
    garment = GarmentPlan(category_id, 'solid', 0, 'Cotton', 'casual')
    matrix, offset = np.eye(2) * unit, np.array([size[0] / 2.0, 0.5 * unit])
    draw_garment(canvas, shape, garment, matrix, offset, ((176, 64, 60), (240, 200, 60)), [(255, 255, 255)],
                 np.random.default_rng(0))
    return np.asarray(canvas)
