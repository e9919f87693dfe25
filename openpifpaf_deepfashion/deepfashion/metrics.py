"""Normalized error (NE) of fashion landmarks, the measure of the DeepFashion / FLD papers, as an OpenPifPaf metric.

``python -m openpifpaf.eval --dataset=deepfashion`` feeds it; after an eval, print its table with::

    python -m openpifpaf_deepfashion.deepfashion.metrics <output>.stats.json
"""
import argparse
import json
import logging
import math
import os

import numpy as np
import scipy.optimize

import openpifpaf

from . import coco_format, constants

LOG = logging.getLogger(__name__)

#: Value of a statistic that has no sample (as OpenPifPaf's COCO metric uses -1 for "undefined"); never NaN.
UNDEFINED = -1.0
MATCHINGS = ('score', 'bbox', 'oracle')
TOP_K = (1, 3, 5)
N_KEYPOINTS = len(constants.KEYPOINTS)
VISIBLE, OCCLUDED, TRUNCATED = 2, 1, 0
#: Names of every category id this plugin writes (1-50 DeepFashion, 51-53 generic garments of FLD).
CATEGORY_LABELS = {c['id']: c['name'] for c in coco_format.categories()}


class NormalizedError(openpifpaf.metric.Base):
    """Normalized error, PDL, detection rate and their breakdowns over the ground truth of a COCO json.

    For a ground-truth garment g in an image of original size W x H and its landmark k::

        e(g, k) = sqrt(((x_hat - x) / W)^2 + ((y_hat - y) / H)^2)

    where (x_hat, y_hat) is the prediction matched to g.  Only VISIBLE landmarks (COCO v = 2) are samples;
    occluded (v = 1) and truncated (v = 0) landmarks never count in NE or PDL.

    * ``NE <landmark>`` (NE_k): mean of e(g, k) over all ground-truth garments g whose landmark k is visible.
    * ``NE avg``: mean of the NE_k over the landmarks that have at least one sample (as the papers' tables);
      a landmark without any visible ground truth is left out of the mean and its count ``n <landmark>`` is 0.
    * ``NE pooled``: mean of e(g, k) over all visible landmarks.
    * ``PDL@t``: share of visible landmarks with e(g, k) <= t.
    * Every ground-truth garment counts.  A garment without a matched prediction, and every landmark that the
      matched prediction did not predict (keypoint score 0), is predicted at the canonical pose
      (``constants.canonical_pose_in_box``, full-body slots) fitted to the central box of the image
      (``canonical_margin`` = 10 % margin on each side): predicting nothing scores as badly as that guess.
      ``det rate`` is matched garments / ground-truth garments; ``NE matched ...`` restrict the samples to
      matched garments.
    * ``NE conf``: NE over landmarks of matched predictions with keypoint score >= ``confidence_threshold``
      (default 0.2, just above OpenPifPaf's default decoder keypoint threshold 0.15) and visible ground
      truth; ``conf share`` is their share of all visible landmarks.  Among all confidently predicted landmarks
      of matched predictions, ``conf on truncated`` / ``conf on occluded`` is the share whose ground truth is
      truncated or absent (v = 0, this includes slots that the garment type does not have) / occluded (v = 1).
    * Breakdowns ``NE upper|lower|full``, ``NE var <variation>`` (FLD only), ``NE cat <category>``: ``NE avg``
      restricted to the garments of that bucket (mean of its per-landmark NEs that have samples), with the
      garment count ``n ...`` next to it.
    * ``top-k acc``: share of matched garments with a labelled category (1-50) whose category is among the k
      highest ``category_scores`` of the matched prediction (an optional length-50 attribute, index = id - 1;
      ties count against the prediction).  Left out when no matched prediction carries the attribute.

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

    def __init__(self, coco, *, matching='score', confidence_threshold=0.2, pdl_thresholds=(0.05, 0.08, 0.10),
                 canonical_margin=0.1):
        """coco: the COCO json of this project, as a path, a loaded dict or a pycocotools COCO object."""
        super().__init__()
        if matching not in MATCHINGS:
            raise ValueError('matching must be one of {}, not {!r}'.format(MATCHINGS, matching))
        if not 0.0 <= canonical_margin < 0.5:
            raise ValueError('canonical_margin must be in [0, 0.5)')
        self.matching = matching
        self.confidence_threshold = float(confidence_threshold)
        self.pdl_thresholds = tuple(float(t) for t in pdl_thresholds)
        self.canonical_margin = float(canonical_margin)
        self.ground_truth = GroundTruth(coco)

        self._garments = []  # per image: dict of arrays, one row per ground-truth garment
        self._predictions = []  # per image: (image_id, PredictionArrays, matched ground-truth id per prediction)
        self._n_images = 0
        self._n_images_without_gt = 0
        self._n_images_unreadable = 0
        self._n_predictions = 0
        self._n_unmatched_predictions = 0

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
        match = self._match(gt, pred, errors)

        self._garments.append(garment_rows(gt, pred, match, errors, fill_errors))
        matched_gt_ids = [None] * pred.n
        for g, p in enumerate(match):
            if p >= 0:
                matched_gt_ids[p] = gt.ids[g]
        self._n_unmatched_predictions += pred.n - int(np.sum(match >= 0))
        self._predictions.append((image_id, pred, matched_gt_ids))

    def _match(self, gt, pred, errors):
        if gt.n == 0 or pred.n == 0:
            return np.full(gt.n, -1, dtype=int)
        if self.matching == 'score':
            return match_by_score(gt, pred)
        if self.matching == 'bbox':
            return match_by_bbox(gt, pred)
        return match_by_oracle(gt, pred, errors)

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
        rows = summarize(concatenate_rows(self._garments), self.pdl_thresholds, self.confidence_threshold)
        rows += [
            ('n images', self._n_images),
            ('n images without gt', self._n_images_without_gt),
            ('n images unreadable', self._n_images_unreadable),
            ('n predictions', self._n_predictions),
            ('n unmatched predictions', self._n_unmatched_predictions),
            ('conf threshold', self.confidence_threshold),
        ]
        prefix = 'oracle ' if self.matching == 'oracle' else ''
        labels = [prefix + label for label, _ in rows]
        values = [finite(value) for _, value in rows]
        return labels, values

    def write_predictions(self, filename, *, additional_data=None):
        """Write ``<filename>.pred-deepfashion.json``: a COCO-style result list with the guessed clothes_type
        and the id of the matched ground-truth garment (None if unmatched); ``additional_data`` goes to
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


