"""Shorts, trousers and skirts (categories 7-9) on a body: the waistband 1-3 (2 its centre), then the outline
from below 1 round the hem (and the crotch) to below 3.

Trouser and shorts legs are tubes along the body's legs (outer and inner corner of each hem, the knees of
trousers, the crotch between the legs); a skirt is a trapezoid flaring from the hip.  The side point below
the waistband (4, and its mirror) is where the outline turns from the waist to the hip.  Bottoms look the
same from the front and the back (the back shows pockets); nothing of them is hidden by themselves.
"""
import numpy as np

from .garment import GarmentShape, Infeasible
from .geometry import inner_band, point, tube_edges


def sample_params(rng, body, category_id):
    p = {'waist_y': rng.uniform(0.5, 0.7), 'ease': rng.uniform(0.0, 0.04), 'dip': rng.uniform(0.0, 0.03),
         'band': rng.uniform(0.03, 0.06)}
    if category_id == 9:  # skirt: mini, knee or long
        p['hem_y'] = float(rng.choice([rng.uniform(1.05, 1.25), rng.uniform(1.3, 1.6), rng.uniform(1.65, 1.95)]))
        p['flare'] = rng.uniform(-0.05, 0.45)
    elif category_id == 7:
        p['leg_length'] = rng.uniform(0.08, 0.35)  # below the crotch
        p['hem_hw'] = rng.uniform(0.1, 0.17)
    else:
        p['leg_end'] = rng.uniform(0.88, 1.02)  # of the way from the knee to the ankle
        p['knee_hw'], p['hem_hw'] = rng.uniform(0.08, 0.13), rng.uniform(0.06, 0.16)
    return p


def waistband(body, p):
    """Landmarks 1-3: the waistband's left end, centre and right end."""
    y = p['waist_y']
    w = body.half_width(y) + p['ease']
    return np.array([point(-w, y), point(0.0, y + p['dip']), point(w, y)])


def leg(body, side, p, category_id):
    """A leg's landmarks from the outside in: shorts (hem outer, hem inner); trousers (knee outer, hem outer,
    hem inner, knee inner)."""
    start, knee, ankle = body.leg_axis(side)
    if category_id == 7:
        direction = (knee - start) / np.linalg.norm(knee - start)
        end = start + (body.crotch_y + p['leg_length'] - start[1]) / direction[1] * direction
        hem_hw = min(p['hem_hw'], abs(end[0]) - 0.01)
        outer, inner = tube_edges([start, end], [hem_hw, hem_hw], side)
        return [outer[1], inner[1]]
    end = knee + p['leg_end'] * (ankle - knee)
    knee_hw = min(p['knee_hw'], abs(knee[0]) - 0.015)
    hem_hw = min(p['hem_hw'], abs(end[0]) - 0.015)
    if knee_hw < 0.04 or hem_hw < 0.035:
        raise Infeasible('legs too close together')
    outer, inner = tube_edges([start, knee, end], [knee_hw + 0.03, knee_hw, hem_hw], side)
    return [outer[1], outer[2], inner[2], inner[1]]


def bottom_shape(rng, body, category_id, view):
    p = sample_params(rng, body, category_id)
    band = waistband(body, p)
    if category_id == 9:
        hip_y = min(max(body.hip_y, p['waist_y'] + 0.18), p['hem_y'] - 0.2)
        if hip_y < p['waist_y'] + 0.1:
            raise Infeasible('skirt too short')
        hip_w = body.half_width(hip_y) + p['ease'] + 0.01
        hem_w = hip_w + p['flare'] * (p['hem_y'] - hip_y)
        outline = [point(-hip_w, hip_y), point(-hem_w * rng.uniform(0.97, 1.03), p['hem_y']),
                   point(0.0, p['hem_y'] + rng.uniform(-0.01, 0.04)),
                   point(hem_w * rng.uniform(0.97, 1.03), p['hem_y']), point(hip_w, hip_y)]
    else:
        legs = [leg(body, side, p, category_id) for side in (-1, 1)]
        lowest = min(legs[0][0][1], legs[1][0][1])
        side_y = p['waist_y'] + (0.5 if category_id == 7 else 0.4) * (lowest - p['waist_y'])
        side_y = min(side_y, body.crotch_y - 0.05)
        hips = [point(side * (body.half_width(side_y) + p['ease'] + 0.01), side_y) for side in (-1, 1)]
        crotch = point(rng.uniform(-0.01, 0.01), body.crotch_y + rng.uniform(-0.04, 0.01))
        outline = [hips[0]] + legs[0] + [crotch] + legs[1][::-1] + [hips[1]]
    landmarks = np.concatenate([band, np.array(outline)])
    fabric = [np.concatenate([band[:1], np.array(outline), band[2:0:-1]])]
    shape = GarmentShape(category_id, landmarks, np.zeros(len(landmarks), dtype=bool), fabric)
    shape.details = bottom_details(rng, shape, p, view)
    return shape


def bottom_details(rng, shape, p, view):
    """Waistband, fly (front) or pockets (back), a skirt's pleats."""
    lm, c = shape.landmarks, shape.category_id
    centre = point(0.0, p['waist_y'] + 0.3)
    details = [('band', inner_band(lm[:3], p['band'], centre))]
    if c != 9 and view != 'back':
        details.append(('stitch' if rng.random() < 0.5 else 'line',
                        np.array([lm[1] + point(0.0, p['band']), point(0.0, lm[1][1] + 0.22)])))
    elif view == 'back':
        half = 0.3 * abs(lm[0][0])  # pockets in the middle of each half of the seat
        for side in (-1, 1):
            x, y = side * 0.5 * abs(lm[0][0]), p['waist_y'] + p['band'] + 0.05
            details.append(('panel', np.array([[x - half, y], [x + half, y], [x + 0.85 * half, y + 0.13],
                                               [x, y + 0.16], [x - 0.85 * half, y + 0.13]])))
    if c == 9 and rng.random() < 0.35:
        hip_l, hem_l, hem_r, hip_r = lm[3], lm[4], lm[6], lm[7]
        for t in np.linspace(0.2, 0.8, 4):
            top = hip_l + t * (hip_r - hip_l)
            details.append(('line', np.array([top, hem_l + t * (hem_r - hem_l) + point(0.0, -0.01)])))
    return details
