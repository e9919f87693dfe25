"""Things that are not garments: occluders in front of a landmark (bags, arms, hands, phones, scarves) and
distractor objects behind the figures (lamps, plants, balls, bottles, frames, signs, shoes)."""
import math

import numpy as np
from PIL import ImageDraw

from .palette import darker, distinct_colour, hsv_to_rgb, random_colour

OCCLUDERS = ('bag', 'arm', 'hand', 'handbag', 'phone', 'scarf')
DISTRACTORS = ('lamp', 'plant', 'ball', 'bottle', 'frame', 'sign', 'shoe')


def rotation(angle):
    return np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])


def box(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


def ellipse(cx, cy, rx, ry, n=14, phase=0.0):
    angles = np.linspace(0.0, 2.0 * math.pi, n + 1)[:-1] + phase
    return np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], axis=1)


def arch(cx, cy, outer, inner, n=10):
    """Upper half ring (a bag's handle)."""
    angles = np.linspace(math.pi, 2.0 * math.pi, n)
    ring = [(cx + outer * math.cos(a), cy + outer * math.sin(a)) for a in angles]
    ring += [(cx + inner * math.cos(a), cy + inner * math.sin(a)) for a in angles[::-1]]
    return np.array(ring)


def occluder_parts(rng, kind, unit):
    """Polygons of an occluder around the origin (pixels, before rotation), its colour role and how far its
    centre may stray from the landmark it hides (it still covers it)."""
    if kind == 'bag':
        w, h = unit * rng.uniform(0.25, 0.4), unit * rng.uniform(0.25, 0.4)
        return [box(-w / 2, -h / 2, w / 2, h / 2)], 'any', 0.25 * min(w, h)
    if kind == 'arm':
        w, h = unit * rng.uniform(0.6, 0.9), unit * rng.uniform(0.1, 0.16)
        return [box(-w / 2, -h / 2, w / 2, h / 2)], 'skin', 0.25 * h
    if kind == 'hand':
        s = unit * rng.uniform(0.2, 0.28)
        parts = [ellipse(0.0, 0.0, 0.5 * s, 0.55 * s)]
        for k, x in enumerate(np.linspace(-0.36, 0.36, 4) * s):
            length = s * (0.55 + 0.15 * (k in (1, 2)))
            parts.append(box(x - 0.1 * s, -0.4 * s - length, x + 0.1 * s, -0.3 * s))
        parts.append((rotation(-0.7) @ box(0.3 * s, -0.1 * s, 0.95 * s, 0.1 * s).T).T)
        return parts, 'skin', 0.25 * s
    if kind == 'handbag':
        w, h = unit * rng.uniform(0.3, 0.45), unit * rng.uniform(0.22, 0.32)
        body = np.array([[-0.4 * w, -h / 2], [0.4 * w, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
        return [body, arch(0.0, -h / 2, 0.3 * w, 0.22 * w)], 'any', 0.25 * min(w, h)
    if kind == 'phone':
        w, h = unit * rng.uniform(0.1, 0.14), unit * rng.uniform(0.2, 0.26)
        return [box(-w / 2, -h / 2, w / 2, h / 2)], 'dark', 0.25 * w
    length, width = unit * rng.uniform(0.7, 1.0), unit * rng.uniform(0.1, 0.14)
    xs = np.linspace(-length / 2, length / 2, 12)
    wave = np.sin(xs / length * 2.0 * math.pi * rng.uniform(1.0, 2.0)) * width * 0.6
    return [np.concatenate([np.stack([xs, wave - width / 2], axis=1),
                            np.stack([xs, wave + width / 2], axis=1)[::-1]])], 'any', 0.12 * width


def place_occluder(rng, kind, target, unit):
    """An occluder over target: its polygons (image coordinates) and colour role."""
    parts, role, stray = occluder_parts(rng, kind, unit)
    turn = rotation(rng.uniform(-math.pi, math.pi))
    centre = target + rng.uniform(-1.0, 1.0, size=2) * stray
    return [p @ turn.T + centre for p in parts], role


def draw_occluder(canvas, annotated_placement, avoid_colours, rng, style, affine):
    """An occluder over one of the annotated garment's landmarks inside the image; its polygons ([] if none)."""
    width, height = canvas.size
    _, shape, matrix, offset = annotated_placement
    targets = [affine(matrix, offset, p[None, :])[0] for p in shape.landmarks.values()]
    targets = [t for t in targets if 0 <= t[0] < width and 0 <= t[1] < height]
    if not targets:
        return []
    unit = math.sqrt(abs(np.linalg.det(matrix)))
    skin = hsv_to_rgb(rng.uniform(0.03, 0.1), rng.uniform(0.3, 0.6), rng.uniform(0.35, 0.95))
    kind = str(rng.choice(style.occluders))
    polygons, role = place_occluder(rng, kind, targets[int(rng.integers(len(targets)))], unit)
    colour = {'skin': skin, 'dark': (28, 28, 34)}.get(role) or distinct_colour(rng, avoid_colours)
    draw = ImageDraw.Draw(canvas)
    for polygon in polygons:
        draw.polygon([tuple(p) for p in polygon], fill=colour, outline=darker(colour))
    if kind == 'phone':
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = polygons[0]
        screen = [(0.88 * a + 0.04 * (x0 + x1 + x2 + x3), 0.88 * b + 0.04 * (y0 + y1 + y2 + y3))
                  for a, b in polygons[0]]
        draw.polygon(screen, fill=(70, 90, 120))
    return polygons


def distractor_parts(kind, rng):
    """(polygon, colour index) parts of a distractor in a unit box around the origin."""
    if kind == 'lamp':
        return [(np.array([[-0.3, -0.5], [0.3, -0.5], [0.45, -0.15], [-0.45, -0.15]]), 0),
                (box(-0.03, -0.15, 0.03, 0.45), 1), (box(-0.25, 0.45, 0.25, 0.52), 1)]
    if kind == 'plant':
        leaves = [(rotation(a) @ ellipse(0.0, -0.25, 0.09, 0.25, 10).T).T + (0.0, 0.1)
                  for a in (-0.7, -0.25, 0.25, 0.7)]
        pot = np.array([[-0.25, 0.1], [0.25, 0.1], [0.18, 0.5], [-0.18, 0.5]])
        return [(leaf, 0) for leaf in leaves] + [(pot, 1)]
    if kind == 'ball':
        return [(ellipse(0.0, 0.0, 0.4, 0.4, 20), 0), (ellipse(0.0, 0.0, 0.4, 0.12, 20), 1)]
    if kind == 'bottle':
        return [(box(-0.15, -0.1, 0.15, 0.5), 0), (box(-0.05, -0.4, 0.05, -0.1), 0), (box(-0.15, 0.1, 0.15, 0.3), 1)]
    if kind == 'frame':
        return [(box(-0.45, -0.35, 0.45, 0.35), 0), (box(-0.36, -0.26, 0.36, 0.26), 1)]
    if kind == 'sign':
        lines = [(box(-0.4, y, 0.4 - 0.25 * k, y + 0.08), 1) for k, y in enumerate((-0.2, -0.04, 0.12))]
        return [(box(-0.5, -0.3, 0.5, 0.3), 0)] + lines
    return [(np.array([[-0.5, 0.1], [-0.5, -0.08], [-0.1, -0.14], [0.08, -0.32], [0.32, -0.32], [0.5, 0.1]]), 0),
            (box(-0.52, 0.1, 0.52, 0.18), 1)]


def draw_distractors(canvas, rng, family):
    """One to three objects that are not garments, anywhere in the image (drawn before the garments); returns
    their colours."""
    width, height = canvas.size
    draw = ImageDraw.Draw(canvas)
    used = []
    for _ in range(int(rng.integers(1, 4))):
        kind = str(rng.choice(DISTRACTORS))
        size = rng.uniform(0.15, 0.35) * min(width, height)
        turn = rotation(rng.uniform(-0.3, 0.3))
        centre = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        colours = [random_colour(rng, family=family), random_colour(rng, family=family)]
        used += colours
        for polygon, index in distractor_parts(kind, rng):
            pts = (polygon * size) @ turn.T + centre
            draw.polygon([tuple(p) for p in pts], fill=colours[index], outline=darker(colours[index]))
    return used