def category_scores_of(prediction):
    scores = getattr(prediction, 'category_scores', None)
    if scores is None:
        return None
    return np.asarray(scores, dtype=np.float64).reshape(-1)


def load_document(coco):
    if isinstance(coco, (str, os.PathLike)):
        with open(coco, encoding='utf-8') as f:
            return json.load(f)
    if hasattr(coco, 'dataset'):  # pycocotools.coco.COCO
        return coco.dataset
    return coco


def canonical_fill(width, height, margin):
    """(8, 2) canonical full-body pose in the box that leaves ``margin`` of the image free on each side."""
    pose = constants.canonical_pose_in_box(margin * width, margin * height,
                                           (1.0 - 2.0 * margin) * width, (1.0 - 2.0 * margin) * height,
                                           constants.FULL)
    return pose[:, :2]


def normalized_distances(gt_xy, pred_xy, width, height):
    """(g, 8, 2) and (p, 8, 2) coordinates -> (g, p, 8) distances normalized by the image size."""
    delta = (pred_xy[None, :, :, :] - gt_xy[:, None, :, :]) / np.array([width, height])
    return np.sqrt(np.sum(np.square(delta), axis=-1))


def box_iou(boxes_a, boxes_b):
    """(a, 4) and (b, 4) [x, y, w, h] -> (a, b) IoU; 0 where a box has no area."""
    a = boxes_a[:, None, :]
    b = boxes_b[None, :, :]
    iw = np.clip(np.minimum(a[..., 0] + a[..., 2], b[..., 0] + b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 1] + a[..., 3], b[..., 1] + b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    intersection = iw * ih
    union = a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - intersection
    return np.where(union > 0, intersection / np.where(union > 0, union, 1.0), 0.0)


def box_center_distances(boxes_a, boxes_b):
    centers_a = boxes_a[:, :2] + 0.5 * boxes_a[:, 2:]
    centers_b = boxes_b[:, :2] + 0.5 * boxes_b[:, 2:]
    return np.linalg.norm(centers_a[:, None] - centers_b[None], axis=-1)


def match_by_score(gt, pred):
    iou = box_iou(gt.boxes, pred.boxes)
    centre_distance = box_center_distances(gt.boxes, pred.boxes)
    match = np.full(gt.n, -1, dtype=int)
    for p in np.argsort(-pred.scores, kind='stable'):
        free = np.flatnonzero(match < 0)
        if free.size == 0:
            break
        best = np.lexsort((centre_distance[free, p], -iou[free, p]))[0]
        match[free[best]] = p
    return match


def match_by_bbox(gt, pred):
    iou = box_iou(gt.boxes, pred.boxes)
    return greedy_pairs(-iou, iou > 0.0, pred.scores)


def match_by_oracle(gt, pred, errors):
    """The one-to-one assignment with the lowest total mean error over visible landmarks (Hungarian)."""
    visible = gt.keypoints[:, :, 2] == VISIBLE  # (g, k)
    n_visible = np.maximum(visible.sum(axis=1), 1)
    cost = np.sum(errors * visible[:, None, :], axis=2) / n_visible[:, None]
    garments, predictions = scipy.optimize.linear_sum_assignment(cost)
    match = np.full(gt.n, -1, dtype=int)
    match[garments] = predictions
    return match


def greedy_pairs(cost, allowed, scores):
    """One-to-one assignment: allowed (garment, prediction) pairs in ascending cost, ties by higher score."""
    g_index, p_index = np.nonzero(allowed)
    order = np.lexsort((-scores[p_index], cost[g_index, p_index]))
    match = np.full(cost.shape[0], -1, dtype=int)
    taken = np.zeros(cost.shape[1], dtype=bool)
    for i in order:
        g, p = g_index[i], p_index[i]
        if match[g] < 0 and not taken[p]:
            match[g] = p
            taken[p] = True
    return match


def garment_rows(gt, pred, match, errors, fill_errors):
    """Per ground-truth garment: errors (with the canonical fill), visibility, keypoint confidence, ..."""
    matched = match >= 0
    garment_errors = fill_errors.copy()
    confidence = np.zeros((gt.n, N_KEYPOINTS))
    category_rank = np.full(gt.n, -1, dtype=int)
    for g in np.flatnonzero(matched):
        p = match[g]
        garment_errors[g] = errors[g, p]
        confidence[g] = np.clip(pred.keypoints[p, :, 2], 0.0, None)
        category_rank[g] = rank_of_category(pred.category_scores[p], gt.category_ids[g])
    return {
        'errors': garment_errors,
        'visibility': gt.keypoints[:, :, 2].astype(int),
        'confidence': confidence,
        'matched': matched,
        'clothes_type': gt.clothes_types,
        'variation_type': gt.variation_types,
        'category_id': gt.category_ids,
        'category_rank': category_rank,
    }


def rank_of_category(scores, category_id):
    """0-based rank of the true category among the scores (ties count against it); -1 if not available."""
    if scores is None or not 1 <= category_id <= min(len(scores), len(constants.CATEGORIES)):
        return -1
    true_score = scores[category_id - 1]
    return int(np.sum(scores >= true_score)) - 1


def concatenate_rows(per_image):
    keys = ('errors', 'visibility', 'confidence', 'matched', 'clothes_type', 'variation_type', 'category_id',
            'category_rank')
    empty = {'errors': np.zeros((0, N_KEYPOINTS)), 'visibility': np.zeros((0, N_KEYPOINTS), dtype=int),
             'confidence': np.zeros((0, N_KEYPOINTS)), 'matched': np.zeros(0, dtype=bool)}
    return {key: np.concatenate([rows[key] for rows in per_image]) if per_image
            else empty.get(key, np.zeros(0, dtype=int)) for key in keys}


def mean_or_undefined(values):
    return float(np.mean(values)) if np.size(values) else UNDEFINED


def ratio_or_undefined(numerator, denominator):
    return float(numerator) / float(denominator) if denominator else UNDEFINED


def landmark_ne(errors, mask):
    """Per-landmark NE (8,) (UNDEFINED without samples), counts (8,) and their average over sampled landmarks."""
    counts = mask.sum(axis=0)
    sums = np.where(mask, errors, 0.0).sum(axis=0)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), UNDEFINED)
    average = float(np.mean(means[counts > 0])) if np.any(counts > 0) else UNDEFINED
    return means, counts, average


