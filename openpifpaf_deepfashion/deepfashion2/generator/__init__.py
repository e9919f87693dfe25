"""Write a synthetic data set in DeepFashion2's exact raw layout: several garments per image, all 13 categories.

Layout, as DeepFashion2 ships it::

    ROOT/train/image/000001.jpg        ROOT/train/annos/000001.json
    ROOT/validation/image/000001.jpg   ROOT/validation/annos/000001.json
    ROOT/test/image/000001.jpg         ROOT/test/annos/000001.json

Six-digit names numbered from 000001 in every split.  The test split is written in the same raw form *with*
annos, for held-out evaluation here (DeepFashion2's own test split has no public annos).  Each annos file has
``source`` ('shop' or 'user'), ``pair_id`` and ``item1..itemN`` (items in drawing order, back to front),
each with ``category_id``, ``category_name`` (DeepFashion2's spelling), ``bounding_box`` [x1, y1, x2, y2],
``landmarks`` (flat x, y, v over the category's own landmarks), ``segmentation`` (polygons), ``scale``,
``occlusion``, ``zoom_in``, ``viewpoint`` (1 laid flat, no wear; 2 frontal; 3 from behind) and ``style``.

Images show one or two people wearing separates, a dress or outwear over them, or shop garments laid flat:
1-4 garments, mostly 2-3, overlapping.  A garment is the polygon of its landmarks along its outline (see
:mod:`.tops`, :mod:`.bottoms`), built on a posed body (:mod:`.body`), filled with the DeepFashion generator's
fabrics and patterns over a background of its kinds.  Visibility: outside the image v 0 (x = y = 0); covered
by a garment, person or occluder drawn later, or hidden by the garment itself, v 1; else v 2 (:mod:`.truth`).
Same seed and number of images, same bytes, whatever the number of workers.  Example::

    python -m openpifpaf_deepfashion.deepfashion2.generator --output data/df2_sample --n-images 1000 --seed 0
"""
import argparse
import collections
import dataclasses
import functools
import multiprocessing
import os
from typing import List, Tuple

from .. import constants
from ...deepfashion.generator.options import BACKGROUNDS, DRAWING_STYLE_NAMES
from .options import SPLITS, Options
from .plan import ImagePlan, plan_images
from .scene import Scene, compose, render_image

__all__ = ['generate', 'summary', 'cli', 'Options', 'GeneratedDataset', 'ImageRecord', 'ImagePlan', 'Scene',
           'compose', 'plan_images', 'SPLITS']


@dataclasses.dataclass(frozen=True)
class ImageRecord:
    split: str
    name: str  #: six digits, without extension
    width: int
    height: int
    categories: Tuple[int, ...]  #: category id of each item, item order


@dataclasses.dataclass
class GeneratedDataset:
    root: str
    seed: int
    style: str
    images: List[ImageRecord]

    def split(self, name):
        return [record for record in self.images if record.split == name]

    def category_counts(self):
        return collections.Counter(c for record in self.images for c in record.categories)


def generate(root, n_images, seed=0, workers=1, **options):
    """Write n_images under root in DeepFashion2's raw layout; returns what was written."""
    if n_images < 1:
        raise ValueError('n_images must be positive')
    opts = Options(**options)
    plans = plan_images(n_images, seed, opts)
    render = functools.partial(render_image, root=root, seed=seed, opts=opts)
    workers = max(1, min(workers or 1, n_images))
    if workers > 1:
        with multiprocessing.Pool(workers) as pool:
            rendered = pool.map(render, plans, chunksize=max(1, min(16, n_images // (4 * workers))))
    else:
        rendered = [render(plan) for plan in plans]
    return GeneratedDataset(root, seed, opts.style, [ImageRecord(*r) for r in rendered])


def summary(dataset):
    garments = sum(len(record.categories) for record in dataset.images)
    splits = ' / '.join('{} {}'.format(s, len(dataset.split(s))) for s in SPLITS)
    counts = dataset.category_counts()
    by_category = ', '.join('{} {}'.format(counts[c], constants.CATEGORY_NAMES[c - 1]) for c in constants.CATEGORY_IDS)
    return '{}: {} images ({}), {} garments ({:.2f} per image{}): {}'.format(
        dataset.root, len(dataset.images), splits, garments, garments / max(1, len(dataset.images)),
        ', {} style'.format(dataset.style) if dataset.style != 'default' else '', by_category)


def cli(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m openpifpaf_deepfashion.deepfashion2.generator', description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--output', required=True, help='data set root (train/, validation/, test/ are written)')
    parser.add_argument('--n-images', type=int, default=100, help='number of images over all splits')
    parser.add_argument('--seed', type=int, default=0, help='same seed, same bytes')
    parser.add_argument('--workers', type=int, default=os.cpu_count(), help='rendering processes')
    parser.add_argument('--style', choices=DRAWING_STYLE_NAMES, default=Options.style,
                        help='drawing style of the DeepFashion generator (second: other lines, palettes, '
                             'patterns, image shapes, clutter, distractors, occluders)')
    parser.add_argument('--min-size', type=int, default=Options.min_size, help='long image side, smallest')
    parser.add_argument('--max-size', type=int, default=Options.max_size, help='long image side, largest')
    parser.add_argument('--occlusion-rate', type=float, default=Options.occlusion_rate,
                        help='share of images with an occluder over a landmark')
    parser.add_argument('--backgrounds', default=','.join(BACKGROUNDS), help='background kinds to draw from')
    args = parser.parse_args(argv)
    dataset = generate(args.output, args.n_images, seed=args.seed, workers=args.workers, style=args.style,
                       min_size=args.min_size, max_size=args.max_size, occlusion_rate=args.occlusion_rate,
                       backgrounds=tuple(args.backgrounds.split(',')))
    print(summary(dataset))
    return dataset
