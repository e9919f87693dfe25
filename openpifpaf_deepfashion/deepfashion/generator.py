"""Write a small synthetic data set in DeepFashion's exact on-disk layout.

Both benchmarks are supported: the Category & Attribute layout (``category``: ``img/<Product_Name_Category>/``,
seven list files) and the Fashion Landmark Detection layout (``fld``: ``img/``, variation_type columns).
Images are rendered garments (upper, lower and full-body) whose shape follows the category, with textures,
varied pose, size, position and background; some landmarks are occluded by a bag or an arm, some are truncated
by the image border.  In multi-garment mode an image holds several garments (an outfit, two people side by side):
the list files annotate one of them, as DeepFashion does, and a COCO json next to them annotates every garment.

Same seed, same bytes.  Example::

    python -m openpifpaf_deepfashion.deepfashion.generator --output data/sample --n-images 1000 --benchmark category
"""
import argparse
import dataclasses
import functools
import math
import multiprocessing
import os
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw

from .. import atomic
from . import coco_format, constants

UPPER, LOWER, FULL = constants.UPPER, constants.LOWER, constants.FULL
SPLITS = ('train', 'val', 'test')

# Column where the field after the image name starts, as in the genuine rows of quoted_rows.txt.
LANDMARK_COLUMN = 72  # list_landmarks.txt (and list_bbox.txt, padded the same way here)
PARTITION_COLUMN = 71  # list_eval_partition.txt (and list_category_img.txt, list_attr_img.txt)
CATEGORY_NAME_WIDTH = 15  # list_category_cloth.txt
ATTRIBUTE_NAME_WIDTH = 29  # list_attr_cloth.txt

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

# Made-up attributes in list_attr_cloth.txt; DeepFashion's types: 1 texture, 2 fabric, 3 shape, 4 part, 5 style.
ATTRIBUTES = [
    ('striped', 1), ('horizontal stripe', 1), ('vertical stripe', 1), ('polka dot', 1), ('dotted print', 1),
    ('checked', 1), ('gingham check', 1), ('solid colour', 1),
    ('cotton', 2), ('denim', 2), ('knit', 2), ('linen', 2), ('faux leather', 2), ('chiffon', 2),
    ('a-line', 3), ('fitted', 3), ('loose fit', 3), ('maxi', 3), ('mini', 3), ('cropped', 3),
    ('long sleeve', 4), ('short sleeve', 4), ('sleeveless', 4), ('v-neck', 4), ('crew neck', 4), ('wide leg', 4),
    ('skinny leg', 4),
    ('casual', 5), ('smart casual', 5), ('sporty', 5),
]
ATTRIBUTE_IDS = {name: i for i, (name, _) in enumerate(ATTRIBUTES, start=1)}

TEXTURES = ('solid', 'stripes', 'dots', 'checks')
FABRICS = ('Cotton', 'Denim', 'Knit', 'Linen', 'Faux_Leather', 'Chiffon')
STYLES = ('casual', 'smart casual', 'sporty')
TEXTURE_WORDS = {
    ('solid', 0): 'Classic', ('solid', 1): 'Basic',
    ('stripes', 0): 'Horizontal-Striped', ('stripes', 1): 'Pinstriped',
    ('dots', 0): 'Polka_Dot', ('dots', 1): 'Dotted',
    ('checks', 0): 'Gingham', ('checks', 1): 'Plaid',
}
BACKGROUNDS = ('plain', 'gradient', 'noise')

# FLD variation_type: maximum rotation (degrees) and zoom range of the drawn garment.
VARIATION_WEIGHTS = {'fld': (0.45, 0.2, 0.1, 0.15, 0.1), 'category': (0.6, 0.2, 0.05, 0.1, 0.05)}
VARIATION_ROTATION = {1: 5.0, 2: 14.0, 3: 26.0, 4: 6.0, 5: 6.0}
VARIATION_ZOOM = {1: (1.0, 1.0), 2: (1.0, 1.0), 3: (1.0, 1.0), 4: (1.15, 1.35), 5: (1.35, 1.6)}
DEFAULT_TYPE_WEIGHTS = {UPPER: 0.45, LOWER: 0.3, FULL: 0.25}
MIN_PATTERN_PIXELS = 4.0  # narrowest stripe / check, in pixels


@dataclasses.dataclass(frozen=True)
class Options:
    """Rendering options of :func:`generate` (passed as keyword arguments)."""
    min_size: int = 200  #: long image side, smallest
    max_size: int = 320  #: long image side, largest
    types: Tuple[int, ...] = (UPPER, LOWER, FULL)  #: clothes types to draw
    type_weights: Optional[Tuple[float, ...]] = None  #: relative frequency of ``types``
    occlusion_rate: float = 0.2  #: fraction of images with a bag or an arm over a landmark
    truncation_rate: float = 0.15  #: fraction of garments pushed partly out of the image (besides zoom-ins)
    backgrounds: Tuple[str, ...] = BACKGROUNDS
    textures: Tuple[str, ...] = TEXTURES
    split_fractions: Tuple[float, float, float] = (0.7, 0.15, 0.15)
    jpeg_quality: int = 90

    def __post_init__(self):
        if not 16 <= self.min_size <= self.max_size:
            raise ValueError('need 16 <= min_size <= max_size')
        if not self.types or any(t not in constants.CLOTHES_TYPES for t in self.types):
            raise ValueError('types must be a non-empty subset of (1, 2, 3)')
        if self.type_weights is not None and len(self.type_weights) != len(self.types):
            raise ValueError('type_weights needs one weight per type')
        if not set(self.backgrounds) <= set(BACKGROUNDS) or not self.backgrounds:
            raise ValueError('backgrounds must be a non-empty subset of {}'.format(BACKGROUNDS))
        if not set(self.textures) <= set(TEXTURES) or not self.textures:
            raise ValueError('textures must be a non-empty subset of {}'.format(TEXTURES))