def summarize(rows, pdl_thresholds, confidence_threshold):
    """All statistics as (label, value) pairs, main numbers first."""
    errors, visibility = rows['errors'], rows['visibility']
    visible = visibility == VISIBLE
    matched = rows['matched']
    matched_visible = visible & matched[:, None]
    confident = (rows['confidence'] >= confidence_threshold) & (rows['confidence'] > 0.0)
    confident_visible = confident & visible

    ne, counts, ne_avg = landmark_ne(errors, visible)
    ne_matched, _, ne_matched_avg = landmark_ne(errors, matched_visible)
    main = [
        ('NE avg', ne_avg),
        ('NE pooled', mean_or_undefined(errors[visible])),
        ('det rate', ratio_or_undefined(matched.sum(), matched.size)),
    ]
    main += [(pdl_label(t), ratio_or_undefined(np.sum(errors[visible] <= t), visible.sum())) for t in pdl_thresholds]
    main += [
        ('NE conf', mean_or_undefined(errors[confident_visible])),
        ('conf share', ratio_or_undefined(confident_visible.sum(), visible.sum())),
        ('conf on truncated', ratio_or_undefined(np.sum(confident & (visibility == TRUNCATED)), confident.sum())),
        ('conf on occluded', ratio_or_undefined(np.sum(confident & (visibility == OCCLUDED)), confident.sum())),
        ('NE matched avg', ne_matched_avg),
        ('NE matched pooled', mean_or_undefined(errors[matched_visible])),
    ]
    ranks = rows['category_rank'][rows['category_rank'] >= 0]
    if ranks.size:
        main += [('top-{} acc'.format(k), float(np.mean(ranks < k))) for k in TOP_K]

    per_landmark = [('NE ' + label, value) for label, value in zip(constants.KEYPOINT_LABELS, ne)]
    per_landmark += [('NE matched ' + label, value) for label, value in zip(constants.KEYPOINT_LABELS, ne_matched)]
    per_landmark += [('n ' + label, int(count)) for label, count in zip(constants.KEYPOINT_LABELS, counts)]
    totals = [
        ('n garments', matched.size),
        ('n matched', int(matched.sum())),
        ('n visible', int(visible.sum())),
        ('n matched visible', int(matched_visible.sum())),
        ('n conf', int(confident.sum())),
        ('n conf visible', int(confident_visible.sum())),
    ]
    if ranks.size:
        totals.append(('n top-k', ranks.size))
    return main + per_landmark + totals + breakdowns(rows, visible)


