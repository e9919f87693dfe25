"""The ``deepfashion`` data module: ``python -m openpifpaf.train --dataset=deepfashion`` and friends."""
import argparse
import glob
import os

import torch

import openpifpaf
from openpifpaf import encoder, transforms
from openpifpaf.datasets import collate_images_anns_meta, collate_images_targets_meta

from .. import checkpoint, progress
from ..errors import UserError
from ..network.category_encoder import CategoryEncoder
from ..network.category_head import READOUTS, Category
from . import coco_format, constants, heads, list_files
from .dataset import GARMENT_TYPE_CHOICES, AnnotationFileError, DeepFashionCoco
from .transforms import CropToGarments

DATASET_NAME = heads.DATASET_NAME
CONVERT = 'python -m openpifpaf_deepfashion.deepfashion.converter --root {0} --output-dir {0}/annotations'


class DataRootError(UserError, ValueError):
    """A ``--deepfashion-root`` without annotations to train or evaluate on (the message says how to make them)."""


def check_root(root):
    """Refuse a ``--deepfashion-root`` that is missing or holds no converted annotations."""
    if not os.path.isdir(root):
        raise DataRootError('--deepfashion-root {}: no such directory'.format(root))
    if glob.glob(os.path.join(glob.escape(root), 'annotations', 'deepfashion_*.json')):
        return
    wanted = '{}/annotations/deepfashion_{{train,val,test}}.json'.format(root)
    if os.path.exists(os.path.join(root, list_files.LANDMARKS)):
        raise DataRootError('--deepfashion-root {} has DeepFashion\'s list files but no annotations ({}): convert '
                            'it first with {}'.format(root, wanted, CONVERT.format(root)))
    raise DataRootError('--deepfashion-root {} has no annotations ({}) and no DeepFashion list files ({}): name a '
                        'DeepFashion root (Anno/, Eval/, img/) and convert it first with {}'.format(
                            root, wanted, list_files.LANDMARKS, CONVERT.format('ROOT')))


