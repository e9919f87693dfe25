"""Tops, outwear and dresses (categories 1-6 and 10-13) on a body, landmark by landmark along the outline.

One half of the outline, from beside the neck to the hem corner, per side: the shoulder (7), the sleeve as
a tube along the arm (outer edge with its middle points, the cuff's two corners, inner edge, the armpit
where the inner edge meets the torso), or a vest's armhole curve, or a sling's strap (its top is 7); then
points down the side (waist, hip, skirt: their number is the category's) and the hem corner.  Middle points
of edges bulge a little, so that every landmark is a corner of the outline.  The hem centre joins the two
halves; the neckline (1 back centre, 2/6 sides, 3-5 front) closes the top edge.  Outwear's front is open:
two panels with the front edges (4, L+5, L+6, M on one side, L+1..L+4 on the other) and a gap between them.

Views: 'front' (worn, seen from the front: the neck hole shows the neck, so 1 is hidden), 'back' (the back
neckline is the top edge; the front neckline and outwear's front are hidden behind the garment) and 'flat'
(laid flat: the inside of the back shows through the neck hole and outwear's opening, in a lining shade).
"""
import numpy as np

from .. import constants
from .garment import GarmentShape, Infeasible
from .geometry import bezier, inner_band, lerp, perp, point, tube_edges

SLEEVES = {1: 'short', 2: 'long', 3: 'short', 4: 'long', 10: 'short', 11: 'long'}  # the others: none
STRAPS = (6, 13)  # thin straps (sling); 5 and 12 have wide ones (vest)
DRESSES = (10, 11, 12, 13)
SIDE_POINTS = {1: 2, 2: 2, 3: 2, 4: 2, 5: 1, 6: 1, 10: 4, 11: 4, 12: 3, 13: 3}
MIN_INNER_EDGE = 0.1  # body units of a sleeve's inner edge beyond the armpit, at least


def sample_params(rng, body, category_id, layer):
    """The garment's own measures (the body gives the rest)."""
    outwear = category_id in constants.OUTWEAR
    p = {'ease': rng.uniform(0.0, 0.05) + 0.03 * layer + (0.015 if outwear else 0.0), 'fit': rng.uniform(0.2, 1.0),
         'hem_dip': rng.uniform(-0.01, 0.04), 'neck_y': rng.uniform(-0.03, 0.01), 'round': rng.random(),
         'back_drop': rng.uniform(0.0, 0.03), 'bulge': rng.uniform(0.006, 0.02),
         'neck_w': body.neck_hw + rng.uniform(0.03, 0.08) + (0.03 if category_id in (5, 12) else 0.0)}
    if category_id in DRESSES:
        p['hem_y'] = rng.uniform(max(body.hip_y + 0.3, 1.2), 1.95)
        p['flare'] = rng.uniform(-0.04, 0.35)
    elif outwear:
        p['hem_y'] = rng.uniform(0.85, 1.3) if category_id == 4 else rng.uniform(0.8, 1.1)
    else:
        p['hem_y'] = rng.uniform(0.62, 1.0)
    p['depth'] = rng.uniform(0.12, 0.32) if outwear else rng.uniform(0.05, 0.25)
    kind = SLEEVES.get(category_id)
    if kind == 'short':
        p['sleeve'] = rng.uniform(0.16, 0.3) + 0.03 * layer
        p['root'], p['cuff'] = rng.uniform(0.085, 0.11) + 0.02 * layer, rng.uniform(0.065, 0.095) + 0.02 * layer
    elif kind == 'long':
        p['sleeve'] = rng.uniform(0.85, 1.05)
        p['root'], p['cuff'] = rng.uniform(0.08, 0.1) + 0.02 * layer, rng.uniform(0.04, 0.058) + 0.015 * layer
    return p


