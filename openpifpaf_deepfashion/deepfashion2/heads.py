"""The deepfashion2 network's heads, first design: one CIF and one CAF head over all 294 slots, plus the
category head (13 categories).

Why this design first: it is OpenPifPaf's own CifCaf unchanged (encoders, losses, C++ decoder), and
DeepFashion2's slot layout already is one slot set per category end to end, with no skeleton link between
categories.  A garment labels only its category's slots; the other categories' slots are absent (v=0), so each
CIF / CAF field learns "a landmark of my category here, or nothing": the per-category masking of issue 9, done
by the targets (other categories' fields are negatives at the garment, never ignored).  The category head then
names each decoded garment, and the decoder keeps that category's slots only.

Alternatives, to be measured against this one later (not built here):

* per-category heads (13 CIF/CAF pairs): the same outputs split into 13 heads; lets each category have its own
  upsample stride, loss weight and decoder run, at 13 decoder passes per image and 13x the head bookkeeping.
* a merged, shared landmark set (e.g. neckline, shoulders, sleeve ends, waist, hem shared across categories,
  some 50-60 slots): far fewer fields (about 1/5 of the CIF/CAF channels and memory), more training signal per
  field, and the category head chooses which merged slots apply and maps them back to the category's landmarks;
  it needs a hand-made merge table and makes the category head's errors landmark errors.

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


def category_meta(upsample_stride=1, readout='garment'):
    """The category head over DeepFashion2's 13 categories."""
    meta = Category('category', DATASET_NAME, categories=list(constants.CATEGORY_NAMES), readout=readout)
    meta.upsample_stride = upsample_stride
    return meta


def wants_category_head(setting):
    """``'on'`` / ``'auto'``: every DeepFashion2 garment has a category, so auto means on; ``'off'``: none."""
    return setting != 'off'
