"""The DeepFashion-layout sample generator: exact file layout, ground truth, images, determinism, multi-garment."""
import collections
import json
import os
import re

import numpy as np
import pytest
from PIL import Image

from openpifpaf_deepfashion.deepfashion import constants, generator

GENUINE = os.path.join(os.path.dirname(__file__), 'genuine')  # the genuine text fixtures
CATEGORY_FILES = ['Anno/list_landmarks.txt', 'Anno/list_bbox.txt', 'Anno/list_category_img.txt',
                  'Anno/list_category_cloth.txt', 'Anno/list_attr_cloth.txt', 'Anno/list_attr_img.txt',
                  'Eval/list_eval_partition.txt']
TRIPLE = r'  [012] \d{3} \d{3}'
CATEGORY_LANDMARK_ROW = re.compile(r'^(img/\S+/img_\d{8}\.jpg) +([123])((?:' + TRIPLE + r')+) $')
FLD_LANDMARK_ROW = re.compile(r'^(img/img_\d{8}\.jpg) +([123])  ([1-5])((?:' + TRIPLE + r')+) $')
BBOX_ROW = re.compile(r'^(img/\S+\.jpg) +(\d{3}) (\d{3}) (\d{3}) (\d{3})$')
FLD_BBOX_ROW = re.compile(r'^(img/img_\d{8}\.jpg) +([123])  ([1-5])  (\d{3}) (\d{3}) (\d{3}) (\d{3})$')
PARTITION_ROW = re.compile(r'^(img/\S+\.jpg) +(train|val|test)$')


def read_list(path):
    """(count line, header line, data rows) of a DeepFashion list file; rows keep their whitespace."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    if lines[-1] == '':
        lines = lines[:-1]
    return lines[0], lines[1], lines[2:]


def genuine_row(section):
    """First data row quoted under a '## <section>' heading of quoted_rows.txt."""
    with open(os.path.join(GENUINE, 'quoted_rows.txt'), encoding='utf-8') as f:
        lines = f.read().split('\n')
    start = next(i for i, line in enumerate(lines) if line.startswith('## ' + section))
    return next(line for line in lines[start + 1:] if line.startswith('img/'))


def parse_triples(text):
    values = [int(t) for t in text.split()]
    return [(values[i + 1], values[i + 2], values[i]) for i in range(0, len(values), 3)]


def file_landmarks(record):
    """The written triples of a record's type: (x, y, visibility) per landmark of its clothes type."""
    return [record.landmarks[slot] for slot in constants.SLOTS[record.clothes_type]]


@pytest.fixture(scope='module')
def category_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('category'))
    return generator.generate(root, 60, benchmark='category', seed=0, workers=2)


@pytest.fixture(scope='module')
def fld_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('fld'))
    return generator.generate(root, 40, benchmark='fld', seed=0, workers=1)


@pytest.fixture(scope='module')
def multi_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('multi'))
    return generator.generate(root, 40, benchmark='category', seed=1, multi_garment=True, workers=2,
                              occlusion_rate=0.0, min_size=160, max_size=220)


@pytest.fixture(scope='module')
def plain_set(tmp_path_factory):
    """Many small images on plain backgrounds: a rare colour clash between an outline and the background
    once put a few of ~6,000 landmarks on background-coloured pixels (a 600-image sample catches it)."""
    root = str(tmp_path_factory.mktemp('plain'))
    return generator.generate(root, 600, seed=2, multi_garment=True, workers=2, backgrounds=('plain',),
                              occlusion_rate=0.0, min_size=100, max_size=160)


# --- layout ----------------------------------------------------------------------------------------------


def test_category_layout_files_exist(category_set):
    for relative in CATEGORY_FILES:
        assert os.path.isfile(os.path.join(category_set.root, relative)), relative
    for record in category_set.images:
        assert re.fullmatch(r'img/[^/]+/img_\d{8}\.jpg', record.image_name)
        assert os.path.isfile(os.path.join(category_set.root, record.image_name))
    assert not os.path.exists(os.path.join(category_set.root, 'coco_multi_garment'))


