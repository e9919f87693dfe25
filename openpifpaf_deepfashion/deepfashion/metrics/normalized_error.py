"""Normalized error (NE) of fashion landmarks, the measure of the DeepFashion / FLD papers, as an OpenPifPaf metric.

``python -m openpifpaf.eval --dataset=deepfashion`` feeds it; after an eval, print its table with::

    python -m openpifpaf_deepfashion.deepfashion.metrics <output>.stats.json
"""
import logging

import numpy as np

import openpifpaf

from .. import coco_format
from .arrays import GroundTruth, PredictionArrays
from .matching import MATCHINGS, match_garments
from .predictions import prediction_entries
from .rows import canonical_fill, concatenate_rows, garment_rows, normalized_distances
from .summary import summarize
from .table import format_table
from .values import finite

LOG = logging.getLogger(__name__)


class NormalizedError(openpifpaf.metric.Base):
    """Normalized error, PDL, detection and category figures and their breakdowns over the ground truth of a
    COCO json.

    For a ground-truth garment g in an image of original size W x H and its landmark k::

        e(g, k) = sqrt(((x_hat - x) / W)^2 + ((y_hat - y) / H)^2)

    where (x_hat, y_hat) is the landmark of the prediction matched to g (by ``matching``, below).  Only VISIBLE
    landmarks (COCO v = 2) are samples; occluded (v = 1) and truncated (v = 0) landmarks never count in NE or
    PDL.

    * Every ground-truth garment counts.  A garment without a matched prediction, and every landmark that the
      matched prediction did not predict (keypoint score 0), is predicted at the canonical pose
      (``constants.canonical_pose_in_box``, full-body slots) fitted to the central box of the image
      (``canonical_margin`` = 10 % margin on each side): predicting nothing scores as badly as that guess.
      A matched garment is scored with its match whether or not the boxes overlap (NE uses all matches, not
      only detected ones, so that ``NE avg`` stays comparable with figures from before detection was defined).
    * ``NE <landmark>`` (NE_k): mean of e(g, k) over all ground-truth garments g whose landmark k is visible.
    * ``NE avg``: mean of the NE_k over the landmarks that have at least one sample (as the papers' tables);
      a landmark without any visible ground truth is left out of the mean and its count ``n <landmark>`` is 0.
    * ``NE pooled``: mean of e(g, k) over all visible landmarks.
    * ``PDL@t``: share of visible landmarks with e(g, k) <= t.
    * ``det rate``: detected garments / ground-truth garments, where a garment is detected when its matched
      prediction's ``bbox()`` has box IoU >= ``detection_iou`` (default 0.5) with the garment's bbox.
      ``false garments per image``: predictions that are not the match of a detected garment (unmatched, or
      matched with IoU below ``detection_iou``), divided by the number of evaluated images.
      ``NE matched ...`` / ``NE detected ...`` restrict the samples to matched / detected garments.
    * ``NE conf``: NE over landmarks of matched predictions with keypoint score >= ``confidence_threshold``
      (default 0.2, just above OpenPifPaf's default decoder keypoint threshold 0.15) and visible ground
      truth; ``conf share`` is their share of all visible landmarks.  Among all confidently predicted landmarks
      of matched predictions, ``conf on truncated`` / ``conf on occluded`` is the share whose ground truth is
      truncated or absent (v = 0, this includes slots that the garment type does not have) / occluded (v = 1).
    * Breakdowns ``NE upper|lower|full``, ``NE var <variation>`` (FLD only), ``NE cat <category>``: ``NE avg``
      restricted to the garments of that bucket (mean of its per-landmark NEs that have samples), with the
      garment count ``n ...`` next to it.
    * Category figures (``categories``), over detected garments with a labelled category (1-50; FLD's generic
      51-53 are no samples): ``top-k acc``, the share whose category is among the k highest
      ``category_scores`` of the matched prediction (an optional length-50 attribute, index = id - 1; ties
      count against the prediction); ``top-k acc all``, the same share of all labelled garments (a garment
      that was not detected is a miss); ``top-1 cat min|median|max``, the spread of top-1 accuracy over the
      categories with samples; ``confused i: <true>-><predicted>``, the five most frequent misses (true
      category -> predicted top-1, value: count); ``type acc``, among those whose prediction has a
      ``clothes_type`` or ``category_scores``, the share whose predicted clothes type (the prediction's
      ``clothes_type``, else the type of its highest-scoring category) is the garment's.  A figure without
      samples is left out.

    Matching (``matching``), one-to-one within an image:

    * ``'score'``: predictions in descending score each take the still unmatched garment with the highest
      IoU between the garment's box and the prediction's ``bbox()`` (ties, e.g. no overlap: nearest box centre).
      With one garment the highest-score prediction is evaluated; with n garments the n best predictions.
    * ``'bbox'``: (garment, prediction) pairs with IoU > 0, greedily in descending IoU (ties: higher score);
      a garment without an overlapping prediction is unmatched.
    * ``'oracle'``: the one-to-one assignment with the lowest total mean error over the garments' visible
      landmarks (Hungarian).  It looks at the answer: its labels carry the prefix ``oracle `` and are not
      comparable.

    A statistic without samples is ``UNDEFINED`` (-1.0) and its count 0; ``stats()`` never returns NaN.
    """
    #: Box IoU from which a matched garment counts as detected (the constructor's ``detection_iou``).
    detection_iou = 0.5

    def __init__(self, coco, *, matching='score', confidence_threshold=0.2, pdl_thresholds=(0.05, 0.08, 0.10),
                 canonical_margin=0.1, detection_iou=None):
        """coco: the COCO json of this project, as a path, a loaded dict or a pycocotools COCO object."""
        super().__init__()
        if matching not in MATCHINGS:
            raise ValueError('matching must be one of {}, not {!r}'.format(MATCHINGS, matching))
        if not 0.0 <= canonical_margin < 0.5:
            raise ValueError('canonical_margin must be in [0, 0.5)')
        detection_iou = type(self).detection_iou if detection_iou is None else detection_iou
        if not 0.0 < detection_iou <= 1.0:
            raise ValueError('detection_iou must be in (0, 1]')
        self.matching = matching
        self.confidence_threshold = float(confidence_threshold)
        self.pdl_thresholds = tuple(float(t) for t in pdl_thresholds)
        self.canonical_margin = float(canonical_margin)
        self.detection_iou = float(detection_iou)
        self.ground_truth = GroundTruth(coco)

        self._garments = []  # per image: dict of arrays, one row per ground-truth garment
        self._predictions = []  # per image: (image_id, PredictionArrays, matched ground-truth id per prediction)
        self._n_images = 0
        self._n_images_without_gt = 0
        self._n_images_unreadable = 0
        self._n_predictions = 0
        self._n_unmatched_predictions = 0
        self._n_false_garments = 0

    # pylint: disable=unused-argument
    def accumulate(self, predictions, image_meta, *, ground_truth=None):
        image_id = int(image_meta['image_id'])
        width, height = self.ground_truth.image_size(image_id, image_meta.get('width_height'))
        gt = self.ground_truth.garments(image_id)
        pred = PredictionArrays(predictions)

        self._n_images += 1
        self._n_images_unreadable += int(bool(image_meta.get('image_unreadable')))
        self._n_predictions += pred.n
        if gt.n == 0:
            self._n_images_without_gt += 1

        fill = canonical_fill(width, height, self.canonical_margin)
        pred_xy = np.where(pred.keypoints[:, :, 2:3] > 0.0, pred.keypoints[:, :, :2], fill[None])
        errors = normalized_distances(gt.keypoints[:, :, :2], pred_xy, width, height)  # (g, p, k)
        fill_errors = normalized_distances(gt.keypoints[:, :, :2], fill[None], width, height)[:, 0]
        match = match_garments(self.matching, gt, pred, errors)

        rows = garment_rows(gt, pred, match, errors, fill_errors, self.detection_iou)
        self._garments.append(rows)
        self._n_false_garments += pred.n - int(np.sum(rows['detected']))
        matched_gt_ids = [None] * pred.n
        for g, p in enumerate(match):
            if p >= 0:
                matched_gt_ids[p] = gt.ids[g]
        self._n_unmatched_predictions += pred.n - int(np.sum(match >= 0))
        self._predictions.append((image_id, pred, matched_gt_ids))

    def stats(self):
        labels, values = self._summary()
        data = {'stats': values, 'text_labels': labels}
        LOG.info('normalized error:\n%s', format_table(data, matching=self.matching))
        return data

    def table(self):
        """The human-readable table of ``stats()``."""
        labels, values = self._summary()
        return format_table({'stats': values, 'text_labels': labels}, matching=self.matching)

    def _summary(self):
        rows = summarize(concatenate_rows(self._garments), self.pdl_thresholds, self.confidence_threshold,
                         n_images=self._n_images, n_false_garments=self._n_false_garments)
        rows += [
            ('n images', self._n_images),
            ('n images without gt', self._n_images_without_gt),
            ('n images unreadable', self._n_images_unreadable),
            ('n predictions', self._n_predictions),
            ('n unmatched predictions', self._n_unmatched_predictions),
            ('conf threshold', self.confidence_threshold),
            ('det IoU threshold', self.detection_iou),
        ]
        prefix = 'oracle ' if self.matching == 'oracle' else ''
        labels = [prefix + label for label, _ in rows]
        values = [finite(value) for _, value in rows]
        return labels, values

    def write_predictions(self, filename, *, additional_data=None):
        """Write ``<filename>.pred-deepfashion.json``: a COCO-style result list with the guessed clothes_type,
        the id of the matched ground-truth garment (None if unmatched) and the prediction's category (id, name,
        top-5 ``category_scores``) where it has one; ``additional_data`` goes to
        ``<filename>.pred-deepfashion-meta.json``."""
        results = []
        for image_id, pred, matched_gt_ids in self._predictions:
            results += prediction_entries(image_id, pred, matched_gt_ids, self.confidence_threshold)
        path = filename + '.pred-deepfashion.json'
        coco_format.write_json_atomic(path, results)
        LOG.info('wrote %s', path)
        if additional_data:
            meta_path = filename + '.pred-deepfashion-meta.json'
            coco_format.write_json_atomic(meta_path, additional_data)
            LOG.info('wrote %s', meta_path)
