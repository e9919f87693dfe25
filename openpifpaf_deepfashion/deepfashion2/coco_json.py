"""Read and check COCO-style DeepFashion2 json: this converter's output, DeepFashion2's own conversion (the
KGDet demo, MMPose's sample), read as they are.

:func:`validate` checks a document against the constants (294 slots, categories 1-13 by id and by either
spelling of their names, labelled keypoints only in the garment's category's slots, boxes, image ids) and
returns counts; a problem raises :class:`~.annos.DeepFashion2FormatError` naming the file, the annotation
and the field::

    demo.json: annotation 3446: keypoints: slot 30 is labelled but category 8 (trousers) owns slots 168-181
"""
import collections
import json
import os

from PIL import Image

from . import constants
from .annos import DeepFashion2FormatError

_NAMES = {c: {constants.CATEGORY_NAMES[c - 1], constants.COCO_CATEGORY_NAMES[c - 1]}
          for c in constants.CATEGORY_IDS}


def load(path):
    """The parsed json document; malformed json raises, naming line and column."""
    try:
        with open(path, 'rb') as f:
            return json.loads(f.read())
    except json.JSONDecodeError as error:
        raise DeepFashion2FormatError(path, 'malformed json: {} at line {} column {}'.format(
            error.msg, error.lineno, error.colno)) from None


def _check_categories(path, doc):
    for i, category in enumerate(doc.get('categories', [])):
        c = category.get('id')
        if c not in _NAMES:
            raise DeepFashion2FormatError(path, 'id {!r} is not a DeepFashion2 category (1-13)'.format(c),
                                          item='category {}'.format(i), field='id')
        if category.get('name') not in _NAMES[c]:
            raise DeepFashion2FormatError(path, '{!r} is not the name of category {} ({})'.format(
                category.get('name'), c, ' or '.join(sorted(_NAMES[c]))), item='category {}'.format(c), field='name')


def _check_annotation(path, ann, images):
    where = 'annotation {}'.format(ann.get('id'))

    def fail(field, message):
        raise DeepFashion2FormatError(path, message, item=where, field=field)

    for field in ('id', 'image_id', 'category_id', 'bbox', 'keypoints'):
        if field not in ann:
            fail(field, 'missing key')
    c = ann['category_id']
    if c not in constants.N_LANDMARKS:
        fail('category_id', 'expected 1-13, got {!r}'.format(c))
    if ann['image_id'] not in images:
        fail('image_id', 'no image with id {!r}'.format(ann['image_id']))
    keypoints = ann['keypoints']
    if not isinstance(keypoints, list) or len(keypoints) != 3 * constants.N_SLOTS:
        fail('keypoints', 'expected {} values (294 slots), got {}'.format(
            3 * constants.N_SLOTS, len(keypoints) if isinstance(keypoints, list) else type(keypoints).__name__))
    start, stop = constants.SLOT_RANGES[c]
    visibilities = keypoints[2::3]
    for slot, v in enumerate(visibilities):
        if v not in (0, 1, 2):
            fail('keypoints', 'slot {} has visibility {!r} (expected 0, 1 or 2)'.format(slot, v))
        if v and not start <= slot < stop:
            fail('keypoints', 'slot {} is labelled but category {} ({}) owns slots {}-{}'.format(
                slot, c, constants.CATEGORY_NAMES[c - 1], start, stop - 1))
    labelled = sum(1 for v in visibilities if v > 0)
    if 'num_keypoints' in ann and ann['num_keypoints'] != labelled:
        fail('num_keypoints', '{!r} but {} keypoints are labelled'.format(ann['num_keypoints'], labelled))
    bbox = ann['bbox']
    if not isinstance(bbox, list) or len(bbox) != 4 or bbox[2] <= 0 or bbox[3] <= 0:
        fail('bbox', 'expected [x, y, w, h] with w, h > 0, got {!r}'.format(bbox))
    image = images[ann['image_id']]
    if bbox[0] < 0 or bbox[1] < 0 or bbox[0] + bbox[2] > image['width'] or bbox[1] + bbox[3] > image['height']:
        fail('bbox', '{} is outside the {}x{} image'.format(bbox, image['width'], image['height']))
    return labelled


def _check_image_files(path, images, image_dir):
    for image in images.values():
        image_path = os.path.join(image_dir, image['file_name'])
        try:
            with Image.open(image_path) as opened:
                size = opened.size
        except Exception as error:  # PIL raises many kinds for a bad file
            raise DeepFashion2FormatError(path, 'cannot read {}: {}'.format(image_path, error),
                                          item='image {}'.format(image['id']), field='file_name') from None
        if size != (image['width'], image['height']):
            raise DeepFashion2FormatError(path, '{}x{} but {} is {}x{}'.format(
                image['width'], image['height'], image_path, *size), item='image {}'.format(image['id']),
                field='width/height')


def validate(doc, path='<json>', image_dir=None):
    """Check a COCO-style DeepFashion2 document (and, given image_dir, its image files and sizes).

    Returns counts: images, garments, garments per category id, images by number of garments, labelled
    keypoints."""
    for key in ('images', 'annotations'):
        if not isinstance(doc.get(key), list):
            raise DeepFashion2FormatError(path, 'missing or not a list', field=key)
    _check_categories(path, doc)
    images = {}
    for image in doc['images']:
        if image.get('id') in images:
            raise DeepFashion2FormatError(path, 'duplicate image id', item='image {}'.format(image.get('id')))
        images[image.get('id')] = image
    if image_dir is not None:
        _check_image_files(path, images, image_dir)
    per_category = collections.Counter()
    per_image = collections.Counter()
    labelled = 0
    seen = set()
    for ann in doc['annotations']:
        if ann.get('id') in seen:
            raise DeepFashion2FormatError(path, 'duplicate annotation id', item='annotation {}'.format(ann.get('id')))
        seen.add(ann.get('id'))
        labelled += _check_annotation(path, ann, images)
        per_category[ann['category_id']] += 1
        per_image[ann['image_id']] += 1
    garments_per_image = collections.Counter(per_image[image_id] for image_id in images)
    return {
        'images': len(images),
        'garments': len(doc['annotations']),
        'categories': {c: per_category[c] for c in constants.CATEGORY_IDS if per_category[c]},
        'images_by_garments': dict(sorted(garments_per_image.items())),
        'labelled_keypoints': labelled,
    }


def read(path, image_dir=None):
    """Load and validate a COCO-style DeepFashion2 json: (document, counts)."""
    doc = load(path)
    return doc, validate(doc, path, image_dir)
