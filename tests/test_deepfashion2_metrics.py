"""The DeepFashion2 evaluator on small hand-built ground truth: AP with DeepFashion2's sigmas, per category,
box AP, NE per category, the multi-garment table and DeepFashion2's result format."""
import contextlib
import io
import json
import math
import os

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

import openpifpaf

from openpifpaf_deepfashion import atomic
from openpifpaf_deepfashion.deepfashion2 import constants, converter
from openpifpaf_deepfashion.deepfashion2 import metrics
from openpifpaf_deepfashion.deepfashion2.metrics import cli, coco_ap, results

W, H = 400, 300
#: image id -> [(category id, box)]: 2, 3 and 2 garments, every category once (an exact AP per threshold).
SCENES = {
    1: [(1, (40, 30, 150, 120)), (8, (200, 100, 120, 180))],
    2: [(5, (20, 20, 100, 100)), (9, (150, 120, 100, 80)), (11, (260, 30, 120, 250))],
    3: [(2, (30, 40, 160, 150)), (7, (220, 150, 110, 90))],
}
OCCLUDED_LANDMARK = 2  # 0-based landmark of every garment labelled occluded (v = 1): in OKS, not in NE


def garment_keypoints(category_id, box):
    """(294, 3) integer landmarks of the canonical pose in the box; one landmark occluded."""
    keypoints = constants.canonical_keypoints(category_id, box)
    keypoints[:, :2] = np.round(keypoints[:, :2])
    keypoints[constants.SLOT_RANGES[category_id][0] + OCCLUDED_LANDMARK, 2] = 1.0
    return keypoints


def document(scenes=None):
    scenes = SCENES if scenes is None else scenes
    images, annotations = [], []
    for image_id, garments in scenes.items():
        images.append({'id': image_id, 'file_name': '{:06d}.jpg'.format(image_id), 'width': W, 'height': H})
        for category_id, box in garments:
            keypoints = garment_keypoints(category_id, box)
            annotations.append({
                'id': len(annotations) + 1, 'image_id': image_id, 'category_id': category_id,
                'bbox': [float(v) for v in box], 'area': float(box[2] * box[3]), 'iscrowd': 0,
                'num_keypoints': int(np.count_nonzero(keypoints[:, 2])),
                'keypoints': [float(v) for v in keypoints.reshape(-1)]})
    return {'images': images, 'annotations': annotations, 'categories': converter.categories()}


def prediction(keypoints, category_id, box, score=0.9, shift=(0.0, 0.0)):
    data = np.array(keypoints, dtype=np.float64).reshape(-1, 3).copy()
    data[:, 2] = np.where(data[:, 2] > 0, 0.8, 0.0)
    data[:, :2] += np.where(data[:, 2:3] > 0, shift, 0.0)
    ann = openpifpaf.Annotation(keypoints=constants.KEYPOINTS, skeleton=constants.SKELETON)
    ann.set(data, category_id=category_id, fixed_score=score, fixed_bbox=list(box))
    return ann


def copies(doc, image_id, shift=(0.0, 0.0), category_of=None):
    """The image's ground truth as predictions (scores falling in garment order)."""
    anns = [a for a in doc['annotations'] if a['image_id'] == image_id]
    return [prediction(a['keypoints'], (category_of or {}).get(a['category_id'], a['category_id']), a['bbox'],
                       score=0.9 - 0.1 * i, shift=shift) for i, a in enumerate(anns)]


def evaluated(doc, predictions_of, **kwargs):
    metric = metrics.DeepFashion2Metric(doc, **kwargs)
    for image in doc['images']:
        metric.accumulate(predictions_of(image['id']), {'image_id': image['id']})
    return metric


def stats_of(metric):
    data = metric.stats()
    assert len(data['stats']) == len(data['text_labels']) == len(set(data['text_labels']))
    assert all(math.isfinite(v) for v in data['stats'])
    return dict(zip(data['text_labels'], data['stats']))


def name(category_id):
    return constants.CATEGORY_NAMES[category_id - 1]


