"""The COCO keypoint json this plugin reads and writes (converter output, generator's multi-garment json).

One annotation per garment::

    {id, image_id, category_id, clothes_type, keypoints (8 x [x, y, v]), num_keypoints,
     bbox [x, y, w, h], area, iscrowd, [variation_type], [attribute_ids]}

``category_id`` is the DeepFashion category (1-50); garments of the FLD benchmark carry no category label
and get the generic id of their clothes type (51 upper, 52 lower, 53 full).  COCO visibility is
2 visible / 1 occluded / 0 truncated, and truncated landmarks have x = y = 0.
"""
import json

from .. import atomic
from . import constants

#: Category ids for garments without a DeepFashion category label (FLD benchmark), by clothes type.
GENERIC_CATEGORY_IDS = {constants.UPPER: 51, constants.LOWER: 52, constants.FULL: 53}


def categories(skeleton='B'):
    """COCO ``categories``: the 50 DeepFashion categories and the 3 generic garment types."""
    common = {
        'keypoints': list(constants.KEYPOINTS),
        'skeleton': [list(pair) for pair in constants.SKELETONS[skeleton]],
    }
    result = [
        dict(id=category_id, name=name, supercategory=constants.CLOTHES_TYPES[clothes_type], **common)
        for category_id, (name, clothes_type) in zip(constants.CATEGORY_IDS, constants.CATEGORIES)
    ]
    result += [
        dict(id=category_id, name='{}-body garment'.format(constants.CLOTHES_TYPES[clothes_type]),
             supercategory=constants.CLOTHES_TYPES[clothes_type], **common)
        for clothes_type, category_id in GENERIC_CATEGORY_IDS.items()
    ]
    return result


def image_entry(image_id, file_name, width, height):
    return {'id': image_id, 'file_name': file_name, 'width': width, 'height': height}


def annotation_entry(annotation_id, image_id, category_id, clothes_type, keypoints, bbox_corners,
                     variation_type=None, attribute_ids=None):
    """Build one garment annotation.

    keypoints: 8 (x, y, coco_visibility) triples in slot order; truncated points (v = 0) are zeroed.
    bbox_corners: (x1, y1, x2, y2) as in DeepFashion's list_bbox.txt.
    """
    flat = []
    for x, y, v in keypoints:
        flat += [x, y, v] if v > 0 else [0, 0, 0]
    x1, y1, x2, y2 = bbox_corners
    w, h = x2 - x1, y2 - y1
    ann = {
        'id': annotation_id,
        'image_id': image_id,
        'category_id': category_id,
        'clothes_type': clothes_type,
        'keypoints': flat,
        'num_keypoints': sum(1 for v in flat[2::3] if v > 0),
        'bbox': [x1, y1, w, h],
        'area': w * h,
        'iscrowd': 0,
    }
    if variation_type is not None:
        ann['variation_type'] = variation_type
    if attribute_ids is not None:
        ann['attribute_ids'] = list(attribute_ids)
    return ann


def coco_document(images, annotations, skeleton='B', info=None):
    return {
        'info': dict(info or {}),
        'images': images,
        'annotations': annotations,
        'categories': categories(skeleton),
    }


def write_json_atomic(path, obj):
    """Write json to ``path`` so that a reader (or a crash) never sees a partial file.

    ``json.dumps`` (C encoder) then one write: 2-3x faster than ``json.dump``'s pure-Python streaming."""
    text = json.dumps(obj)
    with atomic.atomic_open(path) as f:
        f.write(text)
