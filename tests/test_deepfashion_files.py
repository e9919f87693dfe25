"""Parsing and validation of DeepFashion list files (genuine rows, both benchmarks, every malformed case)."""
import os

import pytest

from openpifpaf_deepfashion.deepfashion import constants
from openpifpaf_deepfashion.deepfashion import list_files as files
from openpifpaf_deepfashion.deepfashion.list_files import DeepFashionFormatError

CA_LANDMARK_HEADER = '  '.join(files.LANDMARK_HEADERS[files.CATEGORY])
FLD_LANDMARK_HEADER = '  '.join(files.LANDMARK_HEADERS[files.FLD])
BLOUSE = 'img/Sheer_Pleated-Front_Blouse/img_00000001.jpg'


@pytest.fixture(name='real')
def fixture_real(genuine):
    """The folder of genuine DeepFashion files (quoted_rows.txt, list_category_cloth.txt)."""
    return genuine


def quoted_sections(real):
    """quoted_rows.txt as {section title: [data lines exactly as quoted, without the line end]}."""
    sections = {}
    title = None
    with open(os.path.join(real, 'quoted_rows.txt'), encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith(('## Anno/', '## Eval/')):
                title = line[3:].split(',')[0]
                sections[title] = []
            elif title and line and not line.startswith('#'):
                sections[title].append(line)
    return sections


def write(tmp_path, name, text, newline='\n'):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace('\n', newline).encode('utf-8'))
    return str(path)


def list_text(header, rows, count=None):
    return '{}\n{}\n{}'.format(len(rows) if count is None else count, header, ''.join(r + '\n' for r in rows))


def expect_error(fn, path, line, *fragments):
    """fn() raises DeepFashionFormatError naming path and line (and the fragments)."""
    with pytest.raises(DeepFashionFormatError) as info:
        fn()
    message = str(info.value)
    assert message.startswith('{}:{}: '.format(path, line) if line else '{}: '.format(path)), message
    assert info.value.line == line
    for fragment in fragments:
        assert fragment in message, message
    return message


# --- the genuine rows ---------------------------------------------------------------------------------------

def test_genuine_landmark_row(tmp_path, real):
    row, = quoted_sections(real)['Anno/list_landmarks.txt']
    assert row.endswith('232 ')  # the genuine trailing space is kept
    path = write(tmp_path, 'list_landmarks.txt', list_text(CA_LANDMARK_HEADER, [row]))
    landmarks = files.parse_landmarks(path)
    assert landmarks.benchmark == files.CATEGORY
    parsed, = landmarks.rows
    assert (parsed.line, parsed.name, parsed.clothes_type, parsed.variation_type) == (3, BLOUSE, 1, None)
    assert parsed.landmarks[0::3] == (0,) * 6
    assert list(zip(parsed.landmarks[1::3], parsed.landmarks[2::3])) == [
        (146, 102), (173, 95), (94, 242), (205, 255), (136, 229), (177, 232)]


def test_genuine_bbox_rows(tmp_path, real):
    count, header, row = quoted_sections(real)['Anno/list_bbox.txt']
    assert count == '289222'
    path = write(tmp_path, 'list_bbox.txt', list_text(header, [row]))
    boxes = files.parse_bbox(path)
    assert boxes.layout == files.CATEGORY
    box = boxes.entries[BLOUSE]
    assert (box.line, box.x1, box.y1, box.x2, box.y2, box.clothes_type) == (3, 72, 79, 232, 273, None)


def test_genuine_partition_rows(tmp_path, real):
    _, header, *rows = quoted_sections(real)['Eval/list_eval_partition.txt']
    path = write(tmp_path, 'list_eval_partition.txt', list_text(header, rows))
    entries = files.parse_partition(path).entries
    assert [(name[-16:], entry.line, entry.value) for name, entry in entries.items()] == [
        ('img_00000001.jpg', 3, 'train'), ('img_00000002.jpg', 4, 'train'), ('img_00000003.jpg', 5, 'val')]


