"""Predicted garments: an OpenPifPaf keypoint annotation with a garment type, a category and an honest score,
and its painter.

The garment type comes from the predicted category when the network has a category head (the type of that
category), else from which slots were predicted.  Both are kept: ``clothes_type_source`` says which one
decided, and ``slot_clothes_type`` is written whenever the slots say otherwise.

``score`` is the mean keypoint confidence over the slots of the garment's own type, so that an upper (6 slots),
a lower (4) and a full (8) garment predicted equally well score the same; NMS ranking, ``--instance-threshold``,
OKS AP and the metric's ``score`` matching all use it.
"""
import numpy as np

import openpifpaf

from . import coco_format, constants

#: Colours per clothes type for drawing (matplotlib names).
TYPE_COLORS = {constants.UPPER: 'tab:orange', constants.LOWER: 'tab:blue', constants.FULL: 'tab:purple'}

#: A slot counts as predicted when its keypoint confidence is above this.
SLOT_THRESHOLD = 0.2

#: How many categories ``--json-output`` lists in ``category_scores``.
TOP_CATEGORIES = 5


def infer_clothes_type(keypoint_scores, threshold=SLOT_THRESHOLD):
    """Garment type from which slots are predicted (the type whose slots match best); a garment with no
    confident slot counts as upper, the most common type in DeepFashion."""
    return constants.clothes_type_of_slots(np.asarray(keypoint_scores) > threshold) or constants.UPPER


class GarmentAnnotation(openpifpaf.Annotation):
    """A keypoint annotation for one garment (see the module docstring)."""
    clothes_type = None
    slot_clothes_type = None
    clothes_type_source = 'slots'
    category_scores = None  #: probabilities of the 50 categories (index = category id - 1), or None

    @classmethod
    def from_annotation(cls, ann, category_scores=None):
        garment = cls(ann.keypoints, ann.skeleton, ann.sigmas,
                      categories=ann.categories, score_weights=ann.score_weights)
        garment.data = ann.data
        garment.joint_scales = ann.joint_scales
        garment.fixed_score = ann.fixed_score
        garment.fixed_bbox = ann.fixed_bbox
        garment.decoding_order = ann.decoding_order
        garment.frontier_order = ann.frontier_order
        if hasattr(ann, 'id_'):
            garment.id_ = ann.id_
        garment.assign_type(category_scores)
        return garment

    def assign_type(self, category_scores=None):
        """Category and type from ``category_scores`` if given, else the type from the slots."""
        self.slot_clothes_type = infer_clothes_type(self.data[:, 2])
        if category_scores is None:
            self.category_scores = None
            self.clothes_type = self.slot_clothes_type
            self.clothes_type_source = 'slots'
            self.category_id = coco_format.GENERIC_CATEGORY_IDS[self.clothes_type]
            return self
        self.category_scores = np.asarray(category_scores, dtype=np.float64)
        self.category_id = int(np.argmax(self.category_scores)) + 1
        self.clothes_type = constants.category_type(self.category_id)
        self.clothes_type_source = 'category'
        return self

    @property
    def category_name(self):
        if self.category_scores is None:
            return None
        return constants.CATEGORY_NAMES[self.category_id - 1]

    @property
    def category_probability(self):
        if self.category_scores is None:
            return None
        return float(self.category_scores[self.category_id - 1])

    @property
    def score(self):
        if self.fixed_score is not None:
            return self.fixed_score
        return constants.type_score(self.data[:, 2], self.clothes_type or constants.FULL)

    def top_categories(self, k=TOP_CATEGORIES):
        """The k most probable categories as {id: probability}, most probable first."""
        order = np.argsort(-self.category_scores, kind='stable')[:k]
        return {int(i) + 1: round(float(self.category_scores[i]), 4) for i in order}

    def json_data(self, coordinate_digits=2):
        data = super().json_data(coordinate_digits)
        data['clothes_type'] = self.clothes_type
        data['clothes_type_name'] = constants.CLOTHES_TYPES.get(self.clothes_type)
        data['clothes_type_source'] = self.clothes_type_source
        if self.slot_clothes_type != self.clothes_type:
            data['slot_clothes_type'] = self.slot_clothes_type
        if self.category_scores is not None:
            data['category_name'] = self.category_name
            data['category_scores'] = self.top_categories()
        return data


class GarmentPainter(openpifpaf.show.KeypointPainter):
    """Draws each garment, skeleton included, in its type's colour, labelled "Blouse 87 %" (its category and
    that category's probability) or, without a category head, with its type and score."""
    monocolor_connections = True
    line_width = 3

    def annotation(self, ax, ann, *, color=None, text=None, subtext=None, alpha=1.0):
        clothes_type = getattr(ann, 'clothes_type', None)
        if clothes_type in TYPE_COLORS:
            color = TYPE_COLORS[clothes_type]
            if text is None:
                text = garment_label(ann)
        super().annotation(ax, ann, color=color, text=text, subtext=subtext, alpha=alpha)


def garment_label(ann):
    """"Blouse 87 %" with a category, else "upper 62 %" (type and score)."""
    if getattr(ann, 'category_name', None):
        return '{} {:.0f} %'.format(ann.category_name, 100.0 * ann.category_probability)
    return '{} {:.0f} %'.format(constants.CLOTHES_TYPES[ann.clothes_type], 100.0 * (ann.score or 0.0))


def register_painter():
    openpifpaf.show.annotation_painter.PAINTERS['GarmentAnnotation'] = GarmentPainter
