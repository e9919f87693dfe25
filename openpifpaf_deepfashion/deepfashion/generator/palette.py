"""Colours: garment and background colours per fabric and palette family, shades for outlines and details."""
import numpy as np

# Palette families (hue, saturation, value ranges) of the second drawing style; 'any' is the default's.
FAMILIES = {
    'any': ((0.0, 1.0), (0.2, 1.0), (0.15, 1.0)),
    'pastel': ((0.0, 1.0), (0.08, 0.35), (0.82, 1.0)),
    'earth': ((0.02, 0.16), (0.25, 0.7), (0.2, 0.75)),
    'neon': ((0.0, 1.0), (0.85, 1.0), (0.88, 1.0)),
    'mono': ((0.0, 1.0), (0.0, 0.06), (0.05, 0.97)),
}


def hsv_to_rgb(h, s, v):
    i = int(h * 6.0) % 6
    f = h * 6.0 - int(h * 6.0)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
    return tuple(int(round(255 * c)) for c in rgb)


def random_colour(rng, fabric=None, family='any'):
    if fabric == 'Denim':
        hsv = (rng.uniform(0.56, 0.64), rng.uniform(0.35, 0.8), rng.uniform(0.3, 0.8))
    elif fabric == 'Faux_Leather':
        hsv = (rng.uniform(0.02, 0.1), rng.uniform(0.3, 0.8), rng.uniform(0.1, 0.4))
    elif fabric in ('Linen', 'Chiffon'):
        hsv = (rng.random(), rng.uniform(0.05, 0.45), rng.uniform(0.7, 1.0))
    elif family == 'any':
        hsv = (rng.random(), rng.uniform(0.2, 1.0), rng.uniform(0.15, 1.0))
    else:
        hsv = tuple(rng.uniform(*limits) for limits in FAMILIES[family])
    return hsv_to_rgb(*hsv)


def colour_distance(a, b):
    return sum(abs(int(x) - int(y)) for x, y in zip(a, b))


def distinct_colour(rng, avoid, fabric=None, min_distance=150, family='any'):
    """A colour at least min_distance (L1 over RGB) from every colour in avoid."""
    best, best_distance = None, -1
    for _ in range(60):
        colour = random_colour(rng, fabric if best is None or rng.random() < 0.7 else None, family)
        distance = min((colour_distance(colour, c) for c in avoid), default=999)
        if distance >= min_distance:
            return colour
        if distance > best_distance:
            best, best_distance = colour, distance
    return best


def darker(colour, factor=0.55):
    return tuple(int(c * factor) for c in colour)


def lighter(colour, amount=0.5):
    return tuple(int(c + amount * (255 - c)) for c in colour)


def contrasting_shade(base, avoid, dark=0.7, light=0.4):
    """A darker or a lighter shade of base (outlines, waistbands), whichever stands out more from avoid."""
    return max((darker(base, dark), lighter(base, light)),
               key=lambda shade: min(colour_distance(shade, c) for c in avoid))


def mix(a, b, t=0.5):
    return tuple(int(round((1.0 - t) * x + t * y)) for x, y in zip(a, b))


def metal(base):
    """Zip colour: dark or light grey, whichever stands out from the garment."""
    return max(((62, 62, 68), (206, 206, 212)), key=lambda c: colour_distance(c, base))


def thread(base):
    """Stitching colour: jeans' golden thread, or a shade where the garment is golden itself."""
    gold = (214, 164, 62)
    return gold if colour_distance(gold, base) > 120 else contrasting_shade(base, [base], 0.5, 0.6)


def clipped(array):
    return np.clip(array, 0, 255).astype(np.uint8)
