"""One raw DeepFashion2 ``annos/*.json`` file: parse it, check it, and turn its items into COCO json text.

Layout (DeepFashion2's README): ``source`` ('user' or 'shop'), ``pair_id``, and ``item1`` .. ``itemN``, each
with ``category_id`` 1-13, ``category_name``, ``bounding_box`` [x1, y1, x2, y2], ``landmarks`` flat (x, y, v)
for the item's own category only (v 2 visible, 1 occluded, 0 not labelled), ``segmentation`` (polygons),
``scale``, ``occlusion``, ``zoom_in``, ``viewpoint`` (each 1-3) and ``style`` (0 = no pair).  Any problem
raises :class:`DeepFashion2FormatError`, whose text names the file, the item and the field::

    train/annos/000017.json: item2: landmarks: category 8 (trousers) has 14 landmarks (42 values), got 39

Items come out in item-number order; keys other than the above are ignored.  The annotation text is
compact json built from pieces (the 294-slot keypoints are zero runs around the item's own landmarks), so that
a worker process hands back a few strings per file.
"""
import json
import math

from PIL import Image

from . import constants

IMAGE_FIELDS = ('source', 'pair_id')
ITEM_FIELDS = ('category_id', 'category_name', 'bounding_box', 'landmarks', 'segmentation',
               'scale', 'occlusion', 'zoom_in', 'viewpoint', 'style')
SOURCES = ('user', 'shop')
LEVEL_FIELDS = ('scale', 'occlusion', 'zoom_in', 'viewpoint')  # each 1, 2 or 3
VISIBILITIES = (0, 1, 2)

_ZEROS_BEFORE = {c: '0,' * (3 * constants.SLOT_RANGES[c][0]) for c in constants.CATEGORY_IDS}
_ZEROS_AFTER = {c: ',0' * (3 * (constants.N_SLOTS - constants.SLOT_RANGES[c][1])) for c in constants.CATEGORY_IDS}


class DeepFashion2FormatError(ValueError):
    """A malformed DeepFashion2 file; ``str()`` is ``path: [item: ][field: ]message``."""

    def __init__(self, path, message, item=None, field=None):
        self.path = path
        self.message = message
        self.item = item
        self.field = field
        where = [str(path)] + [part for part in (item, field) if part]
        super().__init__('{}: {}'.format(': '.join(where), message))

    def __reduce__(self):  # picklable across worker processes
        return self.__class__, (self.path, self.message, self.item, self.field)


_NUMBER_TYPES = {int, float}


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return type(value) is int or (type(value) is float and math.isfinite(value))


def _reject_constant(name):
    raise ValueError('{} is not a json number'.format(name))