@dataclasses.dataclass
class Garment:
    """Ground truth of one drawn garment.

    landmarks: 8 entries in slot order, (x, y, DeepFashion visibility) or None where the clothes type has no
    such landmark; truncated landmarks are (0, 0, 2) as written.  bbox: (x1, y1, x2, y2) clipped to the image.
    category_id is None for the FLD benchmark; drawn_category_id is the category whose shape was drawn.
    """
    clothes_type: int
    category_id: Optional[int]
    drawn_category_id: int
    landmarks: List[Optional[Tuple[int, int, int]]]
    bbox: Tuple[int, int, int, int]
    attribute_ids: Tuple[int, ...]
    texture: str


@dataclasses.dataclass
class ImageRecord:
    """One image and the garment its list-file rows annotate (``garments[annotated]``)."""
    image_name: str
    width: int
    height: int
    split: str
    clothes_type: int
    category_id: Optional[int]
    variation_type: Optional[int]
    landmarks: List[Optional[Tuple[int, int, int]]]
    bbox: Tuple[int, int, int, int]
    attribute_ids: Tuple[int, ...]
    garments: List[Garment]
    annotated: int


@dataclasses.dataclass
class GeneratedDataset:
    root: str
    benchmark: str
    seed: int
    multi_garment: bool
    images: List[ImageRecord]
    coco_files: dict  #: split -> path of the multi-garment COCO json (empty unless multi_garment)

    def split(self, name):
        return [record for record in self.images if record.split == name]


# ---------------------------------------------------------------------------------------------------------
# Planning (main process): what each image shows, its name and split.


@dataclasses.dataclass
class GarmentPlan:
    category_id: int
    texture: str
    texture_variant: int
    fabric: str
    style: str

    @property
    def clothes_type(self):
        return constants.category_type(self.category_id)


@dataclasses.dataclass
class ImagePlan:
    index: int
    image_name: str
    split: str
    figures: List[List[GarmentPlan]]  # per figure (person), garments in drawing order
    annotated: int  # index into the flattened garments


def rng_for(seed, index, stage):
    return np.random.default_rng([seed, index, stage])


def sample_garment_plan(rng, clothes_type, opts):
    names = [i for i, (_, t) in enumerate(constants.CATEGORIES, start=1) if t == clothes_type]
    return GarmentPlan(
        category_id=int(rng.choice(names)),
        texture=str(rng.choice(opts.textures)),
        texture_variant=int(rng.integers(2)),
        fabric=str(rng.choice(FABRICS)),
        style=str(rng.choice(STYLES)),
    )


def sample_clothes_type(rng, opts):
    weights = opts.type_weights or [DEFAULT_TYPE_WEIGHTS[t] for t in opts.types]
    weights = np.asarray(weights, dtype=float)
    return int(rng.choice(opts.types, p=weights / weights.sum()))


def sample_outfit(rng, opts):
    """Trousers or skirt, then the top; tucked in (top drawn first) one time in four."""
    outfit = [sample_garment_plan(rng, LOWER, opts), sample_garment_plan(rng, UPPER, opts)]
    return outfit[::-1] if rng.random() < 0.25 else outfit


def sample_figures(rng, opts, multi_garment):
    if not multi_garment:
        return [[sample_garment_plan(rng, sample_clothes_type(rng, opts), opts)]]
    can_outfit = UPPER in opts.types and LOWER in opts.types
    if can_outfit and rng.random() < 0.5:
        return [sample_outfit(rng, opts)]
    figures = []
    for _ in range(2):
        if can_outfit and rng.random() < 0.5:
            figures.append(sample_outfit(rng, opts))
        else:
            figures.append([sample_garment_plan(rng, sample_clothes_type(rng, opts), opts)])
    return figures


def product_folder(garment):
    """Product folder name, e.g. 'Gingham_Linen_Button-Down': the last word is the category name."""
    words = [TEXTURE_WORDS[(garment.texture, garment.texture_variant)], garment.fabric,
             constants.CATEGORY_NAMES[garment.category_id - 1]]
    return '_'.join(words)


def assign_splits(n_images, seed, fractions):
    """Deterministic split per image index with the given fractions (exact up to rounding)."""
    order = np.random.default_rng([seed, 0x5eed]).permutation(n_images)
    n_train = int(round(fractions[0] * n_images))
    n_val = int(round(fractions[1] * n_images))
    splits = [''] * n_images
    for rank, index in enumerate(order):
        splits[index] = 'train' if rank < n_train else 'val' if rank < n_train + n_val else 'test'
    return splits


