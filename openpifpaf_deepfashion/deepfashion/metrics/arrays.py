"""The evaluator's inputs as arrays: the ground truth of a COCO json by image, and one image's garments and
predictions, one row each, in original image coordinates."""
import json
import logging
import os

import numpy as np

from .. import coco_format, constants

LOG = logging.getLogger(__name__)

N_KEYPOINTS = len(constants.KEYPOINTS)
#: COCO visibility codes of a ground-truth landmark.
VISIBLE, OCCLUDED, TRUNCATED = 2, 1, 0
#: Names of every category id this plugin writes (1-50 DeepFashion, 51-53 generic garments of FLD).
CATEGORY_LABELS = {c['id']: c['name'] for c in coco_format.categories()}


class GroundTruth:
    """Garments of a COCO json by image id, as arrays in original image coordinates (built per evaluated image)."""

    def __init__(self, coco):
        document = load_document(coco)
        self._sizes = {image['id']: (image.get('width'), image.get('height'))
                       for image in document.get('images', [])}
        self._annotations = {}
        for ann in document.get('annotations', []):
            self._annotations.setdefault(ann['image_id'], []).append(ann)
        self._warned = set()

    def image_size(self, image_id, meta_width_height=None):
        """(W, H) of the original image: from the json, else from the image meta."""
        width, height = self._sizes.get(image_id, (None, None))
        if meta_width_height is not None:
            meta_w, meta_h = (float(v) for v in meta_width_height)
            if width is None or height is None:
                self._warn_once('size', 'image %s: no size in the json, using the image meta', image_id)
                width, height = meta_w, meta_h
            elif (meta_w, meta_h) != (float(width), float(height)):
                self._warn_once('mismatch', 'image %s: json size %sx%s differs from the image meta %sx%s; using '
                                'the json', image_id, width, height, meta_w, meta_h)
        if not width or not height:
            raise ValueError('image {}: unknown image size'.format(image_id))
        return float(width), float(height)

    def garments(self, image_id):
        if image_id not in self._sizes:
            self._warn_once('unknown', 'image %s is not in the ground-truth json', image_id)
        return GarmentArrays(self._annotations.get(image_id, []))

    def _warn_once(self, key, message, *args):
        if key not in self._warned:
            self._warned.add(key)
            LOG.warning(message + ' (warned once)', *args)


class GarmentArrays:
    """The ground-truth garments of one image as arrays, one row per garment."""

    def __init__(self, annotations):
        self.n = len(annotations)
        self.ids = [ann.get('id') for ann in annotations]
        self.keypoints = np.array([ann['keypoints'] for ann in annotations], dtype=np.float64).reshape(
            self.n, N_KEYPOINTS, 3)
        self.boxes = np.array([ann['bbox'] for ann in annotations], dtype=np.float64).reshape(self.n, 4)
        self.category_ids = np.array([ann['category_id'] for ann in annotations], dtype=int)
        self.clothes_types = np.array([constants.annotation_clothes_type(ann) for ann in annotations], dtype=int)
        self.variation_types = np.array([ann.get('variation_type') or 0 for ann in annotations], dtype=int)


class PredictionArrays:
    """The predictions of one image (OpenPifPaf annotations) as arrays, one row per prediction."""

    def __init__(self, predictions):
        predictions = [p for p in predictions if getattr(p, 'data', None) is not None]
        for p in predictions:
            if np.shape(p.data)[0] != N_KEYPOINTS:
                raise ValueError('a prediction has {} keypoints, the fashion metric needs {}: the checkpoint was '
                                 'trained for another dataset'.format(np.shape(p.data)[0], N_KEYPOINTS))
        self.n = len(predictions)
        self.keypoints = np.array([np.asarray(p.data, dtype=np.float64)[:, :3] for p in predictions],
                                  dtype=np.float64).reshape(self.n, N_KEYPOINTS, 3)
        self.scores = np.array([float(p.score) for p in predictions], dtype=np.float64)
        self.category_ids = [int(p.category_id) for p in predictions]
        self.boxes = np.array([[float(c) for c in p.bbox()] for p in predictions],
                              dtype=np.float64).reshape(self.n, 4)
        self.category_scores = [category_scores_of(p) for p in predictions]
        #: The prediction's own garment type (1 upper, 2 lower, 3 full), 0 where it has none.
        self.clothes_types = [clothes_type_of(p) for p in predictions]
        self.category_names = [getattr(p, 'category_name', None) for p in predictions]


def category_scores_of(prediction):
    scores = getattr(prediction, 'category_scores', None)
    if scores is None:
        return None
    return np.asarray(scores, dtype=np.float64).reshape(-1)


def clothes_type_of(prediction):
    clothes_type = getattr(prediction, 'clothes_type', None)
    return int(clothes_type) if clothes_type in constants.CLOTHES_TYPES else 0


def load_document(coco):
    if isinstance(coco, (str, os.PathLike)):
        with open(coco, encoding='utf-8') as f:
            return json.load(f)
    if hasattr(coco, 'dataset'):  # pycocotools.coco.COCO
        return coco.dataset
    return coco
