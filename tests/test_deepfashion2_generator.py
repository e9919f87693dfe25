"""The DeepFashion2-layout sample generator: exact raw layout, annos that the converter takes, landmarks on
their garments, occlusion that follows the drawing order, all 13 categories, several garments per image, and
the same bytes for the same seed whatever the number of workers."""
import collections
import json
import os
import re

import numpy as np
import pytest
from PIL import Image

from openpifpaf_deepfashion.deepfashion2 import annos, coco_json, constants, converter
from openpifpaf_deepfashion.deepfashion2 import generator
from openpifpaf_deepfashion.deepfashion2.generator.geometry import distance_to_boundary, points_in_polygon
from openpifpaf_deepfashion.deepfashion2.generator.scene import layers

N_SAMPLE = 150
TOLERANCE = 2.0  # pixels: a visible landmark may lie this far outside its garment's segmentation


@pytest.fixture(scope='module')
def sample(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('df2') / 'DeepFashion2')
    dataset = generator.generate(root, N_SAMPLE, seed=11, workers=1)
    return root, dataset


def read_items(root):
    """[(split, stem, image size, annos dict, [items])] of every annos file, in name order."""
    result = []
    for split in generator.SPLITS:
        folder = os.path.join(root, split, 'annos')
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), encoding='utf-8') as f:
                data = json.load(f)
            with Image.open(os.path.join(root, split, 'image', name[:-5] + '.jpg')) as image:
                size = image.size
            result.append((split, name[:-5], size, data, [data[key] for key in annos.item_names(data)]))
    return result


def rings(item):
    return [np.array(p, dtype=float).reshape(-1, 2) for p in item['segmentation']]


def inside_by(point, polygons):
    """How far inside the polygons the point is (negative: outside, by its distance to the nearest)."""
    point = np.asarray(point, dtype=float)[None]
    best = -np.inf
    for ring in polygons:
        distance = distance_to_boundary(point, ring)[0]
        best = max(best, distance if points_in_polygon(point, ring)[0] else -distance)
    return best


def test_layout_and_names(sample):
    root, dataset = sample
    assert sorted(os.listdir(root)) == sorted(generator.SPLITS)
    counts = {}
    for split in generator.SPLITS:
        assert sorted(os.listdir(os.path.join(root, split))) == ['annos', 'image']
        images = sorted(os.listdir(os.path.join(root, split, 'image')))
        jsons = sorted(os.listdir(os.path.join(root, split, 'annos')))
        assert images == ['{:06d}.jpg'.format(i) for i in range(1, len(images) + 1)]
        assert jsons == ['{:06d}.json'.format(i) for i in range(1, len(images) + 1)]
        counts[split] = len(images)
    assert counts == {'train': 105, 'validation': 22, 'test': 23}
    assert [(r.split, r.name) for r in dataset.images] == [
        (split, '{:06d}'.format(i)) for split in generator.SPLITS for i in range(1, counts[split] + 1)]
    with Image.open(os.path.join(root, 'train', 'image', '000001.jpg')) as image:
        assert image.format == 'JPEG' and image.mode == 'RGB'


def test_annos_fields(sample):
    root, _ = sample
    pair_ids = collections.defaultdict(set)
    for split, stem, size, data, items in read_items(root):
        assert set(data) == {'source', 'pair_id'} | {'item{}'.format(i) for i in range(1, len(items) + 1)}
        assert data['source'] in ('user', 'shop')
        pair_ids[split].add(data['pair_id'])
        for item in items:
            assert list(item) == ['segmentation', 'scale', 'viewpoint', 'zoom_in', 'landmarks', 'style',
                                  'bounding_box', 'category_id', 'occlusion', 'category_name']
            assert item['category_name'] == constants.CATEGORY_NAMES[item['category_id'] - 1]
            assert all(type(v) is int for v in item['bounding_box'] + item['landmarks'])
            assert all(type(v) is int for polygon in item['segmentation'] for v in polygon)
            assert item['segmentation'] and all(len(p) >= 6 and len(p) % 2 == 0 for p in item['segmentation'])
            assert item['style'] in (0, 1)
            triples = np.array(item['landmarks']).reshape(-1, 3)
            assert np.all(triples[triples[:, 2] == 0, :2] == 0)  # not labelled: x = y = 0
            assert np.count_nonzero(triples[:, 2]) >= 3
    for split, ids in pair_ids.items():
        assert min(ids) == 1 and ids == set(range(1, max(ids) + 1)), split  # numbered from 1 in every split


def test_every_annos_file_passes_validation_and_converts(sample, tmp_path):
    root, dataset = sample
    for split, stem, _, _, _ in read_items(root):
        annos.convert_file(os.path.join(root, split, 'annos', stem + '.json'),
                           os.path.join(root, split, 'image', stem + '.jpg'), int(stem))
    out = str(tmp_path / 'coco')
    assert converter.main(['--root', root, '--output-dir', out, '--no-progress', '--workers', '1']) == 0
    for split in generator.SPLITS:
        doc, _ = coco_json.read(os.path.join(out, 'deepfashion2_{}.json'.format(split)))
        records = dataset.split(split)
        assert len(doc['images']) == len(records)
        assert collections.Counter(a['category_id'] for a in doc['annotations']) == collections.Counter(
            c for r in records for c in r.categories)


