"""Parse and validate DeepFashion's list files (Category & Attribute and FLD benchmarks).

Every list file is: line 1 the number of rows, line 2 the column names, then one row per record, columns
separated by runs of spaces (rows may end with a space, CRLF line ends are accepted).  Anything malformed
raises :class:`DeepFashionFormatError`, whose message names the file, the 1-based line and the problem::

    /data/deepfashion/Anno/list_landmarks.txt:17: clothes_type 1 needs 6 landmark triples (18 values), got 15

Rows are parsed with ``str.split`` (no regular expressions) so that the 289,222 rows of Category & Attribute
take seconds.  Tables are keyed by image name: the converter joins them by name, never by row order.
"""
import collections
import itertools
import math
import os

from ..errors import UserError
from . import constants

CATEGORY = 'category'
FLD = 'fld'
BENCHMARK_NAMES = {CATEGORY: 'Category & Attribute', FLD: 'Fashion Landmark Detection'}

LANDMARKS = os.path.join('Anno', 'list_landmarks.txt')
BBOX = os.path.join('Anno', 'list_bbox.txt')
PARTITION = os.path.join('Eval', 'list_eval_partition.txt')
CATEGORY_CLOTH = os.path.join('Anno', 'list_category_cloth.txt')
CATEGORY_IMG = os.path.join('Anno', 'list_category_img.txt')
ATTR_CLOTH = os.path.join('Anno', 'list_attr_cloth.txt')
ATTR_IMG = os.path.join('Anno', 'list_attr_img.txt')
REQUIRED_FILES = (LANDMARKS, BBOX, PARTITION)

SPLITS = ('train', 'val', 'test')

_LANDMARK_COLUMNS = tuple(
    '{}_{}'.format(column, i) for i in range(1, len(constants.KEYPOINTS) + 1)
    for column in ('landmark_visibility', 'landmark_location_x', 'landmark_location_y'))
LANDMARK_HEADERS = {
    CATEGORY: ('image_name', 'clothes_type') + _LANDMARK_COLUMNS,
    FLD: ('image_name', 'clothes_type', 'variation_type') + _LANDMARK_COLUMNS,
}
_BOX_COLUMNS = ('x_1', 'y_1', 'x_2', 'y_2')
BBOX_HEADERS = {
    CATEGORY: ('image_name',) + _BOX_COLUMNS,
    FLD: ('image_name', 'clothes_type', 'pose_type') + _BOX_COLUMNS,
    # some copies name FLD's pose column after list_landmarks.txt's
    FLD + '-variation': ('image_name', 'clothes_type', 'variation_type') + _BOX_COLUMNS,
}
PARTITION_HEADER = ('image_name', 'evaluation_status')
CATEGORY_IMG_HEADER = ('image_name', 'category_label')
CATEGORY_CLOTH_HEADER = ('category_name', 'category_type')
ATTR_CLOTH_HEADER = ('attribute_name', 'attribute_type')
ATTR_IMG_HEADER = ('image_name', 'attribute_labels')

_CLOTHES_TYPES = {str(t): t for t in constants.CLOTHES_TYPES}
_VISIBILITIES = {str(v): v for v in constants.DEEPFASHION_TO_COCO_VISIBILITY}
_VARIATION_TYPES = {str(v): v for v in constants.VARIATION_TYPES}
_ATTRIBUTE_VALUES = frozenset(('-1', '0', '1'))
_PROGRESS_EVERY = 4096
_DETECTION_ROWS = 100

#: One row of list_landmarks.txt; ``landmarks`` is flat (visibility, x, y) * n in DeepFashion's visibility code.
LandmarkRow = collections.namedtuple('LandmarkRow', 'line name clothes_type variation_type landmarks')
#: One row of list_bbox.txt; clothes_type and pose_type are None in the Category & Attribute layout.
BoxRow = collections.namedtuple('BoxRow', 'line x1 y1 x2 y2 clothes_type pose_type')
#: A row of a two-column table (partition, category label, attribute ids): its line and its value.
Entry = collections.namedtuple('Entry', 'line value')


class DeepFashionFormatError(UserError, ValueError):
    """A malformed DeepFashion file; ``str()`` is ``path:line: message`` (``path: message`` without a line)."""

    def __init__(self, path, line, message):
        self.path = path
        self.line = line
        self.message = message
        where = '{}:{}'.format(path, line) if line else str(path)
        super().__init__('{}: {}'.format(where, message))


class LandmarkFile:
    """Parsed list_landmarks.txt: the detected benchmark, rows in file order and name -> row position."""

    def __init__(self, path, benchmark, header_layout, rows, index):
        self.path = path
        self.benchmark = benchmark
        self.header_layout = header_layout
        self.rows = rows
        self.index = index


