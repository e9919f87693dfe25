"""Backgrounds of both drawing styles: plain, gradient, noise and clutter (shapes and stripes behind)."""
import math

import numpy as np
from PIL import Image, ImageDraw

from .palette import clipped, random_colour


def render_background(rng, kind, width, height, style, family='any'):
    """Background image and the colours it is made of (garment colours keep away from them)."""
    base = np.array(random_colour(rng, family=family), dtype=float)
    base_colour = tuple(int(c) for c in base)
    loose = style.patterns == 'loose'
    if kind == 'plain':
        return Image.new('RGB', (width, height), base_colour), [base_colour]
    if kind == 'gradient':
        other = np.clip(base + rng.uniform(-70.0, 70.0, size=3), 0, 255)
        if loose:  # any direction
            angle = rng.uniform(0.0, 2.0 * math.pi)
            ys, xs = np.mgrid[0:height, 0:width]
            t = xs * math.cos(angle) + ys * math.sin(angle)
            t = (t - t.min()) / max(t.max() - t.min(), 1.0)
            array = base[None, None, :] * (1.0 - t[:, :, None]) + other[None, None, :] * t[:, :, None]
        else:
            t = np.linspace(0.0, 1.0, height if rng.random() < 0.5 else width)
            ramp = base[None, :] * (1.0 - t[:, None]) + other[None, :] * t[:, None]
            if len(t) == height:
                array = np.broadcast_to(ramp[:, None, :], (height, width, 3))
            else:
                array = np.broadcast_to(ramp[None, :, :], (height, width, 3))
        return Image.fromarray(clipped(array), 'RGB'), [base_colour, tuple(int(c) for c in other)]
    if kind == 'noise':
        if loose:  # blotches: coarse noise blown up, then fine grain
            cell = int(rng.integers(8, 24))
            coarse = rng.normal(0.0, 30.0, size=(height // cell + 2, width // cell + 2, 3))
            blotches = Image.fromarray(clipped(coarse + 128.0), 'RGB').resize(
                ((width // cell + 2) * cell, (height // cell + 2) * cell), Image.BILINEAR)
            array = base + np.asarray(blotches, dtype=float)[:height, :width] - 128.0
            array = array + rng.normal(0.0, 6.0, size=(height, width, 1))
        else:
            array = base[None, None, :] + rng.normal(0.0, 14.0, size=(height, width, 1))
        return Image.fromarray(clipped(array), 'RGB'), [base_colour]
    return clutter_background(rng, base, width, height, style, family)


def clutter_background(rng, base, width, height, style, family):
    """A plain colour with shapes in front of it: rectangles, ellipses, triangles and bands, in colours near
    the background (default style) or in any colour of the palette (second style); in the second style
    sometimes over striped wallpaper."""
    base_colour = tuple(int(c) for c in base)
    image = Image.new('RGB', (width, height), base_colour)
    draw = ImageDraw.Draw(image)
    colours = [base_colour]

    def shape_colour():
        if style.clutter_contrast >= 255.0:
            return random_colour(rng, family=family)
        offset = rng.uniform(-style.clutter_contrast, style.clutter_contrast, size=3)
        return tuple(int(c) for c in np.clip(base + offset, 0, 255))

    if style.patterns == 'loose' and rng.random() < 0.5:
        colour, period = shape_colour(), rng.uniform(0.04, 0.15) * max(width, height)
        colours.append(colour)
        slope = rng.uniform(-1.0, 1.0) * height
        for x in np.arange(-abs(slope) - period, width + abs(slope), period):
            draw.polygon([(x, 0), (x + period / 2, 0), (x + period / 2 + slope, height), (x + slope, height)],
                         fill=colour)
    size = min(width, height)
    for _ in range(int(rng.integers(style.clutter[0], style.clutter[1] + 1))):
        colour = shape_colour()
        colours.append(colour)
        kind = int(rng.integers(4))
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        w, h = rng.uniform(0.1, 0.5, size=2) * size
        if kind == 0:
            draw.rectangle([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], fill=colour)
        elif kind == 1:
            draw.ellipse([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], fill=colour)
        elif kind == 2:
            draw.polygon([(cx, cy - h / 2), (cx + w / 2, cy + h / 2), (cx - w / 2, cy + h / 2)], fill=colour)
        else:  # a band across the image
            angle = rng.uniform(0.0, math.pi)
            dx, dy = math.cos(angle) * 2 * max(width, height), math.sin(angle) * 2 * max(width, height)
            nx, ny = -math.sin(angle) * h / 6, math.cos(angle) * h / 6
            draw.polygon([(cx - dx - nx, cy - dy - ny), (cx + dx - nx, cy + dy - ny), (cx + dx + nx, cy + dy + ny),
                          (cx - dx + nx, cy - dy + ny)], fill=colour)
    return image, colours