def plan_images(n_images, benchmark, seed, multi_garment, opts):
    splits = assign_splits(n_images, seed, opts.split_fractions)
    folder_counts = {}
    plans = []
    for index in range(n_images):
        rng = rng_for(seed, index, 0)
        figures = sample_figures(rng, opts, multi_garment)
        n_garments = sum(len(figure) for figure in figures)
        annotated = int(rng.integers(n_garments))
        if benchmark == 'fld':
            name = 'img/img_{:08d}.jpg'.format(index + 1)
        else:
            # numbering restarts in every product folder, as in DeepFashion
            folder = product_folder(flatten(figures)[annotated])
            folder_counts[folder] = folder_counts.get(folder, 0) + 1
            name = 'img/{}/img_{:08d}.jpg'.format(folder, folder_counts[folder])
        plans.append(ImagePlan(index, name, splits[index], figures, annotated))
    return plans


def flatten(figures):
    return [garment for figure in figures for garment in figure]


def attribute_ids_of(garment):
    """Attributes with value 1: texture and fabric as drawn, shape and parts from the category's shape."""
    names = {'stripes': ['striped', ('horizontal stripe', 'vertical stripe')[garment.texture_variant]],
             'dots': [('polka dot', 'dotted print')[garment.texture_variant]],
             'checks': ['checked'] + (['gingham check'] if garment.texture_variant == 0 else []),
             'solid': ['solid colour']}[garment.texture]
    names.append(garment.fabric.replace('_', ' ').lower())
    names.append(garment.style)
    shape = CATEGORY_SHAPES[constants.CATEGORY_NAMES[garment.category_id - 1]]
    if garment.clothes_type == UPPER:
        sleeve, length, neck, _, width = shape
        names += [('sleeveless', 'short sleeve', None, 'long sleeve')[sleeve], ('cropped', None, None)[length],
                  ('crew neck', 'v-neck', None)[neck], ('fitted', None, 'loose fit')[width]]
    elif garment.clothes_type == LOWER:
        legs, length, width = shape
        names += [{'skinny': 'skinny leg', 'wide': 'wide leg', 'skirt': 'a-line'}.get(legs),
                  ('mini', None, None, 'maxi' if legs == 'skirt' else None)[length]]
    else:
        bottom, sleeve, length, width = shape
        names += [('sleeveless', 'short sleeve', None, 'long sleeve')[sleeve], ('mini', None, 'maxi')[length],
                  'a-line' if bottom == 'dress' and width == 2 else None,
                  'wide leg' if bottom == 'legs' and width == 2 else None]
    return tuple(sorted(ATTRIBUTE_IDS[name] for name in names if name is not None))


# ---------------------------------------------------------------------------------------------------------
# Garment geometry in garment units (y down, x to the image's right; DeepFashion's "left" has smaller x).


@dataclasses.dataclass
class Shape:
    polygons: list  # garment outline parts, each an (n, 2) array
    landmarks: dict  # slot -> (2,) array
    details: list  # (kind, (n, 2) array): 'band' polygons drawn darker, 'line' polylines, 'buttons' points


def point(x, y):
    return np.array([x, y], dtype=float)


def mirror(p):
    return point(-p[0], p[1])


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
    details = []
    if neck == 2:
        details.append(('band', np.array([[-neck_hw, 0.0], [-0.9 * neck_hw, -0.12],
                                          [0.9 * neck_hw, -0.12], [neck_hw, 0.0]])))
    return points, sleeves, sleeve_ends, details


def legs_part(top_y, waist_hw, length, legs, width, spreads):
    """Trouser legs below a waist at top_y: right-side outline points, crotch, and the two hem midpoints."""
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
    return right, hems


def upper_shape(shape, pose):
    sleeve, length, neck, open_front, width = shape
    body_len = (0.8, 1.1, 1.45)[length]
    hem_hw = (0.36, 0.44, 0.58)[width] + (0.25 if sleeve == 0 and width == 2 else 0.0)  # poncho-like
    pts, sleeves, sleeve_ends, details = top_part(sleeve, neck, width, pose['arms'], not width == 2)
    hem = point(hem_hw, body_len)
    collar_l, collar_r = mirror(pts['collar']), pts['collar']
    body = np.array([collar_l, pts['neck'], collar_r, pts['shoulder'], pts['armpit'], hem, mirror(hem),
                     mirror(pts['armpit']), mirror(pts['shoulder'])])
    if open_front:
        details.append(('line', np.array([pts['neck'], point(0.0, body_len)])))
        buttons = [point(0.0, y) for y in np.linspace(pts['neck'][1] + 0.1, body_len - 0.1, 4)]
        details.append(('buttons', np.array(buttons)))
    landmarks = {0: collar_l, 1: collar_r, 2: sleeve_ends[0], 3: sleeve_ends[1], 6: mirror(hem), 7: hem}
    return Shape([body] + sleeves, landmarks, details)


def lower_shape(shape, pose):
    legs, length, width = shape
    waist_hw = 0.28 + 0.03 * width
    garment_len = (0.42, 0.75, 1.05, 1.4)[length]
    waist = point(waist_hw, 0.0)
    details = [('band', np.array([mirror(waist), waist, point(waist_hw + 0.005, 0.07),
                                  point(-waist_hw - 0.005, 0.07)]))]
    if legs == 'skirt':
        hem_hw = waist_hw + (0.08, 0.18, 0.32)[width] + 0.1 * garment_len
        hem_r = point(hem_hw + pose['legs'][1] * garment_len, garment_len)
        hem_l = point(-hem_hw - pose['legs'][0] * garment_len, garment_len)
        outline = np.array([mirror(waist), waist, hem_r, hem_l])
        hems = [hem_l, hem_r]
    else:
        right, hems = legs_part(0.0, waist_hw, garment_len, legs, width, pose['legs'])
        outline = np.array([mirror(waist), waist] + right)
    landmarks = {4: mirror(waist), 5: waist, 6: hems[0], 7: hems[1]}
    return Shape([outline], landmarks, details)