def sleeve(body, side, p, kind):
    """((shoulder, outer middle points..., cuff outer), (cuff inner, inner middle points..., armpit)).

    The armpit is where the sleeve's inner edge leaves the torso's side; a short sleeve reaches at least a
    little beyond it (on an arm held close to the body the sleeve hangs longer), or the pose does not fit."""
    joint, elbow, wrist = body.arm_axis(side)
    upper = (elbow - joint) / np.linalg.norm(elbow - joint)
    torso_x = side * (body.chest_hw + p['ease'])
    if abs(upper[0]) < 1e-3:
        raise Infeasible('sleeve parallel to the torso')
    inner_root = joint - p['root'] * (-side * perp(upper))
    clear = (torso_x - inner_root[0]) / upper[0]  # along the arm, where the inner edge leaves the torso
    if kind == 'short':
        length = max(p['sleeve'], clear + MIN_INNER_EDGE)
        if length > 0.95 * body.upper_arm:
            raise Infeasible('no room for the sleeve beside the torso')
        axis = [joint, joint + 0.5 * length * upper, joint + length * upper]
    else:
        if clear > body.upper_arm - MIN_INNER_EDGE:
            raise Infeasible('no room for the sleeve beside the torso')
        end = elbow + p['sleeve'] * (wrist - elbow)
        axis = [joint, (joint + elbow) / 2, elbow, (elbow + end) / 2, end]
    axis = np.array(axis)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(axis, axis=0), axis=1))])
    half_widths = np.interp(arc, [0.0, arc[-1]], [p['root'], p['cuff']])
    outer, inner = tube_edges(axis, half_widths, side)
    bulge = (outer - axis) / half_widths[:, None] * p['bulge']
    outer[1:-1] += bulge[1:-1]
    inner[1:-1] -= bulge[1:-1]
    first = inner[2] if kind == 'long' else inner[-1]  # the armpit lies on the line inner[0] -> first
    direction = first - inner[0]
    armpit = inner[0] + (torso_x - inner[0][0]) / direction[0] * direction
    if armpit[1] < outer[0][1] + 0.1 or armpit[1] > p['hem_y'] - 0.2:
        raise Infeasible('the armpit is too high or too low')
    if kind == 'short':
        inner_points = [inner[-1], (inner[-1] + armpit) / 2 - bulge[1], armpit]
    else:
        inner_points = [inner[4], inner[3], inner[2], (inner[2] + armpit) / 2 - bulge[1], armpit]
    return list(outer), inner_points


def width_at(body, p, category_id, y):
    """Half width of the garment's side at height y: between straight from the chest and following the
    waist (``fit``), plus ease; a dress's skirt flares below the hip."""
    def profile(height):
        return (1 - p['fit']) * body.chest_hw + p['fit'] * body.half_width(height) + p['ease']
    if category_id in DRESSES and y > body.hip_y:
        return profile(body.hip_y) + p['flare'] * (y - body.hip_y)
    return profile(y)


def side_heights(body, p, category_id, top_y):
    """Heights of the side landmarks below the armpit (top_y)."""
    hem = p['hem_y']
    k = SIDE_POINTS[category_id]
    if category_id in DRESSES:
        ys = [body.waist_y, body.hip_y, (body.hip_y + hem) / 2]
        if k == 4:
            ys.insert(0, (top_y + body.waist_y) / 2)
    else:
        ys = list(top_y + (hem - top_y) * np.array([0.38, 0.7] if k == 2 else [0.5]))
    ys = np.array(ys)
    if ys[0] < top_y + 0.04 or np.any(np.diff(ys) < 0.03) or ys[-1] > hem - 0.04:
        raise Infeasible('no room for the side landmarks')
    return ys


def half_outline(rng, body, side, p, category_id, neck_side):
    """[(point, is landmark)] from after the neck point (2 or 6) to the hem corner on one side."""
    kind = SLEEVES.get(category_id)
    if kind:
        outer, inner = sleeve(body, side, p, kind)
        vertices = [(q, True) for q in outer + inner]
    elif category_id in STRAPS:
        top = point(side * (abs(neck_side[0]) + rng.uniform(0.015, 0.06)), body.shoulder_y + rng.uniform(-0.02, 0.01))
        half = 0.5 * rng.uniform(0.028, 0.045)
        base = point(neck_side[0] + side * 2 * half, neck_side[1] + rng.uniform(-0.005, 0.01))
        armpit = point(side * (body.chest_hw + p['ease']), body.armpit_y + rng.uniform(0.0, 0.06))
        control = point((base[0] + armpit[0]) / 2, max(base[1], armpit[1] - 0.06))
        vertices = [(top - point(side * half, 0.0), False), (top + point(side * half, 0.0), True), (base, False)]
        vertices += [(q, False) for q in bezier(base, control, armpit, 2)] + [(armpit, True)]
    else:  # vest: a wide strap from the neck to the shoulder, then the armhole
        shoulder = point(side * (abs(neck_side[0]) + rng.uniform(0.05, 0.1)), body.shoulder_y + rng.uniform(0.0, 0.03))
        armpit = point(side * (body.chest_hw + p['ease']), body.armpit_y + rng.uniform(0.02, 0.09))
        control = point(shoulder[0] * rng.uniform(0.95, 1.05), armpit[1] - rng.uniform(0.0, 0.04))
        vertices = [(shoulder, True)] + [(q, False) for q in bezier(shoulder, control, armpit, 3)]
        vertices.append((armpit, True))
    armpit = vertices[-1][0]
    ys = side_heights(body, p, category_id, armpit[1])
    vertices += [(point(side * width_at(body, p, category_id, y), y), True) for y in ys]
    vertices.append((point(side * width_at(body, p, category_id, p['hem_y']), p['hem_y']), True))
    return vertices