@pytest.mark.parametrize('relative, header', [
    ('Anno/list_bbox.txt', 'image_name  x_1  y_1  x_2  y_2'),
    ('Anno/list_category_img.txt', 'image_name  category_label'),
    ('Anno/list_attr_img.txt', 'image_name  attribute_labels'),
    ('Eval/list_eval_partition.txt', 'image_name  evaluation_status'),
])
def test_count_line_header_and_row_order(category_set, relative, header):
    count, header_line, rows = read_list(os.path.join(category_set.root, relative))
    assert header_line == header
    assert int(count) == len(rows) == len(category_set.images)
    assert [row.split()[0] for row in rows] == [r.image_name for r in category_set.images]


def test_landmark_header_is_two_space_separated(category_set, fld_set):
    for dataset, extra in ((category_set, []), (fld_set, ['variation_type'])):
        _, header, _ = read_list(os.path.join(dataset.root, 'Anno/list_landmarks.txt'))
        expected = ['image_name', 'clothes_type'] + extra
        for i in range(1, 9):
            expected += ['landmark_visibility_{}'.format(i), 'landmark_location_x_{}'.format(i),
                         'landmark_location_y_{}'.format(i)]
        assert header == '  '.join(expected)


def test_genuine_rows_match_the_row_patterns():
    """The patterns the written rows are checked against accept DeepFashion's own rows."""
    genuine_landmarks = genuine_row('Anno/list_landmarks.txt')
    assert CATEGORY_LANDMARK_ROW.match(genuine_landmarks)
    assert genuine_landmarks.index(' 1  0 146') + 1 == generator.LANDMARK_COLUMN
    assert BBOX_ROW.match(genuine_row('Anno/list_bbox.txt'))
    genuine_partition = genuine_row('Eval/list_eval_partition.txt')
    assert PARTITION_ROW.match(genuine_partition)
    assert genuine_partition.index('train') == generator.PARTITION_COLUMN


def test_landmark_rows_exact_layout(category_set):
    _, _, rows = read_list(os.path.join(category_set.root, 'Anno/list_landmarks.txt'))
    for row, record in zip(rows, category_set.images):
        match = CATEGORY_LANDMARK_ROW.match(row)
        assert match, repr(row)
        assert row.endswith(' ') and not row.endswith('  ')
        assert row.index(' {}  '.format(record.clothes_type), len(record.image_name)) + 1 == \
            generator.LANDMARK_COLUMN
        assert len(row.split()) == 2 + 3 * len(constants.SLOTS[record.clothes_type])
        assert (match.group(1), int(match.group(2))) == (record.image_name, record.clothes_type)
        assert parse_triples(match.group(3)) == file_landmarks(record)


def test_bbox_partition_category_rows(category_set):
    root = category_set.root
    bbox_rows = read_list(os.path.join(root, 'Anno/list_bbox.txt'))[2]
    partition_rows = read_list(os.path.join(root, 'Eval/list_eval_partition.txt'))[2]
    category_rows = read_list(os.path.join(root, 'Anno/list_category_img.txt'))[2]
    for record, bbox_row, partition_row, category_row in zip(category_set.images, bbox_rows, partition_rows,
                                                             category_rows):
        match = BBOX_ROW.match(bbox_row)
        assert match, repr(bbox_row)
        x1, y1, x2, y2 = (int(v) for v in match.groups()[1:])
        assert (x1, y1, x2, y2) == record.bbox
        assert 0 <= x1 < x2 <= record.width - 1 and 0 <= y1 < y2 <= record.height - 1
        assert PARTITION_ROW.match(partition_row).group(2) == record.split
        assert partition_row.index(record.split, len(record.image_name)) == generator.PARTITION_COLUMN
        assert re.fullmatch(r'img/\S+\.jpg +\d{1,2}', category_row)
        label = int(category_row.split()[1])
        assert label == record.category_id
        name, clothes_type = constants.CATEGORIES[label - 1]
        assert record.image_name.split('/')[1].split('_')[-1] == name
        assert clothes_type == record.clothes_type


