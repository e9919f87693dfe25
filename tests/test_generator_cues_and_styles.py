"""The generator's category cues (every category learnable from pixels, near-confusions differ by a cue) and its
second drawing style (other pixels, same ground-truth rules, deterministic)."""
import collections
import hashlib
import itertools
import json
import os

import numpy as np
import pytest
from PIL import Image

from openpifpaf_deepfashion.deepfashion import constants, generator
from openpifpaf_deepfashion.deepfashion.generator import objects, scene, styles

CATEGORY_IDS = {name: i for i, name in enumerate(constants.CATEGORY_NAMES, start=1)}
POSES = [{'arms': (50.0, 50.0), 'legs': (0.03, 0.03)}, {'arms': (20.0, 70.0), 'legs': (-0.02, 0.2)}]
MIN_PAIR_PIXELS = 500  # at 100 pixels per garment unit: a garment covers 3,000 to 20,000 pixels
MIN_CUE_PIXELS = 60


def pixels_apart(a, b):
    return int((np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 24).sum())


@pytest.fixture(scope='module')
def sketches():
    return {category_id: generator.garment_sketch(category_id) for category_id in constants.CATEGORY_IDS}


def type_pairs(sketches, clothes_type):
    members = [i for i in constants.CATEGORY_IDS if constants.category_type(i) == clothes_type]
    return {(a, b): pixels_apart(sketches[a], sketches[b]) for a, b in itertools.combinations(members, 2)}


# --- categories ------------------------------------------------------------------------------------------


def test_cues_leave_the_landmarks_where_they_were():
    """Landmarks are those of the outline, with or without cues, and where the generator always put them
    (digest of all 50 categories at two poses, rounded to 1e-6 garment units)."""
    rows = []
    for pose in POSES:
        for category_id in constants.CATEGORY_IDS:
            with_cues = generator.garment_shape(category_id, pose).landmarks
            without = generator.garment_shape(category_id, pose, cues=False).landmarks
            assert with_cues.keys() == without.keys() == set(constants.SLOTS[constants.category_type(category_id)])
            for slot in with_cues:
                assert np.array_equal(with_cues[slot], without[slot])
            rows.append([category_id, sorted((k, [round(float(v[0]), 6), round(float(v[1]), 6)])
                                             for k, v in with_cues.items())])
    digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()
    assert digest == '0483a60a32c33d97fc46b8e95e37aa100994097f0173dc091dcb31667937c606'
    hoodie = generator.garment_shape(CATEGORY_IDS['Hoodie'], POSES[0]).landmarks
    assert np.allclose(hoodie[0], (-0.11, 0.0)) and np.allclose(hoodie[7], (0.58, 1.1))
    assert np.allclose(hoodie[3], (0.829, 0.664831), atol=1e-6)


def test_every_category_has_known_cues():
    assert set(generator.CATEGORY_CUES) == set(constants.CATEGORY_NAMES)
    for name, cues in generator.CATEGORY_CUES.items():
        shape = generator.garment_shape(CATEGORY_IDS[name], POSES[0])
        for kind, pts in shape.details:
            assert kind in ('band', 'panel', 'patch', 'trim', 'line', 'cord', 'stitch', 'zip', 'buttons', 'fringe')
            assert np.all(np.isfinite(pts)) and pts.ndim == 2 and pts.shape[1] == 2


def test_cues_are_drawn(sketches):
    for name, cues in generator.CATEGORY_CUES.items():
        category_id = CATEGORY_IDS[name]
        bare = generator.garment_sketch(category_id, cues=False)
        if cues:
            assert pixels_apart(sketches[category_id], bare) >= MIN_CUE_PIXELS, name
        else:
            assert pixels_apart(sketches[category_id], bare) == 0, name


@pytest.mark.parametrize('clothes_type', [constants.UPPER, constants.LOWER, constants.FULL])
def test_every_category_differs_from_every_other_of_its_type(sketches, clothes_type):
    for (a, b), apart in type_pairs(sketches, clothes_type).items():
        assert apart >= MIN_PAIR_PIXELS, (constants.CATEGORY_NAMES[a - 1], constants.CATEGORY_NAMES[b - 1], apart)


