"""Drawing a figure: the person's skin, hair and shoes, then each garment (fabric and pattern from the
DeepFashion generator, lining, details, outline), and occluders over a landmark."""
import types

import numpy as np
from PIL import Image, ImageDraw

from ...deepfashion.generator.objects import draw_occluder
from ...deepfashion.generator.palette import contrasting_shade, darker, distinct_colour, hsv_to_rgb, mix, random_colour
from ...deepfashion.generator.render import draw_detail, shaded
from ...deepfashion.generator.shapes import affine
from ...deepfashion.generator.textures import fabric_polygons, loose_texture_polygons, texture_polygons

HAIR = ((40, 28, 20), (90, 60, 35), (160, 120, 70), (20, 20, 22), (200, 170, 120))


def warp_many(warp, polygons):
    """Warp a list of polygons in one call."""
    if not polygons:
        return []
    lengths = np.cumsum([len(p) for p in polygons])[:-1]
    return np.split(warp(np.concatenate(polygons)), lengths)


def xy(points):
    return [tuple(p) for p in np.asarray(points, dtype=float)]


def draw_skin(canvas, figure, rng):
    """The person behind the garments; returns the colours used."""
    skin = hsv_to_rgb(rng.uniform(0.03, 0.1), rng.uniform(0.25, 0.6), rng.uniform(0.35, 0.95))
    colours = {'skin': skin, 'hair': HAIR[int(rng.integers(len(HAIR)))],
               'shoe': random_colour(rng) if rng.random() < 0.3 else (30, 30, 34)}
    draw = ImageDraw.Draw(canvas)
    for polygon, role in zip(warp_many(figure.warp, [p for p, _ in figure.skin]), [r for _, r in figure.skin]):
        draw.polygon(xy(polygon), fill=colours[role], outline=darker(colours[role], 0.8))
    return list(colours.values())


def garment_colours(rng, garment, avoid, family):
    """(base, second): a product (style 1) always gets the same colours from its look; any other garment
    colours that stand out from the backdrop and what is already drawn."""
    if garment.style:
        look = np.random.default_rng(garment.look)
        base = random_colour(look, garment.fabric)
        return base, distinct_colour(look, [base], min_distance=120)
    base = distinct_colour(rng, avoid, garment.fabric, family=family)
    return base, distinct_colour(rng, avoid + [base], min_distance=120, family=family)


def pattern(canvas_draw, garment, shape, warp, origin, colours, rng, style):
    """Fabric look and pattern elements over the garment's box, in garment units warped to the image."""
    base, second = colours
    local = np.concatenate(shape.polygons)
    local_box = (local.min(axis=0) - 0.1, local.max(axis=0) + 0.1)
    unit = warp.unit
    elements = []
    if garment.texture == 'solid':
        shade = contrasting_shade(base, [base], dark=0.84, light=0.14)
        elements += [(p, shade) for p in fabric_polygons(garment.fabric, local_box, unit)]
    if style.patterns == 'grid':
        elements += [(p, second) for p in texture_polygons(garment, local_box, rng, unit)]
    else:
        roles = {'second': second, 'mix': mix(base, second),
                 'accent': contrasting_shade(second, [base, second], 0.45, 0.65)}
        elements += [(p, roles[role]) for p, role in loose_texture_polygons(garment, local_box, rng, unit)]
    for polygon, (_, colour) in zip(warp_many(warp, [p for p, _ in elements]), elements):
        canvas_draw.polygon(xy(polygon - origin), fill=colour)


def draw_garment(canvas, figure, shape, garment, colours, avoid, rng, style):
    """Fabric with its pattern inside the garment's fabric polygons, lining, details, outline."""
    warp = figure.warp
    width, height = canvas.size
    fabric = warp_many(warp, shape.fabric)
    lining = warp_many(warp, shape.lining)
    points = np.concatenate(fabric + lining)
    x0, y0 = np.maximum(np.floor(points.min(axis=0)).astype(int) - 2, 0)
    x1, y1 = np.minimum(np.ceil(points.max(axis=0)).astype(int) + 3, [width, height])
    if x1 <= x0 or y1 <= y0:
        return
    origin = np.array([x0, y0], dtype=float)
    base, second = colours
    mask = Image.new('L', (int(x1 - x0), int(y1 - y0)), 0)
    mask_draw = ImageDraw.Draw(mask)
    for polygon in fabric:
        mask_draw.polygon(xy(polygon - origin), fill=255)
    texture = Image.new('RGB', mask.size, base)
    pattern(ImageDraw.Draw(texture), garment, shape, warp, origin, colours, rng, style)
    if style.shading:
        texture = shaded(texture, rng, [p - origin for p in fabric], garment.texture == 'solid')
    canvas.paste(texture, (int(x0), int(y0)), mask)
    draw = ImageDraw.Draw(canvas)
    lining_colour = contrasting_shade(base, [base], 0.5, 0.4)
    for polygon in lining:
        draw.polygon(xy(polygon), fill=lining_colour)
    for kind, pts in shape.details:
        draw_detail(draw, kind, warp(pts), base, second, avoid, warp.unit)
    widths = style.outline_widths
    outline_width = widths[0] if len(widths) == 1 else int(rng.choice(widths))
    if outline_width:
        if style.ink_outlines:
            outline = (22, 22, 28) if rng.random() < 0.6 else tuple(int(0.3 * c) for c in base)
        else:
            outline = contrasting_shade(base, avoid, dark=0.55, light=0.5)
        for polygon in fabric + lining:
            draw.line(xy(polygon) + xy(polygon[:1]), fill=outline, width=outline_width)


def draw_figure(canvas, figure, background_colours, rng, style, family, drawn=None):
    """Skin (a worn figure), then the garments whose index is in ``drawn`` (all by default), in order."""
    used = list(background_colours)
    if figure.plan.worn:
        used += draw_skin(canvas, figure, rng)
    for k, (shape, garment) in enumerate(zip(figure.shapes, figure.plan.garments)):
        colours = garment_colours(rng, garment, used, family)
        if drawn is None or k in drawn:
            look = np.random.default_rng(garment.look + 1) if garment.style else rng
            draw_garment(canvas, figure, shape, garment, colours, background_colours, look, style)
            used += list(colours)
    return used


def draw_occluder_over(canvas, targets, unit, avoid, rng, style):
    """An occluder of the style's kinds (the DeepFashion generator's) over one of the target points (image
    coordinates), sized for a figure of ``unit`` pixels per body unit; returns its polygons."""
    scale = 0.75 * unit
    shape = types.SimpleNamespace(landmarks={k: np.asarray(t, dtype=float) / scale for k, t in enumerate(targets)})
    return draw_occluder(canvas, (None, shape, np.eye(2) * scale, np.zeros(2)), avoid, rng, style, affine)
