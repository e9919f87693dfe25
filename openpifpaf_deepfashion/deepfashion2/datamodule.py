"""The ``deepfashion2`` data module: ``python -m openpifpaf.train --dataset=deepfashion2`` and friends.

``--deepfashion2-root ROOT`` is the converter's layout: ``ROOT/annotations/deepfashion2_{train,validation}.json``
with the images in ``ROOT/train/image/`` and ``ROOT/validation/image/``.  Training uses train, validation and
evaluation use validation (DeepFashion2's test split has no public annotations).  Heads: see :mod:`.heads`.
"""
import argparse
import os

import torch

import openpifpaf
from openpifpaf import encoder, transforms
from openpifpaf.datasets import collate_images_anns_meta, collate_images_targets_meta

from .. import checkpoint
from ..deepfashion.datamodule import DeepFashion
from ..errors import UserError
from ..network.category_encoder import CategoryEncoder
from ..network.category_head import Category
from . import constants, heads
from .converter import OUTPUT_NAME
from .dataset import AnnotationFileError, DeepFashion2Coco

DATASET_NAME = heads.DATASET_NAME
CONVERT = 'python -m openpifpaf_deepfashion.deepfashion2.converter --root {0} --output-dir {0}/annotations'


class DataRootError(UserError, ValueError):
    """A ``--deepfashion2-root`` without converted annotations (the message says how to make them)."""


def root_paths(root):
    """{'train'|'val'|'eval': (annotation json, image dir)} of a converted DeepFashion2 root."""
    def split(name):
        return (os.path.join(root, 'annotations', OUTPUT_NAME.format(name)), os.path.join(root, name, 'image'))
    return {'train': split('train'), 'val': split('validation'), 'eval': split('validation')}


def check_root(root):
    if not os.path.isdir(root):
        raise DataRootError('--deepfashion2-root {}: no such directory'.format(root))
    if not any(os.path.exists(path) for path, _ in root_paths(root).values()):
        raise DataRootError('--deepfashion2-root {} has no {}/annotations/deepfashion2_{{train,validation}}.json: '
                            'convert it first with {}'.format(root, root, CONVERT.format(root)))


