"""``DeepFashion2Metric``: DeepFashion2's keypoint AP and box AP, the plugin's NE per category and the
multi-garment table, as one OpenPifPaf metric for ``openpifpaf.eval``.

After an eval, print its table with::

    python -m openpifpaf_deepfashion.deepfashion2.metrics <output>.stats.json
"""
import logging

import openpifpaf

from .. import constants
from ...deepfashion.metrics.values import UNDEFINED, finite
from . import coco_ap, results
from .arrays import CategorySlots, GroundTruth, Predictions
from .landmark_error import MATCHINGS, SlotErrors, garment_errors
from .multi_garment import MultiGarmentTable
from .table import format_table

LOG = logging.getLogger(__name__)

KEYPOINT_SUFFIX = '.pred-deepfashion2-keypoints.json'
BOX_SUFFIX = '.pred-deepfashion2-bbox.json'
META_SUFFIX = '.pred-deepfashion2-meta.json'


class DeepFashion2Metric(openpifpaf.metric.Base):
    """Over the ground truth of a COCO-style DeepFashion2 json (path, dict or pycocotools COCO):

    * ``kp AP`` ... ``kp ARL``: DeepFashion2's keypoint AP (``coco_ap``: OKS with its per-landmark sigmas,
      per category, so a prediction counts only on its category's slots and only against garments of its
      category); ``box AP`` ... ``box ARL``: pycocotools box AP, per category as well;
      ``kp AP <category>`` / ``box AP <category>`` per category (-1 without ground truth).
    * ``NE avg``, ``NE pooled``, ``NE cat mean`` (mean of the defined per-category NEs) and ``NE <category>``
      (``landmark_error``), with ``n <category>`` garments and ``n matched <category>``.
    * The multi-garment table (``multi_garment``): ``multi <group> all|top-1 recall|recall any cat|NE avg|
      NE pooled`` with ``n multi <group> images|garments``.

    Predictions are OpenPifPaf annotations with ``.data`` (294, 3), ``.score``, ``.category_id`` (1-13) and
    ``.bbox()``.  Every evaluated image known to the json counts, with or without predictions; an image that
    the json does not have is counted (``n images unknown``) and skipped.  A statistic without samples is
    ``UNDEFINED`` (-1.0); ``stats()`` never returns NaN.
    """

    def __init__(self, coco, *, matching='score', canonical_margin=0.1, recall_iou=0.5):
        super().__init__()
        if matching not in MATCHINGS:
            raise ValueError('matching must be one of {}, not {!r}'.format(MATCHINGS, matching))
        if not 0.0 <= canonical_margin < 0.5:
            raise ValueError('canonical_margin must be in [0, 0.5)')
        self.matching = matching
        self.canonical_margin = float(canonical_margin)
        self.ground_truth = GroundTruth(coco)
        self._keypoint_ap = coco_ap.KeypointAP(self.ground_truth.document)
        self._box_ground_truth = coco_ap.box_ground_truth(self.ground_truth.document)
        self._ne = SlotErrors()
        self._multi = MultiGarmentTable(iou_threshold=recall_iou, matching=matching, margin=self.canonical_margin)
        self._garments = {c: 0 for c in constants.CATEGORY_IDS}
        self._matched = {c: 0 for c in constants.CATEGORY_IDS}
        self._kept = []  # (image_id, CategorySlots) per evaluated image
        self._n_images = 0
        self._n_images_unknown = 0
        self._n_predictions = 0
        #: After ``stats()``: category id -> keypoint COCOeval, and the box COCOeval (None without images).
        self.keypoint_evals = None
        self.box_eval = None

    # pylint: disable=unused-argument
    def accumulate(self, predictions, image_meta, *, ground_truth=None):
        self.accumulate_arrays(int(image_meta['image_id']), Predictions.from_annotations(predictions),
                               image_meta.get('width_height'))

    def accumulate_arrays(self, image_id, pred, width_height=None):
        """One image's ``Predictions`` (also those read from a result file)."""
        self._n_images += 1
        self._n_predictions += pred.n
        gt = self.ground_truth.garments(image_id)
        if not self.ground_truth.known(image_id):
            self._n_images_unknown += 1
            return
        width, height = self.ground_truth.image_size(image_id, width_height)
        errors, visible, match = garment_errors(gt, pred, width, height, matching=self.matching,
                                                margin=self.canonical_margin)
        self._ne.add(errors, visible)
        for c, m in zip(gt.category_ids, match):
            self._garments[c] += 1
            self._matched[c] += int(m >= 0)
        self._multi.add_image(gt, pred, width, height)
        self._kept.append((image_id, CategorySlots(pred)))

    def _average_precision(self):
        image_ids = [image_id for image_id, _ in self._kept]
        if not image_ids:
            return [UNDEFINED] * len(coco_ap.KEYPOINT_LABELS), [UNDEFINED] * len(coco_ap.BOX_LABELS), {}, {}
        by_category, boxes = {}, []
        for image_id, kept in self._kept:
            for p, c in enumerate(kept.category_ids):
                by_category.setdefault(int(c), []).append({
                    'image_id': image_id, 'category_id': int(c),
                    'keypoints': kept.slots[p].reshape(-1).tolist(), 'score': float(kept.scores[p])})
                boxes.append({'image_id': image_id, 'category_id': int(c), 'bbox': kept.boxes[p].tolist(),
                              'score': float(kept.scores[p])})
        self.keypoint_evals = self._keypoint_ap.evaluate(by_category, image_ids)
        self.box_eval = coco_ap.evaluate(self._box_ground_truth, boxes, 'bbox', image_ids)
        keypoint_per_category = {c: float(e.stats[0]) for c, e in self.keypoint_evals.items()}
        return (coco_ap.KeypointAP.summary(self.keypoint_evals), [float(v) for v in self.box_eval.stats],
                keypoint_per_category, coco_ap.per_category(self.box_eval))

    def _summary(self):
        keypoint, box, keypoint_per_category, box_per_category = self._average_precision()
        per_category_ne = {c: self._ne.average(c) for c in constants.CATEGORY_IDS}
        rows = [('kp ' + label, value) for label, value in zip(coco_ap.KEYPOINT_LABELS, keypoint)]
        rows += [('box ' + label, value) for label, value in zip(coco_ap.BOX_LABELS, box)]
        rows += [('NE avg', self._ne.average()), ('NE pooled', self._ne.pooled()),
                 ('NE cat mean', coco_ap.mean_defined(per_category_ne.values()))]
        for c in constants.CATEGORY_IDS:
            name = constants.CATEGORY_NAMES[c - 1]
            rows += [('kp AP ' + name, keypoint_per_category.get(c, UNDEFINED)),
                     ('box AP ' + name, box_per_category.get(c, UNDEFINED)),
                     ('NE ' + name, per_category_ne[c]),
                     ('n ' + name, self._garments[c]), ('n matched ' + name, self._matched[c])]
        rows += self._multi.stats()
        rows += [('n images', self._n_images), ('n images unknown', self._n_images_unknown),
                 ('n garments', sum(self._garments.values())), ('n matched', sum(self._matched.values())),
                 ('n predictions', self._n_predictions)]
        return [label for label, _ in rows], [finite(value) for _, value in rows]

    def stats(self):
        labels, values = self._summary()
        data = {'stats': values, 'text_labels': labels}
        LOG.info('DeepFashion2 evaluation:\n%s', format_table(data))
        return data

    def table(self):
        labels, values = self._summary()
        return format_table({'stats': values, 'text_labels': labels})

    def multi_garment_rows(self):
        return self._multi.rows()

    def write_predictions(self, filename, *, additional_data=None):
        """Write DeepFashion2 result files: ``<filename>.pred-deepfashion2-keypoints.json`` (keypoint results)
        and ``<filename>.pred-deepfashion2-bbox.json`` (box results, the same predictions in the same order),
        each atomically; ``additional_data`` goes to ``<filename>.pred-deepfashion2-meta.json``."""
        keypoint_entries, box_entries = [], []
        for image_id, kept in self._kept:
            pred = kept.expand()
            keypoint_entries += results.keypoint_entries(image_id, pred)
            box_entries += results.box_entries(image_id, pred)
        outputs = [(filename + KEYPOINT_SUFFIX, keypoint_entries), (filename + BOX_SUFFIX, box_entries)]
        if additional_data:
            outputs.append((filename + META_SUFFIX, additional_data))
        for path, data in outputs:
            results.write_results(path, data)
            LOG.info('wrote %s', path)


def evaluate_result_files(ground_truth, keypoint_path, box_path=None, **kwargs):
    """A ``DeepFashion2Metric`` fed with DeepFashion2 result files, every image of the ground truth evaluated
    (an image without results has no predictions)."""
    metric = DeepFashion2Metric(ground_truth, **kwargs)
    keypoint_results = results.read_results(keypoint_path, 'keypoints')
    box_results = results.read_results(box_path, 'bbox') if box_path else None
    by_image = results.predictions_by_image(keypoint_results, box_results)
    empty = Predictions([], [], [], [])
    for image in metric.ground_truth.document.get('images', []):
        metric.accumulate_arrays(image['id'], by_image.pop(image['id'], empty))
    for image_id, pred in by_image.items():
        metric.accumulate_arrays(image_id, pred)
    return metric