def test_near_confusions_differ_by_a_cue_not_by_everything(sketches):
    """Every near pair differs in pixels, but less than the median pair of its clothes type does."""
    medians = {t: np.median(list(type_pairs(sketches, t).values())) for t in constants.CLOTHES_TYPES}
    assert len(generator.NEAR_CONFUSIONS) >= 25
    covered = set()
    for a, b, cue in generator.NEAR_CONFUSIONS:
        ia, ib = CATEGORY_IDS[a], CATEGORY_IDS[b]
        assert constants.category_type(ia) == constants.category_type(ib), (a, b)
        assert cue
        apart = pixels_apart(sketches[ia], sketches[ib])
        assert MIN_PAIR_PIXELS <= apart < medians[constants.category_type(ia)], (a, b, apart)
        covered |= {a, b}
    for pair in (('Blouse', 'Tee'), ('Blouse', 'Top'), ('Jeans', 'Jeggings'), ('Joggers', 'Sweatpants'),
                 ('Dress', 'Sundress'), ('Cardigan', 'Peacoat'), ('Hoodie', 'Sweater')):
        assert any({a, b} == set(pair) for a, b, _ in generator.NEAR_CONFUSIONS), pair
    assert len(covered) >= 40


def test_fabric_and_texture_preferences_show_in_plan_names_and_attributes():
    opts = generator.Options()
    plans = generator.plan_images(1500, 'category', 4, False, opts)
    garments = collections.defaultdict(list)
    for plan in plans:
        for figure in plan.figures:
            for garment in figure:
                garments[constants.CATEGORY_NAMES[garment.category_id - 1]].append(garment)
    assert np.mean([g.texture == 'checks' for g in garments['Flannel']]) > 0.6
    assert np.mean([g.fabric == 'Denim' for g in garments['Jeans']]) > 0.6
    assert np.mean([g.fabric == 'Knit' for g in garments['Joggers']]) > 0.6
    assert np.mean([g.fabric == 'Denim' for g in garments['Chinos']]) < 0.4
    denim = generator.ATTRIBUTE_IDS['denim']
    for g in garments['Jeans']:
        assert (denim in generator.attribute_ids_of(g)) == (g.fabric == 'Denim')
    # restricted textures are respected
    only_dots = generator.plan_images(200, 'category', 4, False, generator.Options(textures=('dots',)))
    assert {g.texture for p in only_dots for f in p.figures for g in f} == {'dots'}


# --- the second drawing style ----------------------------------------------------------------------------


@pytest.fixture(scope='module')
def style_pair(tmp_path_factory):
    options = dict(min_size=120, max_size=180, multi_garment=True, workers=2)
    default = generator.generate(str(tmp_path_factory.mktemp('default')), 40, seed=6, **options)
    second = generator.generate(str(tmp_path_factory.mktemp('second')), 40, seed=6, style='second', **options)
    return default, second


def test_second_style_same_plan_same_rules(style_pair):
    default, second = style_pair
    assert second.style == 'second' and default.style == 'default'
    assert [r.image_name for r in second.images] == [r.image_name for r in default.images]
    assert [(r.split, r.category_id, r.clothes_type, r.attribute_ids) for r in second.images] == \
        [(r.split, r.category_id, r.clothes_type, r.attribute_ids) for r in default.images]
    visibilities = collections.Counter()
    for record in second.images:
        with Image.open(os.path.join(second.root, record.image_name)) as image:
            assert image.size == (record.width, record.height)
        assert record.garments[record.annotated].landmarks == record.landmarks
        for garment in record.garments:
            x1, y1, x2, y2 = garment.bbox
            assert 0 <= x1 < x2 <= record.width - 1 and 0 <= y1 < y2 <= record.height - 1
            for slot, landmark in enumerate(garment.landmarks):
                assert (landmark is None) == (slot not in constants.SLOTS[garment.clothes_type])
                if landmark is None:
                    continue
                x, y, v = landmark
                visibilities[v] += 1
                if v == 2:
                    assert (x, y) == (0, 0)
                    continue
                assert 0 <= x <= record.width - 1 and 0 <= y <= record.height - 1
                assert x1 - 1 <= x <= x2 + 1 and y1 - 1 <= y <= y2 + 1
            for left, right in ((0, 1), (2, 3), (4, 5), (6, 7)):
                a, b = garment.landmarks[left], garment.landmarks[right]
                if a and b and a[2] < 2 and b[2] < 2:
                    assert a[0] < b[0], (record.image_name, left)
    assert visibilities[0] > 0 and visibilities[1] > 0 and visibilities[2] > 0


def test_second_style_has_other_image_shapes(style_pair):
    default, second = style_pair
    aspect = {dataset.style: [min(r.width, r.height) / max(r.width, r.height) for r in dataset.images]
              for dataset in style_pair}
    landscape = {dataset.style: np.mean([r.width > r.height for r in dataset.images]) for dataset in style_pair}
    assert min(aspect['default']) >= 0.715
    assert np.mean([a < 0.7 for a in aspect['second']]) > 0.3
    assert landscape['second'] > landscape['default']


