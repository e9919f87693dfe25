"""The deepfashion2 dataset: head metas, options, hflip, targets, decoder, and train -> eval -> predict on the
genuine KGDet demo."""
import argparse
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import openpifpaf

from openpifpaf_deepfashion.deepfashion.decoder import FashionCifCaf
from openpifpaf_deepfashion.deepfashion2 import constants, datamodule, decoder, heads, merged
from openpifpaf_deepfashion.deepfashion2.dataset import DeepFashion2Coco
from openpifpaf_deepfashion.network.category_head import Category

openpifpaf.plugin.register()

# thresholds at which a model trained for 3 batches (confidences near 0.03) predicts garments
LOW_THRESHOLDS = ['--seed-threshold=0.02', '--keypoint-threshold=0.02', '--cif-th=0.02', '--instance-threshold=0.0']


def kgdet(shared_data):
    return os.path.join(shared_data, 'deepfashion2_real', 'kgdet_demo')


@pytest.fixture(scope='module')
def root(shared_data, tmp_path_factory):
    """A converted-layout root: the KGDet demo's first 24 images as train, the other 8 as validation."""
    demo = kgdet(shared_data)
    root = tmp_path_factory.mktemp('deepfashion2')
    with open(os.path.join(demo, 'demo_dataset-32.json')) as f:
        document = json.load(f)
    os.makedirs(root / 'annotations')
    for split, images in (('train', document['images'][:24]), ('validation', document['images'][24:])):
        ids = {image['id'] for image in images}
        part = dict(document, images=images, annotations=[a for a in document['annotations'] if a['image_id'] in ids])
        with open(root / 'annotations' / 'deepfashion2_{}.json'.format(split), 'w') as f:
            json.dump(part, f)
        os.makedirs(root / split)
        os.symlink(os.path.join(demo, 'image'), root / split / 'image')
    return str(root)


def configured(*options):
    parser = argparse.ArgumentParser()
    openpifpaf.datasets.cli(parser)
    args = parser.parse_args(['--dataset=deepfashion2', '--loader-workers=0'] + list(options))
    args.debug, args.pin_memory = False, False
    openpifpaf.datasets.configure(args)
    module = openpifpaf.datasets.factory('deepfashion2')
    for meta in module.head_metas:
        meta.base_stride = 16
    return module


def test_head_metas_cover_294_slots_all_skeletons_and_13_categories():
    cif, caf, category = heads.landmark_metas(1) + [heads.category_meta()]
    assert cif.keypoints == constants.KEYPOINTS and len(cif.keypoints) == 294
    assert caf.skeleton == constants.SKELETON
    assert len(cif.sigmas) == 294 and np.shape(cif.pose) == (294, 3)
    assert isinstance(category, Category) and category.categories == constants.CATEGORY_NAMES
    assert category.n_fields == 13
    assert {meta.dataset for meta in (cif, caf, category)} == {'deepfashion2'}


def test_options_are_prefixed_and_the_root_sets_every_path(root):
    parser = argparse.ArgumentParser(add_help=False)
    datamodule.DeepFashion2.cli(parser)
    options = [o for action in parser._actions for o in action.option_strings]  # pylint: disable=protected-access
    assert options and all(o.startswith('--deepfashion2-') for o in options)
    for wanted in ('root', 'square-edge', 'upsample', 'category-head', 'hflip', 'eval-long-edge'):
        assert '--deepfashion2-' + wanted in options
    module = configured('--deepfashion2-root=' + root, '--deepfashion2-category-head=off')
    assert module.train_annotations == os.path.join(root, 'annotations', 'deepfashion2_train.json')
    assert module.eval_image_dir == os.path.join(root, 'validation', 'image')
    assert [type(m).__name__ for m in module.head_metas] == ['Cif', 'Caf']
    assert configured('--deepfashion2-root=' + root).head_metas[2].region == 'landmarks'
    boxed = configured('--deepfashion2-root=' + root, '--deepfashion2-category-region=box')
    assert boxed.head_metas[2].region == 'box'
    with pytest.raises(datamodule.DataRootError, match='convert it first'):
        configured('--deepfashion2-root=' + os.path.dirname(root))