class DeepFashion(openpifpaf.datasets.DataModule):
    """Fashion landmarks (8 slots) with CIF and CAF heads and a category head, from the converter's COCO json."""

    data_root = 'data-deepfashion'
    train_annotations = 'data-deepfashion/annotations/deepfashion_train.json'
    val_annotations = 'data-deepfashion/annotations/deepfashion_val.json'
    eval_annotations = 'data-deepfashion/annotations/deepfashion_test.json'
    train_image_dir = 'data-deepfashion/'
    val_image_dir = 'data-deepfashion/'
    eval_image_dir = 'data-deepfashion/'

    skeleton = 'B'
    garment_types = 'all'
    n_images = None
    square_edge = 321
    upsample_stride = 1
    b_min = 1.0
    min_kp_anns = 1

    augmentation = True
    hflip = 0.5
    rescale_range = (0.7, 1.3)
    rotation = 20.0
    blur = 0.0

    eval_long_edge = 0
    eval_protocol = 'full'
    eval_crop_margin = 0.1
    matching = 'score'
    eval_n_images = None

    category_head = 'auto'
    category_readout = 'garment'
    category_upsample_stride = 1  #: the category field needs no finer grid than the trunk's

    show_progress = False

    def __init__(self):
        super().__init__()
        self._head_metas = None
        self._eval_data = None

    @property
    def head_metas(self):
        """CIF, CAF and, when the training data has categories (``--deepfashion-category-head``), the category
        head; decided on first use."""
        if self._head_metas is None:
            self._head_metas = heads.landmark_metas(self.skeleton, self.upsample_stride)
            if heads.wants_category_head(self.category_head, (self.train_annotations, self.eval_annotations)):
                self._head_metas.append(heads.category_meta(self.category_upsample_stride, self.category_readout))
        return self._head_metas

    @property
    def category_meta(self):
        return next((meta for meta in self.head_metas if isinstance(meta, Category)), None)

    @classmethod
    def cli(cls, parser: argparse.ArgumentParser):
        group = parser.add_argument_group('data module DeepFashion')
        group.add_argument('--deepfashion-root', default=None,
                           help=('directory holding annotations/deepfashion_{train,val,test}.json (the '
                                 'converter\'s --output-dir) and the images; sets all paths below at once'))
        group.add_argument('--deepfashion-multi-garment', default=None, metavar='ROOT',
                           help=('a generated sample ROOT: use its coco_multi_garment/ json (every garment '
                                 'of every image) for train, val and eval'))
        group.add_argument('--deepfashion-train-annotations', default=cls.train_annotations)
        group.add_argument('--deepfashion-val-annotations', default=cls.val_annotations)
        group.add_argument('--deepfashion-eval-annotations', default=cls.eval_annotations)
        group.add_argument('--deepfashion-train-image-dir', default=cls.train_image_dir)
        group.add_argument('--deepfashion-val-image-dir', default=cls.val_image_dir)
        group.add_argument('--deepfashion-eval-image-dir', default=cls.eval_image_dir)
        group.add_argument('--deepfashion-skeleton', default=cls.skeleton, choices=sorted(constants.SKELETONS),
                           help='A: no collar-waistline links; B: with them')
        group.add_argument('--deepfashion-garment-types', default=cls.garment_types,
                           choices=sorted(GARMENT_TYPE_CHOICES), help='train and evaluate on these garments')
        group.add_argument('--deepfashion-n-images', default=cls.n_images, type=int,
                           help='use only the first n training images')
        group.add_argument('--deepfashion-square-edge', default=cls.square_edge, type=int,
                           help='square edge of training crops')
        group.add_argument('--deepfashion-upsample', default=cls.upsample_stride, type=int,
                           help='head upsample stride')
        group.add_argument('--deepfashion-category-head', default=cls.category_head, choices=('auto', 'on', 'off'),
                           help=('the per-garment category head (50 categories); auto: on when the training json '
                                 'has DeepFashion categories, off for FLD'))
        group.add_argument('--deepfashion-category-readout', default=cls.category_readout, choices=READOUTS,
                           help=('garment: each garment votes over its own cells; image: the seed report\'s '
                                 'image-level max-pool, one category per image'))
        group.add_argument('--deepfashion-category-upsample', default=cls.category_upsample_stride, type=int,
                           help=('upsample stride of the category field (1: the trunk\'s stride; a garment\'s '
                                 'category is a vote over its cells, which needs no finer grid)'))
        group.add_argument('--deepfashion-bmin', default=cls.b_min, type=float, help='b minimum in pixels')
        group.add_argument('--deepfashion-min-kp-anns', default=cls.min_kp_anns, type=int,
                           help='train on images with at least this many garments with a labelled landmark')
        group.add_argument('--deepfashion-no-augmentation', dest='deepfashion_augmentation',
                           default=True, action='store_false', help='no augmentation at all')
        group.add_argument('--deepfashion-hflip', default=cls.hflip, type=float,
                           help='probability of a horizontal flip (left/right landmarks swapped)')
        group.add_argument('--deepfashion-rescale-range', default=cls.rescale_range, type=float, nargs=2,
                           metavar=('MIN', 'MAX'), help='random rescale range; 1 1 turns it off')
        group.add_argument('--deepfashion-rotation', default=cls.rotation, type=float,
                           help='maximum random rotation in degrees (applied to half the images); 0 turns it off')
        group.add_argument('--deepfashion-blur', default=cls.blur, type=float, help='probability of blur')
        group.add_argument('--deepfashion-eval-long-edge', default=cls.eval_long_edge, type=int,
                           help=('rescale eval images to this long edge; 0 keeps their size.  Training fits '
                                 'each image\'s long edge to --deepfashion-square-edge: evaluate at that edge'))
        group.add_argument('--deepfashion-eval-protocol', default=cls.eval_protocol, choices=('full', 'crop'),
                           help=('full: predict on the whole image; crop: crop to the ground-truth garments\' '
                                 'box plus a margin first (how the papers compare)'))
        group.add_argument('--deepfashion-eval-crop-margin', default=cls.eval_crop_margin, type=float,
                           help='margin of the crop protocol, as a fraction of the box size')
        group.add_argument('--deepfashion-matching', default=cls.matching, choices=('score', 'bbox', 'oracle'),
                           help='how a ground-truth garment is matched to a prediction in the NE metric')
        group.add_argument('--deepfashion-eval-n-images', default=cls.eval_n_images, type=int,
                           help='evaluate only the first n images')
        group.add_argument('--deepfashion-progress', default=cls.show_progress, action='store_true',
                           help=('show training progress (epoch, batch, loss, time left) on stderr, '
                                 'updated every --log-interval batches'))

    @classmethod
    def configure(cls, args: argparse.Namespace):
        cls.debug = args.debug
        cls.pin_memory = args.pin_memory

        cls.train_annotations = args.deepfashion_train_annotations
        cls.val_annotations = args.deepfashion_val_annotations
        cls.eval_annotations = args.deepfashion_eval_annotations
        cls.train_image_dir = args.deepfashion_train_image_dir
        cls.val_image_dir = args.deepfashion_val_image_dir
        cls.eval_image_dir = args.deepfashion_eval_image_dir
        if args.deepfashion_root is not None:
            check_root(args.deepfashion_root)
            cls.set_root(args.deepfashion_root, 'annotations')
        if args.deepfashion_multi_garment is not None:
            cls.set_root(args.deepfashion_multi_garment, 'coco_multi_garment')

        cls.skeleton = args.deepfashion_skeleton
        cls.garment_types = args.deepfashion_garment_types
        cls.n_images = args.deepfashion_n_images
        cls.square_edge = args.deepfashion_square_edge
        cls.upsample_stride = args.deepfashion_upsample
        cls.category_head = args.deepfashion_category_head
        cls.category_readout = args.deepfashion_category_readout
        cls.category_upsample_stride = args.deepfashion_category_upsample
        cls.b_min = args.deepfashion_bmin
        cls.min_kp_anns = args.deepfashion_min_kp_anns

        cls.augmentation = args.deepfashion_augmentation
        cls.hflip = args.deepfashion_hflip
        cls.rescale_range = tuple(args.deepfashion_rescale_range)
        cls.rotation = args.deepfashion_rotation
        cls.blur = args.deepfashion_blur

        cls.eval_long_edge = args.deepfashion_eval_long_edge
        cls.eval_protocol = args.deepfashion_eval_protocol
        cls.eval_crop_margin = args.deepfashion_eval_crop_margin
        cls.matching = args.deepfashion_matching
        cls.eval_n_images = args.deepfashion_eval_n_images

        cls.show_progress = args.deepfashion_progress
        if cls.show_progress:
            progress.install()

    @classmethod
    def set_root(cls, root, annotation_dir):
        cls.train_annotations = '{}/{}/deepfashion_train.json'.format(root, annotation_dir)
        cls.val_annotations = '{}/{}/deepfashion_val.json'.format(root, annotation_dir)
        cls.eval_annotations = '{}/{}/deepfashion_test.json'.format(root, annotation_dir)
        cls.train_image_dir = cls.val_image_dir = cls.eval_image_dir = root

    def _preprocess(self):
        cif, caf = self.head_metas[:2]  # as consolidated with a checkpoint's heads by the network factory
        encoders = [encoder.Cif(cif, bmin=self.b_min), encoder.Caf(caf, bmin=self.b_min)]
        if self.category_meta is not None:
            encoders.append(CategoryEncoder(self.category_meta))
        if not self.augmentation:
            return transforms.Compose([
                transforms.NormalizeAnnotations(),
                transforms.RescaleAbsolute(self.square_edge),
                transforms.CenterPad(self.square_edge),
                transforms.EVAL_TRANSFORM,
                transforms.Encoders(encoders),
            ])

        rescale_min, rescale_max = self.rescale_range
        return transforms.Compose([
            transforms.NormalizeAnnotations(),
            transforms.RandomApply(transforms.HFlip(constants.KEYPOINTS, constants.HFLIP), self.hflip),
            # fit the long edge to the crop first, so that rescale_range is relative to the crop size
            transforms.RescaleAbsolute(self.square_edge),
            transforms.RescaleRelative(scale_range=(rescale_min, rescale_max), power_law=True,
                                       stretch_range=(0.9, 1.1)) if rescale_max > rescale_min else None,
            transforms.RandomApply(transforms.Blur(), self.blur),
            transforms.RandomApply(transforms.RotateUniform(self.rotation), 0.5) if self.rotation else None,
            transforms.Crop(self.square_edge, use_area_of_interest=True),
            transforms.CenterPad(self.square_edge),
            transforms.TRAIN_TRANSFORM,
            transforms.Encoders(encoders),
        ])

    def _dataset(self, purpose, image_dir, annotations, preprocess, **kwargs):
        """The images of ``annotations`` for ``purpose`` ('training', 'validation' or 'evaluation'); refuses a
        split without images or garments for it, or (training) without a full batch."""
        data = DeepFashionCoco(image_dir, annotations, preprocess=preprocess,
                               clothes_types=GARMENT_TYPE_CHOICES[self.garment_types], **kwargs)
        n_images = len(data.document['images'])
        types = '--deepfashion-garment-types={}'.format(self.garment_types)
        if not n_images:
            problem = 'it lists no images'
        elif not any(data.anns_by_image[image['id']] for image in data.images):
            problem = 'none of its {} images has a garment of {}{}'.format(n_images, types, (
                ' with a labelled landmark (--deepfashion-min-kp-anns={})'.format(self.min_kp_anns)
                if purpose != 'evaluation' else ''))
        elif purpose == 'training' and len(data) < self.batch_size:
            problem = '{} images to train on, fewer than --batch-size={}'.format(len(data), self.batch_size)
        else:
            return data
        raise AnnotationFileError('{}: nothing for {}: {}'.format(annotations, purpose, problem))

    def train_loader(self):
        data = self._dataset('training', self.train_image_dir, self.train_annotations, self._preprocess(),
                             min_kp_anns=self.min_kp_anns, n_images=self.n_images)
        return torch.utils.data.DataLoader(
            data, batch_size=self.batch_size, shuffle=not self.debug,
            pin_memory=self.pin_memory, num_workers=self.loader_workers, drop_last=True,
            collate_fn=collate_images_targets_meta)

    def val_loader(self):
        data = self._dataset('validation', self.val_image_dir, self.val_annotations, self._preprocess(),
                             min_kp_anns=self.min_kp_anns)
        # every validation image counts, also where a small split (or its share under DDP) is under a batch
        return torch.utils.data.DataLoader(
            data, batch_size=self.batch_size, shuffle=False,
            pin_memory=self.pin_memory, num_workers=self.loader_workers, drop_last=False,
            collate_fn=collate_images_targets_meta)

    @staticmethod
    def distributed_sampler(loader: torch.utils.data.DataLoader):
        """OpenPifPaf's DDP sampler, keeping the loader's ``drop_last``: training drops an incomplete last
        batch, validation pads its processes' shares to equal length instead of dropping images."""
        sampler = torch.utils.data.DistributedSampler(loader.dataset, shuffle=True, drop_last=loader.drop_last)
        return torch.utils.data.DataLoader(
            loader.dataset, batch_size=loader.batch_size, drop_last=loader.drop_last, shuffle=False,
            sampler=sampler, pin_memory=loader.pin_memory, num_workers=loader.num_workers,
            collate_fn=loader.collate_fn)

    def _eval_preprocess(self):
        category_ids = [c['id'] for c in coco_format.categories(self.skeleton)]
        skeleton = constants.SKELETONS[self.skeleton]
        if self.eval_long_edge:
            rescale_t = transforms.RescaleAbsolute(self.eval_long_edge)
        else:
            rescale_t = None
        if self.batch_size == 1:
            padding_t = transforms.CenterPadTight(16)
        else:
            if not self.eval_long_edge:
                raise ValueError('evaluation with --batch-size > 1 needs --deepfashion-eval-long-edge')
            padding_t = transforms.CenterPad(self.eval_long_edge)
        return transforms.Compose([
            transforms.NormalizeAnnotations(),
            CropToGarments(self.eval_crop_margin) if self.eval_protocol == 'crop' else None,
            rescale_t,
            padding_t,
            transforms.ToAnnotations([
                transforms.ToKpAnnotations(
                    constants.CATEGORY_NAMES,
                    keypoints_by_category={c: constants.KEYPOINTS for c in category_ids},
                    skeleton_by_category={c: skeleton for c in category_ids},
                ),
            ]),
            transforms.EVAL_TRANSFORM,
        ])

    def eval_dataset(self):
        """The evaluation images; built once, shared by eval_loader() and metrics()."""
        if self._eval_data is None:
            self._eval_data = self._dataset(
                'evaluation', self.eval_image_dir, self.eval_annotations, self._eval_preprocess(),
                only_annotated=False, n_images=self.eval_n_images, blank_unreadable=True)
        return self._eval_data

    def eval_loader(self):
        checkpoint.check_trained_for(DATASET_NAME, self.head_metas)
        data = self.eval_dataset()
        return torch.utils.data.DataLoader(
            data, batch_size=self.batch_size, shuffle=False,
            pin_memory=self.pin_memory, num_workers=self.loader_workers, drop_last=False,
            collate_fn=collate_images_anns_meta)

    def metrics(self):
        from . import metrics  # pylint: disable=import-outside-toplevel
        document = self.eval_dataset().document
        return [
            metrics.NormalizedError(document, matching=self.matching),
            metrics.coco_oks.GarmentCocoKeypoints(document),
        ]