def full_shape(shape, pose, neck):
    bottom, sleeve, length, width = shape
    pts, sleeves, sleeve_ends, details = top_part(sleeve, neck, width, pose['arms'])
    waist_y = pts['armpit'][1] + 0.22
    waist = point(0.27 + 0.03 * width, waist_y)
    if bottom == 'dress':
        hem_y = waist_y + (0.55, 0.95, 1.45)[length]
        hem_hw = waist[0] + (0.1, 0.22, 0.4)[width] + 0.1 * (hem_y - waist_y)
        hems = [point(-hem_hw - pose['legs'][0] * (hem_y - waist_y), hem_y),
                point(hem_hw + pose['legs'][1] * (hem_y - waist_y), hem_y)]
        lower_right = [hems[1], hems[0]]
    else:
        lower_right, hems = legs_part(waist_y, waist[0], (0.4, 0.8, 1.3)[length], 'straight', width, pose['legs'])
    collar_l, collar_r = mirror(pts['collar']), pts['collar']
    body = np.array([collar_l, pts['neck'], collar_r, pts['shoulder'], pts['armpit'], waist] + lower_right
                    + [mirror(waist), mirror(pts['armpit']), mirror(pts['shoulder'])])
    details.append(('line', np.array([mirror(waist), waist])))
    landmarks = {0: collar_l, 1: collar_r, 2: sleeve_ends[0], 3: sleeve_ends[1], 4: mirror(waist), 5: waist,
                 6: hems[0], 7: hems[1]}
    return Shape([body] + sleeves, landmarks, details)


def garment_shape(category_id, pose):
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
                 [(kind, p + move) for kind, p in shape.details])


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


# ---------------------------------------------------------------------------------------------------------
# Rendering (worker processes).


def affine(matrix, offset, pts):
    return np.asarray(pts, dtype=float) @ matrix.T + offset


def random_colour(rng, fabric=None):
    if fabric == 'Denim':
        hsv = (rng.uniform(0.56, 0.64), rng.uniform(0.35, 0.8), rng.uniform(0.3, 0.8))
    elif fabric == 'Faux_Leather':
        hsv = (rng.uniform(0.02, 0.1), rng.uniform(0.3, 0.8), rng.uniform(0.1, 0.4))
    elif fabric in ('Linen', 'Chiffon'):
        hsv = (rng.random(), rng.uniform(0.05, 0.45), rng.uniform(0.7, 1.0))
    else:
        hsv = (rng.random(), rng.uniform(0.2, 1.0), rng.uniform(0.15, 1.0))
    return hsv_to_rgb(*hsv)


def hsv_to_rgb(h, s, v):
    i = int(h * 6.0) % 6
    f = h * 6.0 - int(h * 6.0)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
    return tuple(int(round(255 * c)) for c in rgb)


def colour_distance(a, b):
    return sum(abs(int(x) - int(y)) for x, y in zip(a, b))


def distinct_colour(rng, avoid, fabric=None, min_distance=150):
    """A colour at least min_distance (L1 over RGB) from every colour in avoid."""
    best, best_distance = None, -1
    for _ in range(60):
        colour = random_colour(rng, fabric if best is None or rng.random() < 0.7 else None)
        distance = min((colour_distance(colour, c) for c in avoid), default=999)
        if distance >= min_distance:
            return colour
        if distance > best_distance:
            best, best_distance = colour, distance
    return best


def darker(colour, factor=0.55):
    return tuple(int(c * factor) for c in colour)


def contrasting_shade(base, avoid, dark=0.7, light=0.4):
    """A darker or a lighter shade of base (outlines, waistbands), whichever stands out more from avoid."""
    lighter = tuple(int(c + light * (255 - c)) for c in base)
    return max((darker(base, dark), lighter), key=lambda shade: min(colour_distance(shade, c) for c in avoid))


def render_background(rng, kind, width, height):
    """Background image and the colours it is made of (garment colours keep away from them)."""
    base = np.array(random_colour(rng), dtype=float)
    if kind == 'plain':
        return Image.new('RGB', (width, height), tuple(int(c) for c in base)), [tuple(int(c) for c in base)]
    if kind == 'gradient':
        other = np.clip(base + rng.uniform(-70.0, 70.0, size=3), 0, 255)
        t = np.linspace(0.0, 1.0, height if rng.random() < 0.5 else width)
        ramp = base[None, :] * (1.0 - t[:, None]) + other[None, :] * t[:, None]
        if len(t) == height:
            array = np.broadcast_to(ramp[:, None, :], (height, width, 3))
        else:
            array = np.broadcast_to(ramp[None, :, :], (height, width, 3))
        colours = [tuple(int(c) for c in base), tuple(int(c) for c in other)]
    else:
        array = base[None, None, :] + rng.normal(0.0, 14.0, size=(height, width, 1))
        colours = [tuple(int(c) for c in base)]
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8), 'RGB'), colours


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