def test_hflip_swaps_left_and_right_within_the_garments_category():
    keypoints = np.zeros((294, 3), dtype=np.float32)
    start, stop = constants.SLOT_RANGES[8]  # trousers
    keypoints[start:stop, 0] = np.arange(stop - start) + 10.0
    keypoints[start:stop, 1] = 5.0
    keypoints[start:stop, 2] = 2.0
    ann = {'keypoints': keypoints, 'bbox': np.array([0.0, 0.0, 40.0, 20.0]), 'iscrowd': False, 'category_id': 8}
    meta = {'hflip': False, 'valid_area': np.array([0.0, 0.0, 49.0, 19.0])}
    image = openpifpaf.transforms.hflip.PIL.Image.new('RGB', (50, 20))
    _, (flipped,), _ = openpifpaf.transforms.HFlip(constants.KEYPOINTS, constants.HFLIP)(image, [ann], meta)
    labelled = np.flatnonzero(flipped['keypoints'][:, 2])
    assert set(labelled) == set(range(start, stop))  # nothing leaves the category
    for k in range(start, stop):
        mirror = constants.KEYPOINTS.index(constants.HFLIP.get(constants.KEYPOINTS[k], constants.KEYPOINTS[k]))
        assert flipped['keypoints'][mirror, 0] == 49.0 - keypoints[k, 0]
    assert constants.KEYPOINTS.index(constants.HFLIP['trousers_1']) == start + 2  # waistband ends swap


def test_targets_put_confidence_only_in_the_garments_own_category_fields(root):
    module = configured('--deepfashion2-root=' + root, '--deepfashion2-no-augmentation',
                        '--deepfashion2-square-edge=161', '--batch-size=1')
    data = module.train_loader().dataset
    for index in range(len(data)):
        image, (cif, caf, category), _ = data[index]
        anns = data.anns_by_image[data.images[index]['id']]
        own = {a['category_id'] for a in anns}
        confident = {constants.category_of_slot(s) for s in range(294) if (cif[s, 0] > 0.5).any()}
        assert confident and confident <= own, (index, confident, own)
        assert set(torch.unique(category[0]).tolist()) - {-1} <= {c - 1 for c in own}
        assert set(torch.unique(category[1]).tolist()) - {-1} <= set(range(len(anns)))
        assert image.shape[1:] == (161, 161)
        if index >= 5:
            break


def garment_fields(garments, stride=16, shape=(20, 20), n_fields=294, skeleton=constants.SKELETON):
    """Hand-built CIF, CAF and category fields (regressions in cells) of garments given as (category, {slot:
    (x, y)}) in pixels (slots: of the n_fields CIF fields, joined by ``skeleton``)."""
    cif = np.zeros((n_fields, 5, *shape), dtype=np.float32)
    caf = np.zeros((len(skeleton), 8, *shape), dtype=np.float32)
    category = np.full((13, *shape), 0.01, dtype=np.float32)
    for category_id, points in garments:
        for slot, (x, y) in points.items():
            i, j = int(round(y / stride)), int(round(x / stride))
            # width, confidence, x, y, scale, from the 4 x 4 cells around (CifHr divides by 16 votes)
            cif[slot, :, i - 2:i + 2, j - 2:j + 2] = np.array([0.5, 1.0, x / stride, y / stride, 1.0])[:, None, None]
        for c, (a, b) in enumerate(skeleton):
            if a - 1 in points and b - 1 in points:
                (xa, ya), (xb, yb) = points[a - 1], points[b - 1]
                i, j = int(round((ya + yb) / 2 / stride)), int(round((xa + xb) / 2 / stride))
                caf[c, :, i - 1:i + 2, j - 1:j + 2] = np.array(
                    [0.5, 1.0, xa / stride, ya / stride, xb / stride, yb / stride, 1.0, 1.0])[:, None, None]
        xs, ys = [p[0] for p in points.values()], [p[1] for p in points.values()]
        category[:, int(min(ys) / stride):int(max(ys) / stride) + 1,
                 int(min(xs) / stride):int(max(xs) / stride) + 1] = 0.01
        category[category_id - 1, int(min(ys) / stride):int(max(ys) / stride) + 1,
                 int(min(xs) / stride):int(max(xs) / stride) + 1] = 0.88
    return [torch.from_numpy(cif), torch.from_numpy(caf), torch.from_numpy(category)]


