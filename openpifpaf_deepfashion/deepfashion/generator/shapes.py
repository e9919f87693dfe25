"""Garment geometry per category, in garment units (y down, x to the image's right), and poses."""
import dataclasses
import math

import numpy as np

from .. import constants
from .options import LOWER, UPPER

# Category shapes.  Upper: (sleeve level 0 none .. 3 long, length level 0 cropped .. 2 long,
# neck 0 crew / 1 v / 2 high, open front 0/1, width level 0 fitted .. 2 loose).
# Lower: (legs 'straight' / 'skinny' / 'wide' / 'skirt', length level 0 short .. 3 full, width level).
# Full: (bottom 'dress' / 'legs', sleeve level, length level 0 short .. 2 long, width level).
# Within a clothes type no two categories share a shape (tests check this).
CATEGORY_SHAPES = {
    'Anorak': (3, 1, 2, 1, 1), 'Blazer': (3, 1, 1, 1, 1), 'Blouse': (2, 1, 1, 0, 1), 'Bomber': (3, 0, 0, 1, 2),
    'Button-Down': (3, 1, 0, 1, 1), 'Cardigan': (3, 2, 1, 1, 1), 'Flannel': (3, 2, 0, 1, 2),
    'Halter': (0, 0, 1, 0, 0), 'Henley': (2, 1, 0, 0, 0), 'Hoodie': (3, 1, 2, 0, 2), 'Jacket': (3, 0, 2, 1, 1),
    'Jersey': (1, 2, 1, 0, 1), 'Parka': (3, 2, 2, 1, 2), 'Peacoat': (3, 2, 1, 0, 1), 'Poncho': (0, 2, 0, 0, 2),
    'Sweater': (3, 1, 0, 0, 2), 'Tank': (0, 1, 0, 0, 0), 'Tee': (1, 1, 0, 0, 1), 'Top': (1, 0, 1, 0, 0),
    'Turtleneck': (3, 1, 2, 0, 0),
    'Capris': ('skinny', 2, 1), 'Chinos': ('straight', 3, 1), 'Culottes': ('wide', 2, 1),
    'Cutoffs': ('straight', 0, 0), 'Gauchos': ('wide', 2, 2), 'Jeans': ('straight', 3, 0),
    'Jeggings': ('skinny', 3, 0), 'Jodhpurs': ('wide', 3, 0), 'Joggers': ('straight', 3, 2),
    'Leggings': ('skinny', 3, 1), 'Sarong': ('skirt', 3, 1), 'Shorts': ('straight', 0, 1),
    'Skirt': ('skirt', 1, 2), 'Sweatpants': ('wide', 3, 1), 'Sweatshorts': ('straight', 0, 2),
    'Trunks': ('skinny', 0, 0),
    'Caftan': ('dress', 2, 2, 2), 'Cape': ('dress', 0, 1, 2), 'Coat': ('dress', 3, 1, 1),
    'Coverup': ('dress', 1, 0, 1), 'Dress': ('dress', 0, 1, 1), 'Jumpsuit': ('legs', 0, 2, 0),
    'Kaftan': ('dress', 2, 2, 1), 'Kimono': ('dress', 2, 1, 2), 'Nightdress': ('dress', 0, 2, 0),
    'Onesie': ('legs', 3, 2, 1), 'Robe': ('dress', 3, 2, 1), 'Romper': ('legs', 1, 0, 1),
    'Shirtdress': ('dress', 1, 1, 0), 'Sundress': ('dress', 0, 0, 2),
}


@dataclasses.dataclass
class Shape:
    polygons: list  # garment outline parts, each an (n, 2) array
    landmarks: dict  # slot -> (2,) array
    details: list  # (kind, (n, 2) array) drawn over the fabric in order; kinds: see render.draw_detail
    anchors: dict = dataclasses.field(default_factory=dict)  # name -> (2,) array: where cues attach
    neck: int = 0  # neckline of upper and full garments: 0 crew, 1 v, 2 high


def point(x, y):
    return np.array([x, y], dtype=float)


def mirror(p):
    return point(-p[0], p[1])


def affine(matrix, offset, pts):
    return np.asarray(pts, dtype=float) @ matrix.T + offset