def load(path):
    """The parsed file (a dict); malformed json, NaN or Infinity raise, naming line and column."""
    try:
        with open(path, 'rb') as f:
            data = json.loads(f.read(), parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise DeepFashion2FormatError(path, 'malformed json: {} at line {} column {}'.format(
            error.msg, error.lineno, error.colno)) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise DeepFashion2FormatError(path, 'malformed json: {}'.format(error)) from None
    if not isinstance(data, dict):
        raise DeepFashion2FormatError(path, 'expected a json object, got {}'.format(type(data).__name__))
    return data


def item_names(data):
    """The keys 'item1', 'item2', ... of a parsed file, in numeric order."""
    numbered = []
    for key in data:
        if key.startswith('item') and key[4:].isdigit():
            numbered.append((int(key[4:]), key))
    return [key for _, key in sorted(numbered)]


def check_image_fields(path, data):
    for field in IMAGE_FIELDS:
        if field not in data:
            raise DeepFashion2FormatError(path, 'missing key', field=field)
    if data['source'] not in SOURCES:
        raise DeepFashion2FormatError(path, 'expected "user" or "shop", got {!r}'.format(data['source']),
                                      field='source')
    if not _is_int(data['pair_id']) or data['pair_id'] < 0:
        raise DeepFashion2FormatError(path, 'expected an integer >= 0, got {!r}'.format(data['pair_id']),
                                      field='pair_id')


def check_item(path, name, item, width, height):
    """Check one item against its category and the image size (width, height)."""
    def fail(field, message):
        raise DeepFashion2FormatError(path, message, item=name, field=field)

    if not isinstance(item, dict):
        raise DeepFashion2FormatError(path, 'expected a json object, got {}'.format(type(item).__name__), item=name)
    for field in ITEM_FIELDS:
        if field not in item:
            fail(field, 'missing key')
    category_id = item['category_id']
    if not _is_int(category_id) or category_id not in constants.N_LANDMARKS:
        fail('category_id', 'expected an integer 1-13, got {!r}'.format(category_id))
    category_name = constants.CATEGORY_NAMES[category_id - 1]
    if item['category_name'] != category_name:
        fail('category_name', '{!r} does not match category_id {} ({!r})'.format(
            item['category_name'], category_id, category_name))
    for field in LEVEL_FIELDS:
        if not _is_int(item[field]) or item[field] not in (1, 2, 3):
            fail(field, 'expected 1, 2 or 3, got {!r}'.format(item[field]))
    if not _is_int(item['style']) or item['style'] < 0:
        fail('style', 'expected an integer >= 0, got {!r}'.format(item['style']))
    check_box(item['bounding_box'], width, height, lambda message: fail('bounding_box', message))
    check_landmarks(item['landmarks'], category_id, width, height, lambda message: fail('landmarks', message))
    check_segmentation(item['segmentation'], lambda message: fail('segmentation', message))


def check_box(box, width, height, fail):
    if not isinstance(box, list) or len(box) != 4 or not all(_is_number(v) for v in box):
        fail('expected [x1, y1, x2, y2] (4 numbers), got {!r}'.format(box))
    x1, y1, x2, y2 = box
    if x2 <= x1 or y2 <= y1:
        fail('[{}, {}, {}, {}] is inverted or empty (needs x1 < x2 and y1 < y2)'.format(x1, y1, x2, y2))
    if x1 < 0 or y1 < 0 or x2 > width or y2 > height:
        fail('[{}, {}, {}, {}] is outside the {}x{} image'.format(x1, y1, x2, y2, width, height))


def check_landmarks(landmarks, category_id, width, height, fail):
    n = constants.N_LANDMARKS[category_id]
    if not isinstance(landmarks, list):
        fail('expected a list of (x, y, v) values, got {}'.format(type(landmarks).__name__))
    if len(landmarks) != 3 * n:
        fail('category {} ({}) has {} landmarks ({} values), got {}'.format(
            category_id, constants.CATEGORY_NAMES[category_id - 1], n, 3 * n, len(landmarks)))
    coordinates = landmarks[0::3] + landmarks[1::3]
    visibilities = landmarks[2::3]
    if not ({type(value) for value in coordinates} <= _NUMBER_TYPES and {type(v) for v in visibilities} <= {int}
            and all(v in VISIBILITIES for v in visibilities)):
        for k in range(n):  # the slow way, for the message
            x, y, v = landmarks[3 * k:3 * k + 3]
            if not _is_number(x) or not _is_number(y):
                fail('landmark {}: x and y must be numbers, got {!r}, {!r}'.format(k + 1, x, y))
            if not _is_int(v) or v not in VISIBILITIES:
                fail('landmark {}: visibility must be 0, 1 or 2, got {!r}'.format(k + 1, v))
    for k, v in enumerate(visibilities):
        x, y = landmarks[3 * k], landmarks[3 * k + 1]
        if v and not (0 <= x <= width and 0 <= y <= height):
            fail('landmark {} at ({}, {}) is outside the {}x{} image'.format(k + 1, x, y, width, height))


def check_segmentation(segmentation, fail):
    """Polygons: flat lists of an even number of numbers (finiteness is checked when they are written)."""
    if not isinstance(segmentation, list):
        fail('expected a list of polygons, got {}'.format(type(segmentation).__name__))
    for i, polygon in enumerate(segmentation, 1):
        if not isinstance(polygon, list) or len(polygon) % 2 or not {type(v) for v in polygon} <= _NUMBER_TYPES:
            fail('polygon {}: expected a flat list of x, y numbers'.format(i))


def image_size(path):
    """(width, height) from the image header (no decoding); raises OSError when absent or unreadable."""
    with Image.open(path) as image:
        return image.size


def keypoints_text(category_id, landmarks):
    """The 294-slot keypoints as compact json text (exactly the item's landmark values in its slots)."""
    own = json.dumps(landmarks, separators=(',', ':'), allow_nan=False)[1:-1]
    return '[' + _ZEROS_BEFORE[category_id] + own + _ZEROS_AFTER[category_id] + ']'


def annotation_tail(path, name, image_id, item, source, pair_id):
    """An annotation's json text after its id: ``,"image_id":...}`` (the caller writes ``{"id":N``)."""
    x1, y1, x2, y2 = item['bounding_box']
    w, h = x2 - x1, y2 - y1
    category_id = item['category_id']
    num_keypoints = sum(1 for v in item['landmarks'][2::3] if v > 0)
    fields = json.dumps({
        'area': w * h, 'iscrowd': 0, 'item': int(name[4:]), 'style': item['style'], 'scale': item['scale'],
        'occlusion': item['occlusion'], 'zoom_in': item['zoom_in'], 'viewpoint': item['viewpoint'],
        'pair_id': pair_id, 'source': source, 'bbox': [x1, y1, w, h], 'num_keypoints': num_keypoints,
    }, separators=(',', ':'))[1:-1]
    texts = {}
    for field in ('landmarks', 'segmentation'):
        try:
            texts[field] = (keypoints_text(category_id, item[field]) if field == 'landmarks'
                            else json.dumps(item[field], separators=(',', ':'), allow_nan=False))
        except ValueError:
            raise DeepFashion2FormatError(path, 'a number is out of range (inf)', item=name, field=field) from None
    return ',"image_id":{},"category_id":{},{},"keypoints":{},"segmentation":{}}}'.format(
        image_id, category_id, fields, texts['landmarks'], texts['segmentation'])


def convert_file(annos_path, image_path, image_id):
    """Parse and check one annos file; returns (image entry text, [annotation tails], [category ids])."""
    data = load(annos_path)
    check_image_fields(annos_path, data)
    try:
        width, height = image_size(image_path)
    except FileNotFoundError:
        raise DeepFashion2FormatError(annos_path, 'its image {} does not exist'.format(image_path)) from None
    except Exception as error:  # PIL raises many kinds for a bad file
        raise DeepFashion2FormatError(annos_path, 'cannot read its image {}: {}'.format(image_path, error)) from None
    tails = []
    categories = []
    for name in item_names(data):
        item = data[name]
        check_item(annos_path, name, item, width, height)
        tails.append(annotation_tail(annos_path, name, image_id, item, data['source'], data['pair_id']))
        categories.append(item['category_id'])
    image = image_entry(image_id, image_path, width, height, data['source'], data['pair_id'])
    return image, tails, categories


def image_entry(image_id, image_path, width, height, source=None, pair_id=None):
    """An image's compact json text (source and pair_id where the split has annos)."""
    entry = {'id': image_id, 'file_name': image_path.replace('\\', '/').rsplit('/', 1)[-1],
             'width': width, 'height': height}
    if source is not None:
        entry.update(source=source, pair_id=pair_id)
    return json.dumps(entry, separators=(',', ':'))
