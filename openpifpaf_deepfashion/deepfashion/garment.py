"""Predicted garments: an OpenPifPaf keypoint annotation that knows its garment type, and its painter.

The decoder returns ``GarmentAnnotation`` objects; ``openpifpaf.predict --image-output`` draws them with
the fashion skeleton in one colour per garment type, and ``--json-output`` writes the type and the
generic category id with the keypoints.
"""
import numpy as np

import openpifpaf

from . import coco_format, constants

#: Colours per clothes type for drawing (matplotlib names).
TYPE_COLORS = {constants.UPPER: 'tab:orange', constants.LOWER: 'tab:blue', constants.FULL: 'tab:purple'}

#: A slot counts as predicted when its keypoint confidence is above this.
SLOT_THRESHOLD = 0.2


def infer_clothes_type(keypoint_scores, threshold=SLOT_THRESHOLD):
    """Garment type from which slots are predicted (the type whose slots match best); a garment with no
    confident slot counts as upper, the most common type in DeepFashion."""
    return constants.clothes_type_of_slots(np.asarray(keypoint_scores) > threshold) or constants.UPPER


class GarmentAnnotation(openpifpaf.Annotation):
    """A keypoint annotation for one garment; ``clothes_type`` is set by :meth:`assign_type`."""
    clothes_type = None

    @classmethod
    def from_annotation(cls, ann):
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
        garment.assign_type()
        return garment

    def assign_type(self):
        self.clothes_type = infer_clothes_type(self.data[:, 2])
        self.category_id = coco_format.GENERIC_CATEGORY_IDS[self.clothes_type]
        return self

    def json_data(self, coordinate_digits=2):
        data = super().json_data(coordinate_digits)
        data['clothes_type'] = self.clothes_type
        data['clothes_type_name'] = constants.CLOTHES_TYPES.get(self.clothes_type)
        return data


class GarmentPainter(openpifpaf.show.KeypointPainter):
    """Draws each garment, skeleton included, in its type's colour and labels it with the type and score."""
    monocolor_connections = True
    line_width = 3

    def annotation(self, ax, ann, *, color=None, text=None, subtext=None, alpha=1.0):
        clothes_type = getattr(ann, 'clothes_type', None)
        if clothes_type in TYPE_COLORS:
            color = TYPE_COLORS[clothes_type]
            if text is None:
                text = constants.CLOTHES_TYPES[clothes_type]
                if subtext is None and getattr(ann, 'score', None):
                    subtext = '{:.0%}'.format(ann.score)
        super().annotation(ax, ann, color=color, text=text, subtext=subtext, alpha=alpha)


def register_painter():
    openpifpaf.show.annotation_painter.PAINTERS['GarmentAnnotation'] = GarmentPainter