def expected_oks(ann, shift):
    """OKS of a copy shifted by ``shift``: mean over labelled slots of exp(-d^2 / (2 area (2 sigma)^2))."""
    labelled = np.asarray(ann['keypoints'][2::3]) > 0
    sigmas = np.asarray(constants.SIGMAS)[labelled]
    d2 = shift[0] ** 2 + shift[1] ** 2
    return float(np.mean(np.exp(-d2 / (2.0 * ann['area'] * (2.0 * sigmas) ** 2))))


def test_ground_truth_as_predictions_scores_one():
    doc = document()
    values = stats_of(evaluated(doc, lambda image_id: copies(doc, image_id)))
    for label in ('kp AP', 'kp AP0.5', 'kp AP0.75', 'kp AR', 'box AP', 'box AP0.5', 'box AP0.75'):
        assert values[label] == pytest.approx(1.0, abs=1e-12), label  # pycocotools: 1 / (1 + eps)
    present = {c for garments in SCENES.values() for c, _ in garments}
    for c in constants.CATEGORY_IDS:
        expected = 1.0 if c in present else -1.0
        assert values['kp AP ' + name(c)] == pytest.approx(expected, abs=1e-12)
        assert values['box AP ' + name(c)] == pytest.approx(expected, abs=1e-12)
        assert values['NE ' + name(c)] == (0.0 if c in present else -1.0)
    assert values['NE avg'] == values['NE pooled'] == values['NE cat mean'] == 0.0
    assert values['n garments'] == values['n matched'] == 7 and values['n images'] == 3


@pytest.mark.parametrize('shift', [(3.0, 0.0), (2.0, -1.0)])
def test_shifted_copy_scores_what_the_sigmas_imply(shift):
    doc = document()
    metric = evaluated(doc, lambda image_id: copies(doc, image_id, shift=shift))
    values = stats_of(metric)
    oks = {a['category_id']: expected_oks(a, shift) for a in doc['annotations']}
    by_category = {a['category_id']: a for a in doc['annotations']}
    thresholds = [round(0.5 + 0.05 * i, 2) for i in range(10)]
    assert min(abs(o - t) for o in oks.values() for t in thresholds) > 1e-6
    assert 0.5 < min(oks.values()) < 0.95 < max(oks.values()) < 1.0  # the shift straddles the thresholds

    for c, coco_eval in metric.keypoint_evals.items():
        if c not in oks:
            continue
        ann = by_category[c]
        assert np.asarray(coco_eval.ious[ann['image_id'], c]) == pytest.approx(np.array([[oks[c]]]), rel=1e-12)
        ap_at = coco_ap.per_threshold(coco_eval)
        for t in thresholds:
            assert ap_at[t] == pytest.approx(1.0 if oks[c] > t else 0.0, abs=1e-12), (c, t)
        assert values['kp AP ' + name(c)] == pytest.approx(np.mean([oks[c] > t for t in thresholds]), abs=1e-12)

    combined = metrics.KeypointAP.per_threshold(metric.keypoint_evals)
    for t in thresholds:
        assert combined[t] == pytest.approx(np.mean([o > t for o in oks.values()]), abs=1e-12)
    expected_ap = np.mean([[o > t for t in thresholds] for o in oks.values()])
    assert values['kp AP'] == pytest.approx(expected_ap, abs=1e-12)
    assert values['kp AP'] < 0.99 and values['kp AP0.5'] == pytest.approx(1.0, abs=1e-12)


