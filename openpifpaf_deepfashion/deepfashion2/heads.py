"""The deepfashion2 network's heads: one CIF and one CAF head over all 294 slots (or the merged landmarks), plus
the category head (13 categories).

Why all 294 slots (the default, ``--deepfashion2-landmarks=all``): it is OpenPifPaf's own CifCaf unchanged
(encoders, losses, C++ decoder), and DeepFashion2's slot layout already is one slot set per category end to
end, with no skeleton link between categories.  A garment labels only its category's slots; the other
categories' slots are absent (v=0), so each CIF / CAF field learns "a landmark of my category here, or
nothing": the per-category masking of issue 9, done by the targets (other categories' fields are negatives at
the garment, never ignored).  The category head then names each decoded garment, and the decoder keeps that
category's slots only.

The alternatives, measured against it (README, "Which design for the 294 slots"):

* per-category heads (13 CIF/CAF pairs): the same channels, targets and summed loss, so the same training; their
  one difference, a decoding pass per category, is what the decoder now does with the all-slot fields.
* the merged landmark set (``--deepfashion2-landmarks=merged``, :mod:`.merged`: 62 landmarks, 88 connections,
  about a quarter of the channels): at the benchmark's CPU budget it decoded far fewer garments of the right
  category (NE 0.236 against 0.191), because the category head alone names the garment there.

Size (shufflenetv2k16, 1,392 features): a CIF field has 5 output channels and a CAF connection 8, per upsample
stride squared.  294 CIF fields and 308 CAF connections are 3,934 channels at upsample 1: 5.5 M head parameters
(CIF 2.05 M, CAF 3.43 M, category 18 k) and 9.9 MB of float32 field output per 385 px training image (the targets
as much again); upsample 2 makes that 21.9 M parameters and 37.8 MB per image.  So the default is
``--deepfashion2-upsample=1`` (fields at the trunk's stride, 16).
"""
from openpifpaf import headmeta

from ..network.category_head import Category
from . import constants, merged

DATASET_NAME = 'deepfashion2'


LANDMARK_SETS = ('all', 'merged')


def landmark_metas(upsample_stride, landmarks='all'):
    """CIF and CAF head metas over the 294 slots and all categories' skeletons, or (``landmarks='merged'``) over
    the merged landmarks (:mod:`.merged`)."""
    source = merged if landmarks == 'merged' else constants
    cif = headmeta.Cif('cif', DATASET_NAME,
                       keypoints=source.KEYPOINTS,
                       sigmas=source.SIGMAS,
                       pose=source.POSE,
                       draw_skeleton=source.SKELETON)
    caf = headmeta.Caf('caf', DATASET_NAME,
                       keypoints=source.KEYPOINTS,
                       sigmas=source.SIGMAS,
                       pose=source.POSE,
                       skeleton=source.SKELETON)
    cif.upsample_stride = upsample_stride
    caf.upsample_stride = upsample_stride
    return [cif, caf]


def category_meta(upsample_stride=1, readout='garment', region='landmarks'):
    """The category head over DeepFashion2's 13 categories."""
    meta = Category('category', DATASET_NAME, categories=list(constants.CATEGORY_NAMES), readout=readout,
                    region=region)
    meta.upsample_stride = upsample_stride
    return meta


def wants_category_head(setting):
    """``'on'`` / ``'auto'``: every DeepFashion2 garment has a category, so auto means on; ``'off'``: none."""
    return setting != 'off'