def draw_garment(canvas, shape, garment, matrix, offset, colours, background_colours, rng):
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
    for polygon in texture_polygons(garment, local_box, rng, unit):
        texture_draw.polygon([tuple(p) for p in affine(matrix, offset, polygon)], fill=second)
    canvas.paste(texture, (0, 0), mask)
    draw = ImageDraw.Draw(canvas)
    for kind, pts in shape.details:
        pts_image = [tuple(p) for p in affine(matrix, offset, pts)]
        if kind == 'band':
            draw.polygon(pts_image, fill=contrasting_shade(base, background_colours))
        elif kind == 'line':
            draw.line(pts_image, fill=darker(base), width=max(1, int(round(unit * 0.015))))
        else:
            r = max(1.0, unit * 0.02)
            for x, y in pts_image:
                draw.ellipse([x - r, y - r, x + r, y + r], fill=second)
    outline = contrasting_shade(base, background_colours, dark=0.55, light=0.5)
    for polygon in image_polygons:
        draw.line([tuple(p) for p in polygon] + [tuple(polygon[0])], fill=outline, width=1)
    bands = [affine(matrix, offset, pts) for kind, pts in shape.details if kind == 'band']
    return image_polygons + bands


def point_in_polygon(x, y, polygon):
    """Even-odd rule (ray casting)."""
    inside = False
    n = len(polygon)
    for i in range(n):
        xa, ya = polygon[i]
        xb, yb = polygon[(i + 1) % n]
        if (ya > y) != (yb > y) and x < xa + (y - ya) * (xb - xa) / (yb - ya):
            inside = not inside
    return inside


def layout_figure(shapes, rng, region, zoom, rotation_max, truncate):
    """Rotation, squash, scale and position of one figure (person) inside region (x0, y0, x1, y1)."""
    theta = math.radians(rng.uniform(-rotation_max, rotation_max))
    squash = rng.uniform(0.65, 0.85) if rotation_max > 20 else rng.uniform(0.85, 1.0)
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    base = rotation @ np.diag([squash, 1.0])
    pts = affine(base, np.zeros(2), np.concatenate([p for s in shapes for p in s.polygons]))
    extent = pts.max(axis=0) - pts.min(axis=0)
    centre = (pts.max(axis=0) + pts.min(axis=0)) / 2.0
    rx0, ry0, rx1, ry1 = region
    region_size = np.array([rx1 - rx0, ry1 - ry0], dtype=float)
    unit = rng.uniform(0.6, 0.9) * zoom * min(region_size / extent)
    size = extent * unit
    slack = np.maximum((region_size - size) / 2.0, 0.0)
    target = np.array([(rx0 + rx1) / 2.0, (ry0 + ry1) / 2.0]) + rng.uniform(-1.0, 1.0, size=2) * slack
    if truncate:
        axis = int(rng.integers(2))
        target[axis] += rng.choice([-1.0, 1.0]) * (slack[axis] + rng.uniform(0.15, 0.4) * size[axis])
    matrix = base * unit
    return matrix, target - centre * unit


def clip_target(offset, matrix, shapes, width, height):
    """Keep the figure's centre inside the image (so every garment's clipped box has an area)."""
    pts = affine(matrix, offset, np.concatenate([p for s in shapes for p in s.polygons]))
    centre = (pts.max(axis=0) + pts.min(axis=0)) / 2.0
    inside = np.clip(centre, [0.15 * width, 0.15 * height], [0.85 * width, 0.85 * height])
    return offset + inside - centre


def place_figure(rng, figure, region, variation_type, zoom, opts, image_size, annotated=None):
    """Shapes and image transform of one figure.  A too strong zoom or shift is retried smaller until every
    garment has a landmark inside the image and the annotated garment three (or all, if it has fewer)."""
    width, height = image_size
    shapes = figure_shapes(figure, rng, sample_pose(rng, variation_type))
    truncate = rng.random() < opts.truncation_rate
    for _ in range(8):
        matrix, offset = layout_figure(shapes, rng, region, zoom, VARIATION_ROTATION[variation_type], truncate)
        offset = clip_target(offset, matrix, shapes, width, height)
        if all(landmarks_inside(shape, matrix, offset, image_size) >= (min(3, len(shape.landmarks))
                                                                       if k == annotated else 1)
               for k, shape in enumerate(shapes)):
            break
        zoom, truncate = max(1.0, zoom * 0.85), False
    return shapes, matrix, offset


def landmarks_inside(shape, matrix, offset, image_size):
    landmarks = affine(matrix, offset, np.array(list(shape.landmarks.values())))
    return int(np.all((landmarks >= 0) & (landmarks <= [image_size[0] - 1, image_size[1] - 1]), axis=1).sum())


def figure_shapes(figure, rng, pose):
    """Shapes of one figure's garments in its own frame: an upper garment sits over the trousers' waist."""
    shapes = [garment_shape(g.category_id, pose) for g in figure]
    upper = [i for i, g in enumerate(figure) if g.clothes_type == UPPER]
    lower = [i for i, g in enumerate(figure) if g.clothes_type == LOWER]
    if upper and lower:
        hem_y = shapes[upper[0]].landmarks[7][1]
        shapes[lower[0]] = shifted(shapes[lower[0]], hem_y - rng.uniform(0.12, 0.25))
    return shapes


def image_size(rng, opts):
    long_side = int(rng.integers(opts.min_size, opts.max_size + 1))
    short_side = int(round(long_side * rng.uniform(0.72, 1.0)))
    return (short_side, long_side) if rng.random() < 0.75 else (long_side, short_side)