def test_wrong_category_gets_no_credit():
    doc = document({1: [(1, (40, 30, 150, 120))], 2: [(1, (50, 20, 200, 150)), (2, (220, 60, 150, 200))]})
    # image 1: the right landmarks labelled long sleeve top; image 2: the right landmarks with the two
    # categories swapped
    swapped = {1: 2, 2: 1}
    values = stats_of(evaluated(doc, lambda image_id: copies(doc, image_id, category_of=swapped)))
    assert values['kp AP'] == values['box AP'] == 0.0
    assert values['kp AP short sleeve top'] == values['kp AP long sleeve top'] == 0.0
    assert values['box AP short sleeve top'] == values['box AP long sleeve top'] == 0.0
    # NE: a prediction pairs only with a garment of its category, where it has no landmarks in that category's
    # slots: every garment is scored at its canonical pose, as without any prediction
    nothing = stats_of(evaluated(doc, lambda image_id: []))
    for label in ('NE avg', 'NE short sleeve top', 'NE long sleeve top'):
        assert values[label] == nothing[label] > 0.0

    # the right categories in image 2 only: its garments count; image 1's prediction is a false positive of
    # long sleeve top (ranked above image 2's true one: precision 1/2) and its garment is missed (recall 1/2)
    def swapped_in_image_1(image_id):
        return copies(doc, image_id, category_of=swapped if image_id == 1 else None)

    values = stats_of(evaluated(doc, swapped_in_image_1))
    assert values['n matched'] == 2
    assert values['kp AP long sleeve top'] == pytest.approx(0.5, abs=1e-12)
    assert values['kp AP short sleeve top'] == pytest.approx(51.0 / 101.0, abs=1e-12)  # recall points 0..0.5


def test_same_figures_as_deepfashion2s_single_294_slot_evaluation(tmp_path):
    """The per-category evaluation on each category's slots gives DeepFashion2's own evaluation: one COCOeval
    over all 294 slots with its sigmas, all categories at once."""
    doc = document()

    def predictions(image_id):
        result = copies(doc, image_id, shift=(4.0, 3.0))
        if image_id == 2:  # a wrong category, a duplicate and a missed garment
            result[0].category_id = 13
            result.append(prediction(doc['annotations'][3]['keypoints'], 9, doc['annotations'][3]['bbox'], 0.95))
            result = result[:-2] + result[-1:]
        return result

    metric = evaluated(doc, predictions)
    values = stats_of(metric)
    metric.write_predictions(str(tmp_path / 'eval'))

    gt = COCO()
    gt.dataset = coco_ap.box_ground_truth(doc).dataset
    with contextlib.redirect_stdout(io.StringIO()):
        gt.createIndex()
        joint = COCOeval(gt, gt.loadRes(str(tmp_path / 'eval.pred-deepfashion2-keypoints.json')), 'keypoints')
        joint.params.kpt_oks_sigmas = np.asarray(constants.SIGMAS)
        joint.evaluate()
        joint.accumulate()
        joint.summarize()
    ours = [values['kp ' + label] for label in coco_ap.KEYPOINT_LABELS]
    assert ours == pytest.approx(list(joint.stats), abs=1e-12)
    assert 0.0 < values['kp AP'] < 1.0
    for c, ap in coco_ap.per_category(joint).items():
        assert values['kp AP ' + name(c)] == pytest.approx(ap, abs=1e-12)


def test_ne_per_category_equals_the_hand_computed_value():
    doc = document({1: [(1, (40, 30, 150, 120)), (8, (200, 100, 120, 180))], 2: [(9, (150, 120, 100, 80))]})
    top, trousers, skirt = doc['annotations']
    unpredicted = constants.SLOT_RANGES[1][0] + 10  # a slot the top's prediction leaves out (confidence 0)

    def predictions(image_id):
        if image_id == 2:
            return []  # the skirt is unmatched: canonical pose
        shifted_top = prediction(top['keypoints'], 1, top['bbox'], shift=(4.0, 3.0))
        shifted_top.data[unpredicted] = 0.0
        return [shifted_top, prediction(trousers['keypoints'], 8, trousers['bbox'], 0.7, shift=(-8.0, 0.0))]

    values = stats_of(evaluated(doc, predictions))
    central_box = (0.1 * W, 0.1 * H, 0.8 * W, 0.8 * H)

    def canonical_errors(ann):
        gt = np.asarray(ann['keypoints']).reshape(-1, 3)
        fill = constants.canonical_keypoints(ann['category_id'], central_box)
        return np.hypot((fill[:, 0] - gt[:, 0]) / W, (fill[:, 1] - gt[:, 1]) / H)

    visible = {a['category_id']: np.asarray(a['keypoints'][2::3]) == 2 for a in doc['annotations']}
    top_errors = np.full(constants.N_SLOTS, math.hypot(4.0 / W, 3.0 / H))
    top_errors[unpredicted] = canonical_errors(top)[unpredicted]
    expected = {1: top_errors[visible[1]].mean(), 8: 8.0 / W, 9: canonical_errors(skirt)[visible[9]].mean()}
    for c, ne in expected.items():
        assert values['NE ' + name(c)] == pytest.approx(ne, rel=1e-9)
    assert visible[1].sum() == 24 and visible[8].sum() == 13  # the occluded landmark is no sample
    samples = np.concatenate([top_errors[visible[1]], np.full(13, 8.0 / W), canonical_errors(skirt)[visible[9]]])
    assert values['NE avg'] == pytest.approx(samples.mean(), rel=1e-9)  # one garment per slot: = pooled
    assert values['NE pooled'] == pytest.approx(samples.mean(), rel=1e-9)
    assert values['NE cat mean'] == pytest.approx(np.mean(list(expected.values())), rel=1e-9)
    assert values['n matched short sleeve top'] == 1 and values['n matched skirt'] == 0