def test_genuine_attr_cloth_rows_with_spaces_in_names(tmp_path, real):
    _, header, *rows = quoted_sections(real)['Anno/list_attr_cloth.txt']
    path = write(tmp_path, 'list_attr_cloth.txt', list_text(header, rows))
    assert files.parse_attr_cloth(path) == [
        ('a-line', 3), ('abstract', 1), ('abstract chevron', 1), ('abstract chevron print', 1),
        ('abstract diamond', 1), ('abstract floral', 1)]


def test_genuine_category_img_row(tmp_path, real):
    _, header, row = quoted_sections(real)['Anno/list_category_img.txt']
    path = write(tmp_path, 'list_category_img.txt', list_text(header, [row]))
    label = files.parse_category_img(path).entries[BLOUSE].value
    assert label == 3
    assert constants.CATEGORIES[label - 1] == ('Blouse', constants.UPPER)


def test_genuine_category_cloth_file(real):
    path = os.path.join(real, 'list_category_cloth.txt')
    with open(path, 'rb') as f:
        assert not f.read().endswith(b'\n')  # the genuine file has no final newline
    assert files.parse_category_cloth(path) == constants.CATEGORIES


# --- benchmark detection --------------------------------------------------------------------------------------

FLD_ROWS = [
    'img/img_00000001.jpg  3  1  0 101 050  0 140 051  1 080 090  0 160 092  0 095 130  0 150 131  2 000 000'
    '  0 150 240',
    'img/img_00000002.jpg  1  4  0 101 050  0 140 051  0 080 090  0 160 092  0 095 200  0 150 201 ',
    'img/img_00000003.jpg  2  2  0 090 100  0 150 102  0 080 250  0 160 252',
]
CA_ROWS = [
    'img/A_Dress/img_00000001.jpg   3  0 101 050  0 140 051  1 080 090  0 160 092  0 095 130  0 150 131  2 000 000'
    '  0 150 240',
    'img/A_Tee/img_00000001.jpg     1  0 101 050  0 140 051  0 080 090  0 160 092  0 095 200  0 150 201 ',
    'img/A_Skirt/img_00000001.jpg   2  0 090 100  0 150 102  0 080 250  0 160 252',
]


def test_fld_detected_from_fld_files(tmp_path):
    path = write(tmp_path, 'list_landmarks.txt', list_text(FLD_LANDMARK_HEADER, FLD_ROWS))
    landmarks = files.parse_landmarks(path)
    assert landmarks.benchmark == files.FLD
    assert [(r.clothes_type, r.variation_type) for r in landmarks.rows] == [(3, 1), (1, 4), (2, 2)]
    assert landmarks.rows[0].landmarks[:6] == (0, 101, 50, 0, 140, 51)
    assert landmarks.rows[2].landmarks == (0, 90, 100, 0, 150, 102, 0, 80, 250, 0, 160, 252)


def test_category_detected_from_category_files(tmp_path):
    path = write(tmp_path, 'list_landmarks.txt', list_text(CA_LANDMARK_HEADER, CA_ROWS))
    landmarks = files.parse_landmarks(path)
    assert landmarks.benchmark == files.CATEGORY
    assert [(r.clothes_type, r.variation_type) for r in landmarks.rows] == [(3, None), (1, None), (2, None)]


def test_rows_win_over_a_header_that_names_variation_type(tmp_path):
    """Some copies of Category & Attribute name variation_type in the header although the rows lack it."""
    path = write(tmp_path, 'list_landmarks.txt', list_text(FLD_LANDMARK_HEADER, CA_ROWS))
    landmarks = files.parse_landmarks(path)
    assert landmarks.benchmark == files.CATEGORY
    assert landmarks.header_layout == files.FLD


def test_header_decides_without_rows(tmp_path):
    path = write(tmp_path, 'list_landmarks.txt', list_text(FLD_LANDMARK_HEADER, []))
    assert files.parse_landmarks(path).benchmark == files.FLD
    assert files.detect_benchmark(files.CATEGORY, [['x'] * 21]) == files.CATEGORY  # a tie keeps the header