def place_occluder(rng, target, unit, skin):
    """A bag (box) or an arm (long bar) around target; returns its polygon and colour."""
    if rng.random() < 0.5:
        w, h, colour = unit * rng.uniform(0.25, 0.4), unit * rng.uniform(0.25, 0.4), None
    else:
        w, h, colour = unit * rng.uniform(0.6, 0.9), unit * rng.uniform(0.1, 0.16), skin
    angle = rng.uniform(-math.pi, math.pi)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    centre = target + rng.uniform(-0.25, 0.25, size=2) * min(w, h)
    corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2.0
    return corners @ rotation.T + centre, colour


def landmark_ground_truth(local, matrix, offset, covering, width, height):
    """(x, y, visibility) of a landmark: 2 truncated (written 0 0), 1 inside a later-drawn shape, 0 visible."""
    position = affine(matrix, offset, local[None, :])[0]
    if not (0 <= position[0] <= width - 1 and 0 <= position[1] <= height - 1):
        return (0, 0, 2)
    x, y = (int(round(c)) for c in position)
    if any(point_in_polygon(x, y, polygon) for polygon in covering):
        return (x, y, 1)
    return (x, y, 0)


def clipped_bbox(polygons, width, height):
    """Integer corners of the polygons' extent clipped to the image; None if nothing is inside."""
    pts = np.concatenate(polygons)
    x1, y1 = np.floor(pts.min(axis=0))
    x2, y2 = np.ceil(pts.max(axis=0))
    x1, x2 = (int(np.clip(v, 0, width - 1)) for v in (x1, x2))
    y1, y2 = (int(np.clip(v, 0, height - 1)) for v in (y1, y2))
    return (x1, y1, x2, y2) if x1 < x2 and y1 < y2 else None


def figure_regions(n_figures, width, height):
    """Side-by-side regions, one per figure (person), overlapping a little."""
    overlap = 0.06 * width
    return [(i * width / n_figures - (overlap if i else 0.0), 0.0,
             (i + 1) * width / n_figures + (overlap if i < n_figures - 1 else 0.0), height)
            for i in range(n_figures)]


def place_figures(rng, plan, variation_type, zoom, opts, image_size):
    """(garment plan, shape, matrix, offset) of every garment, in drawing order."""
    placed = []
    first = 0
    for figure, region in zip(plan.figures, figure_regions(len(plan.figures), *image_size)):
        annotated = plan.annotated - first if 0 <= plan.annotated - first < len(figure) else None
        shapes, matrix, offset = place_figure(rng, figure, region, variation_type, zoom, opts, image_size, annotated)
        placed += [(g, s, matrix, offset) for g, s in zip(figure, shapes)]
        first += len(figure)
    return placed


def draw_garments(canvas, placed, background_colours, rng):
    """Draw the garments in order; returns each garment's polygons (image coordinates) and the colours used."""
    drawn, garment_colours = [], []
    for garment, shape, matrix, offset in placed:
        base = distinct_colour(rng, background_colours, garment.fabric)
        second = distinct_colour(rng, background_colours + [base], min_distance=120)
        garment_colours += [base, second]
        drawn.append(draw_garment(canvas, shape, garment, matrix, offset, (base, second), background_colours,
                                  rng))
    return drawn, garment_colours


def draw_occluder(canvas, annotated_placement, avoid_colours, rng):
    """A bag or an arm over one of the annotated garment's landmarks inside the image; its polygon or None."""
    width, height = canvas.size
    _, shape, matrix, offset = annotated_placement
    targets = [affine(matrix, offset, p[None, :])[0] for p in shape.landmarks.values()]
    targets = [t for t in targets if 0 <= t[0] < width and 0 <= t[1] < height]
    if not targets:
        return None
    unit = math.sqrt(abs(np.linalg.det(matrix)))
    skin = hsv_to_rgb(rng.uniform(0.03, 0.1), rng.uniform(0.3, 0.6), rng.uniform(0.35, 0.95))
    polygon, colour = place_occluder(rng, targets[int(rng.integers(len(targets)))], unit, skin)
    colour = colour or distinct_colour(rng, avoid_colours)
    ImageDraw.Draw(canvas).polygon([tuple(p) for p in polygon], fill=colour, outline=darker(colour))
    return polygon


def ground_truth(plan, placed, drawn, occluders, image_size, benchmark):
    """Garments inside the image (another garment with no landmark inside is left out) and the index of the
    annotated one among them.  A landmark under a later-drawn garment or an occluder is occluded."""
    garments, annotated = [], None
    for k, (garment, shape, matrix, offset) in enumerate(placed):
        covering = [p for later in drawn[k + 1:] for p in later] + occluders
        landmarks = [None] * len(constants.KEYPOINTS)
        for slot, local in shape.landmarks.items():
            landmarks[slot] = landmark_ground_truth(local, matrix, offset, covering, *image_size)
        bbox = clipped_bbox(drawn[k], *image_size)
        if k == plan.annotated:
            if bbox is None:
                raise RuntimeError('annotated garment outside the image: {}'.format(plan.image_name))
            annotated = len(garments)
        elif bbox is None or all(lm is None or lm[2] == 2 for lm in landmarks):
            continue
        garments.append(Garment(
            clothes_type=garment.clothes_type,
            category_id=garment.category_id if benchmark == 'category' else None,
            drawn_category_id=garment.category_id,
            landmarks=landmarks,
            bbox=bbox,
            attribute_ids=attribute_ids_of(garment) if benchmark == 'category' else (),
            texture=garment.texture,
        ))
    return garments, annotated


