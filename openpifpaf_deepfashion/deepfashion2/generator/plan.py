"""Planning (main process): splits, six-digit names, sources and pairs, and who wears what in each image.

Each split is a run of pairs (DeepFashion2's ``pair_id``, numbered from 1 in every split): one to four images
that show the same product, a garment with ``style`` 1.  User images (one or two people) come first; the last
image of a pair of two or more is a shop image (the product on a model, or garments laid flat), as in the
example of DeepFashion2's README.  The other garments of an image have style 0.  A person wears separates (a
top and trousers, shorts or a skirt; tucked in one time in four) or a dress (always, when only one more
garment fits the image), sometimes with outwear over them.  Garments are listed in drawing order (back to
front), the order of ``item1..itemN``.
"""
import dataclasses
from typing import Tuple

import numpy as np

from ...deepfashion.generator.options import FABRICS, TEXTURES
from .options import SPLITS

TOPS = (1, 2, 5, 6)
OUTWEAR = (3, 4)
BOTTOMS = (7, 8, 9)
DRESSES = (10, 11, 12, 13)
MAX_GARMENTS = 4

#: How often each category is an image's product (the garment its pair is about); the other garments of an
#: outfit are drawn uniformly within their group, so tops and bottoms get less weight here.
PRODUCT_WEIGHTS = {1: 0.45, 2: 0.45, 3: 0.8, 4: 0.8, 5: 0.45, 6: 0.5, 7: 0.4, 8: 0.4, 9: 0.3,
                   10: 1.0, 11: 1.0, 12: 1.0, 13: 1.0}
PAIR_SIZES = (1, 2, 3, 4)
PAIR_SIZE_WEIGHTS = (0.15, 0.35, 0.3, 0.2)
OUTWEAR_RATE = 0.25  # a person's outfit gets outwear over it
TUCKED_RATE = 0.25
#: Fabric a category is usually made of (drawn with probability FABRIC_PREFERENCE, else any).
CATEGORY_FABRICS = {2: 'Knit', 3: 'Denim', 4: 'Faux_Leather', 6: 'Chiffon', 7: 'Denim', 8: 'Denim',
                    12: 'Linen', 13: 'Chiffon'}
FABRIC_PREFERENCE = 0.5


@dataclasses.dataclass(frozen=True)
class GarmentPlan:
    category_id: int
    style: int  #: DeepFashion2 style: 1 the pair's product, 0 any other garment
    texture: str
    texture_variant: int
    fabric: str
    look: int  #: seed of the colours: a product looks the same in every image of its pair


@dataclasses.dataclass(frozen=True)
class FigurePlan:
    worn: bool  #: a person wearing the garments; False: one garment laid flat
    viewpoint: int  #: DeepFashion2 viewpoint: 1 no wear, 2 frontal, 3 side or back (here: back)
    garments: Tuple[GarmentPlan, ...]  #: drawing order, back to front


@dataclasses.dataclass(frozen=True)
class ImagePlan:
    index: int  #: position in the whole run (seeds the image)
    split: str
    name: str  #: six digits, numbered from 000001 in every split
    source: str  #: 'shop' or 'user'
    pair_id: int
    figures: Tuple[FigurePlan, ...]  #: drawing order

    @property
    def garments(self):
        return [g for figure in self.figures for g in figure.garments]


def split_sizes(n_images, fractions):
    """Images per split: the rounded fractions, the last split taking the remainder."""
    total = float(sum(fractions))
    n_train = int(round(n_images * fractions[0] / total))
    n_validation = min(n_images - n_train, int(round(n_images * fractions[1] / total)))
    return n_train, n_validation, n_images - n_train - n_validation


def garment_plan(rng, category_id, style=0):
    favourite = CATEGORY_FABRICS.get(category_id)
    fabric = favourite if favourite and rng.random() < FABRIC_PREFERENCE else str(rng.choice(FABRICS))
    texture = 'solid' if fabric == 'Denim' and rng.random() < 0.7 else str(rng.choice(TEXTURES))
    return GarmentPlan(category_id, style, texture, int(rng.integers(2)), fabric, int(rng.integers(2 ** 31)))


def outfit(rng, product=None, room=MAX_GARMENTS):
    """The garments one person wears (drawing order), built around product (a GarmentPlan) if given."""
    c = product.category_id if product else None
    if (c in DRESSES or (c is None and (room == 1 or rng.random() < 0.3))
            or (c in OUTWEAR and (room == 2 or rng.random() < 0.35))):
        base = [product if c in DRESSES else garment_plan(rng, int(rng.choice(DRESSES)))]
    else:
        top = product if c in TOPS else garment_plan(rng, int(rng.choice(TOPS)))
        bottom = product if c in BOTTOMS else garment_plan(rng, int(rng.choice(BOTTOMS)))
        base = [top, bottom] if rng.random() < TUCKED_RATE else [bottom, top]
    if c in OUTWEAR:
        return base + [product]
    if len(base) < room and rng.random() < OUTWEAR_RATE:
        return base + [garment_plan(rng, int(rng.choice(OUTWEAR)))]
    return base


def viewpoint(rng, opts):
    return 3 if rng.random() < opts.back_view_rate else 2


def image_figures(rng, product, source, opts):
    """The figures of one image: the product laid flat (shop), or worn by one of one or two people."""
    if source == 'shop' and rng.random() < opts.flat_rate:
        figures = [FigurePlan(False, 1, (product,))]
        if rng.random() < 0.6:
            other = garment_plan(rng, int(rng.choice(list(PRODUCT_WEIGHTS))))
            figures.insert(int(rng.integers(2)), FigurePlan(False, 1, (other,)))
        return tuple(figures)
    first = outfit(rng, product)
    figures = [FigurePlan(True, viewpoint(rng, opts), tuple(first))]
    if source == 'user' and len(first) < MAX_GARMENTS and rng.random() < opts.two_people_rate:
        second = outfit(rng, None, MAX_GARMENTS - len(first))
        figures.insert(int(rng.integers(2)), FigurePlan(True, viewpoint(rng, opts), tuple(second)))
    return tuple(figures)


def plan_images(n_images, seed, opts):
    """One ImagePlan per image, in index order (train, then validation, then test)."""
    rng = np.random.default_rng([seed, 0xdf2])
    categories = np.array(list(PRODUCT_WEIGHTS))
    weights = np.array(list(PRODUCT_WEIGHTS.values()))
    weights /= weights.sum()
    plans = []
    for split, size in zip(SPLITS, split_sizes(n_images, opts.split_fractions)):
        pair_id, left = 0, 0
        for number in range(1, size + 1):
            if left == 0:
                pair_id += 1
                left = int(rng.choice(PAIR_SIZES, p=PAIR_SIZE_WEIGHTS))
                shop = left > 1
                product = garment_plan(rng, int(rng.choice(categories, p=weights)), style=1)
            left -= 1
            source = 'shop' if shop and left == 0 else 'user'
            plans.append(ImagePlan(len(plans), split, '{:06d}'.format(number), source, pair_id,
                                   image_figures(rng, product, source, opts)))
    return plans
