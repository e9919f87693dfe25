"""DeepFashion -> COCO conversion: content of the json, joining by name, both benchmarks, and bad input."""
import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from openpifpaf_deepfashion.deepfashion import coco_format, constants
from openpifpaf_deepfashion.deepfashion import list_files as files
from openpifpaf_deepfashion.deepfashion import converter
from openpifpaf_deepfashion.deepfashion.list_files import DeepFashionFormatError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def garment(name, clothes_type, landmarks, box, split, size, label=None, attributes=(), variation=1):
    """One image's annotations; landmarks: (visibility, x, y) in DeepFashion's code and order."""
    return dict(name=name, clothes_type=clothes_type, landmarks=landmarks, box=box, split=split, size=size,
                label=label, attributes=attributes, variation=variation)


def category_garments():
    """Four Category & Attribute images of all three types, with every visibility and different sizes."""
    return [
        garment('img/Sheer_Pleated-Front_Blouse/img_00000001.jpg', 1,
                [(0, 146, 102), (0, 173, 95), (0, 94, 242), (0, 205, 255), (0, 136, 229), (0, 177, 232)],
                (72, 79, 232, 273), 'train', (300, 300), label=3, attributes=(2, 5)),
        garment('img/Classic_Skinny_Jeans/img_00000001.jpg', 2,
                [(0, 60, 20), (1, 140, 22), (0, 55, 190), (2, 0, 0)],
                (40, 10, 160, 200), 'val', (200, 240), label=26, attributes=()),
        garment('img/Floral_Maxi_Dress/img_00000001.jpg', 3,
                [(0, 100, 30), (0, 150, 31), (1, 60, 80), (0, 190, 82), (0, 105, 120), (0, 145, 121), (2, 333, 444),
                 (0, 170, 280)],
                (50, 20, 200, 290), 'test', (240, 300), label=41, attributes=(1,)),
        garment('img/Classic_Skinny_Jeans/img_00000002.jpg', 2,
                [(0, 60, 20), (0, 140, 22), (0, 55, 190), (0, 150, 192)],
                (40, 10, 160, 200), 'train', (205, 300), label=26, attributes=(3, 4, 5)),
    ]


def fld_garments():
    return [
        garment('img/img_00000001.jpg', 3, [(0, 100, 30), (0, 150, 31), (1, 60, 80), (0, 190, 82), (0, 105, 120),
                                            (0, 145, 121), (2, 0, 0), (0, 170, 240)],
                (50, 20, 200, 250), 'train', (200, 250), variation=2),
        garment('img/img_00000002.jpg', 1, [(0, 80, 40), (0, 120, 41), (0, 40, 90), (0, 160, 92), (1, 85, 200),
                                            (0, 118, 201)], (30, 30, 170, 210), 'test', (200, 250), variation=5),
    ]


