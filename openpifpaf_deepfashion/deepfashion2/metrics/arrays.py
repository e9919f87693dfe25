"""DeepFashion2 ground truth and predictions as arrays: one row per garment, 294 slots each, in original image
coordinates.

Predictions are rounded as they are written (coordinates and boxes to 2 decimals, a predicted keypoint's
confidence to at least 0.01, the score to 3 decimals and at least 0.001, as OpenPifPaf's ``json_data``), so
that every figure computed from them is the same when a written result file is evaluated again.
"""
import numpy as np

from .. import constants
from ...deepfashion.metrics.arrays import GroundTruth as _SizedGroundTruth
from ...deepfashion.metrics.arrays import load_document

N_SLOTS = constants.N_SLOTS
#: COCO visibility codes of a DeepFashion2 landmark (0: not labelled).
VISIBLE, OCCLUDED = 2, 1


class GroundTruth(_SizedGroundTruth):
    """Garments of a COCO-style DeepFashion2 json by image id; image sizes as the first evaluator reads them
    (the json, else the image meta)."""

    def __init__(self, coco):
        self.document = load_document(coco)
        super().__init__(self.document)

    def known(self, image_id):
        return image_id in self._sizes

    def garments(self, image_id):
        if not self.known(image_id):
            self._warn_once('unknown', 'image %s is not in the ground-truth json', image_id)
        return Garments(self._annotations.get(image_id, []))


class Garments:
    """The ground-truth garments of one image, one row each."""

    def __init__(self, annotations):
        self.n = len(annotations)
        self.ids = [ann.get('id') for ann in annotations]
        self.keypoints = np.array([ann['keypoints'] for ann in annotations], dtype=np.float64).reshape(
            self.n, N_SLOTS, 3)
        self.boxes = np.array([ann['bbox'] for ann in annotations], dtype=np.float64).reshape(self.n, 4)
        self.category_ids = np.array([ann['category_id'] for ann in annotations], dtype=int).reshape(self.n)


class Predictions:
    """The predictions of one image, one row each: (p, 294, 3) keypoints (x, y, confidence), scores,
    category ids (1-13) and [x, y, w, h] boxes."""

    def __init__(self, keypoints, scores, category_ids, boxes):
        self.keypoints = np.asarray(keypoints, dtype=np.float64).reshape(-1, N_SLOTS, 3)
        self.n = self.keypoints.shape[0]
        self.scores = np.asarray(scores, dtype=np.float64).reshape(self.n)
        self.category_ids = np.asarray(category_ids, dtype=int).reshape(self.n)
        self.boxes = np.asarray(boxes, dtype=np.float64).reshape(self.n, 4)
        for c in self.category_ids:
            if c not in constants.N_LANDMARKS:
                raise ValueError('a prediction has category_id {}, DeepFashion2 has 1-13'.format(c))

    @classmethod
    def from_annotations(cls, predictions):
        """From OpenPifPaf annotations (``.data`` (294, 3), ``.score``, ``.category_id``, ``.bbox()``), rounded
        as they are written."""
        predictions = [p for p in predictions if getattr(p, 'data', None) is not None]
        for p in predictions:
            if np.shape(p.data)[0] != N_SLOTS:
                raise ValueError('a prediction has {} keypoints, the DeepFashion2 metric needs {}: the checkpoint '
                                 'was trained for another dataset'.format(np.shape(p.data)[0], N_SLOTS))
        keypoints = np.array([np.asarray(p.data, dtype=np.float64)[:, :3] for p in predictions])
        keypoints = keypoints.reshape(-1, N_SLOTS, 3)
        return cls(round_keypoints(keypoints), [round_score(p.score) for p in predictions],
                   [int(p.category_id) for p in predictions],
                   np.round(np.array([[float(v) for v in p.bbox()] for p in predictions]).reshape(-1, 4), 2))

    def subset(self, indices):
        indices = np.asarray(indices, dtype=int).reshape(-1)
        return Predictions(self.keypoints[indices], self.scores[indices], self.category_ids[indices],
                           self.boxes[indices])

    def top(self, n=1):
        """The n highest-scoring predictions (ties: the earlier one)."""
        return self.subset(np.argsort(-self.scores, kind='stable')[:n])


class CategorySlots:
    """The predictions of one image kept small for the AP and the result files: per prediction only its
    category's slots (nothing reads the others), its score, category and box."""

    def __init__(self, pred):
        self.category_ids = pred.category_ids.copy()
        self.scores = pred.scores.copy()
        self.boxes = pred.boxes.copy()
        self.slots = [pred.keypoints[p, slice(*constants.SLOT_RANGES[c])].copy()
                      for p, c in enumerate(self.category_ids)]

    def expand(self):
        """Predictions with the kept slots in place and 0 in all others."""
        keypoints = np.zeros((len(self.slots), N_SLOTS, 3))
        for p, c in enumerate(self.category_ids):
            keypoints[p, slice(*constants.SLOT_RANGES[c])] = self.slots[p]
        return Predictions(keypoints, self.scores, self.category_ids, self.boxes)


def round_keypoints(keypoints):
    """(p, k, 3) rounded to 2 decimals; a predicted keypoint (confidence > 0) keeps a confidence >= 0.01."""
    keypoints = np.array(keypoints, dtype=np.float64)
    predicted = keypoints[..., 2] > 0.0
    keypoints[..., 2] = np.where(predicted, np.maximum(keypoints[..., 2], 0.01), 0.0)
    return np.round(keypoints, 2)


def round_score(score):
    return max(0.001, round(float(score), 3))


def keypoint_box(keypoints):
    """[x, y, w, h] around the predicted (confidence > 0) keypoints of a (k, 3) array; zeros if none."""
    predicted = keypoints[:, 2] > 0.0
    if not predicted.any():
        return [0.0, 0.0, 0.0, 0.0]
    x0, y0 = keypoints[predicted, :2].min(axis=0)
    x1, y1 = keypoints[predicted, :2].max(axis=0)
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]