def test_fld_bbox_layout(tmp_path):
    rows = ['img/img_00000001.jpg  3  1  050 040 190 260']
    for column in ('pose_type', 'variation_type'):
        header = 'image_name  clothes_type  {}  x_1  y_1  x_2  y_2'.format(column)
        box = files.parse_bbox(write(tmp_path, 'b.txt', list_text(header, rows))).entries['img/img_00000001.jpg']
        assert (box.clothes_type, box.pose_type, box.x1, box.y1, box.x2, box.y2) == (3, 1, 50, 40, 190, 260)


# --- accepted variations ----------------------------------------------------------------------------------------

def test_crlf_parses_like_lf(tmp_path, real):
    text = list_text(CA_LANDMARK_HEADER, CA_ROWS)
    lf = files.parse_landmarks(write(tmp_path, 'lf.txt', text))
    crlf = files.parse_landmarks(write(tmp_path, 'crlf.txt', text, newline='\r\n'))
    assert crlf.rows == lf.rows
    _, header, *rows = quoted_sections(real)['Anno/list_attr_cloth.txt']
    assert files.parse_attr_cloth(write(tmp_path, 'a.txt', list_text(header, rows), newline='\r\n'))[2] == (
        'abstract chevron', 1)


def test_trailing_blank_line_and_no_final_newline_are_fine(tmp_path):
    header = 'image_name  evaluation_status'
    path = write(tmp_path, 'p.txt', '2\n{}\na.jpg train\nb.jpg test\n\n'.format(header))
    assert len(files.parse_partition(path).entries) == 2
    path = write(tmp_path, 'p.txt', '2\n{}\na.jpg train\nb.jpg test'.format(header))
    assert files.parse_partition(path).entries['b.jpg'].value == 'test'


def test_attribute_ids_are_one_based_positions_of_1(tmp_path):
    rows = ['a.jpg  -1  1 -1 -1  1', 'b.jpg  -1 -1 -1 -1 -1', 'c.jpg   0  0  1  0  0']
    path = write(tmp_path, 'x.txt', list_text('image_name  attribute_labels', rows))
    entries = files.parse_attr_img(path, 5).entries
    assert {name: entry.value for name, entry in entries.items()} == {'a.jpg': (2, 5), 'b.jpg': (), 'c.jpg': (3,)}


# --- malformed input: one error naming file and line --------------------------------------------------------------

def landmarks_with(tmp_path, bad_row, header=CA_LANDMARK_HEADER, rows=CA_ROWS):
    """A landmark file whose 4th data row (line 6) is bad_row."""
    path = write(tmp_path, 'Anno/list_landmarks.txt', list_text(header, list(rows) + [bad_row]))
    return path, (lambda: files.parse_landmarks(path))


@pytest.mark.parametrize('bad_row, fragments', [
    ('img/x.jpg  1  0 146 102  0 173 095  0 094 242  0 205 255  0 136 229',
     ['clothes_type 1 needs 6 landmark triples (18 values), got 15']),
    ('img/x.jpg  2  0 146 102  0 173 095  0 094 242', ['clothes_type 2 needs 4 landmark triples (12 values), got 9']),
    ('img/x.jpg  4  0 146 102  0 173 095  0 094 242  0 205 255', ["unknown clothes_type '4'"]),
    ('img/x.jpg  2  0 146 102  3 173 095  0 094 242  0 205 255', ["landmark 2: unknown visibility '3'"]),
    ('img/x.jpg  2  0 146 102  0 173 095  0 094 2x2  0 205 255', ["landmark 3 y '2x2' is not a number"]),
    ('img/x.jpg  2  0 146 102  0 nan 095  0 094 242  0 205 255', ["landmark 2 x 'nan' is not a number"]),
    ('img/x.jpg', ['expected image_name, clothes_type before the landmarks']),
])
def test_bad_landmark_rows(tmp_path, bad_row, fragments):
    path, parse = landmarks_with(tmp_path, bad_row)
    expect_error(parse, path, 6, *fragments)