def canonical_points(category_id, x, y, w, h):
    start, _ = constants.SLOT_RANGES[category_id]
    return {start + k: (x + px * w, y + py * h) for k, (px, py) in enumerate(constants.CANONICAL_POSES[category_id])}


@pytest.mark.parametrize('with_category_head', [True, False])
def test_decoder_gives_each_garment_its_own_category_and_slots(with_category_head):
    metas = heads.landmark_metas(1) + [heads.category_meta()]
    for i, meta in enumerate(metas):
        meta.head_index, meta.base_stride = i, 16
    top = canonical_points(1, 40.0, 20.0, 120.0, 110.0)  # short sleeve top
    trousers = canonical_points(8, 170.0, 60.0, 100.0, 220.0)
    fields = garment_fields([(1, top), (8, trousers)])
    dec = decoder.DeepFashion2CifCaf.factory(metas if with_category_head else metas[:2])[0]
    nms = openpifpaf.decoder.utils.nms.Keypoints
    threshold = nms.get_instance_threshold()
    garments = dec(fields)
    assert nms.get_instance_threshold() == threshold  # restored
    by_category = {g.category_id: g for g in garments}
    assert set(by_category) == {1, 8}, [(g.category_id, g.score) for g in garments]
    for category_id, points in ((1, top), (8, trousers)):
        garment = by_category[category_id]
        start, stop = constants.SLOT_RANGES[category_id]
        assert np.all(garment.data[:start, 2] == 0) and np.all(garment.data[stop:, 2] == 0)
        for slot, (x, y) in points.items():
            assert garment.data[slot, 2] > 0.5
            assert abs(garment.data[slot, 0] - x) < 1.0 and abs(garment.data[slot, 1] - y) < 1.0
        data = garment.json_data()
        assert data['category_id'] == category_id
        assert data['category_name'] == constants.CATEGORY_NAMES[category_id - 1]
        assert list(data['category_scores'])[0] == category_id and len(data['category_scores']) == 5
        assert len(data['keypoints']) == 882
        assert data['category_source'] == ('category head' if with_category_head else 'slots')
        assert garment.skeleton == decoder.category_pairs(category_id)
        assert decoder.garment_label(garment).startswith(constants.CATEGORY_NAMES[category_id - 1] + ' ')


def test_duplicates_of_different_categories_keep_the_one_the_category_head_prefers():
    metas = heads.landmark_metas(1) + [heads.category_meta()]
    for i, meta in enumerate(metas):
        meta.head_index, meta.base_stride = i, 16
    box = (40.0, 40.0, 150.0, 150.0)
    fields = garment_fields([(1, canonical_points(1, *box)), (2, canonical_points(2, *box))])
    category = fields[2].numpy()
    category[0], category[1] = 0.2, 0.7  # the head says long sleeve top
    garments = decoder.DeepFashion2CifCaf.factory(metas)[0](fields)
    assert [g.category_id for g in garments] == [2]