def list_file(root, name, header, rows, newline='\n'):
    path = os.path.join(root, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = '{}\n{}\n{}'.format(len(rows), header, ''.join(row + '\n' for row in rows))
    with open(path, 'wb') as f:
        f.write(text.replace('\n', newline).encode('utf-8'))


def write_root(root, garments, benchmark=files.CATEGORY, order=None, newline='\n', optional=True, images=True):
    """A DeepFashion root with genuine-style padding; ``order`` permutes the rows of every file but
    list_landmarks.txt (joining must go by name)."""
    fld = benchmark == files.FLD
    others = [garments[i] for i in order] if order else garments

    def lm_row(g):
        triples = '  '.join('{} {:03d} {:03d}'.format(*t) for t in g['landmarks'])
        variation = '  {}'.format(g['variation']) if fld else ''
        return '{:<56}{}{}  {} '.format(g['name'], g['clothes_type'], variation, triples)

    def box_row(g):
        extra = '{}  {}  '.format(g['clothes_type'], g['variation']) if fld else ''
        return '{} {}{:03d} {:03d} {:03d} {:03d}'.format(g['name'], extra, *g['box'])

    list_file(root, files.LANDMARKS, '  '.join(files.LANDMARK_HEADERS[benchmark]), [lm_row(g) for g in garments],
              newline)
    list_file(root, files.BBOX, '  '.join(files.BBOX_HEADERS[benchmark]), [box_row(g) for g in others], newline)
    list_file(root, files.PARTITION, 'image_name  evaluation_status',
              ['{:<55}{}'.format(g['name'], g['split']) for g in others], newline)
    if optional and not fld:
        list_file(root, files.CATEGORY_IMG, 'image_name  category_label',
                  ['{}  {}'.format(g['name'], g['label']) for g in others], newline)
        list_file(root, files.CATEGORY_CLOTH, 'category_name  category_type',
                  ['{:<15}{}'.format(*c) for c in constants.CATEGORIES], newline)
        attributes = [('a-line', 3), ('abstract', 1), ('abstract chevron', 1), ('floral', 1), ('sleeveless', 2)]
        list_file(root, files.ATTR_CLOTH, 'attribute_name  attribute_type',
                  ['{:<25}{}'.format(n, t) for n, t in attributes], newline)
        list_file(root, files.ATTR_IMG, 'image_name  attribute_labels', [
            '{:<55}{}'.format(g['name'], ' '.join(' 1' if i in g['attributes'] else '-1' for i in range(1, 6)))
            for g in others], newline)
    if images:
        for g in garments:
            write_image(os.path.join(root, g['name']), g['size'])
    return root


def write_image(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.new('RGB', size, (200, 120, 40)).save(path, quality=50)


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def convert_ok(root, out, **kwargs):
    result = converter.convert(str(root), str(out), **kwargs)
    return result, {split: load(path) for split, path in result.items()}


def error_of(root, out, **kwargs):
    with pytest.raises(DeepFashionFormatError) as info:
        converter.convert(str(root), str(out), **kwargs)
    assert not os.path.exists(out) or os.listdir(out) == [], 'a failing conversion left files behind'
    return str(info.value)


# --- output content ---------------------------------------------------------------------------------------------

def test_category_conversion(tmp_path):
    root = write_root(str(tmp_path / 'DeepFashion'), category_garments())
    result, docs = convert_ok(root, tmp_path / 'out')
    assert sorted(result) == ['test', 'train', 'val']
    assert result['train'] == str(tmp_path / 'out' / 'deepfashion_train.json')
    assert result.summary['benchmark'] == files.CATEGORY
    assert result.summary['images'] == {'train': 2, 'val': 1, 'test': 1}
    assert result.summary['garments'] == {'upper': 1, 'lower': 2, 'full': 1}

    train = docs['train']
    assert train['images'] == [
        {'id': 1, 'file_name': 'img/Sheer_Pleated-Front_Blouse/img_00000001.jpg', 'width': 300, 'height': 300},
        {'id': 4, 'file_name': 'img/Classic_Skinny_Jeans/img_00000002.jpg', 'width': 205, 'height': 300}]
    blouse = train['annotations'][0]
    assert blouse['id'] == blouse['image_id'] == 1
    # the genuine row: 6 visible landmarks into slots 0, 1, 2, 3 and the hem slots 6, 7 (not the waistline)
    assert blouse['keypoints'] == [146, 102, 2, 173, 95, 2, 94, 242, 2, 205, 255, 2, 0, 0, 0, 0, 0, 0,
                                   136, 229, 2, 177, 232, 2]
    assert blouse['num_keypoints'] == 6
    assert blouse['bbox'] == [72, 79, 160, 194] and blouse['area'] == 160 * 194 and blouse['iscrowd'] == 0
    assert (blouse['category_id'], blouse['clothes_type'], blouse['attribute_ids']) == (3, 1, [2, 5])
    assert 'variation_type' not in blouse
    assert train['annotations'][1]['attribute_ids'] == [3, 4, 5]
    assert train['categories'] == coco_format.categories('B')

    jeans = docs['val']['annotations'][0]
    assert docs['val']['images'] == [
        {'id': 2, 'file_name': 'img/Classic_Skinny_Jeans/img_00000001.jpg', 'width': 200, 'height': 240}]
    # lower: waistline L/R, hem L/R into slots 4..7; visible 0 -> 2, occluded 1 -> 1, truncated 2 -> 0 0 0
    assert jeans['keypoints'] == [0] * 12 + [60, 20, 2, 140, 22, 1, 55, 190, 2, 0, 0, 0]
    assert (jeans['num_keypoints'], jeans['category_id'], jeans['attribute_ids']) == (3, 26, [])

    dress = docs['test']['annotations'][0]
    assert dress['keypoints'] == [100, 30, 2, 150, 31, 2, 60, 80, 1, 190, 82, 2, 105, 120, 2, 145, 121, 2,
                                  0, 0, 0, 170, 280, 2]  # truncated (333, 444) lies outside: not checked, zeroed
    assert docs['test']['images'][0]['id'] == 3
    assert docs['test']['info']['split'] == 'test' and docs['test']['info']['benchmark'] == 'category'


def test_fld_conversion(tmp_path):
    root = write_root(str(tmp_path / 'FLD'), fld_garments(), benchmark=files.FLD)
    result, docs = convert_ok(root, tmp_path / 'out', splits=['train', 'test'], skeleton='A')
    assert result.summary['benchmark'] == files.FLD
    assert sorted(os.listdir(tmp_path / 'out')) == ['deepfashion_test.json', 'deepfashion_train.json']
    dress, = docs['train']['annotations']
    assert (dress['category_id'], dress['clothes_type'], dress['variation_type']) == (
        coco_format.GENERIC_CATEGORY_IDS[constants.FULL], 3, 2)
    assert 'attribute_ids' not in dress
    assert dress['keypoints'][18:] == [0, 0, 0, 170, 240, 2]
    top, = docs['test']['annotations']
    assert (top['id'], top['category_id'], top['variation_type']) == (2, 51, 5)
    assert top['keypoints'][18:] == [85, 200, 1, 118, 201, 2]
    assert docs['train']['categories'][0]['skeleton'] == [list(pair) for pair in constants.SKELETON_A]


def test_files_are_joined_by_name_not_row_order(tmp_path):
    garments = category_garments()
    _, straight = convert_ok(write_root(str(tmp_path / 'a'), garments), tmp_path / 'out_a')
    _, shuffled = convert_ok(write_root(str(tmp_path / 'b'), garments, order=[2, 0, 3, 1]), tmp_path / 'out_b')
    assert shuffled == straight


def test_crlf_converts_like_lf(tmp_path):
    garments = category_garments()
    _, lf = convert_ok(write_root(str(tmp_path / 'lf'), garments), tmp_path / 'out_lf')
    _, crlf = convert_ok(write_root(str(tmp_path / 'crlf'), garments, newline='\r\n'), tmp_path / 'out_crlf')
    with open(os.path.join(tmp_path / 'crlf', files.LANDMARKS), 'rb') as f:
        assert b'\r\n' in f.read()
    assert crlf == lf


def test_without_optional_files_uses_generic_categories(tmp_path):
    root = write_root(str(tmp_path / 'r'), category_garments(), optional=False)
    result, docs = convert_ok(root, tmp_path / 'out', splits=['val'], workers=1)
    jeans, = docs['val']['annotations']
    assert jeans['category_id'] == 52 and 'attribute_ids' not in jeans
    assert not result.summary['categories'] and not result.summary['attributes']


def test_size_cache_is_written_then_used_instead_of_the_images(tmp_path):
    garments = category_garments()
    root = write_root(str(tmp_path / 'r'), garments)
    for cache in (tmp_path / 'sizes.tsv', tmp_path / 'sizes.json'):
        first, docs = convert_ok(root, tmp_path / 'out1', size_cache=str(cache))
        assert first.summary['sizes_read'] == 4 and os.path.exists(cache)
    with open(tmp_path / 'sizes.tsv', encoding='utf-8') as f:
        assert 'img/Classic_Skinny_Jeans/img_00000001.jpg\t200\t240\n' in f.read()
    for g in garments:  # with the cache no image is opened: remove them all
        os.remove(os.path.join(root, g['name']))
    for cache in (tmp_path / 'sizes.tsv', tmp_path / 'sizes.json'):
        before = os.stat(cache).st_mtime_ns
        second, cached_docs = convert_ok(root, tmp_path / 'out2', size_cache=str(cache))
        assert (second.summary['sizes_read'], second.summary['sizes_cached']) == (0, 4)
        assert cached_docs == docs
        assert os.stat(cache).st_mtime_ns == before  # nothing new read: not rewritten
    with open(tmp_path / 'bad.tsv', 'w', encoding='utf-8') as f:
        f.write('img/a.jpg\t300\t300\nimg/b.jpg 300 300\n')
    assert error_of(root, tmp_path / 'out3', size_cache=str(tmp_path / 'bad.tsv')).startswith(
        '{}:2: '.format(tmp_path / 'bad.tsv'))


def test_sizes_in_worker_processes_match_in_process(tmp_path):
    paths = []
    for i, size in enumerate([(30, 20), (21, 33), (64, 48)] * 4):
        paths.append(str(tmp_path / '{}.jpg'.format(i)))
        write_image(paths[-1], size)
    paths.append(str(tmp_path / 'missing.jpg'))
    with converter.SizeReader(workers=2) as reader:
        assert reader.pool is not None
        pooled = list(reader.sizes(paths))
    with converter.SizeReader(workers=1) as reader:
        assert list(reader.sizes(paths)) == pooled
    assert pooled[:3] == [(30, 20), (21, 33), (64, 48)] and 'does not exist' in pooled[-1]


# --- bad input: one error, no output ----------------------------------------------------------------------------

def test_missing_and_unreadable_images(tmp_path):
    garments = category_garments()
    root = write_root(str(tmp_path / 'r'), garments)
    landmarks = os.path.join(root, files.LANDMARKS)
    os.remove(os.path.join(root, garments[2]['name']))
    message = error_of(root, tmp_path / 'out')
    assert message.startswith('{}:5: image {}: image file '.format(landmarks, garments[2]['name']))
    assert 'does not exist' in message
    # a split without that image converts
    convert_ok(root, tmp_path / 'out', splits=['train', 'val'])
    with open(os.path.join(root, garments[2]['name']), 'wb') as f:
        f.write(b'not a jpeg at all')
    message = error_of(root, tmp_path / 'out2')
    assert message.startswith('{}:5: image {}: cannot read image file'.format(landmarks, garments[2]['name']))


@pytest.mark.parametrize('index, landmarks, box, fragment', [
    (1, [(0, 60, 20), (1, 201, 22), (0, 55, 190), (2, 0, 0)], None, 'landmark 2 at (201, 22) is outside the 200x240'),
    (1, [(0, 60, 20), (0, 140, 22), (1, 55, 241), (2, 0, 0)], None, 'landmark 3 at (55, 241) is outside'),
    (1, None, (40, 10, 201, 200), 'box (40, 10, 201, 200) is outside the 200x240 image'),
])
def test_outside_the_image(tmp_path, index, landmarks, box, fragment):
    garments = category_garments()
    garments[index]['landmarks'] = landmarks or garments[index]['landmarks']
    garments[index]['box'] = box or garments[index]['box']
    root = write_root(str(tmp_path / 'r'), garments, order=[3, 2, 1, 0])
    message = error_of(root, tmp_path / 'out')
    path, line = (files.LANDMARKS, 4) if landmarks else (files.BBOX, 5)  # bbox rows are reversed: line 5
    assert message.startswith('{}:{}: '.format(os.path.join(root, path), line)), message
    assert fragment in message


def test_disagreeing_files(tmp_path):
    garments = category_garments()
    root = write_root(str(tmp_path / 'r'), garments)
    list_file(root, files.CATEGORY_IMG, 'image_name  category_label',
              ['{}  {}'.format(g['name'], g['label']) for g in garments[:3]])
    message = error_of(root, tmp_path / 'out')
    assert message == '{}:6: image {} is missing from {}'.format(
        os.path.join(root, files.LANDMARKS), garments[3]['name'], os.path.join(root, files.CATEGORY_IMG))
    list_file(root, files.CATEGORY_IMG, 'image_name  category_label',
              ['{}  {}'.format(g['name'], g['label']) for g in garments] + ['img/X/img_00000009.jpg  3'])
    message = error_of(root, tmp_path / 'out')
    assert message == '{}:7: image img/X/img_00000009.jpg is not in {}'.format(
        os.path.join(root, files.CATEGORY_IMG), os.path.join(root, files.LANDMARKS))


def test_fld_bbox_clothes_type_must_agree(tmp_path):
    garments = fld_garments()
    root = write_root(str(tmp_path / 'r'), garments, benchmark=files.FLD)
    list_file(root, files.BBOX, '  '.join(files.BBOX_HEADERS[files.FLD]),
              ['img/img_00000001.jpg 3 2 050 020 200 250', 'img/img_00000002.jpg 2 5 030 030 170 210'])
    message = error_of(root, tmp_path / 'out')
    assert message.startswith('{}:4: clothes_type 2 of img/img_00000002.jpg disagrees'.format(
        os.path.join(root, files.BBOX)))


def test_required_and_optional_file_errors(tmp_path):
    root = write_root(str(tmp_path / 'r'), category_garments())
    for name in files.REQUIRED_FILES:
        os.rename(os.path.join(root, name), os.path.join(root, name + '.away'))
        assert error_of(root, tmp_path / 'out') == '{}: required file is missing'.format(os.path.join(root, name))
        open(os.path.join(root, name), 'w').close()
        assert error_of(root, tmp_path / 'out') == '{}: file is empty'.format(os.path.join(root, name))
        os.replace(os.path.join(root, name + '.away'), os.path.join(root, name))
    cloth = os.path.join(root, files.CATEGORY_CLOTH)
    with open(cloth, encoding='utf-8') as f:
        text = f.read()
    with open(cloth, 'w', encoding='utf-8') as f:
        f.write(text.replace('Jeans          2', 'Jeans          1'))
    assert error_of(root, tmp_path / 'out').startswith('{}:28: category Jeans type 1 disagrees'.format(cloth))


def test_a_write_failure_leaves_no_split_behind(tmp_path, monkeypatch):
    root = write_root(str(tmp_path / 'r'), category_garments())
    real_write = coco_format.write_json_atomic
    calls = []

    def failing_second_write(path, obj):
        calls.append(path)
        if len(calls) == 2:
            raise OSError('disk full')
        real_write(path, obj)

    monkeypatch.setattr(coco_format, 'write_json_atomic', failing_second_write)
    with pytest.raises(OSError):
        converter.convert(root, str(tmp_path / 'out'))
    assert len(calls) == 2 and os.listdir(tmp_path / 'out') == []


# --- command line -----------------------------------------------------------------------------------------------

def test_cli_summary_and_progress(tmp_path, capsys):
    root = write_root(str(tmp_path / 'r'), category_garments())
    assert converter.main(['--root', root, '--output-dir', str(tmp_path / 'out'), '--splits', 'val', 'test']) == 0
    captured = capsys.readouterr()
    assert 'benchmark detected: Category & Attribute (category)' in captured.out
    assert 'val: 1 images' in captured.out and 'garments: 0 upper, 1 lower, 1 full' in captured.out
    assert 'reading image sizes: 100% (2/2)' in captured.err
    assert sorted(os.listdir(tmp_path / 'out')) == ['deepfashion_test.json', 'deepfashion_val.json']
    assert converter.main(['--root', root, '--output-dir', str(tmp_path / 'out2'), '--no-progress']) == 0
    assert capsys.readouterr().err == ''


def test_cli_bad_input_exits_1_without_traceback(tmp_path):
    garments = category_garments()
    garments[1]['landmarks'] = garments[1]['landmarks'][:3]
    root = write_root(str(tmp_path / 'r'), garments)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([REPO, os.environ.get('PYTHONPATH', '')]))
    done = subprocess.run([sys.executable, '-m', 'openpifpaf_deepfashion.deepfashion.converter', '--root', root,
                           '--output-dir', str(tmp_path / 'out'), '--no-progress'],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == 'error: {}:4: clothes_type 2 needs 4 landmark triples (12 values), got 9\n'.format(
        os.path.join(root, files.LANDMARKS))
    assert 'Traceback' not in done.stderr and done.stdout == ''
    assert not os.path.exists(tmp_path / 'out')