def top_part(sleeve_level, neck, width, arm_angles, sleeveless_narrow=True):
    """Collar, shoulders, sleeves and armpits shared by upper and full garments."""
    neck_hw, neck_depth = [(0.15, 0.1), (0.15, 0.34), (0.11, 0.03)][neck]
    sleeve_len = (0.0, 0.22, 0.42, 0.68)[sleeve_level]
    sleeve_w = 0.17 + 0.03 * width
    shoulder_hw = 0.42 + 0.03 * width - (0.07 if sleeve_len == 0 and sleeveless_narrow else 0.0)
    shoulder = point(shoulder_hw, 0.07)
    armpit = point(shoulder_hw - 0.03, 0.07 + 1.15 * sleeve_w)
    points = {'collar': point(neck_hw, 0.0), 'neck': point(0.0, neck_depth), 'shoulder': shoulder,
              'armpit': armpit}
    anchors = {'collar_l': mirror(points['collar']), 'collar_r': points['collar'], 'neck': points['neck'],
               'shoulder_l': mirror(shoulder), 'shoulder_r': shoulder, 'armpit_l': mirror(armpit),
               'armpit_r': armpit}
    sleeves, sleeve_ends = [], []
    for side, angle in zip((-1, 1), arm_angles):
        a = math.radians(angle)
        s, pit = (shoulder, armpit) if side == 1 else (mirror(shoulder), mirror(armpit))
        if sleeve_len == 0:
            sleeve_ends.append((s + pit) / 2.0)
            continue
        d = point(side * math.cos(a), math.sin(a))
        n = point(-side * math.sin(a), math.cos(a))
        cuff_top = s + sleeve_len * d
        cuff_bottom = cuff_top + sleeve_w * n
        sleeves.append(np.array([s, cuff_top, cuff_bottom, pit]))
        sleeve_ends.append(cuff_top + 0.5 * sleeve_w * n)
        lr = 'l' if side == -1 else 'r'
        anchors.update({'cuff_top_' + lr: cuff_top, 'cuff_bottom_' + lr: cuff_bottom, 'sleeve_dir_' + lr: d})
    details = []
    if neck == 2:
        details.append(('band', np.array([[-neck_hw, 0.0], [-0.9 * neck_hw, -0.12],
                                          [0.9 * neck_hw, -0.12], [neck_hw, 0.0]])))
    return points, sleeves, sleeve_ends, details, anchors


def legs_part(top_y, waist_hw, length, legs, width, spreads):
    """Trouser legs below a waist at top_y: right-side outline points, crotch, the two hem midpoints and
    anchors (hips, crotch, each leg's outer and inner hem corner)."""
    leg_w, flare = {'straight': (0.22, 0.03 + 0.02 * width), 'skinny': (0.15, -0.02),
                    'wide': (0.34, 0.1 + 0.05 * width)}[legs]
    hip = point(waist_hw + 0.05, top_y + 0.18)
    crotch = point(0.0, top_y + min(0.3, 0.55 * length))
    hems, outer_inner = [], []
    for side, spread in zip((-1, 1), spreads):
        outer_x = hip[0] + flare + spread * length
        inner_x = max(outer_x - leg_w, 0.03)
        outer, inner = point(side * outer_x, top_y + length), point(side * inner_x, top_y + length)
        hems.append((outer + inner) / 2.0)
        outer_inner.append((outer, inner))
    (outer_l, inner_l), (outer_r, inner_r) = outer_inner
    right = [point(hip[0], hip[1]), outer_r, inner_r, crotch, inner_l, outer_l, point(-hip[0], hip[1])]
    anchors = {'hip_l': point(-hip[0], hip[1]), 'hip_r': point(hip[0], hip[1]), 'crotch': crotch,
               'leg_outer_l': outer_l, 'leg_inner_l': inner_l, 'leg_outer_r': outer_r, 'leg_inner_r': inner_r}
    return right, hems, anchors


def upper_shape(shape, pose):
    sleeve, length, neck, open_front, width = shape
    body_len = (0.8, 1.1, 1.45)[length]
    hem_hw = (0.36, 0.44, 0.58)[width] + (0.25 if sleeve == 0 and width == 2 else 0.0)  # poncho-like
    pts, sleeves, sleeve_ends, details, anchors = top_part(sleeve, neck, width, pose['arms'], not width == 2)
    hem = point(hem_hw, body_len)
    collar_l, collar_r = mirror(pts['collar']), pts['collar']
    body = np.array([collar_l, pts['neck'], collar_r, pts['shoulder'], pts['armpit'], hem, mirror(hem),
                     mirror(pts['armpit']), mirror(pts['shoulder'])])
    anchors.update({'hem_l': mirror(hem), 'hem_r': hem, 'front_end': point(0.0, body_len)})
    landmarks = {0: collar_l, 1: collar_r, 2: sleeve_ends[0], 3: sleeve_ends[1], 6: mirror(hem), 7: hem}
    return Shape([body] + sleeves, landmarks, details, anchors, neck)


def front_buttons(neck_point, end_y):
    """The plain closure of an open front: a line down the middle and four buttons."""
    buttons = [point(0.0, y) for y in np.linspace(neck_point[1] + 0.1, end_y - 0.1, 4)]
    return [('line', np.array([neck_point, point(0.0, end_y)])), ('buttons', np.array(buttons))]