def breakdowns(rows, visible):
    buckets = [(name, rows['clothes_type'] == value) for value, name in constants.CLOTHES_TYPES.items()]
    buckets += [('var ' + name, rows['variation_type'] == value) for value, name in constants.VARIATION_TYPES.items()]
    buckets += [('cat ' + name, rows['category_id'] == value) for value, name in CATEGORY_LABELS.items()]
    result = []
    for name, garments in buckets:
        _, _, average = landmark_ne(rows['errors'], visible & garments[:, None])
        result += [('NE ' + name, average), ('n ' + name, int(garments.sum()))]
    return result


def pdl_label(threshold):
    text = '{:.2f}'.format(threshold)
    return 'PDL@' + (text if math.isclose(float(text), threshold) else '{:g}'.format(threshold))


def finite(value):
    value = float(value) if not isinstance(value, (int, np.integer)) else int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return UNDEFINED
    return value


def guess_clothes_type(keypoint_scores, threshold):
    """Clothes type whose landmark slots best match the confidently predicted ones; 0 if none."""
    return constants.clothes_type_of_slots(np.asarray(keypoint_scores) >= max(threshold, 1e-12)) or 0


def prediction_entries(image_id, pred, matched_gt_ids, confidence_threshold):
    entries = []
    for p in range(pred.n):
        keypoints = pred.keypoints[p].copy()
        keypoints[:, 2] = np.where(keypoints[:, 2] > 0.0, np.maximum(keypoints[:, 2], 0.01), 0.0)
        entries.append({
            'image_id': image_id,
            'category_id': pred.category_ids[p],
            'keypoints': [round(float(v), 2) for v in keypoints.reshape(-1)],
            'bbox': [round(float(v), 2) for v in pred.boxes[p]],
            'score': max(0.001, round(float(pred.scores[p]), 3)),
            'clothes_type': guess_clothes_type(pred.keypoints[p, :, 2], confidence_threshold),
            'matched_gt_id': matched_gt_ids[p],
        })
    return entries