def render_image(plan, root, benchmark, seed, opts):
    """Draw one image, write it (atomically) and return its size, variation_type, the garments inside it
    and the index of the annotated one among them."""
    rng = rng_for(seed, plan.index, 1)
    width, height = image_size(rng, opts)
    variation_type = int(rng.choice([1, 2, 3, 4, 5], p=VARIATION_WEIGHTS[benchmark]))
    zoom = rng.uniform(*VARIATION_ZOOM[variation_type])
    canvas, background_colours = render_background(rng, str(rng.choice(opts.backgrounds)), width, height)
    placed = place_figures(rng, plan, variation_type, zoom, opts, (width, height))
    drawn, garment_colours = draw_garments(canvas, placed, background_colours, rng)
    occluders = []
    if rng.random() < opts.occlusion_rate:
        polygon = draw_occluder(canvas, placed[plan.annotated], background_colours + garment_colours, rng)
        occluders += [polygon] if polygon is not None else []
    garments, annotated = ground_truth(plan, placed, drawn, occluders, (width, height), benchmark)
    save_jpeg_atomic(canvas, os.path.join(root, plan.image_name), opts.jpeg_quality)
    return width, height, variation_type if benchmark == 'fld' else None, garments, annotated


def save_jpeg_atomic(image, path, quality):
    with atomic.atomic_path(path) as tmp_path:
        image.save(tmp_path, format='JPEG', quality=quality)


# ---------------------------------------------------------------------------------------------------------
# List files.


def write_text_atomic(path, text):
    """Write a list file (``\n`` line ends) so that a reader (or a crash) never sees a partial file."""
    with atomic.atomic_open(path, newline='\n') as f:
        f.write(text)


def padded(name, column):
    """Left-justify name so that the next field starts at column (at least one space after it)."""
    return name.ljust(column - 1) + ' '


def list_file(header, rows, final_newline=True):
    text = '\n'.join([str(len(rows)), header] + rows)
    return text + '\n' if final_newline else text


def landmark_triples(record):
    slots = constants.SLOTS[record.clothes_type]
    return ''.join('  {} {:03d} {:03d}'.format(v, x, y)
                   for x, y, v in (record.landmarks[slot] for slot in slots))


def landmarks_header(benchmark):
    columns = ['image_name', 'clothes_type'] + (['variation_type'] if benchmark == 'fld' else [])
    for i in range(1, len(constants.KEYPOINTS) + 1):
        columns += ['landmark_visibility_{}'.format(i), 'landmark_location_x_{}'.format(i),
                    'landmark_location_y_{}'.format(i)]
    return '  '.join(columns)


def landmarks_row(record, benchmark):
    fields = str(record.clothes_type)
    if benchmark == 'fld':
        fields += '  {}'.format(record.variation_type)
    return padded(record.image_name, LANDMARK_COLUMN) + fields + landmark_triples(record) + ' '


def bbox_row(record, benchmark):
    prefix = '{}  {}  '.format(record.clothes_type, record.variation_type) if benchmark == 'fld' else ''
    return padded(record.image_name, LANDMARK_COLUMN) + prefix + ' '.join('{:03d}'.format(v) for v in record.bbox)


def category_cloth_text():
    """list_category_cloth.txt byte for byte as the genuine file (which has no final newline)."""
    rows = [name.ljust(CATEGORY_NAME_WIDTH) + str(t) for name, t in constants.CATEGORIES]
    return list_file('category_name  category_type', rows, final_newline=False)


def list_files(records, benchmark):
    """Relative path -> text of every list file of the benchmark."""
    files = {
        'Anno/list_landmarks.txt': list_file(landmarks_header(benchmark),
                                             [landmarks_row(r, benchmark) for r in records]),
        'Anno/list_bbox.txt': list_file(
            'image_name  clothes_type  pose_type  x_1  y_1  x_2  y_2' if benchmark == 'fld'
            else 'image_name  x_1  y_1  x_2  y_2', [bbox_row(r, benchmark) for r in records]),
        'Eval/list_eval_partition.txt': list_file(
            'image_name  evaluation_status', [padded(r.image_name, PARTITION_COLUMN) + r.split for r in records]),
    }
    if benchmark == 'category':
        files['Anno/list_category_cloth.txt'] = category_cloth_text()
        files['Anno/list_category_img.txt'] = list_file(
            'image_name  category_label',
            [padded(r.image_name, PARTITION_COLUMN) + str(r.category_id) for r in records])
        files['Anno/list_attr_cloth.txt'] = list_file(
            'attribute_name  attribute_type',
            [padded(name, ATTRIBUTE_NAME_WIDTH) + str(t) for name, t in ATTRIBUTES])
        files['Anno/list_attr_img.txt'] = list_file(
            'image_name  attribute_labels',
            [padded(r.image_name, PARTITION_COLUMN) + ' '.join(
                '{:2d}'.format(1 if i in r.attribute_ids else -1) for i in range(1, len(ATTRIBUTES) + 1))
             for r in records])
    return files


