"""The deepfashion network's heads: CIF and CAF over the 8 landmarks, and the category head (50 categories)."""
import functools
import json
import logging
import os

from openpifpaf import headmeta

from ..network.category_head import Category
from . import constants

LOG = logging.getLogger(__name__)

DATASET_NAME = 'deepfashion'


def landmark_metas(skeleton_name, upsample_stride):
    """CIF and CAF head metas of the fashion skeleton ``skeleton_name`` ('A' or 'B')."""
    skeleton = constants.SKELETONS[skeleton_name]
    cif = headmeta.Cif('cif', DATASET_NAME,
                       keypoints=constants.KEYPOINTS,
                       sigmas=constants.SIGMAS,
                       pose=constants.CANONICAL_POSE,
                       draw_skeleton=skeleton,
                       score_weights=constants.SCORE_WEIGHTS)
    caf = headmeta.Caf('caf', DATASET_NAME,
                       keypoints=constants.KEYPOINTS,
                       sigmas=constants.SIGMAS,
                       pose=constants.CANONICAL_POSE,
                       skeleton=skeleton)
    cif.upsample_stride = upsample_stride
    caf.upsample_stride = upsample_stride
    return [cif, caf]


def category_meta(upsample_stride, readout='garment', region='landmarks'):
    meta = Category('category', DATASET_NAME, categories=list(constants.CATEGORY_NAMES), readout=readout,
                    region=region)
    meta.upsample_stride = upsample_stride
    return meta


@functools.lru_cache(maxsize=8)
def json_has_categories(path):
    """Whether a COCO json of this plugin labels garments with DeepFashion categories (1-50); None if the file
    is not there.  (FLD garments carry the generic ids 51-53.)"""
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8') as f:
        document = json.load(f)
    return any(1 <= ann.get('category_id', 0) <= len(constants.CATEGORIES)
               for ann in document.get('annotations', []))


def wants_category_head(setting, annotation_files):
    """``setting`` 'on' / 'off', or 'auto': on when the first existing file of ``annotation_files`` has
    DeepFashion categories (off for FLD), on when none exists.  Logs its decision once."""
    if setting in ('on', 'off'):
        return setting == 'on'
    for path in annotation_files:
        has_categories = json_has_categories(path)
        if has_categories is None:
            continue
        if not has_categories:
            LOG.info('%s has no DeepFashion category labels (FLD): no category head', path)
        return has_categories
    return True