def format_value(label, value):
    if label.startswith('n ') or label.rsplit(' ', 1)[-1] == 'n':
        return '{:d}'.format(int(value))
    if value == UNDEFINED:
        return '-'
    return '{:.4f}'.format(value)


def format_table(stats, matching=None):
    """Human-readable table of a ``stats()`` dict (also of an eval's ``.stats.json``)."""
    values = dict(zip(stats['text_labels'], stats['stats']))
    prefix = 'oracle ' if 'oracle NE avg' in values else ''
    matching = 'oracle' if prefix else matching

    def get(label):
        return values.get(prefix + label)

    def line(label, width=24):
        value = get(label)
        return '  {:<{}s} {}'.format(label, width, '-' if value is None else format_value(label, value))

    title = 'Fashion landmarks: normalized error'
    if matching:
        title += ', matching: ' + ('oracle (not comparable)' if matching == 'oracle' else matching)
    lines = [title]
    pdl = [label[len(prefix):] for label in values if label.startswith(prefix + 'PDL@')]
    main = ['NE avg', 'NE pooled', 'det rate'] + pdl
    main += ['NE conf', 'conf share', 'conf on truncated', 'conf on occluded', 'NE matched avg',
             'NE matched pooled', 'top-1 acc', 'top-3 acc', 'top-5 acc', 'conf threshold']
    lines += [line(label) for label in main if get(label) is not None]
    counts = ('n images', 'n images without gt', 'n images unreadable', 'n garments', 'n matched', 'n predictions',
              'n unmatched predictions', 'n visible')
    lines += [line(label) for label in counts if get(label) is not None]

    header = '  {:<12s}'.format('') + ''.join('{:>9s}'.format(label) for label in constants.KEYPOINT_LABELS)
    lines += ['', header]
    for name, key in (('NE', 'NE '), ('NE matched', 'NE matched '), ('n visible', 'n ')):
        cells = [get(key + label) for label in constants.KEYPOINT_LABELS]
        lines.append('  {:<12s}'.format(name) + ''.join(
            '{:>9s}'.format('-' if v is None else format_value(key.strip(), v)) for v in cells))

    names = [name for name in constants.CLOTHES_TYPES.values()]
    names += ['var ' + name for name in constants.VARIATION_TYPES.values()]
    names += ['cat ' + name for name in CATEGORY_LABELS.values()]
    rows = [(name, get('NE ' + name), get('n ' + name)) for name in names]
    rows = [row for row in rows if row[2]]
    if rows:
        lines += ['', '  {:<28s}{:>9s}{:>9s}'.format('breakdown', 'NE avg', 'n')]
        lines += ['  {:<28s}{:>9s}{:>9d}'.format(name, format_value('NE', ne), int(n)) for name, ne, n in rows]
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description='Print the normalized-error table of an eval stats file.')
    parser.add_argument('stats_file', help='<output>.stats.json written by python -m openpifpaf.eval')
    args = parser.parse_args()
    with open(args.stats_file, encoding='utf-8') as f:
        print(format_table(json.load(f)))


if __name__ == '__main__':
    main()
