"""Keypoint AP and box AP as DeepFashion2 defines them, computed with pycocotools' COCOeval.

DeepFashion2's own evaluation (``deepfashion2_api/PythonAPI/pycocotools/cocoeval.py`` of
switchablenorms/DeepFashion2) is COCO's: per category id (``useCats``), OKS over the landmarks that the ground
truth labels (v > 0) with its 294 per-landmark sigmas (``constants.SIGMAS``, copied from that file), the
garment's ``area`` (box w * h) as the scale, keypoint maxDets 20, and AP the mean over the categories that have
ground truth.  Evaluation per category means that a prediction is only ever compared with garments of its own
category: with the wrong category it is a false positive of its category, and the garment is missed in its own.
A garment of category c labels only c's slots, so a prediction of category c is compared on c's slots alone.

Here keypoint AP runs one pycocotools COCOeval per category on that category's slots only (ground truth and
predictions sliced to ``SLOT_RANGES[c]``, ``kpt_oks_sigmas`` = ``SIGMAS_BY_CATEGORY[c]``).  That is the same
computation as DeepFashion2's single 294-slot evaluation (its OKS sums over the slots the ground truth labels,
all inside c's range; categories are evaluated independently), at 1/13 of the memory; the combined figures are
the mean over categories of the defined per-category figures, as ``COCOeval.summarize`` averages over
categories (tests/test_deepfashion2_metrics.py checks the equality against a 294-slot evaluation).  One corner
differs: a garment without any labelled landmark is ignored by both, but the OKS that decides whether an
overlapping prediction is then ignored too (COCO's distance to the doubled box) averages over c's slots here
and over all 294 there.  Box AP is one pycocotools bbox COCOeval over all categories.
"""
import contextlib
import io

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from .. import constants
from ..converter import categories as coco_categories
from ...deepfashion.metrics.values import UNDEFINED

KEYPOINT_LABELS = ('AP', 'AP0.5', 'AP0.75', 'APM', 'APL', 'AR', 'AR0.5', 'AR0.75', 'ARM', 'ARL')
BOX_LABELS = ('AP', 'AP0.5', 'AP0.75', 'APS', 'APM', 'APL', 'ART1', 'ART10', 'AR', 'ARS', 'ARM', 'ARL')


def _coco(document):
    coco = COCO()
    coco.dataset = document
    with contextlib.redirect_stdout(io.StringIO()):
        coco.createIndex()
    return coco


def ground_truth_annotations(document):
    """The document's annotations as pycocotools needs them: shallow copies with ``iscrowd`` (0),
    ``num_keypoints`` (labelled slots) and ``area`` (box w * h) where missing."""
    result = []
    for ann in document.get('annotations', []):
        ann = dict(ann)
        ann.setdefault('iscrowd', 0)
        if 'num_keypoints' not in ann:
            ann['num_keypoints'] = int(np.count_nonzero(np.asarray(ann['keypoints'])[2::3] > 0))
        if 'area' not in ann:
            ann['area'] = float(ann['bbox'][2] * ann['bbox'][3])
        result.append(ann)
    return result


def box_ground_truth(document):
    """pycocotools COCO of the document for box AP (all 13 categories)."""
    return _coco({'images': document.get('images', []), 'annotations': ground_truth_annotations(document),
                  'categories': [{'id': c['id'], 'name': c['name']} for c in coco_categories()]})


def keypoint_ground_truth(document):
    """category id -> pycocotools COCO of that category's garments, keypoints sliced to its slots."""
    annotations = ground_truth_annotations(document)
    result = {}
    for c in constants.CATEGORY_IDS:
        start, stop = constants.SLOT_RANGES[c]
        sliced = [dict(ann, keypoints=list(ann['keypoints'][3 * start:3 * stop]))
                  for ann in annotations if ann['category_id'] == c]
        result[c] = _coco({'images': document.get('images', []), 'annotations': sliced,
                           'categories': [{'id': c, 'name': constants.CATEGORY_NAMES[c - 1]}]})
    return result


def evaluate(coco_gt, results, iou_type, image_ids, sigmas=None):
    """A pycocotools COCOeval after evaluate() and accumulate() (its printing silenced).

    results: result dicts (copied: pycocotools writes into them); keypoint results must have no ``bbox``."""
    with contextlib.redirect_stdout(io.StringIO()):
        if results:
            coco_dt = coco_gt.loadRes([dict(r) for r in results])
        else:
            coco_dt = _coco({'images': coco_gt.dataset['images'], 'annotations': [],
                             'categories': coco_gt.dataset['categories']})
        coco_eval = COCOeval(coco_gt, coco_dt, iouType=iou_type)
        coco_eval.params.imgIds = sorted(image_ids)
        coco_eval.params.catIds = sorted(coco_gt.getCatIds())
        if sigmas is not None:
            coco_eval.params.kpt_oks_sigmas = np.asarray(sigmas, dtype=np.float64)
        coco_eval.evaluate()
        coco_eval.accumulate()
        coco_eval.summarize()
    return coco_eval


def per_category(coco_eval):
    """category id -> mean precision over thresholds and recall points (area 'all', largest maxDets);
    UNDEFINED (-1) where the category has no ground truth."""
    precision = coco_eval.eval['precision']  # (T, R, K, A, M)
    result = {}
    for k, c in enumerate(coco_eval.params.catIds):
        values = precision[:, :, k, 0, -1]
        result[c] = float(np.mean(values[values > -1])) if np.any(values > -1) else UNDEFINED
    return result


def per_threshold(coco_eval):
    """OKS / IoU threshold -> AP at that threshold (mean over categories with ground truth)."""
    precision = coco_eval.eval['precision']
    result = {}
    for t, threshold in enumerate(coco_eval.params.iouThrs):
        values = precision[t, :, :, 0, -1]
        result[round(float(threshold), 2)] = float(np.mean(values[values > -1])) if np.any(values > -1) else UNDEFINED
    return result


def mean_defined(values):
    values = [v for v in values if v != UNDEFINED]
    return float(np.mean(values)) if values else UNDEFINED


class KeypointAP:
    """DeepFashion2 keypoint AP: one COCOeval per category on its own slots (module docstring)."""

    def __init__(self, document):
        self.ground_truth = keypoint_ground_truth(document)

    def evaluate(self, results_by_category, image_ids):
        """category id -> COCOeval; results_by_category: category id -> results with sliced keypoints."""
        return {c: evaluate(self.ground_truth[c], results_by_category.get(c, []), 'keypoints', image_ids,
                            sigmas=constants.SIGMAS_BY_CATEGORY[c])
                for c in constants.CATEGORY_IDS}

    @staticmethod
    def summary(evals):
        """The 10 COCO keypoint figures (KEYPOINT_LABELS), each the mean over the categories where it is
        defined, as pycocotools' summarize averages over categories."""
        return [mean_defined([evals[c].stats[i] for c in evals]) for i in range(len(KEYPOINT_LABELS))]

    @staticmethod
    def per_threshold(evals):
        by_category = [per_threshold(evals[c]) for c in evals]
        return {t: mean_defined([values[t] for values in by_category]) for t in by_category[0]}


def sliced_result(entry_keypoints, category_id):
    """A category's flat (x, y, v) values out of 294-slot flat keypoints."""
    start, stop = constants.SLOT_RANGES[category_id]
    return list(entry_keypoints[3 * start:3 * stop])
