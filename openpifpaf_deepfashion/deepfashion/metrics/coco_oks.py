"""COCO keypoint AP (OKS with the plugin's sigmas) for garments, via OpenPifPaf's ``metric.Coco``.

Category-agnostic: every ground-truth garment and every prediction counts as one "garment" category, since
predictions carry a garment type, not one of the 50 DeepFashion categories.
"""
import copy

import openpifpaf
from pycocotools.coco import COCO

from .. import constants

GARMENT_CATEGORY_ID = 1


def garment_coco(document):
    """A pycocotools COCO over ``document`` with all garments in one category."""
    document = copy.deepcopy(document)
    for ann in document['annotations']:
        ann['category_id'] = GARMENT_CATEGORY_ID
    document['categories'] = [{'id': GARMENT_CATEGORY_ID, 'name': 'garment',
                               'keypoints': list(constants.KEYPOINTS),
                               'skeleton': [list(p) for p in constants.SKELETON_B]}]
    coco = COCO()
    coco.dataset = document
    coco.createIndex()
    return coco


class GarmentCocoKeypoints(openpifpaf.metric.Coco):
    def __init__(self, document, max_per_image=20):
        super().__init__(garment_coco(document), max_per_image=max_per_image,
                         category_ids=[GARMENT_CATEGORY_ID], iou_type='keypoints',
                         keypoint_oks_sigmas=constants.SIGMAS)

    def accumulate(self, predictions, image_meta, *, ground_truth=None):
        n_before = len(self.predictions)
        super().accumulate(predictions, image_meta, ground_truth=ground_truth)
        for prediction in self.predictions[n_before:]:
            prediction['category_id'] = GARMENT_CATEGORY_ID

    def stats(self):
        data = super().stats()
        data['text_labels'] = ['OKS ' + label for label in data['text_labels']]
        return data