def coco_documents(records, benchmark):
    """Split -> COCO document with every garment; image ids are list_landmarks.txt's 1-based row numbers."""
    images = {split: [] for split in SPLITS}
    annotations = {split: [] for split in SPLITS}
    annotation_id = 0
    for image_id, record in enumerate(records, start=1):
        images[record.split].append(coco_format.image_entry(image_id, record.image_name, record.width,
                                                            record.height))
        for garment in record.garments:
            annotation_id += 1
            keypoints = [(lm[0], lm[1], constants.DEEPFASHION_TO_COCO_VISIBILITY[lm[2]]) if lm else (0, 0, 0)
                         for lm in garment.landmarks]
            category_id = (garment.category_id if benchmark == 'category'
                           else coco_format.GENERIC_CATEGORY_IDS[garment.clothes_type])
            annotations[record.split].append(coco_format.annotation_entry(
                annotation_id, image_id, category_id, garment.clothes_type, keypoints, garment.bbox,
                variation_type=record.variation_type,
                attribute_ids=garment.attribute_ids if benchmark == 'category' else None))
    info = {'description': 'synthetic DeepFashion-layout sample, every garment annotated',
            'benchmark': benchmark}
    return {split: coco_format.coco_document(images[split], annotations[split], info=info) for split in SPLITS}


# ---------------------------------------------------------------------------------------------------------
# Entry points.


def generate(root, n_images, benchmark='category', seed=0, multi_garment=False, workers=1, **options):
    """Write n_images in DeepFashion's layout under root and return the ground truth that was written."""
    if benchmark not in ('category', 'fld'):
        raise ValueError('benchmark must be "category" or "fld"')
    if n_images < 1:
        raise ValueError('n_images must be positive')
    opts = Options(**options)
    plans = plan_images(n_images, benchmark, seed, multi_garment, opts)
    render = functools.partial(render_image, root=root, benchmark=benchmark, seed=seed, opts=opts)
    if workers > 1 and n_images > 1:
        with multiprocessing.Pool(min(workers, n_images)) as pool:
            rendered = pool.map(render, plans, chunksize=max(1, min(32, n_images // (4 * workers))))
    else:
        rendered = [render(plan) for plan in plans]

    records = []
    for plan, (width, height, variation_type, garments, annotated) in zip(plans, rendered):
        main = garments[annotated]
        records.append(ImageRecord(
            image_name=plan.image_name, width=width, height=height, split=plan.split,
            clothes_type=main.clothes_type, category_id=main.category_id, variation_type=variation_type,
            landmarks=main.landmarks, bbox=main.bbox, attribute_ids=main.attribute_ids,
            garments=garments if multi_garment else [main], annotated=annotated if multi_garment else 0))
    for relative, text in list_files(records, benchmark).items():
        write_text_atomic(os.path.join(root, relative), text)
    coco_files = {}
    if multi_garment:
        for split, document in coco_documents(records, benchmark).items():
            coco_files[split] = os.path.join(root, 'coco_multi_garment', 'deepfashion_{}.json'.format(split))
            coco_format.write_json_atomic(coco_files[split], document)
    return GeneratedDataset(root, benchmark, seed, multi_garment, records, coco_files)


def summary(dataset):
    garments = [g for r in dataset.images for g in r.garments]
    by_type = ', '.join('{} {}'.format(name, sum(g.clothes_type == t for g in garments))
                        for t, name in constants.CLOTHES_TYPES.items())
    splits = ' / '.join('{} {}'.format(s, len(dataset.split(s))) for s in SPLITS)
    return '{}: {} images ({} layout{}), {} garments ({}), splits {}'.format(
        dataset.root, len(dataset.images), dataset.benchmark, ', multi-garment' if dataset.multi_garment else '',
        len(garments), by_type, splits)


def cli(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m openpifpaf_deepfashion.deepfashion.generator', description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--output', required=True, help='data set root (img/, Anno/, Eval/ are written here)')
    parser.add_argument('--n-images', type=int, default=100, help='number of images')
    parser.add_argument('--benchmark', choices=('category', 'fld'), default='category',
                        help='Category & Attribute or Fashion Landmark Detection layout')
    parser.add_argument('--seed', type=int, default=0, help='same seed, same bytes')
    parser.add_argument('--multi-garment', action='store_true',
                        help='several garments per image; also writes coco_multi_garment/deepfashion_*.json')
    parser.add_argument('--workers', type=int, default=os.cpu_count(), help='rendering processes')
    parser.add_argument('--min-size', type=int, default=Options.min_size, help='long image side, smallest')
    parser.add_argument('--max-size', type=int, default=Options.max_size, help='long image side, largest')
    parser.add_argument('--types', default='1,2,3', help='clothes types to draw: 1 upper, 2 lower, 3 full')
    parser.add_argument('--occlusion-rate', type=float, default=Options.occlusion_rate,
                        help='fraction of images with a bag or an arm over a landmark')
    parser.add_argument('--truncation-rate', type=float, default=Options.truncation_rate,
                        help='fraction of garments pushed partly out of the image (besides zoom-ins)')
    args = parser.parse_args(argv)
    dataset = generate(args.output, args.n_images, benchmark=args.benchmark, seed=args.seed,
                       multi_garment=args.multi_garment, workers=args.workers,
                       min_size=args.min_size, max_size=args.max_size,
                       types=tuple(int(t) for t in args.types.split(',')),
                       occlusion_rate=args.occlusion_rate, truncation_rate=args.truncation_rate)
    print(summary(dataset))
    return dataset


if __name__ == '__main__':
    cli()