class DeepFashion2(openpifpaf.datasets.DataModule):
    """DeepFashion2 (13 categories, 294 slots): CIF and CAF over all slots and the category head."""

    train_annotations = 'data-deepfashion2/annotations/deepfashion2_train.json'
    val_annotations = 'data-deepfashion2/annotations/deepfashion2_validation.json'
    eval_annotations = val_annotations
    train_image_dir = 'data-deepfashion2/train/image/'
    val_image_dir = 'data-deepfashion2/validation/image/'
    eval_image_dir = val_image_dir

    n_images = None
    square_edge = 385
    upsample_stride = 1  #: 294 CIF fields: see heads.py for why not 2
    category_head = 'on'
    b_min = 1.0

    augmentation = True
    hflip = 0.5
    rescale_range = (0.5, 1.5)
    rotation = 15.0
    blur = 0.0

    eval_long_edge = 0
    matching = 'score'
    eval_n_images = None

    def __init__(self):
        super().__init__()
        self._head_metas = None
        self._eval_data = None

    @property
    def head_metas(self):
        if self._head_metas is None:
            self._head_metas = heads.landmark_metas(self.upsample_stride)
            if heads.wants_category_head(self.category_head):
                self._head_metas.append(heads.category_meta())
        return self._head_metas

    @property
    def category_meta(self):
        return next((meta for meta in self.head_metas if isinstance(meta, Category)), None)

    @classmethod
    def cli(cls, parser: argparse.ArgumentParser):
        group = parser.add_argument_group('data module DeepFashion2')
        group.add_argument('--deepfashion2-root', default=None,
                           help=('converted DeepFashion2 root: annotations/deepfashion2_{train,validation}.json '
                                 'and {train,validation}/image/; sets all paths below at once'))
        for split in ('train', 'val', 'eval'):
            group.add_argument('--deepfashion2-{}-annotations'.format(split),
                               default=getattr(cls, '{}_annotations'.format(split)))
            group.add_argument('--deepfashion2-{}-image-dir'.format(split),
                               default=getattr(cls, '{}_image_dir'.format(split)))
        group.add_argument('--deepfashion2-n-images', default=cls.n_images, type=int,
                           help='use only the first n training images')
        group.add_argument('--deepfashion2-square-edge', default=cls.square_edge, type=int,
                           help='square edge of training crops')
        group.add_argument('--deepfashion2-upsample', default=cls.upsample_stride, type=int,
                           help='CIF/CAF upsample stride (294 fields: 2 costs 4x head parameters and field memory)')
        group.add_argument('--deepfashion2-category-head', default='auto', choices=('auto', 'on', 'off'),
                           help='the per-garment category head (13 categories); auto: on')
        group.add_argument('--deepfashion2-bmin', default=cls.b_min, type=float, help='b minimum in pixels')
        group.add_argument('--deepfashion2-no-augmentation', dest='deepfashion2_augmentation',
                           default=True, action='store_false', help='no augmentation at all')
        group.add_argument('--deepfashion2-hflip', default=cls.hflip, type=float,
                           help='probability of a horizontal flip (each category\'s left/right landmarks swapped)')
        group.add_argument('--deepfashion2-rescale-range', default=cls.rescale_range, type=float, nargs=2,
                           metavar=('MIN', 'MAX'), help='random rescale range; 1 1 turns it off')
        group.add_argument('--deepfashion2-rotation', default=cls.rotation, type=float,
                           help='maximum random rotation in degrees (half the images); 0 turns it off')
        group.add_argument('--deepfashion2-blur', default=cls.blur, type=float, help='probability of blur')
        group.add_argument('--deepfashion2-eval-long-edge', default=cls.eval_long_edge, type=int,
                           help='rescale eval images to this long edge; 0 keeps their size')
        group.add_argument('--deepfashion2-matching', default=cls.matching, choices=('score', 'bbox', 'oracle'),
                           help='how a ground-truth garment is matched to a prediction in the NE metric')
        group.add_argument('--deepfashion2-eval-n-images', default=cls.eval_n_images, type=int,
                           help='evaluate only the first n images')

    @classmethod
    def configure(cls, args: argparse.Namespace):
        cls.debug = args.debug
        cls.pin_memory = args.pin_memory
        for split in ('train', 'val', 'eval'):
            setattr(cls, split + '_annotations', getattr(args, 'deepfashion2_{}_annotations'.format(split)))
            setattr(cls, split + '_image_dir', getattr(args, 'deepfashion2_{}_image_dir'.format(split)))
        if args.deepfashion2_root is not None:
            check_root(args.deepfashion2_root)
            for split, (annotations, image_dir) in root_paths(args.deepfashion2_root).items():
                setattr(cls, split + '_annotations', annotations)
                setattr(cls, split + '_image_dir', image_dir)
        cls.n_images = args.deepfashion2_n_images
        cls.square_edge = args.deepfashion2_square_edge
        cls.upsample_stride = args.deepfashion2_upsample
        cls.category_head = args.deepfashion2_category_head
        cls.b_min = args.deepfashion2_bmin
        cls.augmentation = args.deepfashion2_augmentation
        cls.hflip = args.deepfashion2_hflip
        cls.rescale_range = tuple(args.deepfashion2_rescale_range)
        cls.rotation = args.deepfashion2_rotation
        cls.blur = args.deepfashion2_blur
        cls.eval_long_edge = args.deepfashion2_eval_long_edge
        cls.matching = args.deepfashion2_matching
        cls.eval_n_images = args.deepfashion2_eval_n_images

    def _encoders(self):
        cif, caf = self.head_metas[:2]  # as consolidated with a checkpoint's heads by the network factory
        encoders = [encoder.Cif(cif, bmin=self.b_min), encoder.Caf(caf, bmin=self.b_min)]
        if self.category_meta is not None:
            encoders.append(CategoryEncoder(self.category_meta))
        return transforms.Encoders(encoders)

    def _preprocess(self):
        if not self.augmentation:
            return transforms.Compose([
                transforms.NormalizeAnnotations(),
                transforms.RescaleAbsolute(self.square_edge),
                transforms.CenterPad(self.square_edge),
                transforms.EVAL_TRANSFORM,
                self._encoders(),
            ])
        rescale_min, rescale_max = self.rescale_range
        return transforms.Compose([
            transforms.NormalizeAnnotations(),
            transforms.RandomApply(transforms.HFlip(constants.KEYPOINTS, constants.HFLIP), self.hflip),
            transforms.RescaleAbsolute(self.square_edge),
            transforms.RescaleRelative(scale_range=(rescale_min, rescale_max), power_law=True,
                                       stretch_range=(0.9, 1.1)) if rescale_max > rescale_min else None,
            transforms.RandomApply(transforms.Blur(), self.blur),
            transforms.RandomApply(transforms.RotateUniform(self.rotation), 0.5) if self.rotation else None,
            transforms.Crop(self.square_edge, use_area_of_interest=True),
            transforms.CenterPad(self.square_edge),
            transforms.TRAIN_TRANSFORM,
            self._encoders(),
        ])

    def _dataset(self, purpose, image_dir, annotations, preprocess, **kwargs):
        data = DeepFashion2Coco(image_dir, annotations, preprocess=preprocess, **kwargs)
        if not data.document['images']:
            problem = 'it lists no images'
        elif purpose != 'evaluation' and not data.images:
            problem = 'none of its images has a garment with a labelled landmark'
        elif purpose == 'training' and len(data) < self.batch_size:
            problem = '{} images to train on, fewer than --batch-size={}'.format(len(data), self.batch_size)
        else:
            return data
        raise AnnotationFileError('{}: nothing for {}: {}'.format(annotations, purpose, problem))

    def train_loader(self):
        data = self._dataset('training', self.train_image_dir, self.train_annotations, self._preprocess(),
                             n_images=self.n_images)
        return torch.utils.data.DataLoader(
            data, batch_size=self.batch_size, shuffle=not self.debug, pin_memory=self.pin_memory,
            num_workers=self.loader_workers, drop_last=True, collate_fn=collate_images_targets_meta)

    def val_loader(self):
        data = self._dataset('validation', self.val_image_dir, self.val_annotations, self._preprocess())
        return torch.utils.data.DataLoader(
            data, batch_size=self.batch_size, shuffle=False, pin_memory=self.pin_memory,
            num_workers=self.loader_workers, drop_last=False, collate_fn=collate_images_targets_meta)

    distributed_sampler = staticmethod(DeepFashion.distributed_sampler)

    def _eval_preprocess(self):
        if self.batch_size == 1:
            padding_t = transforms.CenterPadTight(16)
        elif self.eval_long_edge:
            padding_t = transforms.CenterPad(self.eval_long_edge)
        else:
            raise ValueError('evaluation with --batch-size > 1 needs --deepfashion2-eval-long-edge')
        return transforms.Compose([
            transforms.NormalizeAnnotations(),
            transforms.RescaleAbsolute(self.eval_long_edge) if self.eval_long_edge else None,
            padding_t,
            transforms.ToAnnotations([
                transforms.ToKpAnnotations(
                    constants.CATEGORY_NAMES,
                    keypoints_by_category={c: constants.KEYPOINTS for c in constants.CATEGORY_IDS},
                    skeleton_by_category={c: constants.SKELETON for c in constants.CATEGORY_IDS},
                ),
            ]),
            transforms.EVAL_TRANSFORM,
        ])

    eval_dataset = DeepFashion.eval_dataset  # built once, shared by eval_loader() and metrics()

    def eval_loader(self):
        checkpoint.check_trained_for(DATASET_NAME, self.head_metas)
        return torch.utils.data.DataLoader(
            self.eval_dataset(), batch_size=self.batch_size, shuffle=False, pin_memory=self.pin_memory,
            num_workers=self.loader_workers, drop_last=False, collate_fn=collate_images_anns_meta)

    def metrics(self):
        from .metrics import DeepFashion2Metric  # pylint: disable=import-outside-toplevel
        return [DeepFashion2Metric(self.eval_dataset().document, matching=self.matching)]