def test_multi_garment_table_all_predictions_against_top_1():
    scenes = dict(SCENES)
    scenes[4] = [(3, (100, 50, 150, 200))]  # one garment: not in the table
    doc = document(scenes)
    metric = evaluated(doc, lambda image_id: copies(doc, image_id))
    rows = {(row['group'], row['reading']): row for row in metric.multi_garment_rows()}
    assert set(rows) == {(g, r) for g in ('2', '3', '2+') for r in ('all', 'top-1')}
    for group, k in (('2', 2), ('3', 3)):
        assert rows[group, 'all']['recall'] == 1.0 and rows[group, 'all']['NE avg'] == 0.0
        assert rows[group, 'top-1']['recall'] == pytest.approx(1.0 / k)
        assert rows[group, 'top-1']['recall any cat'] == pytest.approx(1.0 / k)
        assert rows[group, 'top-1']['NE avg'] > 0.0
    assert rows['2+', 'all']['garments'] == 7 and rows['2+', 'all']['images'] == 3
    assert rows['2+', 'top-1']['recall'] == pytest.approx(3.0 / 7.0)
    values = stats_of(metric)
    assert values['multi 3 top-1 recall'] == pytest.approx(1.0 / 3.0)
    assert values['n multi 2+ garments'] == 7 and values['multi 4+ all recall'] == -1.0
    table = metric.table()
    assert 'top-1 per image (one garment)' in table and 'all predictions (bottom-up)' in table

    # the standalone function; a wrong category is found by box (any cat) but not as a garment
    gt = metrics.GroundTruth(doc)
    swapped = {1: 2, 8: 7, 5: 6, 9: 8, 11: 10, 2: 1, 7: 9}
    images = [(gt.garments(i), metrics.Predictions.from_annotations(copies(doc, i, category_of=swapped)), W, H)
              for i in SCENES]
    rows = {(row['group'], row['reading']): row for row in metrics.multi_garment_rows(images)}
    assert rows['2+', 'all']['recall'] == 0.0 and rows['2+', 'all']['recall any cat'] == 1.0


