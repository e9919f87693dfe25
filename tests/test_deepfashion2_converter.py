"""The raw DeepFashion2 -> COCO converter (genuine and hand-made annos, malformed files) and the COCO-style
json reader (genuine KGDet demo and MMPose sample)."""
import copy
import json
import os
import random
import shutil

import pytest
from PIL import Image

from openpifpaf_deepfashion.deepfashion2 import coco_json, constants, converter
from openpifpaf_deepfashion.deepfashion2.annos import DeepFashion2FormatError

ITEM_FIELDS = ('style', 'scale', 'occlusion', 'zoom_in', 'viewpoint')


def write_image(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.new('RGB', size, (120, 80, 40)).save(path)


def write_annos(root, split, stem, data, size=(468, 624)):
    """ROOT/split/annos/stem.json (data: a dict, or text written as is) and its JPEG of ``size``."""
    path = os.path.join(root, split, 'annos', stem + '.json')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(data if isinstance(data, str) else json.dumps(data))
    if size is not None:
        write_image(os.path.join(root, split, 'image', stem + '.jpg'), size)
    return path


def make_item(category_id, rng, size, floats=False):
    w, h = size
    x1, y1 = rng.randrange(w // 2), rng.randrange(h // 2)
    x2, y2 = rng.randrange(x1 + 5, w + 1), rng.randrange(y1 + 5, h + 1)
    landmarks = []
    for _ in range(constants.N_LANDMARKS[category_id]):
        v = rng.choice((0, 1, 2, 2))
        x, y = (rng.uniform(x1, x2), rng.uniform(y1, y2)) if floats else (rng.randint(x1, x2), rng.randint(y1, y2))
        landmarks += [x, y, v] if v else [0, 0, 0]
    return {'segmentation': [[x1, y1, x2, y1, x2, y2, x1, y2]], 'scale': rng.randint(1, 3),
            'viewpoint': rng.randint(1, 3), 'zoom_in': rng.randint(1, 3), 'landmarks': landmarks,
            'style': rng.randint(0, 2), 'bounding_box': [x1, y1, x2, y2], 'category_id': category_id,
            'occlusion': rng.randint(1, 3), 'category_name': constants.CATEGORY_NAMES[category_id - 1]}


@pytest.fixture
def genuine_annos(genuine):
    with open(os.path.join(genuine, 'deepfashion2', 'annos_example_000001.json'), encoding='utf-8') as f:
        return json.load(f)


def check_round_trip(doc, raw_by_image_id):
    """Every annotation maps back to its raw item exactly."""
    assert len(doc['annotations']) == sum(len([k for k in raw if k.startswith('item')])
                                          for raw in raw_by_image_id.values())
    images = {image['id']: image for image in doc['images']}
    for ann in doc['annotations']:
        raw = raw_by_image_id[ann['image_id']]
        item = raw['item{}'.format(ann['item'])]
        assert ann['category_id'] == item['category_id']
        assert constants.keypoints_to_landmarks(ann['category_id'], ann['keypoints']) == item['landmarks']
        x1, y1, x2, y2 = item['bounding_box']
        assert ann['bbox'] == [x1, y1, x2 - x1, y2 - y1] and ann['area'] == (x2 - x1) * (y2 - y1)
        assert ann['segmentation'] == item['segmentation']
        assert all(ann[field] == item[field] for field in ITEM_FIELDS)
        assert ann['pair_id'] == raw['pair_id'] and ann['source'] == raw['source']
        assert images[ann['image_id']]['pair_id'] == raw['pair_id']
        assert ann['num_keypoints'] == sum(1 for v in item['landmarks'][2::3] if v > 0)


def test_genuine_annos_example(tmp_path, genuine, genuine_annos):
    root = str(tmp_path / 'DeepFashion2')
    write_annos(root, 'train', '000001', genuine_annos)  # boxes reach 466 x 623: a 468 x 624 photo
    shutil.copyfile(os.path.join(genuine, 'deepfashion2', 'annos_example_000001.json'),
                    os.path.join(root, 'train', 'annos', '000001.json'))  # the genuine bytes
    assert converter.main(['--root', root, '--output-dir', str(tmp_path / 'out'), '--no-progress']) == 0
    doc, counts = coco_json.read(str(tmp_path / 'out' / 'deepfashion2_train.json'),
                                 os.path.join(root, 'train', 'image'))
    assert counts['images'] == 1 and counts['garments'] == 2 and counts['categories'] == {1: 1, 8: 1}
    assert doc['images'] == [{'id': 1, 'file_name': '000001.jpg', 'width': 468, 'height': 624,
                              'source': 'user', 'pair_id': 1}]
    assert [ann['item'] for ann in doc['annotations']] == [1, 2] and [a['id'] for a in doc['annotations']] == [1, 2]
    check_round_trip(doc, {1: genuine_annos})
    assert [c['name'] for c in doc['categories']] == constants.CATEGORY_NAMES
    assert doc['categories'][7]['skeleton'][0] == [169, 170]  # trousers' waistband, 1-based slots


def hand_made_root(root, rng):
    """train: every category, 1-3 items per image, float and int coordinates, item numbers up to 10;
    validation: two images; test: images only."""
    raws = {'train': {}, 'validation': {}}
    categories = list(constants.CATEGORY_IDS)
    for i in range(8):
        size = (rng.randrange(300, 900), rng.randrange(300, 900))
        raw = {'source': rng.choice(('user', 'shop')), 'pair_id': rng.randrange(1, 100)}
        numbers = [10, 2] if i == 0 else list(range(1, rng.randint(1, 3) + 1))
        for number in numbers:
            category = categories.pop() if categories else rng.choice(constants.CATEGORY_IDS)
            raw['item{}'.format(number)] = make_item(category, rng, size, floats=i % 2 == 1)
        split = 'train' if i < 6 else 'validation'
        write_annos(root, split, '{:06d}'.format(i + 11), raw, size)
        raws[split][i + 11] = raw
    for i in range(2):
        write_image(os.path.join(root, 'test', 'image', '{:06d}.jpg'.format(i + 1)), (500, 400))
    return raws


def test_hand_made_round_trip(tmp_path):
    root = str(tmp_path / 'DeepFashion2')
    raws = hand_made_root(root, random.Random(9))
    paths, summary = converter.convert(root, str(tmp_path / 'out'), workers=1)
    assert list(paths) == ['train', 'validation', 'test']
    for split in ('train', 'validation'):
        doc, counts = coco_json.read(paths[split], os.path.join(root, split, 'image'))
        check_round_trip(doc, raws[split])
        assert counts['images'] == len(raws[split]) == summary['splits'][split]['images']
    train = json.load(open(paths['train'], encoding='utf-8'))
    assert set(summary['splits']['train']['categories']) | set(summary['splits']['validation']['categories']) \
        == set(constants.CATEGORY_IDS)
    assert [ann['item'] for ann in train['annotations'][:2]] == [2, 10]  # item order is numeric
    test = json.load(open(paths['test'], encoding='utf-8'))
    assert test['annotations'] == [] and [image['id'] for image in test['images']] == [1, 2]
    assert test['images'][0] == {'id': 1, 'file_name': '000001.jpg', 'width': 500, 'height': 400}
    # the worker pool writes the same bytes
    pooled, _ = converter.convert(root, str(tmp_path / 'pooled'), workers=2, splits=['train'])
    assert open(pooled['train'], 'rb').read() == open(paths['train'], 'rb').read()


def test_progress_on_stderr(tmp_path, genuine_annos, capsys):
    root = str(tmp_path / 'DeepFashion2' / 'validation')  # one split folder as the root
    write_annos(str(tmp_path / 'DeepFashion2'), 'validation', '000001', genuine_annos)
    assert converter.main(['--root', root, '--output-dir', str(tmp_path / 'out')]) == 0
    captured = capsys.readouterr()
    assert 'converting validation: 100% (1/1)' in captured.err
    assert 'validation: 1 images, 2 garments (1 images with 2+)' in captured.out
    assert os.listdir(str(tmp_path / 'out')) == ['deepfashion2_validation.json']


def _set(path, value):
    def change(raw):
        target = raw
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _delete(path):
    def change(raw):
        target = raw
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


MALFORMED = {
    'malformed json': (None, 'train/annos/000002.json: malformed json: Expecting'),
    'missing source': (_delete(['source']), '000002.json: source: missing key'),
    'missing landmarks': (_delete(['item2', 'landmarks']), '000002.json: item2: landmarks: missing key'),
    'landmark count': (_set(['item2', 'landmarks'], [1, 1, 2] * 13),
                       '000002.json: item2: landmarks: category 8 (trousers) has 14 landmarks (42 values), got 39'),
    'category out of range': (_set(['item1', 'category_id'], 14),
                              '000002.json: item1: category_id: expected an integer 1-13, got 14'),
    'category name': (_set(['item1', 'category_name'], 'vest'),
                      "item1: category_name: 'vest' does not match category_id 1 ('short sleeve top')"),
    'box outside': (_set(['item1', 'bounding_box'], [0, 29, 469, 622]),
                    'item1: bounding_box: [0, 29, 469, 622] is outside the 468x624 image'),
    'box inverted': (_set(['item2', 'bounding_box'], [249, 623, 466, 423]),
                     'item2: bounding_box: [249, 623, 466, 423] is inverted or empty'),
    'visibility': (_set(['item2', 'landmarks', 2], 3),
                   'item2: landmarks: landmark 1: visibility must be 0, 1 or 2, got 3'),
    'landmark outside': (_set(['item2', 'landmarks', 1], 700),
                         'item2: landmarks: landmark 1 at (251, 700) is outside the 468x624 image'),
    'level': (_set(['item1', 'zoom_in'], 4), 'item1: zoom_in: expected 1, 2 or 3, got 4'),
    'source': (_set(['source'], 'street'), 'source: expected "user" or "shop", got \'street\''),
    'segmentation': (_set(['item1', 'segmentation', 0], [1, 2, 3]),
                     'item1: segmentation: polygon 1: expected a flat list of x, y numbers'),
    'missing image': (None, "train/annos/000002.json: its image "),
}


@pytest.mark.parametrize('case', sorted(MALFORMED))
def test_malformed_annos_name_file_item_field_and_write_nothing(case, tmp_path, genuine_annos, capsys):
    change, message = MALFORMED[case]
    root, out = str(tmp_path / 'DeepFashion2'), tmp_path / 'out'
    write_annos(root, 'validation', '000001', genuine_annos)  # a good split converted before the bad one
    write_annos(root, 'train', '000001', genuine_annos)
    raw = copy.deepcopy(genuine_annos)
    if change is not None:
        change(raw)
    text = '{"source": "user", "pair_id": 1, "item1": {' if case == 'malformed json' else raw
    write_annos(root, 'train', '000002', text, size=None if case == 'missing image' else (468, 624))
    out.mkdir()
    (out / 'deepfashion2_train.json').write_text('old')
    assert converter.main(['--root', root, '--output-dir', str(out), '--no-progress', '--workers', '1']) == 1
    error = capsys.readouterr().err
    assert error.startswith('error: ') and message in error.replace(os.sep, '/'), error
    assert sorted(os.listdir(str(out))) == ['deepfashion2_train.json']
    assert (out / 'deepfashion2_train.json').read_text() == 'old'


def test_worker_pool_reports_the_error(tmp_path, genuine_annos):
    root = str(tmp_path / 'DeepFashion2')
    for i in range(1, 40):
        write_annos(root, 'train', '{:06d}'.format(i), genuine_annos)
    _set(['item2', 'category_id'], 0)(genuine_annos)
    write_annos(root, 'train', '000040', genuine_annos)
    with pytest.raises(DeepFashion2FormatError, match='000040.json: item2: category_id: expected an integer 1-13'):
        converter.convert(root, str(tmp_path / 'out'), workers=2)
    assert not os.listdir(str(tmp_path / 'out'))


def test_kgdet_demo_and_mmpose_sample_read_as_they_are(shared_data):
    real = os.path.join(shared_data, 'deepfashion2_real')
    _, counts = coco_json.read(os.path.join(real, 'kgdet_demo', 'demo_dataset-32.json'),
                               os.path.join(real, 'kgdet_demo', 'image'))
    assert counts['images'] == 32 and counts['garments'] == 55
    assert counts['images_by_garments'] == {1: 9, 2: 23}
    assert counts['categories'] == {1: 14, 2: 5, 4: 5, 5: 2, 7: 7, 8: 10, 9: 6, 10: 3, 12: 2, 13: 1}
    _, counts = coco_json.read(os.path.join(real, 'mmpose_sample', 'deepfasion2.json'),
                               os.path.join(real, 'mmpose_sample'))
    assert counts['images'] == 2 and counts['garments'] == 2 and counts['categories'] == {11: 2}


def test_coco_json_errors_name_annotation_and_field(tmp_path, genuine_annos):
    root = str(tmp_path / 'DeepFashion2')
    write_annos(root, 'train', '000001', genuine_annos)
    paths, _ = converter.convert(root, str(tmp_path / 'out'), workers=1)
    doc = json.load(open(paths['train'], encoding='utf-8'))
    bad = copy.deepcopy(doc)
    bad['annotations'][1]['keypoints'][3 * 30 + 2] = 2
    with pytest.raises(DeepFashion2FormatError, match=r'annotation 2: keypoints: slot 30 is labelled but category 8 '
                                                      r'\(trousers\) owns slots 168-181'):
        coco_json.validate(bad, 'x.json')
    bad = copy.deepcopy(doc)
    bad['annotations'][0]['image_id'] = 7
    with pytest.raises(DeepFashion2FormatError, match='x.json: annotation 1: image_id: no image with id 7'):
        coco_json.validate(bad, 'x.json')
    bad = copy.deepcopy(doc)
    bad['categories'][0]['name'] = 'shirt'
    with pytest.raises(DeepFashion2FormatError, match="category 1: name: 'shirt' is not the name of category 1"):
        coco_json.validate(bad, 'x.json')
