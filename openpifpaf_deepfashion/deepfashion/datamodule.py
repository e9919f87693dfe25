"""The ``deepfashion`` data module: ``python -m openpifpaf.train --dataset=deepfashion`` and friends."""
import argparse
import glob
import os

from openpifpaf import transforms

from .. import progress
from ..errors import UserError
from ..garment_datamodule import GarmentDataModule
from ..network.category_head import READOUTS
from ..network.garment_cells import LANDMARK_MARGIN, REGIONS
from . import coco_format, constants, heads, list_files
from .dataset import GARMENT_TYPE_CHOICES, DeepFashionCoco
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


class DeepFashion(GarmentDataModule):
    """Fashion landmarks (8 slots) with CIF and CAF heads and a category head, from the converter's COCO json."""
    dataset_name = DATASET_NAME
    option_prefix = 'deepfashion'
    landmark_names = constants.KEYPOINTS
    landmark_flips = constants.HFLIP

    data_root = 'data-deepfashion'
    train_annotations = 'data-deepfashion/annotations/deepfashion_train.json'
    val_annotations = 'data-deepfashion/annotations/deepfashion_val.json'
    eval_annotations = 'data-deepfashion/annotations/deepfashion_test.json'
    train_image_dir = 'data-deepfashion/'
    val_image_dir = 'data-deepfashion/'
    eval_image_dir = 'data-deepfashion/'

    skeleton = 'B'
    garment_types = 'all'
    square_edge = 321
    min_kp_anns = 1

    eval_protocol = 'full'
    eval_crop_margin = 0.1

    category_head = 'auto'
    category_readout = 'garment'
    category_region = 'landmarks'
    category_upsample_stride = 1  #: the category field needs no finer grid than the trunk's

    show_progress = False

    @property
    def head_metas(self):
        """CIF, CAF and, when the training data has categories (``--deepfashion-category-head``), the category
        head; decided on first use."""
        if self._head_metas is None:
            self._head_metas = heads.landmark_metas(self.skeleton, self.upsample_stride)
            if heads.wants_category_head(self.category_head, (self.train_annotations, self.eval_annotations)):
                self._head_metas.append(heads.category_meta(
                    self.category_upsample_stride, self.category_readout, self.category_region))
        return self._head_metas

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
        cls.shared_cli(group, upsample_help='head upsample stride')
        group.add_argument('--deepfashion-category-head', default=cls.category_head, choices=('auto', 'on', 'off'),
                           help=('the per-garment category head (50 categories); auto: on when the training json '
                                 'has DeepFashion categories, off for FLD'))
        group.add_argument('--deepfashion-category-readout', default=cls.category_readout, choices=READOUTS,
                           help=('garment: each cell is trained on its garment\'s category and the garment votes '
                                 'over its cells; pooled: each garment is trained and read out on the mean logits '
                                 'of its cells; image: the seed report\'s image-level max-pool, one category per '
                                 'image'))
        group.add_argument('--deepfashion-category-region', default=cls.category_region, choices=REGIONS,
                           help=('the cells a garment is trained and read out on: landmarks: its landmarks\' '
                                 'box plus {:.0f} %% each side (decoding computes it from the decoded landmarks); '
                                 'box: its garment box in training, the decoded garment\'s box in decoding'
                                 ).format(100 * LANDMARK_MARGIN))
        group.add_argument('--deepfashion-category-upsample', default=cls.category_upsample_stride, type=int,
                           help=('upsample stride of the category field (1: the trunk\'s stride; a garment\'s '
                                 'category is a vote over its cells, which needs no finer grid)'))
        group.add_argument('--deepfashion-min-kp-anns', default=cls.min_kp_anns, type=int,
                           help='train on images with at least this many garments with a labelled landmark')
        group.add_argument('--deepfashion-eval-protocol', default=cls.eval_protocol, choices=('full', 'crop'),
                           help=('full: predict on the whole image; crop: crop to the ground-truth garments\' '
                                 'box plus a margin first (how the papers compare)'))
        group.add_argument('--deepfashion-eval-crop-margin', default=cls.eval_crop_margin, type=float,
                           help='margin of the crop protocol, as a fraction of the box size')
        group.add_argument('--deepfashion-progress', default=cls.show_progress, action='store_true',
                           help=('show training progress (epoch, batch, loss, time left) on stderr, '
                                 'updated every --log-interval batches'))

    @classmethod
    def configure(cls, args: argparse.Namespace):
        cls.shared_configure(args)
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
        cls.category_head = args.deepfashion_category_head
        cls.category_readout = args.deepfashion_category_readout
        cls.category_region = args.deepfashion_category_region
        cls.category_upsample_stride = args.deepfashion_category_upsample
        cls.min_kp_anns = args.deepfashion_min_kp_anns
        cls.eval_protocol = args.deepfashion_eval_protocol
        cls.eval_crop_margin = args.deepfashion_eval_crop_margin

        cls.show_progress = args.deepfashion_progress
        if cls.show_progress:
            progress.install()

    @classmethod
    def set_root(cls, root, annotation_dir):
        cls.train_annotations = '{}/{}/deepfashion_train.json'.format(root, annotation_dir)
        cls.val_annotations = '{}/{}/deepfashion_val.json'.format(root, annotation_dir)
        cls.eval_annotations = '{}/{}/deepfashion_test.json'.format(root, annotation_dir)
        cls.train_image_dir = cls.val_image_dir = cls.eval_image_dir = root

    def _split_options(self):
        return {'min_kp_anns': self.min_kp_anns}

    def _dataset(self, purpose, image_dir, annotations, preprocess, **kwargs):
        """The images of ``annotations`` for ``purpose`` ('training', 'validation' or 'evaluation'); refuses a
        split without images or garments for it, or (training) without a full batch."""
        data = DeepFashionCoco(image_dir, annotations, preprocess=preprocess,
                               clothes_types=GARMENT_TYPE_CHOICES[self.garment_types], **kwargs)
        no_garments = None
        if not any(data.anns_by_image[image['id']] for image in data.images):
            no_garments = 'none of its {} images has a garment of --deepfashion-garment-types={}{}'.format(
                len(data.document['images']), self.garment_types,
                ' with a labelled landmark (--deepfashion-min-kp-anns={})'.format(self.min_kp_anns)
                if purpose != 'evaluation' else '')
        return self._checked(data, purpose, annotations, no_garments)

    def _eval_preprocess(self):
        category_ids = [c['id'] for c in coco_format.categories(self.skeleton)]
        skeleton = constants.SKELETONS[self.skeleton]
        rescale_t, padding_t = self._eval_rescale_and_pad()
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

    def metrics(self):
        from . import metrics  # pylint: disable=import-outside-toplevel
        document = self.eval_dataset().document
        return [
            metrics.NormalizedError(document, matching=self.matching),
            metrics.coco_oks.GarmentCocoKeypoints(document),
        ]