def lower_shape(shape, pose):
    legs, length, width = shape
    waist_hw = 0.28 + 0.03 * width
    garment_len = (0.42, 0.75, 1.05, 1.4)[length]
    waist = point(waist_hw, 0.0)
    details = [('band', np.array([mirror(waist), waist, point(waist_hw + 0.005, 0.07),
                                  point(-waist_hw - 0.005, 0.07)]))]
    anchors = {'waist_l': mirror(waist), 'waist_r': waist}
    if legs == 'skirt':
        hem_hw = waist_hw + (0.08, 0.18, 0.32)[width] + 0.1 * garment_len
        hem_r = point(hem_hw + pose['legs'][1] * garment_len, garment_len)
        hem_l = point(-hem_hw - pose['legs'][0] * garment_len, garment_len)
        outline = np.array([mirror(waist), waist, hem_r, hem_l])
        hems = [hem_l, hem_r]
        anchors.update({'hem_l': hem_l, 'hem_r': hem_r})
    else:
        right, hems, leg_anchors = legs_part(0.0, waist_hw, garment_len, legs, width, pose['legs'])
        outline = np.array([mirror(waist), waist] + right)
        anchors.update(leg_anchors)
    landmarks = {4: mirror(waist), 5: waist, 6: hems[0], 7: hems[1]}
    return Shape([outline], landmarks, details, anchors)


def full_shape(shape, pose, neck):
    bottom, sleeve, length, width = shape
    pts, sleeves, sleeve_ends, details, anchors = top_part(sleeve, neck, width, pose['arms'])
    waist_y = pts['armpit'][1] + 0.22
    waist = point(0.27 + 0.03 * width, waist_y)
    if bottom == 'dress':
        hem_y = waist_y + (0.55, 0.95, 1.45)[length]
        hem_hw = waist[0] + (0.1, 0.22, 0.4)[width] + 0.1 * (hem_y - waist_y)
        hems = [point(-hem_hw - pose['legs'][0] * (hem_y - waist_y), hem_y),
                point(hem_hw + pose['legs'][1] * (hem_y - waist_y), hem_y)]
        lower_right = [hems[1], hems[0]]
        anchors.update({'hem_l': hems[0], 'hem_r': hems[1]})
    else:
        lower_right, hems, leg_anchors = legs_part(waist_y, waist[0], (0.4, 0.8, 1.3)[length], 'straight', width,
                                                   pose['legs'])
        anchors.update(leg_anchors)
    collar_l, collar_r = mirror(pts['collar']), pts['collar']
    body = np.array([collar_l, pts['neck'], collar_r, pts['shoulder'], pts['armpit'], waist] + lower_right
                    + [mirror(waist), mirror(pts['armpit']), mirror(pts['shoulder'])])
    details.append(('line', np.array([mirror(waist), waist])))
    anchors.update({'waist_l': mirror(waist), 'waist_r': waist,
                    'front_end': anchors.get('crotch', point(0.0, hems[0][1]))})
    landmarks = {0: collar_l, 1: collar_r, 2: sleeve_ends[0], 3: sleeve_ends[1], 4: mirror(waist), 5: waist,
                 6: hems[0], 7: hems[1]}
    return Shape([body] + sleeves, landmarks, details, anchors, neck)


def base_shape(category_id, pose):
    """The category's outline and landmarks, without its cues (see cues.garment_shape)."""
    name = constants.CATEGORY_NAMES[category_id - 1]
    clothes_type = constants.category_type(category_id)
    if clothes_type == UPPER:
        return upper_shape(CATEGORY_SHAPES[name], pose)
    if clothes_type == LOWER:
        return lower_shape(CATEGORY_SHAPES[name], pose)
    return full_shape(CATEGORY_SHAPES[name], pose, neck=category_id % 3)


def shifted(shape, dy):
    move = point(0.0, dy)
    return Shape([p + move for p in shape.polygons], {k: v + move for k, v in shape.landmarks.items()},
                 [(kind, p + move) for kind, p in shape.details],
                 {k: v + move if not k.startswith('sleeve_dir') else v for k, v in shape.anchors.items()},
                 shape.neck)


def sample_pose(rng, variation_type):
    """Arm angles below the horizontal (left, right) and leg spreads."""
    if variation_type == 3:
        arms = rng.uniform(15.0, 72.0, size=2)
        legs = rng.uniform(-0.02, 0.2, size=2)
    elif variation_type == 2:
        arms = rng.uniform(25.0, 68.0, size=2)
        legs = rng.uniform(0.0, 0.12, size=2)
    else:
        arms = np.full(2, rng.uniform(38.0, 62.0)) + rng.uniform(-3.0, 3.0, size=2)
        legs = np.full(2, rng.uniform(0.0, 0.06))
    return {'arms': tuple(arms), 'legs': tuple(legs)}