def test_bad_fld_variation_type(tmp_path):
    path, parse = landmarks_with(tmp_path, 'img/x.jpg  2  7  0 090 100  0 150 102  0 080 250  0 160 252',
                                 header=FLD_LANDMARK_HEADER, rows=FLD_ROWS)
    expect_error(parse, path, 6, "unknown variation_type '7'")


def test_duplicate_image_name_names_both_lines(tmp_path):
    path, parse = landmarks_with(tmp_path, CA_ROWS[1])
    expect_error(parse, path, 6, 'duplicate image name img/A_Tee/img_00000001.jpg (first on line 4)')
    header = 'image_name  category_label'
    path = write(tmp_path, 'c.txt', list_text(header, ['a.jpg 1', 'b.jpg 2', 'a.jpg 3']))
    expect_error(lambda: files.parse_category_img(path), path, 5, 'duplicate image name a.jpg (first on line 3)')


@pytest.mark.parametrize('count, fragment', [
    ('289222', 'the count line says 289222 rows but the file has 3'),
    ('2', 'the count line says 2 rows but the file has 3'),
    ('three', "the first line must be the number of rows, got 'three'"),
    ('3.0', 'the first line must be the number of rows'),
    ('', 'the first line must be the number of rows'),
])
def test_bad_count_line(tmp_path, count, fragment):
    path = write(tmp_path, 'list_landmarks.txt', list_text(CA_LANDMARK_HEADER, CA_ROWS, count=count))
    expect_error(lambda: files.parse_landmarks(path), path, 1, fragment)


def test_wrong_headers(tmp_path):
    path = write(tmp_path, 'l.txt', list_text(CA_LANDMARK_HEADER.replace('clothes_type', 'cloth_type'), CA_ROWS))
    expect_error(lambda: files.parse_landmarks(path), path, 2, 'wrong header')
    path = write(tmp_path, 'b.txt', list_text('image_name  x_1  y_1  x2  y_2', ['a.jpg 1 2 3 4']))
    expect_error(lambda: files.parse_bbox(path), path, 2, "wrong header 'image_name x_1 y_1 x2 y_2'")
    path = write(tmp_path, 'p.txt', list_text('image_name  split', ['a.jpg train']))
    expect_error(lambda: files.parse_partition(path), path, 2, "expected 'image_name evaluation_status'")
    path = write(tmp_path, 'h.txt', '1\n')
    expect_error(lambda: files.parse_partition(path), path, 2, 'missing header line')


def test_unknown_evaluation_status(tmp_path):
    path = write(tmp_path, 'p.txt', list_text('image_name  evaluation_status', ['a.jpg train', 'b.jpg  validation']))
    expect_error(lambda: files.parse_partition(path), path, 4, "unknown evaluation_status 'validation'")


@pytest.mark.parametrize('label', ['0', '51', 'Blouse', '-3'])
def test_unknown_category_label(tmp_path, label):
    path = write(tmp_path, 'c.txt', list_text('image_name  category_label', ['a.jpg 3', 'b.jpg ' + label]))
    expect_error(lambda: files.parse_category_img(path), path, 4, 'unknown category label {!r}'.format(label))


@pytest.mark.parametrize('row, fragment', [
    ('a.jpg 072 079 072 273', 'box has x_2 <= x_1 (72 <= 72)'),
    ('a.jpg 072 079 232 070', 'box has y_2 <= y_1 (70 <= 79)'),
    ('a.jpg 072 079 232', 'expected 5 columns'),
    ('a.jpg 072 079 2e2x 273', "x_2 '2e2x' is not a number"),
])
def test_bad_bbox_rows(tmp_path, row, fragment):
    path = write(tmp_path, 'b.txt', list_text('image_name  x_1  y_1  x_2  y_2', ['z.jpg 1 2 3 4', row]))
    expect_error(lambda: files.parse_bbox(path), path, 4, fragment)