def test_splits_are_about_70_15_15(category_set):
    counts = collections.Counter(r.split for r in category_set.images)
    assert counts == {'train': 42, 'val': 9, 'test': 9}


def test_category_cloth_is_the_genuine_file(category_set):
    def parsed(path):
        _, header, rows = read_list(path)
        return header.split(), [(row.split()[0], int(row.split()[1])) for row in rows]

    written = os.path.join(category_set.root, 'Anno/list_category_cloth.txt')
    genuine = os.path.join(GENUINE, 'list_category_cloth.txt')
    assert parsed(written) == parsed(genuine)
    assert len(parsed(written)[1]) == 50
    with open(written, 'rb') as a, open(genuine, 'rb') as b:
        assert a.read() == b.read()


def test_attribute_files(category_set):
    _, header, cloth_rows = read_list(os.path.join(category_set.root, 'Anno/list_attr_cloth.txt'))
    assert header == 'attribute_name  attribute_type'
    names = [row.rsplit(None, 1)[0].strip() for row in cloth_rows]
    types = [int(row.split()[-1]) for row in cloth_rows]
    assert set(types) == {1, 2, 3, 4, 5}
    assert any(' ' in name for name in names)
    assert all(row.index(row.split()[-1]) == generator.ATTRIBUTE_NAME_WIDTH for row in cloth_rows)

    _, _, img_rows = read_list(os.path.join(category_set.root, 'Anno/list_attr_img.txt'))
    for row, record in zip(img_rows, category_set.images):
        values = [int(v) for v in row.split()[1:]]
        assert len(values) == len(names) and set(values) <= {-1, 1}
        assert tuple(i for i, v in enumerate(values, start=1) if v == 1) == record.attribute_ids
        positive = {names[i - 1] for i in record.attribute_ids}
        texture = record.garments[0].texture
        assert {'stripes': 'striped', 'dots': None, 'checks': 'checked', 'solid': 'solid colour'}.get(
            texture, 'x') in positive | {None}
        if texture == 'dots':
            assert positive & {'polka dot', 'dotted print'}


def test_fld_layout(fld_set):
    root = fld_set.root
    assert sorted(os.listdir(os.path.join(root, 'Anno'))) == ['list_bbox.txt', 'list_landmarks.txt']
    count, _, rows = read_list(os.path.join(root, 'Anno/list_landmarks.txt'))
    _, bbox_header, bbox_rows = read_list(os.path.join(root, 'Anno/list_bbox.txt'))
    assert bbox_header == 'image_name  clothes_type  pose_type  x_1  y_1  x_2  y_2'
    assert int(count) == len(rows) == len(bbox_rows) == len(fld_set.images)
    for index, (record, row, bbox_row) in enumerate(zip(fld_set.images, rows, bbox_rows), start=1):
        assert record.image_name == 'img/img_{:08d}.jpg'.format(index)
        assert record.category_id is None and record.attribute_ids == ()
        match = FLD_LANDMARK_ROW.match(row)
        assert match, repr(row)
        assert len(row.split()) == 3 + 3 * len(constants.SLOTS[record.clothes_type])
        assert (int(match.group(2)), int(match.group(3))) == (record.clothes_type, record.variation_type)
        assert parse_triples(match.group(4)) == file_landmarks(record)
        bbox = FLD_BBOX_ROW.match(bbox_row)
        assert bbox, repr(bbox_row)
        assert tuple(int(v) for v in bbox.groups()[1:]) == (record.clothes_type, record.variation_type) + record.bbox
    assert len({r.variation_type for r in fld_set.images}) >= 3


# --- ground truth and images -----------------------------------------------------------------------------


def test_images_have_the_recorded_sizes(category_set):
    sizes = set()
    for record in category_set.images:
        with Image.open(os.path.join(category_set.root, record.image_name)) as image:
            assert image.format == 'JPEG'
            assert image.size == (record.width, record.height)
        assert 200 <= max(image.size) <= 320
        sizes.add(image.size)
    assert len(sizes) > 10


