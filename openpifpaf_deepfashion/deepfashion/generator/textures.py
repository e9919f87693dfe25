"""Fabric patterns as polygons in garment units: the default's grid patterns, the second style's loose ones,
and the fabric look (denim twill, knit ribs) of solid garments."""
import math

import numpy as np

from .options import MIN_PATTERN_PIXELS
from .shapes import point


def texture_polygons(garment, local_box, rng, unit):
    """Pattern elements (polygons in garment units) of a garment's texture; unit: pixels per garment unit.
    Periods stay at least MIN_PATTERN_PIXELS wide, so that JPEG's colour subsampling does not blend them."""
    (x0, y0), (x1, y1) = local_box
    variant = garment.texture_variant
    min_period = MIN_PATTERN_PIXELS / unit
    if garment.texture == 'stripes':
        period = max(rng.uniform(0.08, 0.16) if variant == 0 else rng.uniform(0.05, 0.08), 1.5 * min_period)
        thickness = period * (0.5 if variant == 0 else 0.25)
        if variant == 0:
            return [np.array([[x0, y], [x1, y], [x1, y + thickness], [x0, y + thickness]])
                    for y in np.arange(y0, y1, period)]
        return [np.array([[x, y0], [x + thickness, y0], [x + thickness, y1], [x, y1]])
                for x in np.arange(x0, x1, period)]
    if garment.texture == 'dots':
        period = max(rng.uniform(0.12, 0.2) if variant == 0 else rng.uniform(0.07, 0.1), 1.5 * min_period)
        radius = period * 0.28
        angles = np.linspace(0.0, 2.0 * math.pi, 9)[:-1]
        circle = np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius
        return [circle + point(x + (period / 2 if k % 2 else 0.0), y)
                for k, y in enumerate(np.arange(y0, y1, period)) for x in np.arange(x0, x1, period)]
    if garment.texture == 'checks':
        period = max(rng.uniform(0.07, 0.11) if variant == 0 else rng.uniform(0.12, 0.18), min_period)
        return [np.array([[x, y], [x + period, y], [x + period, y + period], [x, y + period]])
                for j, y in enumerate(np.arange(y0, y1, period))
                for i, x in enumerate(np.arange(x0, x1, period)) if (i + j) % 2 == 0]
    return []


def regular_polygon(centre, radius, n, phase=0.0):
    angles = np.linspace(0.0, 2.0 * math.pi, n + 1)[:-1] + phase
    return np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius + centre


def loose_texture_polygons(garment, local_box, rng, unit):
    """The second style's patterns as (polygon, colour role) with roles 'second', 'mix' (base and second
    blended) and 'accent': wavy or paired stripes, scattered dots or diamonds, tartan.  Same attributes as the
    grid patterns: variant 0 stripes run across, variant 1 down; dots stay dots, checks stay checks."""
    (x0, y0), (x1, y1) = local_box
    variant = garment.texture_variant
    min_period = MIN_PATTERN_PIXELS / unit
    if garment.texture == 'stripes':
        if variant == 0:
            period = max(rng.uniform(0.1, 0.2), 2.0 * min_period)
            thickness, amplitude = period * rng.uniform(0.3, 0.55), rng.uniform(0.01, 0.035)
            wavelength = rng.uniform(0.18, 0.4)
            xs = np.arange(x0, x1 + wavelength / 8.0, wavelength / 8.0)
            wave = amplitude * np.sin(2.0 * math.pi * xs / wavelength)
            return [(np.concatenate([np.stack([xs, y + wave], axis=1),
                                     np.stack([xs, y + wave + thickness], axis=1)[::-1]]), 'second')
                    for y in np.arange(y0, y1, period)]
        period = max(rng.uniform(0.12, 0.2), 4.0 * min_period)
        thin = max(0.12 * period, 0.5 * min_period)
        return [(np.array([[x, y0], [x + thin, y0], [x + thin, y1], [x, y1]]), 'second')
                for left in np.arange(x0, x1, period) for x in (left, left + 2.2 * thin)]
    if garment.texture == 'dots':
        period = max(rng.uniform(0.13, 0.22) if variant == 0 else rng.uniform(0.07, 0.11), 2.0 * min_period)
        centres = [point(x, y) for y in np.arange(y0, y1, period) for x in np.arange(x0, x1, period)]
        jitter = rng.uniform(-0.3, 0.3, size=(len(centres), 2)) * period
        sizes = rng.uniform(0.15, 0.36, size=len(centres)) * period
        n, phase = (10, 0.0) if variant == 0 else (4, math.pi / 4.0)
        return [(regular_polygon(c + j, max(r, 0.4 * min_period), n, phase), 'second')
                for c, j, r in zip(centres, jitter, sizes)]
    if garment.texture == 'checks':
        period = max(rng.uniform(0.14, 0.24), 2.5 * min_period)
        band = period * rng.uniform(0.3, 0.45)
        thin = max(0.08 * period, 0.4 * min_period)
        polygons = []
        for x in np.arange(x0, x1, period):
            polygons.append((np.array([[x, y0], [x + band, y0], [x + band, y1], [x, y1]]), 'mix'))
        for y in np.arange(y0, y1, period):
            polygons.append((np.array([[x0, y], [x1, y], [x1, y + band], [x0, y + band]]), 'mix'))
        for x in np.arange(x0, x1, period):
            for y in np.arange(y0, y1, period):
                polygons.append((np.array([[x, y], [x + band, y], [x + band, y + band], [x, y + band]]), 'second'))
        for x in np.arange(x0 + 0.7 * period, x1, period):
            polygons.append((np.array([[x, y0], [x + thin, y0], [x + thin, y1], [x, y1]]), 'accent'))
        return polygons
    return []


def fabric_polygons(fabric, local_box, unit):
    """Fabric look of a solid garment, drawn in a faint shade: denim's diagonal twill, knit's vertical ribs."""
    (x0, y0), (x1, y1) = local_box
    min_period = MIN_PATTERN_PIXELS / unit
    if fabric == 'Denim':
        period = max(0.05, min_period)
        t, h = 0.45 * period, y1 - y0
        return [np.array([[x, y1], [x + t, y1], [x + t + h, y0], [x + h, y0]]) for x in np.arange(x0 - h, x1, period)]
    if fabric == 'Knit':
        period = max(0.05, min_period)
        t = 0.4 * period
        return [np.array([[x, y0], [x + t, y0], [x + t, y1], [x, y1]]) for x in np.arange(x0, x1, period)]
    return []