def test_bad_attribute_rows(tmp_path):
    header = 'image_name  attribute_labels'
    path = write(tmp_path, 'a.txt', list_text(header, ['a.jpg -1 1 -1', 'b.jpg -1 1 -1 1']))
    expect_error(lambda: files.parse_attr_img(path), path, 4, 'expected the image name and 3 attribute values, got 4')
    expect_error(lambda: files.parse_attr_img(path, 4), path, 3, '4 attribute values, got 3')
    path = write(tmp_path, 'a.txt', list_text(header, ['a.jpg -1 1 -1', 'b.jpg -1 2 -1']))
    expect_error(lambda: files.parse_attr_img(path), path, 4, "attribute 2: value '2' is not -1, 0 or 1")
    path = write(tmp_path, 'c.txt', list_text('attribute_name  attribute_type', ['a-line 3', 'floral x']))
    expect_error(lambda: files.parse_attr_cloth(path), path, 4, "attribute_type 'x' is not an integer")


def test_category_cloth_must_match_constants(tmp_path, real):
    with open(os.path.join(real, 'list_category_cloth.txt'), encoding='utf-8') as f:
        lines = f.read().split('\n')
    swapped = list(lines)
    swapped[5] = 'Bomber         2'  # line 6: the 4th category's type changed
    path = write(tmp_path, 'c.txt', '\n'.join(swapped))
    expect_error(lambda: files.parse_category_cloth(path), path, 6, 'category Bomber type 2 disagrees',
                 "constants.CATEGORIES[3] = Bomber type 1")
    path = write(tmp_path, 'c.txt', '\n'.join(['49'] + lines[1:-1]))
    expect_error(lambda: files.parse_category_cloth(path), path, 1, '49 categories, expected the 50')
    path = write(tmp_path, 'c.txt', '\n'.join(['51'] + lines[1:] + ['Cloak  3']))
    expect_error(lambda: files.parse_category_cloth(path), path, 53, 'more than the 50 known categories')


def test_not_utf8_names_the_line_of_the_first_bad_byte(tmp_path):
    path = tmp_path / 'p.txt'
    path.write_bytes(b'3\nimage_name  evaluation_status\na.jpg train\nimg/caf\xe9.jpg val\nb.jpg \xff test\n')
    expect_error(lambda: files.parse_partition(str(path)), str(path), 4, 'not UTF-8: byte 0xe9 at column 8')


def test_empty_and_missing_files(tmp_path):
    path = write(tmp_path, 'empty.txt', '')
    expect_error(lambda: files.parse_partition(path), path, None, 'file is empty')
    path = str(tmp_path / 'nothing.txt')
    expect_error(lambda: files.parse_partition(path), path, None, 'required file is missing')
    assert files.check_exists(path, required=False) is False


def test_blank_line_between_rows(tmp_path):
    path = write(tmp_path, 'p.txt', '2\nimage_name  evaluation_status\na.jpg train\n\nb.jpg val\n')
    expect_error(lambda: files.parse_partition(path), path, 4, 'empty line between rows')


def test_files_that_disagree_about_the_images(tmp_path):
    landmarks = files.parse_landmarks(write(tmp_path, 'l.txt', list_text(CA_LANDMARK_HEADER, CA_ROWS)))
    names = [row.name for row in landmarks.rows]
    header = 'image_name  evaluation_status'
    shuffled = files.parse_partition(write(tmp_path, 'p.txt', list_text(header, [
        names[2] + ' test', names[0] + ' train', names[1] + ' val'])))
    files.check_same_images(landmarks, shuffled)  # any order is fine

    missing = files.parse_partition(write(tmp_path, 'p.txt', list_text(header, [names[2] + ' test',
                                                                                names[0] + ' train'])))
    expect_error(lambda: files.check_same_images(landmarks, missing), landmarks.path, 4,
                 'image {} is missing from {}'.format(names[1], missing.path))
    extra = files.parse_partition(write(tmp_path, 'p.txt', list_text(header, [
        names[2] + ' test', names[0] + ' train', 'img/Extra/img_1.jpg val', names[1] + ' val'])))
    expect_error(lambda: files.check_same_images(landmarks, extra), extra.path, 5,
                 'image img/Extra/img_1.jpg is not in {}'.format(landmarks.path))