def test_visible_landmarks_lie_on_their_segmentation(sample):
    root, _ = sample
    visible = 0
    for split, stem, size, _, items in read_items(root):
        for number, item in enumerate(items, 1):
            polygons = rings(item)
            for k, (x, y, v) in enumerate(np.array(item['landmarks']).reshape(-1, 3), 1):
                if v == 2:
                    visible += 1
                    assert inside_by((x, y), polygons) >= -TOLERANCE, (split, stem, number, k)
    assert visible > 20 * N_SAMPLE


def test_landmarks_covered_by_a_later_garment_are_occluded(sample):
    root, _ = sample
    checked = 0
    for split, stem, _, _, items in read_items(root):
        for i, item in enumerate(items):
            for k, (x, y, v) in enumerate(np.array(item['landmarks']).reshape(-1, 3), 1):
                for later in items[i + 1:]:
                    if v and inside_by((x, y), rings(later)) > TOLERANCE:
                        checked += 1
                        assert v == 1, (split, stem, i + 1, k)
    assert checked > 2 * N_SAMPLE  # garments do overlap


def test_occlusion_against_the_drawn_polygons():
    """On composed scenes: a landmark inside anything drawn later (garment, person, occluder) or hidden by
    its own garment is occluded, one outside the image unlabelled; and occlusions happen."""
    opts = generator.Options()
    occluded = 0
    for plan in generator.plan_images(40, 5, opts):
        scene = generator.compose(plan, 5, opts)
        width, height = scene.image.size
        all_layers = layers(scene.figures, scene.kept, scene.occluders)
        order = [key for _, key, _ in all_layers]
        for number, (f, g) in enumerate(scene.kept, 1):
            shape = scene.figures[f].shapes[g]
            points = scene.figures[f].warp(shape.landmarks)
            later = [p for _, _, polygons in all_layers[order.index((f, g)) + 1:] for p in polygons]
            covered = np.array(shape.hidden)
            for polygon in later:
                covered |= points_in_polygon(points, polygon)
            v = np.array(scene.annos['item{}'.format(number)]['landmarks'][2::3])
            rounded = np.round(points)
            outside = ((rounded[:, 0] < 0) | (rounded[:, 0] > width - 1) | (rounded[:, 1] < 0)
                       | (rounded[:, 1] > height - 1))
            assert np.all((v == 0) == outside), (plan.split, plan.name, number)
            assert np.all(v[covered & ~outside] == 1), (plan.split, plan.name, number)
            occluded += int(np.count_nonzero(v == 1))
    assert occluded > 100


def test_categories_and_garments_per_image(sample):
    root, dataset = sample
    counts = dataset.category_counts()
    assert sorted(counts) == constants.CATEGORY_IDS
    assert min(counts.values()) >= 8
    per_image = [len(r.categories) for r in dataset.images]
    assert min(per_image) >= 1 and max(per_image) <= 4
    assert np.mean(per_image) >= 2.0
    assert sum(n in (2, 3) for n in per_image) >= 0.5 * len(per_image)
    assert {item['viewpoint'] for _, _, _, _, items in read_items(root) for item in items} == {1, 2, 3}


def test_landmark_sets_follow_the_category(sample):
    """Each item has exactly its own category's landmark set (DeepFashion2's raw layout)."""
    root, _ = sample
    for _, _, _, _, items in read_items(root):
        for item in items:
            assert len(item['landmarks']) == 3 * constants.N_LANDMARKS[item['category_id']]


def test_image_sizes_vary(sample):
    _, dataset = sample
    long_sides = [max(r.width, r.height) for r in dataset.images]
    assert min(long_sides) >= 200 and max(long_sides) <= 400
    assert len(set(long_sides)) > 40
    assert any(r.width > r.height for r in dataset.images) and any(r.width < r.height for r in dataset.images)


def test_same_bytes_whatever_the_workers(tmp_path, read_tree):
    trees = []
    for workers in (1, 2):
        root = str(tmp_path / 'w{}'.format(workers))
        generator.generate(root, 12, seed=4, workers=workers)
        trees.append(read_tree(root))
    assert len(trees[0]) == 24 and trees[0] == trees[1]
    other = str(tmp_path / 'other')
    generator.generate(other, 12, seed=5, workers=1)
    assert read_tree(other) != trees[0]


def test_cli_second_style(tmp_path, capsys):
    root = str(tmp_path / 'second')
    dataset = generator.cli(['--output', root, '--n-images', '10', '--seed', '2', '--workers', '1',
                             '--style', 'second', '--min-size', '160', '--max-size', '240'])
    assert re.search(r'10 images \(train 7 / validation 2 / test 1\), \d+ garments', capsys.readouterr().out)
    for split, stem, size, _, _ in read_items(root):
        assert 160 <= max(size) <= 240
        annos.convert_file(os.path.join(root, split, 'annos', stem + '.json'),
                           os.path.join(root, split, 'image', stem + '.jpg'), int(stem))
    assert dataset.style == 'second'


def test_options_are_checked():
    with pytest.raises(ValueError):
        generator.Options(style='third')
    with pytest.raises(ValueError):
        generator.Options(min_size=300, max_size=200)
    with pytest.raises(ValueError):
        generator.generate('unused', 0)