class Table:
    """Parsed list file keyed by image name (``entries``: name -> row), with its layout and path."""

    def __init__(self, path, layout, entries):
        self.path = path
        self.layout = layout
        self.entries = entries


def _decoded_lines(path):
    """Yield (line number, text) for every line, text still ending in its line end."""
    try:
        f = open(path, 'rb')
    except OSError as error:
        raise DeepFashionFormatError(path, None, 'cannot read: {}'.format(error.strerror or error)) from None
    with f:
        for number, raw in enumerate(f, 1):
            try:
                text = raw.decode('utf-8')
            except UnicodeDecodeError as error:
                raise DeepFashionFormatError(path, number, 'not UTF-8: byte 0x{:02x} at column {}'.format(
                    raw[error.start], error.start + 1)) from None
            yield number, text


def check_exists(path, required=True):
    """True if the list file exists; a missing required file raises."""
    if os.path.isfile(path):
        return True
    if required:
        raise DeepFashionFormatError(path, None, 'required file is missing')
    return False


def open_list(path, headers, progress=None):
    """Check a list file's count and header lines.

    headers: {layout: tuple of column names}.  Returns (layout, count, rows) where rows yields
    (line number, text) for every data row and, once exhausted, checks the row count against line 1.
    progress, if given, is called with (rows so far, count).
    """
    check_exists(path)
    if os.path.getsize(path) == 0:
        raise DeepFashionFormatError(path, None, 'file is empty')
    lines = _decoded_lines(path)
    count = _count_line(path, next(lines))
    header = next(lines, None)
    if header is None:
        raise DeepFashionFormatError(path, 2, 'missing header line (expected {})'.format(_describe(headers)))
    number, text = header
    columns = tuple(text.split())
    layout = next((layout for layout, expected in headers.items() if columns == expected), None)
    if layout is None:
        raise DeepFashionFormatError(path, number, 'wrong header {!r} (expected {})'.format(
            ' '.join(columns), _describe(headers)))
    return layout, count, _data_rows(path, lines, count, progress)


def _describe(headers):
    return ' or '.join(repr(' '.join(columns)) for columns in headers.values())


def _count_line(path, first_line):
    number, text = first_line
    token = text.lstrip('\ufeff').strip()
    if not (token.isascii() and token.isdigit()):
        raise DeepFashionFormatError(path, number, 'the first line must be the number of rows, got {!r}'.format(
            token[:40]))
    return int(token)


def _data_rows(path, lines, count, progress):
    rows = 0
    blank_line = None
    for number, text in lines:
        if not text or text.isspace():
            blank_line = blank_line or number
            continue
        if blank_line is not None:
            raise DeepFashionFormatError(path, blank_line, 'empty line between rows')
        rows += 1
        if progress is not None and rows % _PROGRESS_EVERY == 0:
            progress(rows, count)
        yield number, text
    if progress is not None:
        progress(rows, count)
    if rows != count:
        raise DeepFashionFormatError(path, 1, 'the count line says {} rows but the file has {}'.format(count, rows))


def _number(path, line, token, what):
    """int of a coordinate token (float if it has a fraction); anything else raises."""
    try:
        return int(token)
    except ValueError:
        pass
    try:
        value = float(token)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise DeepFashionFormatError(path, line, '{} {!r} is not a number'.format(what, token))
    return value


def _check_unique(path, entries, name, line):
    """Raise if name already has an entry (anything with a ``line``) in entries."""
    first = entries.get(name)
    if first is not None:
        raise _duplicate(path, name, line, first.line)


def _duplicate(path, name, line, first_line):
    return DeepFashionFormatError(path, line, 'duplicate image name {} (first on line {})'.format(name, first_line))


def detect_benchmark(header_layout, first_rows):
    """Benchmark of a list_landmarks.txt from its header and row layout.

    Each of the first rows votes by its token count: name, clothes_type and 3 values per landmark give
    2 mod 3 tokens (Category & Attribute), an extra variation_type column gives 0 mod 3 (FLD).  The header
    votes once and breaks ties, so a copy whose header names a column its rows lack is still read right.
    """
    votes = {CATEGORY: 0, FLD: 0}
    votes[header_layout] += 1
    for tokens in first_rows:
        layout = {2: CATEGORY, 0: FLD}.get(len(tokens) % 3)
        if layout is not None:
            votes[layout] += 1
    if votes[CATEGORY] == votes[FLD]:
        return header_layout
    return max(votes, key=votes.get)


