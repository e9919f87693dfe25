"""Write a small synthetic data set in DeepFashion's exact on-disk layout.

Both benchmarks are supported: the Category & Attribute layout (``category``: ``img/<Product_Name_Category>/``,
seven list files) and the Fashion Landmark Detection layout (``fld``: ``img/``, variation_type columns).
Images are rendered garments (upper, lower and full-body) whose outline and cues (hood, zip, collar, cuffs,
belt, pockets, fabric...) follow the category, with textures, varied pose, size, position and background; some
landmarks are occluded by a bag or an arm, some are truncated by the image border.  ``style='second'`` draws
the same plan differently (other outlines, palettes, patterns, image shapes, cluttered backgrounds, distractor
objects, hands, handbags, phones and scarves as occluders).
In multi-garment mode an image holds several garments (an outfit, two people side by side):
the list files annotate one of them, as DeepFashion does, and a COCO json next to them annotates every garment.

Same seed, same bytes.  Example::

    python -m openpifpaf_deepfashion.deepfashion.generator --output data/sample --n-images 1000 --benchmark category
"""
import argparse
import functools
import multiprocessing
import os

from .. import coco_format, constants
from .layout import (ATTRIBUTE_NAME_WIDTH, CATEGORY_NAME_WIDTH, LANDMARK_COLUMN, PARTITION_COLUMN, coco_documents,
                     list_files, write_text_atomic)
from .cues import CATEGORY_CUES, CATEGORY_FABRICS, CATEGORY_TEXTURES, NEAR_CONFUSIONS, garment_shape
from .options import (ATTRIBUTE_IDS, ATTRIBUTES, BACKGROUNDS, DRAWING_STYLE_NAMES, FABRICS, FULL, LOWER, SPLITS,
                      STYLES, TEXTURES, UPPER, Options)
from .plan import GarmentPlan, ImagePlan, attribute_ids_of, plan_images
from .records import GeneratedDataset, Garment, ImageRecord
from .render import garment_sketch
from .scene import Scene, compose, render_image
from .shapes import CATEGORY_SHAPES, Shape, sample_pose

__all__ = [
    'generate', 'summary', 'cli', 'Options', 'GeneratedDataset', 'ImageRecord', 'Garment', 'CATEGORY_SHAPES',
    'ATTRIBUTES', 'ATTRIBUTE_IDS', 'BACKGROUNDS', 'FABRICS', 'STYLES', 'TEXTURES', 'SPLITS', 'UPPER', 'LOWER', 'FULL',
    'LANDMARK_COLUMN', 'PARTITION_COLUMN', 'CATEGORY_NAME_WIDTH', 'ATTRIBUTE_NAME_WIDTH', 'write_text_atomic',
    'list_files', 'coco_documents', 'GarmentPlan', 'ImagePlan', 'plan_images', 'attribute_ids_of', 'render_image',
    'Shape', 'garment_shape', 'sample_pose', 'CATEGORY_CUES', 'CATEGORY_FABRICS', 'CATEGORY_TEXTURES',
    'NEAR_CONFUSIONS', 'DRAWING_STYLE_NAMES', 'garment_sketch', 'Scene', 'compose',
]


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
    return GeneratedDataset(root, benchmark, seed, multi_garment, records, coco_files, opts.style)


def summary(dataset):
    garments = [g for r in dataset.images for g in r.garments]
    by_type = ', '.join('{} {}'.format(name, sum(g.clothes_type == t for g in garments))
                        for t, name in constants.CLOTHES_TYPES.items())
    splits = ' / '.join('{} {}'.format(s, len(dataset.split(s))) for s in SPLITS)
    extras = (', multi-garment' if dataset.multi_garment else '') + (
        ', {} style'.format(dataset.style) if dataset.style != 'default' else '')
    return '{}: {} images ({} layout{}), {} garments ({}), splits {}'.format(
        dataset.root, len(dataset.images), dataset.benchmark, extras, len(garments), by_type, splits)


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
                        help='fraction of images with an occluder over a landmark (a bag or an arm; second style: '
                             'a hand, a handbag, a phone or a scarf)')
    parser.add_argument('--truncation-rate', type=float, default=Options.truncation_rate,
                        help='fraction of garments pushed partly out of the image (besides zoom-ins)')
    parser.add_argument('--backgrounds', default=','.join(BACKGROUNDS), help='background kinds to draw from')
    parser.add_argument('--style', choices=DRAWING_STYLE_NAMES, default=Options.style,
                        help='drawing style: second draws the same plan with other lines, palettes, patterns, '
                             'image shapes, clutter, distractors and occluders')
    args = parser.parse_args(argv)
    dataset = generate(args.output, args.n_images, benchmark=args.benchmark, seed=args.seed,
                       multi_garment=args.multi_garment, workers=args.workers,
                       min_size=args.min_size, max_size=args.max_size,
                       types=tuple(int(t) for t in args.types.split(',')),
                       occlusion_rate=args.occlusion_rate, truncation_rate=args.truncation_rate,
                       backgrounds=tuple(args.backgrounds.split(',')), style=args.style)
    print(summary(dataset))
    return dataset
