"""DeepFashion2's result format: the json lists its evaluation reads (``evaluation/example/`` of
switchablenorms/DeepFashion2; tests/genuine/deepfashion2/example_keys_results.json):

* keypoint results: ``{"image_id", "category_id", "keypoints" (294 x [x, y, v] flat), "score"}``;
* box results: ``{"image_id", "category_id", "bbox" [x, y, w, h], "score"}``.

A prediction of category c carries its own landmarks in c's slots; the other slots are written as 0 (no
evaluation reads them: a garment of category c labels only c's slots).  ``v`` is the keypoint's confidence
(> 0 where predicted).  Files are written atomically; reading checks every entry and names the first bad one.
"""
import json

import numpy as np

from .. import constants
from ... import atomic
from .arrays import N_SLOTS, Predictions, keypoint_box

KEYPOINT_KEYS = ('image_id', 'category_id', 'keypoints', 'score')
BOX_KEYS = ('image_id', 'category_id', 'bbox', 'score')


class ResultFormatError(ValueError):
    """A result file that is not in DeepFashion2's result format."""


def category_keypoints(keypoints, category_id):
    """(294, 3) keypoints with everything outside the category's slots set to 0."""
    start, stop = constants.SLOT_RANGES[category_id]
    result = np.zeros((N_SLOTS, 3))
    result[start:stop] = keypoints[start:stop]
    return result


def keypoint_entries(image_id, pred):
    return [{'image_id': int(image_id), 'category_id': int(c),
             'keypoints': [float(v) for v in category_keypoints(pred.keypoints[p], c).reshape(-1)],
             'score': float(pred.scores[p])}
            for p, c in enumerate(pred.category_ids)]


def box_entries(image_id, pred):
    return [{'image_id': int(image_id), 'category_id': int(c), 'bbox': [float(v) for v in pred.boxes[p]],
             'score': float(pred.scores[p])}
            for p, c in enumerate(pred.category_ids)]


def write_results(path, entries):
    """Write a result list to ``path`` atomically (a failure leaves the old file, or none, and no temporary)."""
    text = json.dumps(entries)
    with atomic.atomic_open(path) as f:
        f.write(text)


def _fail(path, index, message):
    raise ResultFormatError('{}: entry {}: {}'.format(path, index, message))


def check_entry(path, index, entry, keys):
    if not isinstance(entry, dict):
        _fail(path, index, 'expected an object, got {}'.format(type(entry).__name__))
    for key in keys:
        if key not in entry:
            _fail(path, index, 'missing key {!r}'.format(key))
    if entry['category_id'] not in constants.N_LANDMARKS:
        _fail(path, index, 'category_id: expected 1-13, got {!r}'.format(entry['category_id']))
    if 'keypoints' in keys and (not isinstance(entry['keypoints'], list) or len(entry['keypoints']) != 3 * N_SLOTS):
        _fail(path, index, 'keypoints: expected {} values (294 slots)'.format(3 * N_SLOTS))
    if 'bbox' in keys and (not isinstance(entry['bbox'], list) or len(entry['bbox']) != 4):
        _fail(path, index, 'bbox: expected [x, y, w, h]')


def read_results(path, kind='keypoints'):
    """The checked entries of a keypoint (``kind='keypoints'``) or box (``kind='bbox'``) result file."""
    keys = KEYPOINT_KEYS if kind == 'keypoints' else BOX_KEYS
    with open(path, encoding='utf-8') as f:
        entries = json.load(f)
    if not isinstance(entries, list):
        raise ResultFormatError('{}: expected a json list of results'.format(path))
    for index, entry in enumerate(entries):
        check_entry(path, index, entry, keys)
    return entries


def predictions_by_image(keypoint_results, box_results=None):
    """image id -> Predictions of result entries.  Boxes come from ``box_results`` entry by entry when it is
    given (it must list the same predictions in the same order, as ``DeepFashion2Metric`` writes them), else
    from the extent of each prediction's predicted keypoints in its category's slots."""
    if box_results is not None:
        if len(box_results) != len(keypoint_results):
            raise ResultFormatError('{} box results for {} keypoint results: they must list the same predictions'
                                    .format(len(box_results), len(keypoint_results)))
        for index, (keys, box) in enumerate(zip(keypoint_results, box_results)):
            if any(keys[k] != box[k] for k in ('image_id', 'category_id', 'score')):
                raise ResultFormatError('box result {} is not the prediction of keypoint result {} (image_id, '
                                        'category_id and score differ)'.format(index, index))
    grouped = {}
    for index, entry in enumerate(keypoint_results):
        keypoints = np.asarray(entry['keypoints'], dtype=np.float64).reshape(N_SLOTS, 3)
        start, stop = constants.SLOT_RANGES[entry['category_id']]
        box = box_results[index]['bbox'] if box_results is not None else keypoint_box(keypoints[start:stop])
        grouped.setdefault(entry['image_id'], []).append((keypoints, entry['score'], entry['category_id'], box))
    return {image_id: Predictions(*[[row[i] for row in rows] for i in range(4)]) for image_id, rows in grouped.items()}