def test_result_format_round_trip(tmp_path, genuine):
    doc = document()
    metric = evaluated(doc, lambda image_id: copies(doc, image_id, shift=(2.5, -1.25)))
    values = metric.stats()
    base = str(tmp_path / 'eval')
    metric.write_predictions(base, additional_data={'checkpoint': 'x'})
    keys = results.read_results(base + '.pred-deepfashion2-keypoints.json')
    boxes = results.read_results(base + '.pred-deepfashion2-bbox.json', 'bbox')
    with open(os.path.join(genuine, 'deepfashion2', 'example_keys_results.json'), encoding='utf-8') as f:
        example = json.load(f)
    assert [list(entry) for entry in keys] == [list(example[0])] * 7  # image_id, category_id, keypoints, score
    assert all(list(entry) == ['image_id', 'category_id', 'bbox', 'score'] for entry in boxes)
    assert all(len(entry['keypoints']) == 3 * constants.N_SLOTS for entry in keys)
    assert results.read_results(os.path.join(genuine, 'deepfashion2', 'example_keys_results.json'))
    for entry in keys:  # nothing outside the category's slots
        start, stop = constants.SLOT_RANGES[entry['category_id']]
        outside = entry['keypoints'][:3 * start] + entry['keypoints'][3 * stop:]
        assert not any(outside)

    again = metrics.evaluate_result_files(doc, base + '.pred-deepfashion2-keypoints.json',
                                          base + '.pred-deepfashion2-bbox.json')
    assert again.stats() == values
    assert cli.main([base + '.pred-deepfashion2-keypoints.json', '--ground-truth', str(tmp_path / 'gt.json')]) == 1
    with open(tmp_path / 'gt.json', 'w', encoding='utf-8') as f:
        json.dump(doc, f)
    assert cli.main([base + '.pred-deepfashion2-keypoints.json', '--ground-truth', str(tmp_path / 'gt.json'),
                     '--stats-out', str(tmp_path / 'cli.stats.json')]) == 0
    with open(tmp_path / 'cli.stats.json', encoding='utf-8') as f:
        from_cli = json.load(f)
    assert from_cli['text_labels'] == values['text_labels']
    cli_values = dict(zip(from_cli['text_labels'], from_cli['stats']))
    assert cli_values['kp AP'] == dict(zip(values['text_labels'], values['stats']))['kp AP']
    assert cli.main([str(tmp_path / 'cli.stats.json')]) == 0


def test_result_files_with_bad_entries_name_the_entry(tmp_path):
    path = str(tmp_path / 'bad.json')
    good = {'image_id': 1, 'category_id': 1, 'keypoints': [0.0] * 882, 'score': 0.5}
    for entry, message in ((dict(good, category_id=14), 'entry 1: category_id'),
                           (dict(good, keypoints=[0.0] * 75), 'entry 1: keypoints'),
                           ({k: v for k, v in good.items() if k != 'score'}, "entry 1: missing key 'score'")):
        results.write_results(path, [good, entry])
        with pytest.raises(results.ResultFormatError, match=message):
            results.read_results(path)
    box = {'image_id': 1, 'category_id': 1, 'bbox': [0, 0, 1, 1], 'score': 0.4}
    with pytest.raises(results.ResultFormatError, match='not the prediction'):
        results.predictions_by_image([good], [box])


def test_atomic_write_leaves_nothing_on_failure(tmp_path, monkeypatch):
    path = str(tmp_path / 'eval.pred-deepfashion2-keypoints.json')
    results.write_results(path, [{'old': 1}])
    with pytest.raises(TypeError):
        results.write_results(path, [{'image_id': object()}])  # not serializable: fails before writing
    assert os.listdir(str(tmp_path)) == ['eval.pred-deepfashion2-keypoints.json']

    def failing_replace(*_):
        raise OSError('disk full')

    doc = document()
    metric = evaluated(doc, lambda image_id: copies(doc, image_id))
    monkeypatch.setattr(atomic.os, 'replace', failing_replace)
    with pytest.raises(OSError, match='disk full'):
        metric.write_predictions(str(tmp_path / 'eval'))
    monkeypatch.undo()
    assert os.listdir(str(tmp_path)) == ['eval.pred-deepfashion2-keypoints.json']
    with open(path, encoding='utf-8') as f:
        assert json.load(f) == [{'old': 1}]


def test_unknown_images_and_foreign_predictions():
    doc = document({1: [(1, (40, 30, 150, 120))]})
    metric = metrics.DeepFashion2Metric(doc)
    metric.accumulate(copies(doc, 1), {'image_id': 1})
    metric.accumulate([], {'image_id': 99, 'width_height': [W, H]})
    values = stats_of(metric)
    assert values['n images'] == 2 and values['n images unknown'] == 1
    assert values['kp AP'] == pytest.approx(1.0, abs=1e-12)
    eight = openpifpaf.Annotation(keypoints=['k{}'.format(i) for i in range(8)], skeleton=[(1, 2)])
    with pytest.raises(ValueError, match='294'):
        metric.accumulate([eight], {'image_id': 1})
    empty = metrics.DeepFashion2Metric(doc)
    values = stats_of(empty)
    assert values['kp AP'] == values['box AP'] == values['NE avg'] == -1.0