def test_landmarks_inside_image_and_bbox(category_set, multi_set):
    for dataset in (category_set, multi_set):
        for record in dataset.images:
            for garment in record.garments:
                x1, y1, x2, y2 = garment.bbox
                for slot, landmark in enumerate(garment.landmarks):
                    assert (landmark is None) == (slot not in constants.SLOTS[garment.clothes_type])
                    if landmark is None:
                        continue
                    x, y, v = landmark
                    if v == 2:
                        assert (x, y) == (0, 0)
                        continue
                    assert 0 <= x <= record.width - 1 and 0 <= y <= record.height - 1
                    assert x1 - 1 <= x <= x2 + 1 and y1 - 1 <= y <= y2 + 1


def test_left_landmarks_are_on_the_image_left(category_set):
    pairs = 0
    for record in category_set.images:
        for left, right in ((0, 1), (2, 3), (4, 5), (6, 7)):
            a, b = record.landmarks[left], record.landmarks[right]
            if a and b and a[2] < 2 and b[2] < 2:
                assert a[0] < b[0], (record.image_name, left)
                pairs += 1
    assert pairs > 50


def test_occlusion_truncation_and_all_types_appear(category_set):
    visibilities = collections.Counter(lm[2] for r in category_set.images for lm in r.landmarks if lm)
    assert visibilities[0] > 0 and visibilities[1] > 0 and visibilities[2] > 0
    assert {r.clothes_type for r in category_set.images} == {1, 2, 3}
    _, _, rows = read_list(os.path.join(category_set.root, 'Anno/list_landmarks.txt'))
    assert any('  2 000 000' in row for row in rows)
    assert any(re.search(r'  1 \d{3} \d{3}', row) for row in rows)


def test_landmarks_are_on_the_drawn_garment(plain_set):
    """On a plain background, every visible landmark has garment pixels within 2 px, and the image corners
    away from the garments have the background colour (which shows that the background estimate is right)."""
    checked = 0
    for record in plain_set.images:
        with Image.open(os.path.join(plain_set.root, record.image_name)) as image:
            pixels = np.asarray(image.convert('RGB'), dtype=int)
        border = np.concatenate([pixels[2], pixels[-3], pixels[:, 2], pixels[:, -3]])
        background = np.median(border, axis=0)
        corners = ((2, 2), (record.width - 3, 2), (2, record.height - 3), (record.width - 3, record.height - 3))
        for x, y in corners:
            if not any(x1 - 3 <= x <= x2 + 3 and y1 - 3 <= y <= y2 + 3 for x1, y1, x2, y2 in
                       (garment.bbox for garment in record.garments)):
                assert np.abs(pixels[y, x] - background).sum() < 40
        for garment in record.garments:
            for x, y, v in (lm for lm in garment.landmarks if lm and lm[2] == 0):
                window = pixels[max(0, y - 2):y + 3, max(0, x - 2):x + 3]
                assert np.abs(window - background).sum(axis=2).max() > 60, (record.image_name, x, y)
                checked += 1
    assert checked > 5000


def test_types_option_draws_only_those_types(tmp_path):
    dataset = generator.generate(str(tmp_path), 8, seed=5, types=(2,), min_size=100, max_size=120)
    assert {r.clothes_type for r in dataset.images} == {2}
    _, _, rows = read_list(str(tmp_path / 'Anno/list_landmarks.txt'))
    assert all(len(row.split()) == 2 + 3 * 4 for row in rows)
    with pytest.raises(TypeError):
        generator.generate(str(tmp_path), 1, no_such_option=1)


def test_category_shapes_are_distinct_within_a_type():
    assert set(generator.CATEGORY_SHAPES) == set(constants.CATEGORY_NAMES)
    for clothes_type in constants.CLOTHES_TYPES:
        shapes = [generator.CATEGORY_SHAPES[name] for name, t in constants.CATEGORIES if t == clothes_type]
        assert len(set(shapes)) == len(shapes)