def parse_landmarks(path, progress=None):
    """Parse list_landmarks.txt of either benchmark into a :class:`LandmarkFile`."""
    header_layout, _, rows = open_list(path, LANDMARK_HEADERS, progress)
    first = [(number, text.split()) for number, text in itertools.islice(rows, _DETECTION_ROWS)]
    benchmark = detect_benchmark(header_layout, [tokens for _, tokens in first])
    has_variation = benchmark == FLD
    parsed = []
    index = {}
    all_rows = itertools.chain(first, ((number, text.split()) for number, text in rows))
    for number, tokens in all_rows:
        row = _landmark_row(path, number, tokens, has_variation)
        previous = index.get(row.name)
        if previous is not None:
            raise _duplicate(path, row.name, number, parsed[previous].line)
        index[row.name] = len(parsed)
        parsed.append(row)
    return LandmarkFile(path, benchmark, header_layout, parsed, index)


def _landmark_row(path, line, tokens, has_variation):
    start = 3 if has_variation else 2
    if len(tokens) < start:
        raise DeepFashionFormatError(path, line, 'expected {} before the landmarks, got {!r}'.format(
            ', '.join(LANDMARK_HEADERS[FLD if has_variation else CATEGORY][:start]), ' '.join(tokens)))
    clothes_type = _clothes_type(path, line, tokens[1])
    variation_type = None
    if has_variation:
        variation_type = _VARIATION_TYPES.get(tokens[2])
        if variation_type is None:
            raise DeepFashionFormatError(path, line, 'unknown variation_type {!r} (expected 1..{})'.format(
                tokens[2], len(constants.VARIATION_TYPES)))
    n = len(constants.SLOTS[clothes_type])
    values = tokens[start:]
    if len(values) != 3 * n:
        message = 'clothes_type {} needs {} landmark triples ({} values), got {}'
        raise DeepFashionFormatError(path, line, message.format(clothes_type, n, 3 * n, len(values)))
    landmarks = []
    for i in range(n):
        visibility = _VISIBILITIES.get(values[3 * i])
        if visibility is None:
            message = 'landmark {}: unknown visibility {!r} (expected 0 visible, 1 occluded, 2 truncated)'
            raise DeepFashionFormatError(path, line, message.format(i + 1, values[3 * i]))
        landmarks += (visibility,
                      _number(path, line, values[3 * i + 1], 'landmark {} x'.format(i + 1)),
                      _number(path, line, values[3 * i + 2], 'landmark {} y'.format(i + 1)))
    return LandmarkRow(line, tokens[0], clothes_type, variation_type, tuple(landmarks))


def _clothes_type(path, line, token):
    clothes_type = _CLOTHES_TYPES.get(token)
    if clothes_type is None:
        message = 'unknown clothes_type {!r} (expected 1 upper, 2 lower, 3 full)'
        raise DeepFashionFormatError(path, line, message.format(token))
    return clothes_type


def parse_bbox(path, progress=None):
    """Parse list_bbox.txt (either layout) into a :class:`Table` of :class:`BoxRow`."""
    layout, _, rows = open_list(path, BBOX_HEADERS, progress)
    with_type = layout != CATEGORY
    width = 7 if with_type else 5
    entries = {}
    for number, text in rows:
        tokens = text.split()
        if len(tokens) != width:
            raise DeepFashionFormatError(path, number, 'expected {} columns ({}), got {}'.format(
                width, ' '.join(BBOX_HEADERS[layout]), len(tokens)))
        name = tokens[0]
        _check_unique(path, entries, name, number)
        clothes_type = pose_type = None
        if with_type:
            clothes_type = _clothes_type(path, number, tokens[1])
            pose_type = _number(path, number, tokens[2], BBOX_HEADERS[layout][2])
        x1, y1, x2, y2 = (_number(path, number, token, column)
                          for token, column in zip(tokens[-4:], _BOX_COLUMNS))
        if x2 <= x1:
            raise DeepFashionFormatError(path, number, 'box has x_2 <= x_1 ({} <= {})'.format(x2, x1))
        if y2 <= y1:
            raise DeepFashionFormatError(path, number, 'box has y_2 <= y_1 ({} <= {})'.format(y2, y1))
        entries[name] = BoxRow(number, x1, y1, x2, y2, clothes_type, pose_type)
    return Table(path, layout, entries)


def parse_partition(path, progress=None):
    """Parse list_eval_partition.txt: name -> Entry(line, 'train' | 'val' | 'test')."""
    return _parse_two_columns(path, PARTITION_HEADER, _split_value, progress)


def _split_value(path, line, token):
    if token not in SPLITS:
        raise DeepFashionFormatError(path, line, 'unknown evaluation_status {!r} (expected {})'.format(
            token, ', '.join(SPLITS)))
    return token


def parse_category_img(path, progress=None):
    """Parse list_category_img.txt: name -> Entry(line, category label 1..50)."""
    return _parse_two_columns(path, CATEGORY_IMG_HEADER, _category_value, progress)