def neckline(rng, p, category_id):
    """Landmarks 1-6 (0-based rows 0-5); outwear's 4 and its twin sit on the front edges (set later)."""
    nw, ny = p['neck_w'], p['neck_y']
    if category_id in STRAPS:  # the bodice's top edge between the straps
        ny, nw = rng.uniform(0.14, 0.26), rng.uniform(0.09, 0.15)
        depth, back = rng.uniform(-0.02, 0.06), -rng.uniform(0.0, 0.03)
    else:
        depth, back = p['depth'], p['back_drop']
    points = np.zeros((6, 2))
    points[0] = (0.0, ny + back)
    points[1] = (-nw, ny)
    points[5] = (nw * rng.uniform(0.96, 1.04), ny + rng.uniform(-0.01, 0.01))
    points[3] = (0.0, ny + depth)
    return points


def neck_curve(a, b, roundness):
    """A point of the neckline between the neck side a and the front centre b (V-neck to round)."""
    along, down = 0.5 - 0.21 * roundness, 0.5 + 0.21 * roundness
    return point(a[0] + (b[0] - a[0]) * along, a[1] + (b[1] - a[1]) * down)


def front_edges(rng, p, neck_front_y):
    """Outwear's open front: (4, L+5, L+6, M) on the first side and (L+1, L+2, L+3, L+4) on the other."""
    opening = rng.uniform(0.05, 0.3)
    gaps = [max(0.025, opening * rng.uniform(0.3, 0.7)), opening * rng.uniform(0.9, 1.3),
            opening * rng.uniform(0.8, 1.3), opening * rng.uniform(0.8, 1.5)]
    y5 = neck_front_y + rng.uniform(0.1, 0.22)
    ys = [neck_front_y, y5, y5 + (p['hem_y'] - y5) * rng.uniform(0.35, 0.6), p['hem_y']]
    left = np.array([point(-g / 2 + rng.uniform(-0.008, 0.008), y) for g, y in zip(gaps, ys)])
    right = np.array([point(g / 2 + rng.uniform(-0.008, 0.008), y) for g, y in zip(gaps, ys)])
    return left, right