def test_decoder_keeps_at_most_max_garments_the_best_scored():
    metas = heads.landmark_metas(1) + [heads.category_meta()]
    for i, meta in enumerate(metas):
        meta.head_index, meta.base_stride = i, 16
    fields = garment_fields([(1, canonical_points(1, 20.0, 20.0, 100.0, 90.0)),
                             (8, canonical_points(8, 170.0, 60.0, 100.0, 220.0))])
    cif = fields[0].numpy()
    start, stop = constants.SLOT_RANGES[8]
    cif[start:stop, 1] *= 0.6  # the trousers' landmarks less confident: the top scores higher
    dec = decoder.DeepFashion2CifCaf.factory(metas)[0]
    saved = decoder.DeepFashion2CifCaf.max_garments
    try:
        decoder.DeepFashion2CifCaf.max_garments = 0
        every = dec(fields)
        decoder.DeepFashion2CifCaf.max_garments = 1
        capped = dec(fields)
    finally:
        decoder.DeepFashion2CifCaf.max_garments = saved
    assert [g.category_id for g in every] == [1, 8] and every[0].score > every[1].score
    assert [g.category_id for g in capped] == [1]


def test_max_garments_option_per_dataset():
    parser = argparse.ArgumentParser()
    for cls in (decoder.DeepFashion2CifCaf, FashionCifCaf):
        cls.cli(parser)
    saved = decoder.DeepFashion2CifCaf.max_garments, FashionCifCaf.max_garments
    try:
        args = parser.parse_args(['--deepfashion2-max-garments=3'])
        for cls in (decoder.DeepFashion2CifCaf, FashionCifCaf):
            cls.configure(args)
        assert decoder.DeepFashion2CifCaf.max_garments == 3 and FashionCifCaf.max_garments == 20
        with pytest.raises(ValueError, match='--deepfashion-max-garments'):
            FashionCifCaf.configure(parser.parse_args(['--deepfashion-max-garments=-1']))
    finally:
        decoder.DeepFashion2CifCaf.max_garments, FashionCifCaf.max_garments = saved


