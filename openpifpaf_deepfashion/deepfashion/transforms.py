"""Evaluation transforms of the deepfashion dataset: the papers' crop protocol."""
import copy
import math

import numpy as np

from openpifpaf import transforms


def crop_box(anns, width, height, margin):
    """The garments' union box grown by ``margin`` (a fraction of its size) and clipped to the image."""
    boxes = np.array([ann['bbox'] for ann in anns], dtype=np.float64).reshape(-1, 4)
    if not len(boxes):
        return 0.0, 0.0, float(width), float(height)
    x1, y1 = boxes[:, 0].min(), boxes[:, 1].min()
    x2, y2 = (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max()
    mx, my = margin * (x2 - x1), margin * (y2 - y1)
    x1, y1 = max(0.0, x1 - mx), max(0.0, y1 - my)
    x2, y2 = min(float(width), x2 + mx), min(float(height), y2 + my)
    return x1, y1, x2 - x1, y2 - y1


class CropToGarments(transforms.Preprocess):
    """Evaluation protocol of the papers: crop the image to the ground-truth garments' box plus a margin
    before predicting (predictions are mapped back to the full image by OpenPifPaf's inverse transform)."""

    def __init__(self, margin):
        self.margin = margin

    def __call__(self, image, anns, meta):
        meta = copy.deepcopy(meta)
        anns = copy.deepcopy(anns)
        x, y, w, h = crop_box(anns, image.size[0], image.size[1], self.margin)
        ltrb = np.array([math.floor(x), math.floor(y), math.ceil(x + w), math.ceil(y + h)])
        image = image.crop(tuple(int(v) for v in ltrb))
        for ann in anns:
            ann['keypoints'][:, :2] -= ltrb[:2]
            ann['bbox'][:2] -= ltrb[:2]
        meta['offset'] += ltrb[:2]
        meta['valid_area'] = np.array([0.0, 0.0, image.size[0] - 1, image.size[1] - 1])
        return image, anns, meta
