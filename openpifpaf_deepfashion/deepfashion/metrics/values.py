"""Values of a statistic: the ``UNDEFINED`` sentinel for "no sample", and the helpers that never return NaN."""
import math

import numpy as np

#: Value of a statistic that has no sample (as OpenPifPaf's COCO metric uses -1 for "undefined"); never NaN.
UNDEFINED = -1.0


def mean_or_undefined(values):
    return float(np.mean(values)) if np.size(values) else UNDEFINED


def ratio_or_undefined(numerator, denominator):
    return float(numerator) / float(denominator) if denominator else UNDEFINED


def finite(value):
    value = float(value) if not isinstance(value, (int, np.integer)) else int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return UNDEFINED
    return value
