"""The statistics over all evaluated garments, as (label, value) pairs: NE, PDL, confidence shares, detection,
category accuracy and the breakdowns by garment type, variation and category."""
import math

import numpy as np

from .. import constants
from .arrays import CATEGORY_LABELS, OCCLUDED, TRUNCATED, VISIBLE
from .categories import category_figures
from .values import UNDEFINED, mean_or_undefined, ratio_or_undefined


def landmark_ne(errors, mask):
    """Per-landmark NE (8,) (UNDEFINED without samples), counts (8,) and their average over sampled landmarks."""
    counts = mask.sum(axis=0)
    sums = np.where(mask, errors, 0.0).sum(axis=0)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), UNDEFINED)
    average = float(np.mean(means[counts > 0])) if np.any(counts > 0) else UNDEFINED
    return means, counts, average


def summarize(rows, pdl_thresholds, confidence_threshold, *, n_images=0, n_false_garments=0):
    """All statistics as (label, value) pairs, main numbers first.

    rows: ``concatenate_rows`` of all images; n_false_garments: predictions that are not the match of a
    detected garment, over the ``n_images`` evaluated images."""
    errors, visibility = rows['errors'], rows['visibility']
    visible = visibility == VISIBLE
    matched, detected = rows['matched'], rows['detected']
    matched_visible = visible & matched[:, None]
    detected_visible = visible & detected[:, None]
    confident = (rows['confidence'] >= confidence_threshold) & (rows['confidence'] > 0.0)
    confident_visible = confident & visible

    ne, counts, ne_avg = landmark_ne(errors, visible)
    ne_matched, _, ne_matched_avg = landmark_ne(errors, matched_visible)
    _, _, ne_detected_avg = landmark_ne(errors, detected_visible)
    main = [
        ('NE avg', ne_avg),
        ('NE pooled', mean_or_undefined(errors[visible])),
        ('det rate', ratio_or_undefined(detected.sum(), detected.size)),
        ('false garments per image', ratio_or_undefined(n_false_garments, n_images)),
    ]
    main += [(pdl_label(t), ratio_or_undefined(np.sum(errors[visible] <= t), visible.sum())) for t in pdl_thresholds]
    main += [
        ('NE conf', mean_or_undefined(errors[confident_visible])),
        ('conf share', ratio_or_undefined(confident_visible.sum(), visible.sum())),
        ('conf on truncated', ratio_or_undefined(np.sum(confident & (visibility == TRUNCATED)), confident.sum())),
        ('conf on occluded', ratio_or_undefined(np.sum(confident & (visibility == OCCLUDED)), confident.sum())),
        ('NE matched avg', ne_matched_avg),
        ('NE matched pooled', mean_or_undefined(errors[matched_visible])),
        ('NE detected avg', ne_detected_avg),
        ('NE detected pooled', mean_or_undefined(errors[detected_visible])),
    ]
    category_main, category_counts = category_figures(rows)

    per_landmark = [('NE ' + label, value) for label, value in zip(constants.KEYPOINT_LABELS, ne)]
    per_landmark += [('NE matched ' + label, value) for label, value in zip(constants.KEYPOINT_LABELS, ne_matched)]
    per_landmark += [('n ' + label, int(count)) for label, count in zip(constants.KEYPOINT_LABELS, counts)]
    totals = [
        ('n garments', matched.size),
        ('n matched', int(matched.sum())),
        ('n detected', int(detected.sum())),
        ('n false garments', int(n_false_garments)),
        ('n visible', int(visible.sum())),
        ('n matched visible', int(matched_visible.sum())),
        ('n detected visible', int(detected_visible.sum())),
        ('n conf', int(confident.sum())),
        ('n conf visible', int(confident_visible.sum())),
    ]
    return main + category_main + per_landmark + totals + category_counts + breakdowns(rows, visible)


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