def _category_value(path, line, token):
    label = int(token) if token.isascii() and token.isdigit() else None
    if label not in constants.CATEGORY_IDS:
        raise DeepFashionFormatError(path, line, 'unknown category label {!r} (expected 1..{})'.format(
            token, len(constants.CATEGORIES)))
    return label


def _parse_two_columns(path, header, value_of, progress):
    _, _, rows = open_list(path, {'table': header}, progress)
    entries = {}
    for number, text in rows:
        tokens = text.split()
        if len(tokens) != 2:
            raise DeepFashionFormatError(path, number, 'expected 2 columns ({}), got {}'.format(
                ' '.join(header), len(tokens)))
        name = tokens[0]
        _check_unique(path, entries, name, number)
        entries[name] = Entry(number, value_of(path, number, tokens[1]))
    return Table(path, 'table', entries)


def parse_category_cloth(path):
    """Parse list_category_cloth.txt and check it is constants.CATEGORIES (same names, types and order)."""
    _, count, rows = open_list(path, {'table': CATEGORY_CLOTH_HEADER})
    expected = constants.CATEGORIES
    categories = []
    for number, text in rows:
        tokens = text.split()
        if len(tokens) != 2:
            message = 'expected 2 columns (category_name category_type), got {}'
            raise DeepFashionFormatError(path, number, message.format(len(tokens)))
        position = len(categories)
        if position >= len(expected):
            raise DeepFashionFormatError(path, number, 'more than the {} known categories'.format(len(expected)))
        name, clothes_type = tokens[0], _clothes_type(path, number, tokens[1])
        if (name, clothes_type) != expected[position]:
            raise DeepFashionFormatError(
                path, number, 'category {} type {} disagrees with constants.CATEGORIES[{}] = {} type {}'.format(
                    name, clothes_type, position, *expected[position]))
        categories.append((name, clothes_type))
    if len(categories) != len(expected):
        raise DeepFashionFormatError(path, 1, '{} categories, expected the {} of constants.CATEGORIES'.format(
            count, len(expected)))
    return categories


def parse_attr_cloth(path):
    """Parse list_attr_cloth.txt: list of (attribute name, attribute type); names may contain spaces."""
    _, _, rows = open_list(path, {'table': ATTR_CLOTH_HEADER})
    attributes = []
    for number, text in rows:
        parts = text.rsplit(None, 1)
        if len(parts) != 2:
            raise DeepFashionFormatError(path, number, 'expected an attribute name and type, got {!r}'.format(
                text.strip()))
        name, token = parts
        if not (token.isascii() and token.isdigit()):
            raise DeepFashionFormatError(path, number, 'attribute_type {!r} is not an integer'.format(token))
        attributes.append((name.strip(), int(token)))
    return attributes


def parse_attr_img(path, n_attributes=None, progress=None):
    """Parse list_attr_img.txt: name -> Entry(line, tuple of the 1-based ids of the attributes with value 1).

    n_attributes: values per row (from list_attr_cloth.txt); without it, the first row sets it.
    """
    _, _, rows = open_list(path, {'table': ATTR_IMG_HEADER}, progress)
    entries = {}
    for number, text in rows:
        tokens = text.split()
        if n_attributes is None:
            n_attributes = len(tokens) - 1
        if len(tokens) != n_attributes + 1 or n_attributes == 0:
            message = 'expected the image name and {} attribute values, got {}'
            raise DeepFashionFormatError(path, number, message.format(n_attributes, len(tokens) - 1))
        name = tokens[0]
        _check_unique(path, entries, name, number)
        values = tokens[1:]
        if not _ATTRIBUTE_VALUES.issuperset(values):
            position, value = next((i, v) for i, v in enumerate(values, 1) if v not in _ATTRIBUTE_VALUES)
            raise DeepFashionFormatError(path, number, 'attribute {}: value {!r} is not -1, 0 or 1'.format(
                position, value))
        entries[name] = Entry(number, _positions_of_one(values))
    return Table(path, 'table', entries)


def _positions_of_one(values):
    """1-based positions of '1' in values (few per row: found with list.index, not a Python loop)."""
    positions = []
    start = 0
    try:
        while True:
            start = values.index('1', start) + 1
            positions.append(start)
    except ValueError:
        return tuple(positions)


def check_same_images(landmarks, table):
    """Raise unless table lists exactly the images of list_landmarks.txt (in any order)."""
    entries = table.entries
    for row in landmarks.rows:
        if row.name not in entries:
            raise DeepFashionFormatError(landmarks.path, row.line, 'image {} is missing from {}'.format(
                row.name, table.path))
    if len(entries) != len(landmarks.rows):
        index = landmarks.index
        for name, entry in entries.items():
            if name not in index:
                raise DeepFashionFormatError(table.path, entry.line, 'image {} is not in {}'.format(
                    name, landmarks.path))