def run(*args, cwd):
    result = subprocess.run([sys.executable, '-m'] + list(args), cwd=cwd, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.parametrize('landmarks', ['all', 'merged'])
def test_train_eval_predict_on_the_kgdet_demo(root, shared_data, tmp_path, landmarks):
    cwd = str(tmp_path)
    model = str(tmp_path / 'model.pkl')
    run('openpifpaf.train', '--dataset=deepfashion2', '--deepfashion2-root=' + root, '--basenet=shufflenetv2k16',
        '--deepfashion2-square-edge=97', '--batch-size=2', '--epochs=1', '--train-batches=3', '--val-batches=1',
        '--loader-workers=0', '--output=' + model, '--deepfashion2-landmarks=' + landmarks, cwd=cwd)
    checkpoint = model + '.epoch001'
    assert os.path.exists(checkpoint)
    n_fields = len(torch.load(checkpoint, weights_only=False)['model'].head_metas[0].keypoints)
    assert n_fields == (294 if landmarks == 'all' else merged.N_MERGED)

    output = str(tmp_path / 'eval')
    result = run('openpifpaf.eval', '--dataset=deepfashion2', '--deepfashion2-root=' + root,
                 '--checkpoint=' + checkpoint, '--loader-workers=0', '--output=' + output, '--write-predictions',
                 '--deepfashion2-eval-long-edge=97', '--deepfashion2-eval-n-images=2', *LOW_THRESHOLDS, cwd=cwd)
    assert 'keypoint AP' in result.stdout + result.stderr and 'NE avg' in result.stdout + result.stderr
    with open(output + '.stats.json') as f:
        stats = dict(zip(*(lambda s: (s['text_labels'], s['stats']))(json.load(f))))
    assert stats['n images'] == 2 and 'kp AP' in stats and 'NE avg' in stats
    with open(output + '.pred-deepfashion2-keypoints.json') as f:
        results = json.load(f)
    assert all(1 <= entry['category_id'] <= 13 for entry in results)

    out = str(tmp_path / 'predict')
    os.makedirs(out)
    images = sorted(glob.glob(os.path.join(kgdet(shared_data), 'image', '*.jpg')))[:2]
    run('openpifpaf.predict', '--checkpoint=' + checkpoint, '--json-output=' + out, '--image-output=' + out,
        '--long-edge=97', '--loader-workers=0', *LOW_THRESHOLDS, *images, cwd=cwd)
    n_garments = 0
    for image in images:
        name = os.path.basename(image)
        with open(os.path.join(out, name + '.predictions.json')) as f:
            garments = json.load(f)
        assert os.path.exists(os.path.join(out, name + '.predictions.jpeg'))
        for garment in garments:
            category_id = garment['category_id']
            start, stop = constants.SLOT_RANGES[category_id]
            v = np.array(garment['keypoints']).reshape(294, 3)[:, 2]
            assert np.all(v[:start] == 0) and np.all(v[stop:] == 0) and np.any(v[start:stop] > 0)
            assert garment['category_name'] == constants.CATEGORY_NAMES[category_id - 1]
            assert len(garment['category_scores']) == 5
        n_garments += len(garments)
    assert n_garments > 0


# --- the merged landmark set (--deepfashion2-landmarks=merged) ---

def test_merge_table_is_one_to_one_per_category_flip_consistent_and_shares_landmarks():
    for category_id in constants.CATEGORY_IDS:
        table = merged.MERGE[category_id]
        assert len(table) == constants.N_LANDMARKS[category_id] == len(set(table.tolist()))
        for k, mirror in enumerate(constants.LANDMARK_FLIPS[category_id]):  # a flip of the garment = of its landmarks
            assert merged.FLIP_INDICES[table[k]] == table[mirror - 1], (category_id, k + 1)
        for a, b in constants.SKELETONS[category_id]:
            assert tuple(sorted((int(table[a - 1]) + 1, int(table[b - 1]) + 1))) in merged.SKELETON
    assert sorted(set(np.concatenate(list(merged.MERGE.values())).tolist())) == list(range(merged.N_MERGED))
    assert merged.N_MERGED < 294 / 4
    necklines = {tuple(merged.MERGE[c][[0, 1, 2, 4, 5]].tolist()) for c in constants.TOPS + constants.OUTWEAR}
    assert len(necklines) == 1  # one neckline for all ten tops, dresses and outwear (1-3, 5, 6)
    waistbands = {tuple(merged.MERGE[c][:3].tolist()) for c in constants.BOTTOMS}
    assert len(waistbands) == 1
    # a short sleeve's end is a long sleeve's end; an open front is not a closed top's neckline centre
    assert merged.ROLES[1][9 - 1] == merged.ROLES[2][11 - 1] == 'cuff_out_a'
    assert merged.MERGE[3][4 - 1] != merged.MERGE[1][4 - 1]
    assert merged.KEYPOINTS[merged.FLIP_INDICES[merged.KEYPOINTS.index('front_edge1_a')]] == 'front_edge1_b'


def test_merged_keypoints_expand_back_to_the_categorys_slots(root):
    data = DeepFashion2Coco(os.path.join(root, 'train', 'image'),
                            os.path.join(root, 'annotations', 'deepfashion2_train.json'))
    n = 0
    for ann in data.document['annotations']:
        category_id = ann['category_id']
        as_merged = np.array(merged.to_merged(ann['keypoints'], category_id)).reshape(-1, 3)
        start, stop = constants.SLOT_RANGES[category_id]
        slots = np.array(ann['keypoints']).reshape(-1, 3)
        assert np.array_equal(merged.expand(as_merged)[start:stop], slots[start:stop])
        assert np.count_nonzero(as_merged[:, 2]) == np.count_nonzero(slots[:, 2])
        n += 1
    assert n >= 30


def test_merged_targets_and_flip_use_the_merged_landmarks(root):
    module = configured('--deepfashion2-root=' + root, '--deepfashion2-no-augmentation',
                        '--deepfashion2-square-edge=161', '--batch-size=1', '--deepfashion2-landmarks=merged')
    assert module.landmark_names == merged.KEYPOINTS and module.landmark_flips == merged.HFLIP
    data = module.train_loader().dataset
    for index in range(4):
        image, (cif, caf, _), _ = data[index]
        assert cif.shape[0] == merged.N_MERGED and caf.shape[0] == len(merged.SKELETON)
        anns = data.anns_by_image[data.images[index]['id']]
        own = set(np.concatenate([merged.MERGE[a['category_id']] for a in anns]).tolist())
        confident = {s for s in range(merged.N_MERGED) if (cif[s, 0] > 0.5).any()}
        assert confident and confident <= own, (index, confident, own)
    assert configured('--deepfashion2-root=' + root).eval_dataset().landmarks == 'all'  # evaluation: 294 slots
    with pytest.raises(Exception, match='needs the category head'):
        configured('--deepfashion2-landmarks=merged', '--deepfashion2-category-head=off')


def test_decoder_expands_merged_instances_and_the_head_names_the_category():
    metas = heads.landmark_metas(1, 'merged') + [heads.category_meta()]
    for i, meta in enumerate(metas):
        meta.head_index, meta.base_stride = i, 16
    vest, sling = 5, 6  # the same merged landmarks: only the category head tells them apart
    top = canonical_points(vest, 40.0, 20.0, 120.0, 110.0)
    trousers = canonical_points(8, 170.0, 60.0, 100.0, 220.0)

    def as_merged(category_id, points):
        start, _ = constants.SLOT_RANGES[category_id]
        return {int(merged.MERGE[category_id][slot - start]): xy for slot, xy in points.items()}

    fields = garment_fields([(sling, as_merged(vest, top)), (8, as_merged(8, trousers))],
                            n_fields=merged.N_MERGED, skeleton=merged.SKELETON)
    dec = decoder.DeepFashion2CifCaf.factory(metas)[0]
    assert dec.c_instance_fraction == merged.MIN_FRACTION
    garments = {g.category_id: g for g in dec(fields)}
    assert set(garments) == {sling, 8}, [(g.category_id, g.score) for g in dec(fields)]
    for category_id, points, drawn_as in ((sling, top, vest), (8, trousers, 8)):
        garment = garments[category_id]
        assert garment.from_merged and garment.data.shape == (294, 3)
        start, stop = constants.SLOT_RANGES[category_id]
        assert np.all(garment.data[:start, 2] == 0) and np.all(garment.data[stop:, 2] == 0)
        offset = constants.SLOT_RANGES[drawn_as][0] - start
        for slot, (x, y) in points.items():
            assert garment.data[slot - offset, 2] > 0.5
            assert abs(garment.data[slot - offset, 0] - x) < 1.0 and abs(garment.data[slot - offset, 1] - y) < 1.0


def test_category_passes_get_exactly_their_categorys_slots_and_connections():
    """The decoder's per-category passes (what per-category heads would decode) cover the 294 slots and the
    skeleton once each, every pass with its category's own slots and connections."""
    cif, caf = heads.landmark_metas(1)
    for meta in (cif, caf):
        meta.base_stride = 16
    covered_slots, covered_connections = [], []
    for category_id in constants.CATEGORY_IDS:
        cif_c, caf_c, slots, connections = decoder.category_pass_metas(cif, caf, category_id)
        assert list(cif_c.keypoints) == constants.KEYPOINTS[slots] and cif_c.stride == caf_c.stride == 16
        start = constants.SLOT_RANGES[category_id][0]
        assert [(a + start, b + start) for a, b in caf_c.skeleton] == \
            [constants.SKELETON[i] for i in connections] == decoder.category_pairs(category_id)
        covered_slots += list(range(slots.start, slots.stop))
        covered_connections += connections
    assert covered_slots == list(range(294)) and sorted(covered_connections) == list(range(len(constants.SKELETON)))
    dec = decoder.DeepFashion2CifCaf.factory(heads.landmark_metas(1))[0]
    assert dec.per_category and len(dec.category_passes()) == 13
    assert not decoder.DeepFashion2CifCaf.factory(heads.landmark_metas(1, 'merged'))[0].per_category
