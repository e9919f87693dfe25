"""Geometry of each cue (garment units): the polygons and details that CATEGORY_CUES names."""
import math

import numpy as np

from .shapes import front_buttons, mirror, point


def poly(*pts):
    return np.array([np.asarray(p, dtype=float) for p in pts])


def rect(x0, y0, x1, y1):
    return poly((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def lerp(p, q, t):
    return p + (q - p) * t


def at_y(top, bottom, y):
    """The point of segment top-bottom at height y (clamped to the segment)."""
    t = 0.0 if bottom[1] == top[1] else float(np.clip((y - top[1]) / (bottom[1] - top[1]), 0.0, 1.0))
    return lerp(top, bottom, t)


def toward(p, q, distance):
    """The point distance from p in the direction of q."""
    d = q - p
    return p + d * (distance / max(float(np.hypot(*d)), 1e-9))


def sides(anchors):
    """Body side edges (top, bottom) on the left and right: armpit-hem (upper), waist-hem (dress)."""
    top = 'waist' if 'waist_l' in anchors and 'armpit_l' in anchors else 'armpit'
    return [(anchors[top + '_l'], anchors['hem_l']), (anchors[top + '_r'], anchors['hem_r'])]


def legs(anchors):
    """Per leg (side, hip, crotch, outer hem corner, inner hem corner)."""
    return [(side, anchors['hip_' + lr], anchors['crotch'], anchors['leg_outer_' + lr], anchors['leg_inner_' + lr])
            for side, lr in ((-1, 'l'), (1, 'r'))]


def hem_band(anchors, height):
    """A band of the given height along the hem of an upper garment, dress or skirt."""
    (top_l, hem_l), (top_r, hem_r) = sides(anchors)
    y = max(hem_l[1], hem_r[1]) - height
    return poly(hem_l, hem_r, at_y(top_r, hem_r, y), at_y(top_l, hem_l, y))


def leg_bands(anchors, height):
    return [poly(outer, inner, toward(inner, crotch, height), toward(outer, hip, height))
            for _, hip, crotch, outer, inner in legs(anchors)]


def hem_edges(anchors):
    if 'leg_outer_l' in anchors and 'hem_l' not in anchors:
        return [(outer, inner) for _, _, _, outer, inner in legs(anchors)]
    return [(anchors['hem_l'], anchors['hem_r'])]


def neck_y(anchors):
    return anchors['neck'][1]


def circle(centre, radius, n=10):
    angles = np.linspace(0.0, 2.0 * math.pi, n + 1)[:-1]
    return np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius + centre


# ---------------------------------------------------------------------------------------------------------
# Cues: each returns (extra outline polygons, details).


def hood_opening(anchors):
    cl, cr = anchors['collar_l'], anchors['collar_r']
    return poly(cl, cl + (-0.04, -0.17), (-0.09, -0.32), (0.09, -0.32), cr + (0.04, -0.17), cr)


def hood(anchors, shape):
    hw = anchors['collar_r'][0]
    outer = poly((-hw - 0.12, 0.09), (-hw - 0.19, -0.12), (-hw - 0.11, -0.36), (0.0, -0.44), (hw + 0.11, -0.36),
                 (hw + 0.19, -0.12), (hw + 0.12, 0.09), (0.0, max(neck_y(anchors), 0.1) + 0.05))
    return [outer], [('band', hood_opening(anchors))]


def fur_trim(anchors, shape):
    opening = hood_opening(anchors)
    centre = point(0.0, -0.14)
    return [], [('trim', centre + (opening - centre) * 1.25)]


def zip_(anchors, shape):
    return [], [('zip', poly(anchors['neck'], anchors['front_end']))]


def half_zip(anchors, shape):
    return [], [('zip', poly(anchors['neck'], anchors['neck'] + (0.0, 0.38)))]


def front_buttons_(anchors, shape):
    return [], front_buttons(anchors['neck'], anchors['front_end'][1])


def two_buttons(anchors, shape):
    ny = neck_y(anchors)
    return [], [('line', poly(anchors['neck'], anchors['front_end'])),
                ('buttons', poly((0.0, ny + 0.08), (0.0, ny + 0.26)))]


def double_buttons(anchors, shape):
    ny, end = max(neck_y(anchors), 0.3), anchors['front_end'][1]
    rows = [y for y in (ny + 0.08, ny + 0.26, ny + 0.44) if y < end - 0.08]
    return [], [('line', poly((0.0, ny), (0.07, ny + 0.05), (0.07, end))),
                ('buttons', poly(*[(x, y) for y in rows for x in (-0.12, 0.2)]))]


def placket(anchors, shape):
    ny = neck_y(anchors)
    return [], [('band', rect(-0.04, ny, 0.04, ny + 0.32)),
                ('buttons', poly((0.0, ny + 0.08), (0.0, ny + 0.16), (0.0, ny + 0.24)))]


def lapels(anchors, shape):
    v = point(0.0, max(neck_y(anchors), 0.32))
    left = poly(anchors['collar_l'], anchors['collar_l'] + (-0.13, 0.13), anchors['collar_l'] + (-0.06, 0.2), v)
    return [], [('panel', left), ('panel', np.array([mirror(p) for p in left]))]


def shirt_collar(anchors, shape):
    cl, ny = anchors['collar_l'], neck_y(anchors)
    left = poly(cl + (-0.02, -0.05), (-0.015, ny + 0.015), cl + (0.04, 0.21))
    return [], [('panel', left), ('panel', np.array([mirror(p) for p in left]))]


def bow(anchors, shape):
    ny = neck_y(anchors)
    wing = poly((0.0, ny), (-0.1, ny - 0.05), (-0.1, ny + 0.06))
    return [], [('patch', wing), ('patch', np.array([mirror(p) for p in wing])),
                ('patch', poly((-0.015, ny), (0.015, ny), (0.05, ny + 0.17), (0.02, ny + 0.17)))]


def rib_hem(anchors, shape):
    return [], [('band', hem_band(anchors, 0.1))]


def rib_cuffs(anchors, shape):
    details = []
    for lr in 'lr':
        if 'cuff_top_' + lr in anchors:
            top, bottom, d = anchors['cuff_top_' + lr], anchors['cuff_bottom_' + lr], anchors['sleeve_dir_' + lr]
            details.append(('band', poly(top, bottom, bottom - 0.09 * d, top - 0.09 * d)))
    return [], details


def sleeve_stripes(anchors, shape):
    details = []
    for lr in 'lr':
        if 'cuff_top_' + lr in anchors:
            top, bottom, d = anchors['cuff_top_' + lr], anchors['cuff_bottom_' + lr], anchors['sleeve_dir_' + lr]
            for a, b in ((0.04, 0.07), (0.1, 0.13)):
                details.append(('patch', poly(top - a * d, bottom - a * d, bottom - b * d, top - b * d)))
    return [], details


def kangaroo_pocket(anchors, shape):
    h = anchors['hem_r'][1]
    return [], [('panel', poly((-0.16, h - 0.36), (0.16, h - 0.36), (0.26, h - 0.12), (-0.26, h - 0.12)))]


def drawcords(anchors, shape):
    ny = neck_y(anchors)
    return [], [('cord', poly((-0.05, ny), (-0.06, ny + 0.3))), ('cord', poly((0.05, ny), (0.07, ny + 0.28))),
                ('buttons', poly((-0.06, ny + 0.3), (0.07, ny + 0.28)))]


def flap_pockets(anchors, shape):
    h = anchors['front_end'][1]
    return [], [('panel', rect(0.1, h - 0.34, 0.28, h - 0.27)), ('panel', rect(-0.28, h - 0.34, -0.1, h - 0.27))]


def number(anchors, shape):
    top = max(neck_y(anchors), 0.1) + 0.1
    return [], [('patch', rect(-0.12, top, 0.12, top + 0.07)),
                ('patch', poly((0.05, top + 0.07), (0.12, top + 0.07), (-0.02, top + 0.36), (-0.09, top + 0.36)))]


def halter_strap(anchors, shape):
    cl, cr = anchors['collar_l'], anchors['collar_r']
    return [], [('band', poly(cl, (-0.04, -0.17), (0.04, -0.17), cr, cr + (-0.07, 0.0), (0.0, -0.09),
                              cl + (0.07, 0.0)))]


def armhole_trim(anchors, shape):
    details = []
    for side, lr in ((-1, 'l'), (1, 'r')):
        s, pit = anchors['shoulder_' + lr], anchors['armpit_' + lr]
        details.append(('band', poly(s, pit, pit + (-side * 0.05, 0.0), s + (-side * 0.05, 0.0))))
    return [], details


def neck_rib(anchors, shape):
    cl, cr, n = anchors['collar_l'], anchors['collar_r'], anchors['neck']
    return [], [('band', poly(cl, n, cr, cr + (-0.005, 0.045), n + (0.0, 0.045), cl + (0.005, 0.045)))]


def neck_trim(anchors, shape):
    cl, cr, n = anchors['collar_l'], anchors['collar_r'], anchors['neck']
    return [], [('patch', poly(cl, n, cr, cr + (-0.005, 0.05), n + (0.0, 0.05), cl + (0.005, 0.05))),
                ('patch', rect(-0.025, n[1], 0.025, n[1] + 0.3))]


def fringe_hem(anchors, shape):
    segments = []
    for a, b in hem_edges(anchors):
        for t in np.linspace(0.0, 1.0, max(3, int(np.hypot(*(b - a)) / 0.045)))[1:-1]:
            p = lerp(a, b, t)
            segments += [p, p + (0.0, -0.09)]
    return [], [('fringe', np.array(segments))]


def frayed_hem(anchors, shape):
    _, details = fringe_hem(anchors, shape)
    return [], [('band', band) for band in leg_bands(anchors, 0.03)] + details


def stitching(anchors, shape):
    details = []
    for side, hip, _, outer, _ in legs(anchors):
        details.append(('stitch', poly(hip + (-side * 0.04, 0.0), outer + (-side * 0.04, 0.0))))
    wl, wr = anchors['waist_l'], anchors['waist_r']
    return [], details + [('stitch', poly(wl + (0.02, 0.1), wr + (-0.02, 0.1)))]


def jeans_pockets(anchors, shape):
    hw = anchors['waist_r'][0]
    right = poly((hw - 0.13, 0.07), (hw - 0.07, 0.16), (hw + 0.02, 0.21))
    return [], [('line', right), ('line', np.array([mirror(p) for p in right]))]


def fly(anchors, shape):
    return [], [('line', poly((0.035, 0.07), (0.035, 0.23), (0.0, 0.28)))]


def slant_pockets(anchors, shape):
    hw = anchors['waist_r'][0]
    right = poly((hw - 0.1, 0.07), (hw + 0.03, 0.24))
    return [], [('line', right), ('line', np.array([mirror(p) for p in right]))]


def creases(anchors, shape):
    return [], [('line', poly((side * (abs(hip[0]) - 0.11), 0.3), (outer + inner) / 2.0))
                for side, hip, _, outer, inner in legs(anchors)]


def leg_cuffs(anchors, shape):
    return [], [('band', band) for band in leg_bands(anchors, 0.1)]


def turn_ups(anchors, shape):
    return [], [('band', band) for band in leg_bands(anchors, 0.07)]


def drawstring(anchors, shape):
    return [], [('cord', poly((-0.04, 0.04), (-0.07, 0.22))), ('cord', poly((0.04, 0.04), (0.06, 0.23))),
                ('buttons', poly((-0.07, 0.22), (0.06, 0.23)))]


def side_stripes(anchors, shape):
    return [], [('patch', poly(hip, outer, outer + (-side * 0.06, 0.0), hip + (-side * 0.06, 0.0)))
                for side, hip, _, outer, _ in legs(anchors)]


def pleats(anchors, shape):
    return [], [('line', poly((x, 0.07), (1.15 * x, 0.34))) for x in (-0.19, -0.09, 0.09, 0.19)]


def knee_patches(anchors, shape):
    details = []
    for side, _, crotch, _, inner in legs(anchors):
        c = lerp(crotch, inner, 0.55) + (side * 0.1, 0.0)
        details.append(('patch', rect(c[0] - 0.05, c[1] - 0.1, c[0] + 0.05, c[1] + 0.1)))
    return [], details


def wrap_line(anchors, shape):
    return [], [('line', poly(anchors['waist_r'] + (-0.06, 0.07), lerp(anchors['hem_l'], anchors['hem_r'], 0.3)))]


def knot(anchors, shape):
    c = anchors['waist_r'] + (-0.08, 0.05)
    return [], [('patch', circle(c, 0.05)), ('patch', poly(c, c + (0.03, 0.0), c + (0.07, 0.22), c + (0.03, 0.22)))]


def hem_border(anchors, shape):
    return [], [('patch', hem_band(anchors, 0.12))]


def lace_hem(anchors, shape):
    (top_l, hem_l), (top_r, hem_r) = sides(anchors)
    y = max(hem_l[1], hem_r[1])
    left, right = at_y(top_l, hem_l, y - 0.1), at_y(top_r, hem_r, y - 0.1)
    xs = np.linspace(left[0], right[0], max(4, int((right[0] - left[0]) / 0.07)))
    scallops = [(x, y - (0.1 if k % 2 == 0 else 0.06)) for k, x in enumerate(xs)]
    return [], [('trim', poly(hem_l, hem_r, *scallops[::-1]))]


def tiers(anchors, shape):
    (top_l, hem_l), (top_r, hem_r) = sides(anchors)
    details = []
    for t in (0.35, 0.7):
        y = lerp(top_l, hem_l, t)[1]
        details.append(('line', poly(at_y(top_l, hem_l, y), at_y(top_r, hem_r, y))))
    return [], details


def cape(anchors, shape):
    reach = anchors['shoulder_r'][0] + 0.22
    return [poly(anchors['collar_l'], (-reach, 0.62), (reach, 0.62), anchors['collar_r'])], []


def belt(anchors, shape):
    wl, wr = anchors['waist_l'], anchors['waist_r']
    y = wl[1]
    return [], [('band', poly(wl + (-0.015, -0.04), wr + (0.015, -0.04), wr + (0.015, 0.04), wl + (-0.015, 0.04))),
                ('patch', rect(-0.05, y - 0.055, 0.05, y + 0.055))]


def sash(anchors, shape):
    wl, wr = anchors['waist_l'], anchors['waist_r']
    y = wl[1]
    return [], [('band', poly(wl + (-0.015, -0.035), wr + (0.015, -0.035), wr + (0.015, 0.035),
                              wl + (-0.015, 0.035))),
                ('band', poly((0.06, y), (0.12, y), (0.1, y + 0.4), (0.04, y + 0.4))),
                ('band', poly((0.12, y), (0.18, y), (0.22, y + 0.34), (0.16, y + 0.34)))]


def obi(anchors, shape):
    wl, wr = anchors['waist_l'], anchors['waist_r']
    return [], [('patch', poly(wl + (0.0, -0.1), wr + (0.0, -0.1), wr + (0.0, 0.08), wl + (0.0, 0.08)))]


def wrap_collar(anchors, shape):
    cr, y = anchors['collar_r'], anchors['waist_l'][1]
    end = point(anchors['waist_l'][0] * 0.45, y)
    return [], [('line', poly(anchors['collar_l'], (0.0, 0.4))),
                ('band', poly(cr, cr + (-0.08, 0.0), end, end + (0.08, 0.0)))]


CUES = {
    'hood': hood, 'fur_trim': fur_trim, 'zip': zip_, 'half_zip': half_zip, 'front_buttons': front_buttons_,
    'two_buttons': two_buttons, 'double_buttons': double_buttons, 'placket': placket, 'lapels': lapels,
    'shirt_collar': shirt_collar, 'bow': bow, 'rib_hem': rib_hem, 'rib_cuffs': rib_cuffs,
    'sleeve_stripes': sleeve_stripes, 'kangaroo_pocket': kangaroo_pocket, 'drawcords': drawcords,
    'flap_pockets': flap_pockets, 'number': number, 'halter_strap': halter_strap, 'armhole_trim': armhole_trim,
    'neck_rib': neck_rib, 'neck_trim': neck_trim, 'fringe_hem': fringe_hem, 'frayed_hem': frayed_hem,
    'stitching': stitching, 'jeans_pockets': jeans_pockets, 'fly': fly, 'slant_pockets': slant_pockets,
    'creases': creases, 'leg_cuffs': leg_cuffs, 'turn_ups': turn_ups, 'drawstring': drawstring,
    'side_stripes': side_stripes, 'pleats': pleats, 'knee_patches': knee_patches, 'wrap_line': wrap_line,
    'knot': knot, 'hem_border': hem_border, 'lace_hem': lace_hem, 'tiers': tiers, 'cape': cape, 'belt': belt,
    'sash': sash, 'obi': obi, 'wrap_collar': wrap_collar,
}
