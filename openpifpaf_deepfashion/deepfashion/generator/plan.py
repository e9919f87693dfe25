"""Planning (main process): what each image shows, its name, its split and its garments' attributes."""
import dataclasses
from typing import List

import numpy as np

from .. import constants
from .options import ATTRIBUTE_IDS, DEFAULT_TYPE_WEIGHTS, FABRICS, LOWER, STYLES, TEXTURE_WORDS, UPPER
from .cues import CATEGORY_FABRICS, CATEGORY_TEXTURES, PREFERENCE
from .shapes import CATEGORY_SHAPES


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


def preferred(rng, favourite, choices):
    """favourite with probability PREFERENCE (if it is among choices), else any of choices."""
    draw, other = rng.random(), str(rng.choice(choices))
    return favourite if favourite in choices and draw < PREFERENCE else other


def sample_garment_plan(rng, clothes_type, opts):
    names = [i for i, (_, t) in enumerate(constants.CATEGORIES, start=1) if t == clothes_type]
    category_id = int(rng.choice(names))
    name = constants.CATEGORY_NAMES[category_id - 1]
    return GarmentPlan(
        category_id=category_id,
        texture=preferred(rng, CATEGORY_TEXTURES.get(name), opts.textures),
        texture_variant=int(rng.integers(2)),
        fabric=preferred(rng, CATEGORY_FABRICS.get(name), FABRICS),
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