# --- determinism, atomic writes, CLI ---------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_differs(read_tree, tmp_path):
    options = dict(min_size=100, max_size=140)
    first = generator.generate(str(tmp_path / 'a'), 12, seed=7, workers=2, multi_garment=True, **options)
    generator.generate(str(tmp_path / 'b'), 12, seed=7, workers=1, multi_garment=True, **options)
    third = generator.generate(str(tmp_path / 'c'), 12, seed=8, workers=1, multi_garment=True, **options)
    a, b, c = (read_tree(str(tmp_path / name)) for name in 'abc')
    assert a == b
    sizes = [[(r.width, r.height) for r in dataset.images] for dataset in (first, third)]
    assert sizes[0] != sizes[1]
    assert a['Anno/list_landmarks.txt'] != c['Anno/list_landmarks.txt']
    assert a['Anno/list_category_cloth.txt'] == c['Anno/list_category_cloth.txt']


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / 'Anno' / 'list_bbox.txt'
    generator.write_text_atomic(str(path), 'old\n')
    with pytest.raises(TypeError):
        generator.write_text_atomic(str(path), ['not', 'text'])
    assert path.read_text() == 'old\n'
    assert os.stat(str(path)).st_mode & 0o777 == 0o644
    assert os.listdir(str(tmp_path / 'Anno')) == ['list_bbox.txt']


def test_cli(tmp_path, capsys):
    output = str(tmp_path / 'out')
    generator.cli(['--output', output, '--n-images', '5', '--benchmark', 'fld', '--seed', '3',
                   '--workers', '1', '--min-size', '90', '--max-size', '110'])
    line = capsys.readouterr().out.strip()
    assert '\n' not in line and '5 images' in line and 'fld' in line and 'train' in line
    assert int(read_list(os.path.join(output, 'Anno/list_landmarks.txt'))[0]) == 5


# --- multi-garment ---------------------------------------------------------------------------------------


def test_multi_garment_coco_and_lists(multi_set):
    root = multi_set.root
    count, _, rows = read_list(os.path.join(root, 'Anno/list_landmarks.txt'))
    assert int(count) == len(rows) == len(multi_set.images) == 40
    documents = {}
    for split in generator.SPLITS:
        with open(os.path.join(root, 'coco_multi_garment', 'deepfashion_{}.json'.format(split))) as f:
            documents[split] = json.load(f)
    images = [image for doc in documents.values() for image in doc['images']]
    annotations = [ann for doc in documents.values() for ann in doc['annotations']]
    assert len(images) == len(multi_set.images)
    assert len(annotations) > len(images)
    assert sum(len(record.garments) >= 2 for record in multi_set.images) > 0.9 * len(images)
    assert len({ann['id'] for ann in annotations}) == len(annotations)
    by_image = collections.defaultdict(list)
    for ann in annotations:
        by_image[ann['image_id']].append(ann)
    for split, doc in documents.items():
        for image in doc['images']:
            record = multi_set.images[image['id'] - 1]
            assert record.split == split
            assert (image['file_name'], image['width'], image['height']) == \
                (record.image_name, record.width, record.height)
            assert len(by_image[image['id']]) == len(record.garments) >= 1
            # the list files' garment is one of the COCO annotations
            expected = []
            for landmark in record.landmarks:
                x, y, v = landmark or (0, 0, 2)
                expected += [x, y, constants.DEEPFASHION_TO_COCO_VISIBILITY[v]] if v < 2 else [0, 0, 0]
            assert expected in [ann['keypoints'] for ann in by_image[image['id']]]
            assert record.garments[record.annotated].landmarks == record.landmarks


def test_multi_garment_occlusion_between_garments(multi_set):
    """No bags or arms were drawn (occlusion_rate=0): every occluded landmark is hidden by another garment."""
    occluded = 0
    for record in multi_set.images:
        for k, garment in enumerate(record.garments):
            others = [g.bbox for i, g in enumerate(record.garments) if i != k]
            for x, y, v in (lm for lm in garment.landmarks if lm and lm[2] == 1):
                assert any(x1 - 1 <= x <= x2 + 1 and y1 - 1 <= y <= y2 + 1 for x1, y1, x2, y2 in others)
                occluded += 1
    assert occluded > 0
    assert {g.clothes_type for r in multi_set.images for g in r.garments} == {1, 2, 3}
