"""What the ``deepfashion`` and ``deepfashion2`` data modules share: the options both have (under each one's
prefix), the encoders (CIF, CAF and the category head's), the training transforms, the loaders with their checks,
the DDP sampler and the evaluation data set.

A subclass sets ``dataset_name``, ``option_prefix`` (``'deepfashion'``: options ``--deepfashion-*``), the
landmark names and left/right pairs that flips swap, ``head_metas``, ``_dataset`` (its COCO reader with the
check of what a split must hold), ``_eval_preprocess`` and ``metrics``.
"""
import argparse

import torch

import openpifpaf
from openpifpaf import encoder, transforms
from openpifpaf.datasets import collate_images_anns_meta, collate_images_targets_meta

from . import checkpoint
from .deepfashion.dataset import AnnotationFileError
from .network.category_encoder import CategoryEncoder
from .network.category_head import Category


class GarmentDataModule(openpifpaf.datasets.DataModule):
    """Base of the plugin's data modules (see the module docstring for what a subclass sets)."""
    dataset_name = None
    option_prefix = None
    landmark_names = None  #: the CIF fields' landmark names
    landmark_flips = None  #: {left name: right name} for the horizontal flip

    n_images = None
    square_edge = 321
    upsample_stride = 1
    b_min = 1.0

    augmentation = True
    hflip = 0.5
    rescale_range = (0.7, 1.3)
    rotation = 20.0
    blur = 0.0

    eval_long_edge = 0
    matching = 'score'
    eval_n_images = None

    def __init__(self):
        super().__init__()
        self._head_metas = None
        self._eval_data = None

    @property
    def category_meta(self):
        return next((meta for meta in self.head_metas if isinstance(meta, Category)), None)

    # --- options ---

    @classmethod
    def option(cls, name):
        """The command-line spelling of option ``name`` of this data module (``--deepfashion2-name``)."""
        return '--{}-{}'.format(cls.option_prefix, name)

    @classmethod
    def shared_cli(cls, group, upsample_help='CIF/CAF upsample stride'):
        """The options both data modules have, under this module's prefix."""
        option = cls.option
        group.add_argument(option('n-images'), default=cls.n_images, type=int,
                           help='use only the first n training images')
        group.add_argument(option('square-edge'), default=cls.square_edge, type=int,
                           help='square edge of training crops')
        group.add_argument(option('upsample'), default=cls.upsample_stride, type=int, help=upsample_help)
        group.add_argument(option('bmin'), default=cls.b_min, type=float, help='b minimum in pixels')
        group.add_argument(option('no-augmentation'), dest=cls.option_prefix + '_augmentation',
                           default=True, action='store_false', help='no augmentation at all')
        group.add_argument(option('hflip'), default=cls.hflip, type=float,
                           help='probability of a horizontal flip (left/right landmarks swapped)')
        group.add_argument(option('rescale-range'), default=cls.rescale_range, type=float, nargs=2,
                           metavar=('MIN', 'MAX'), help='random rescale range; 1 1 turns it off')
        group.add_argument(option('rotation'), default=cls.rotation, type=float,
                           help='maximum random rotation in degrees (applied to half the images); 0 turns it off')
        group.add_argument(option('blur'), default=cls.blur, type=float, help='probability of blur')
        group.add_argument(option('eval-long-edge'), default=cls.eval_long_edge, type=int,
                           help=('rescale eval images to this long edge; 0 keeps their size.  Training fits '
                                 'each image\'s long edge to {}: evaluate at that edge'.format(
                                     option('square-edge'))))
        group.add_argument(option('matching'), default=cls.matching, choices=('score', 'bbox', 'oracle'),
                           help='how a ground-truth garment is matched to a prediction in the NE metric')
        group.add_argument(option('eval-n-images'), default=cls.eval_n_images, type=int,
                           help='evaluate only the first n images')

    @classmethod
    def shared_configure(cls, args: argparse.Namespace):
        def value(name):
            return getattr(args, '{}_{}'.format(cls.option_prefix, name))

        cls.debug = args.debug
        cls.pin_memory = args.pin_memory
        cls.n_images = value('n_images')
        cls.square_edge = value('square_edge')
        cls.upsample_stride = value('upsample')
        cls.b_min = value('bmin')
        cls.augmentation = value('augmentation')
        cls.hflip = value('hflip')
        cls.rescale_range = tuple(value('rescale_range'))
        cls.rotation = value('rotation')
        cls.blur = value('blur')
        cls.eval_long_edge = value('eval_long_edge')
        cls.matching = value('matching')
        cls.eval_n_images = value('eval_n_images')

    # --- training and validation ---

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
            transforms.RandomApply(transforms.HFlip(self.landmark_names, self.landmark_flips), self.hflip),
            # fit the long edge to the crop first, so that rescale_range is relative to the crop size
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

    def _checked(self, data, purpose, annotations, no_garments=None):
        """``data`` if it can serve ``purpose``; a split without images, with ``no_garments`` (the problem, when
        the subclass found one) or, for training, without a full batch is refused naming its file."""
        if not data.document['images']:
            problem = 'it lists no images'
        elif no_garments is not None:
            problem = no_garments
        elif purpose == 'training' and len(data) < self.batch_size:
            problem = '{} images to train on, fewer than --batch-size={}'.format(len(data), self.batch_size)
        else:
            return data
        raise AnnotationFileError('{}: nothing for {}: {}'.format(annotations, purpose, problem))

    def _split_options(self):
        """Extra reader options of the training and validation splits."""
        return {}

    def train_loader(self):
        data = self._dataset('training', self.train_image_dir, self.train_annotations, self._preprocess(),
                             n_images=self.n_images, **self._split_options())
        return torch.utils.data.DataLoader(
            data, batch_size=self.batch_size, shuffle=not self.debug, pin_memory=self.pin_memory,
            num_workers=self.loader_workers, drop_last=True, collate_fn=collate_images_targets_meta)

    def val_loader(self):
        data = self._dataset('validation', self.val_image_dir, self.val_annotations, self._preprocess(),
                             **self._split_options())
        # every validation image counts, also where a small split (or its share under DDP) is under a batch
        return torch.utils.data.DataLoader(
            data, batch_size=self.batch_size, shuffle=False, pin_memory=self.pin_memory,
            num_workers=self.loader_workers, drop_last=False, collate_fn=collate_images_targets_meta)

    @staticmethod
    def distributed_sampler(loader: torch.utils.data.DataLoader):
        """OpenPifPaf's DDP sampler, keeping the loader's ``drop_last``: training drops an incomplete last
        batch, validation pads its processes' shares to equal length instead of dropping images."""
        sampler = torch.utils.data.DistributedSampler(loader.dataset, shuffle=True, drop_last=loader.drop_last)
        return torch.utils.data.DataLoader(
            loader.dataset, batch_size=loader.batch_size, drop_last=loader.drop_last, shuffle=False,
            sampler=sampler, pin_memory=loader.pin_memory, num_workers=loader.num_workers,
            collate_fn=loader.collate_fn)

    # --- evaluation ---

    def _eval_rescale_and_pad(self):
        """(rescale, pad) transforms of evaluation: one image per batch is padded tightly, a batch of several
        needs the common size that ``eval-long-edge`` gives."""
        rescale_t = transforms.RescaleAbsolute(self.eval_long_edge) if self.eval_long_edge else None
        if self.batch_size == 1:
            return rescale_t, transforms.CenterPadTight(16)
        if not self.eval_long_edge:
            raise ValueError('evaluation with --batch-size > 1 needs {}'.format(self.option('eval-long-edge')))
        return rescale_t, transforms.CenterPad(self.eval_long_edge)

    def eval_dataset(self):
        """The evaluation images; built once, shared by eval_loader() and metrics()."""
        if self._eval_data is None:
            self._eval_data = self._dataset(
                'evaluation', self.eval_image_dir, self.eval_annotations, self._eval_preprocess(),
                only_annotated=False, n_images=self.eval_n_images, blank_unreadable=True)
        return self._eval_data

    def eval_loader(self):
        checkpoint.check_trained_for(self.dataset_name, self.head_metas)
        return torch.utils.data.DataLoader(
            self.eval_dataset(), batch_size=self.batch_size, shuffle=False, pin_memory=self.pin_memory,
            num_workers=self.loader_workers, drop_last=False, collate_fn=collate_images_anns_meta)