def top_shape(rng, body, category_id, view, layer=0):
    n = constants.N_LANDMARKS[category_id]
    outwear = category_id in constants.OUTWEAR
    last = n - 6 if outwear else n
    middle = (7 + last) // 2
    p = sample_params(rng, body, category_id, layer)
    landmarks = np.zeros((n, 2))
    landmarks[:6] = neckline(rng, p, category_id)
    if outwear:
        left_front, right_front = front_edges(rng, p, landmarks[3][1])
        landmarks[3], landmarks[middle - 1] = left_front[0], left_front[3]
        landmarks[last:last + 4] = right_front
        landmarks[last + 4:last + 6] = left_front[1:3]
        twin = landmarks[last]
    else:
        landmarks[middle - 1] = (0.0, p['hem_y'] + p['hem_dip'])
        twin = landmarks[3]
    landmarks[2] = neck_curve(landmarks[1], landmarks[3], p['round'])
    landmarks[4] = neck_curve(landmarks[5], twin, p['round'])
    halves = [half_outline(rng, body, side, p, category_id, landmarks[1 if side < 0 else 5]) for side in (-1, 1)]
    own = [[q for q, is_landmark in half if is_landmark] for half in halves]
    if len(own[0]) != middle - 7 or len(own[1]) != middle - 7:
        raise ValueError('category {}: outline half of {} landmarks, expected {}'.format(
            category_id, len(own[0]), middle - 7))
    landmarks[6:middle - 1] = own[0]
    landmarks[middle:last] = own[1][::-1]
    left = [q for q, _ in halves[0]]
    right = [q for q, _ in halves[1]][::-1]
    lm = landmarks
    hidden = np.zeros(n, dtype=bool)
    lining = []
    if outwear and view == 'front':
        fabric = [np.array([lm[1]] + left + [lm[middle - 1], lm[last + 5], lm[last + 4], lm[3], lm[2]]),
                  np.array([lm[last], lm[last + 1], lm[last + 2], lm[last + 3]] + right + [lm[5], lm[4]])]
    elif outwear:
        fabric = [np.array([lm[1]] + left + [lm[middle - 1], lm[last + 3]] + right + [lm[5], lm[0]])]
        if view == 'flat':
            lining = [np.array([lm[3], lm[last + 4], lm[last + 5], lm[middle - 1], lm[last + 3], lm[last + 2],
                                lm[last + 1], lm[last]]),
                      np.array([lm[1], lm[0], lm[5], lm[4], lm[last], lm[3], lm[2]])]
    elif view == 'front':
        fabric = [np.array([lm[1]] + left + [lm[middle - 1]] + right + [lm[5], lm[4], lm[3], lm[2]])]
    else:
        fabric = [np.array([lm[1]] + left + [lm[middle - 1]] + right + [lm[5], lm[0]])]
        if view == 'flat':
            lining = [np.array([lm[1], lm[2], lm[3], lm[4], lm[5], lm[0]])]
    if view == 'front':
        hidden[0] = True
    elif view == 'back':
        hidden[2:5] = True
        if outwear:
            hidden[last:last + 6] = True
            hidden[middle - 1] = True
    shape = GarmentShape(category_id, landmarks, hidden, fabric, lining)
    shape.details = top_details(rng, shape, p, view, last, middle)
    return shape


def top_details(rng, shape, p, view, last, middle):
    """Neck trim, a dress's waist seam, cuffs; outwear's lapels, buttons, pockets, collar, back seam."""
    lm, c = shape.landmarks, shape.category_id

    def mirror(row):  # 0-based row of the landmark's mirror image on the other side
        return last + 5 - row

    centre = point(0.0, p['hem_y'] / 2)
    details = []
    outwear = c in constants.OUTWEAR
    trim = 0.02 + 0.015 * rng.random()
    if view == 'back' or (outwear and view == 'flat'):
        details.append(('band', inner_band(lm[[1, 0, 5]], trim, centre)))
    elif not outwear:
        details.append(('band', inner_band(lm[1:6], trim, centre)))
    if c in DRESSES and rng.random() < 0.7:  # waist seam: the waist is the fifth landmark before the hem centre
        waist = middle - 5
        details.append(('line', np.array([lm[waist], point(0.0, lm[waist][1] + 0.01), lm[mirror(waist)]])))
    if SLEEVES.get(c) == 'long' and rng.random() < 0.5:  # cuffs: 11 and 12 the cuff's corners
        for out_row, in_row in ((10, 11), (mirror(10), mirror(11))):
            along = (lm[out_row] + lm[in_row]) / 2 - (lm[out_row - 1 if out_row == 10 else out_row + 1]
                                                      + lm[in_row + 1 if in_row == 11 else in_row - 1]) / 2
            along = along / np.linalg.norm(along) * 0.05
            details.append(('band', np.array([lm[out_row], lm[in_row], lm[in_row] - along, lm[out_row] - along])))
    if outwear and view != 'back':
        details.append(('panel', np.array([lm[2], lm[3], lm[last + 4]])))  # lapels
        details.append(('panel', np.array([lm[4], lm[last], lm[last + 1]])))
        if rng.random() < 0.5:
            edge = lm[last + 1:last + 4] + point(0.03, 0.0)
            details.append(('buttons', np.array([lerp(edge[0], edge[-1], t) for t in (0.15, 0.45, 0.75)])))
        if rng.random() < 0.4:
            y0 = p['hem_y'] - 0.22
            for front, corner in ((lm[middle - 1], lm[middle - 2]), (lm[last + 3], lm[middle])):
                x0 = (front[0] + corner[0]) / 2
                w = min(0.06, 0.3 * abs(corner[0] - front[0]))
                details.append(('panel', np.array([[x0 - w, y0], [x0 + w, y0], [x0 + w, y0 + 0.1],
                                                   [x0 - w, y0 + 0.1]])))
    elif outwear:
        details.append(('line', np.array([lm[0] + point(0.0, trim), point(0.0, p['hem_y'])])))
    return details