def edge_histogram(style, seed, n=40):
    """Share of gradient magnitudes per bin over n rendered images."""
    opts = generator.Options(style=style, min_size=120, max_size=160)
    counts = np.zeros(8)
    for plan in generator.plan_images(n, 'category', seed, False, opts):
        grey = np.asarray(generator.compose(plan, 'category', seed, opts).image, dtype=float).mean(axis=2)
        magnitude = np.hypot(np.diff(grey, axis=1)[:-1], np.diff(grey, axis=0)[:, :-1])
        counts += np.histogram(magnitude, bins=[0, 2, 5, 10, 20, 40, 80, 160, 1000])[0]
    return counts / counts.sum()


def test_second_style_pixel_statistics_differ():
    """Edges (outlines, patterns, clutter, blur) of the second style are distributed otherwise: its edge
    histogram is further from the default's than two default samples are from each other."""
    default_a, default_b = edge_histogram('default', 2), edge_histogram('default', 3)
    second_a = edge_histogram('second', 2)
    within = np.abs(default_a - default_b).sum()
    between = np.abs(default_a - second_a).sum()
    assert between > 2.0 * within, (between, within)


@pytest.mark.parametrize('style, share', [('default', 1.0), ('second', 0.99)])
def test_visible_landmarks_are_on_drawn_garment_pixels(style, share):
    """Against the image before the garments were drawn (background, clutter, distractors), every visible
    landmark has changed pixels within 2 px (second style: nearly every; a garment may match the colour of
    what is behind it there)."""
    opts = generator.Options(style=style, min_size=100, max_size=160, occlusion_rate=0.0)
    on_garment = total = 0
    for plan in generator.plan_images(150, 'category', 2, True, opts):
        drawn = generator.compose(plan, 'category', 2, opts, keep_background=True)
        after = np.asarray(drawn.image, dtype=int)
        before = np.asarray(drawn.background, dtype=int)
        for garment in drawn.garments:
            for x, y, _ in (lm for lm in garment.landmarks if lm and lm[2] == 0):
                window = (slice(max(0, y - 2), y + 3), slice(max(0, x - 2), x + 3))
                on_garment += np.abs(after[window] - before[window]).sum(axis=2).max() > 60
                total += 1
    assert total > 1000
    assert on_garment >= share * total, (on_garment, total)


def test_second_style_deterministic_and_unlike_default(read_tree, tmp_path):
    options = dict(min_size=100, max_size=140, multi_garment=True, style='second', occlusion_rate=0.5)
    generator.generate(str(tmp_path / 'a'), 10, seed=7, workers=2, **options)
    generator.generate(str(tmp_path / 'b'), 10, seed=7, workers=1, **options)
    generator.generate(str(tmp_path / 'c'), 10, seed=7, workers=1, min_size=100, max_size=140, multi_garment=True,
                       occlusion_rate=0.5)
    a, b, c = (read_tree(str(tmp_path / name)) for name in 'abc')
    assert a == b
    assert sorted(a) == sorted(c)
    assert all(a[name] != c[name] for name in a if name.endswith('.jpg'))


def test_every_occluder_covers_its_landmark():
    target = np.array([100.0, 80.0])
    for kind in objects.OCCLUDERS:
        for seed in range(30):
            polygons, _ = objects.place_occluder(np.random.default_rng(seed), kind, target, 120.0)
            assert any(scene.point_in_polygon(100, 80, polygon) for polygon in polygons), (kind, seed)


def test_second_style_occludes(tmp_path):
    dataset = generator.generate(str(tmp_path), 20, seed=3, style='second', occlusion_rate=1.0, min_size=100,
                                 max_size=140, workers=1)
    assert sum(any(lm and lm[2] == 1 for lm in r.landmarks) for r in dataset.images) >= 10


def test_style_and_background_options(tmp_path, capsys):
    with pytest.raises(ValueError):
        generator.Options(style='third')
    with pytest.raises(ValueError):
        generator.Options(backgrounds=('wallpaper',))
    assert 'clutter' in generator.Options().backgrounds
    assert tuple(styles.DRAWING_STYLES) == generator.DRAWING_STYLE_NAMES
    output = str(tmp_path / 'out')
    generator.cli(['--output', output, '--n-images', '4', '--seed', '3', '--workers', '1', '--min-size', '90',
                   '--max-size', '110', '--style', 'second', '--backgrounds', 'clutter,plain'])
    line = capsys.readouterr().out.strip()
    assert '4 images' in line and 'second style' in line
