"""The ``deepfashion2`` data module: ``python -m openpifpaf.train --dataset=deepfashion2`` and friends.

``--deepfashion2-root ROOT`` is the converter's layout: ``ROOT/annotations/deepfashion2_{train,validation}.json``
with the images in ``ROOT/train/image/`` and ``ROOT/validation/image/``.  Training uses train, validation and
evaluation use validation (DeepFashion2's test split has no public annotations).  Heads: see :mod:`.heads`.
"""
import argparse
import os

from openpifpaf import transforms

from ..errors import UserError
from ..garment_datamodule import GarmentDataModule
from ..network.garment_cells import REGIONS
from . import constants, heads, merged
from .converter import OUTPUT_NAME
from .dataset import DeepFashion2Coco

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


class DeepFashion2(GarmentDataModule):
    """DeepFashion2 (13 categories, 294 slots): CIF and CAF over all slots and the category head."""
    dataset_name = DATASET_NAME
    option_prefix = 'deepfashion2'

    train_annotations = 'data-deepfashion2/annotations/deepfashion2_train.json'
    val_annotations = 'data-deepfashion2/annotations/deepfashion2_validation.json'
    eval_annotations = val_annotations
    train_image_dir = 'data-deepfashion2/train/image/'
    val_image_dir = 'data-deepfashion2/validation/image/'
    eval_image_dir = val_image_dir

    square_edge = 385
    upsample_stride = 1  #: 294 CIF fields: see heads.py for why not 2
    category_head = 'on'
    category_region = 'landmarks'
    landmarks = 'all'
    rescale_range = (0.5, 1.5)
    rotation = 15.0

    @property
    def head_metas(self):
        if self._head_metas is None:
            self._head_metas = heads.landmark_metas(self.upsample_stride, self.landmarks)
            if heads.wants_category_head(self.category_head):
                self._head_metas.append(heads.category_meta(region=self.category_region))
        return self._head_metas

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
        cls.shared_cli(group, upsample_help=(
            'CIF/CAF upsample stride (294 fields: 2 costs 4x head parameters and field memory)'))
        group.add_argument('--deepfashion2-category-head', default='auto', choices=('auto', 'on', 'off'),
                           help='the per-garment category head (13 categories); auto: on')
        group.add_argument('--deepfashion2-category-region', default=cls.category_region, choices=REGIONS,
                           help=('the cells a garment\'s category is trained and read out on: its landmarks\' '
                                 'box plus a margin, or its garment box (see --deepfashion-category-region)'))
        group.add_argument('--deepfashion2-landmarks', default=cls.landmarks, choices=heads.LANDMARK_SETS,
                           help='CIF / CAF over all 294 slots, or over the 62 landmarks merged across categories '
                                '(the category head says which apply); see the README for the comparison')

    @classmethod
    def configure(cls, args: argparse.Namespace):
        cls.shared_configure(args)
        for split in ('train', 'val', 'eval'):
            setattr(cls, split + '_annotations', getattr(args, 'deepfashion2_{}_annotations'.format(split)))
            setattr(cls, split + '_image_dir', getattr(args, 'deepfashion2_{}_image_dir'.format(split)))
        if args.deepfashion2_root is not None:
            check_root(args.deepfashion2_root)
            for split, (annotations, image_dir) in root_paths(args.deepfashion2_root).items():
                setattr(cls, split + '_annotations', annotations)
                setattr(cls, split + '_image_dir', image_dir)
        cls.category_head = args.deepfashion2_category_head
        cls.category_region = args.deepfashion2_category_region
        cls.landmarks = args.deepfashion2_landmarks
        if cls.landmarks == 'merged' and not heads.wants_category_head(cls.category_head):
            raise UserError('--deepfashion2-landmarks=merged needs the category head (it says which landmarks '
                            'apply): drop --deepfashion2-category-head=off')

    def _trained_landmarks(self):
        """'merged' or 'all', as the CIF head (possibly a checkpoint's, after consolidation) has them."""
        return 'merged' if list(self.head_metas[0].keypoints) == merged.KEYPOINTS else 'all'

    @property
    def landmark_names(self):
        return merged.KEYPOINTS if self._trained_landmarks() == 'merged' else constants.KEYPOINTS

    @property
    def landmark_flips(self):
        return merged.HFLIP if self._trained_landmarks() == 'merged' else constants.HFLIP

    def _split_options(self):
        return {'landmarks': self._trained_landmarks()}

    def _dataset(self, purpose, image_dir, annotations, preprocess, **kwargs):
        data = DeepFashion2Coco(image_dir, annotations, preprocess=preprocess, **kwargs)
        no_garments = None
        if purpose != 'evaluation' and not data.images:
            no_garments = 'none of its images has a garment with a labelled landmark'
        return self._checked(data, purpose, annotations, no_garments)

    def _eval_preprocess(self):
        rescale_t, padding_t = self._eval_rescale_and_pad()
        return transforms.Compose([
            transforms.NormalizeAnnotations(),
            rescale_t,
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

    def metrics(self):
        from .metrics import DeepFashion2Metric  # pylint: disable=import-outside-toplevel
        return [DeepFashion2Metric(self.eval_dataset().document, matching=self.matching)]
