"""The normalized-error evaluator on tiny hand-computed cases."""
import json
import math
import os

import numpy as np
import pytest

import openpifpaf

from openpifpaf_deepfashion.deepfashion import coco_format, constants, metrics

UPPER_SLOTS = constants.SLOTS[constants.UPPER]


def garment(ann_id, image_id, points, *, clothes_type=constants.UPPER, category_id=3, variation_type=None,
            box=None):
    """points: {slot: (x, y, v)}; other slots are absent (v = 0)."""
    keypoints = [points.get(k, (0, 0, 0)) for k in range(len(constants.KEYPOINTS))]
    if box is None:
        xy = np.array([p[:2] for p in points.values() if p[2] > 0] or [(0, 0)], dtype=float)
        box = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
    return coco_format.annotation_entry(ann_id, image_id, category_id, clothes_type, keypoints, box,
                                        variation_type=variation_type)


def document(sizes, annotations):
    """sizes: {image_id: (W, H)}."""
    images = [coco_format.image_entry(i, 'img_{}.jpg'.format(i), w, h) for i, (w, h) in sizes.items()]
    return coco_format.coco_document(images, annotations)


def prediction(points, score, confidence=0.9, category_scores=None):
    """points: {slot: (x, y)} or {slot: (x, y, keypoint score)}; other slots unpredicted (score 0)."""
    data = np.zeros((8, 3), dtype=np.float32)
    for k, p in points.items():
        data[k] = (p[0], p[1], p[2] if len(p) > 2 else confidence)
    ann = openpifpaf.Annotation(keypoints=constants.KEYPOINTS, skeleton=constants.SKELETON_B)
    ann.set(data, fixed_score=score)
    if category_scores is not None:
        ann.category_scores = np.asarray(category_scores, dtype=float)
    return ann


def meta(image_id, sizes):
    return {'image_id': image_id, 'width_height': np.array(sizes[image_id], dtype=float)}


def stats_of(metric):
    result = metric.stats()
    assert len(result['stats']) == len(result['text_labels'])
    assert len(set(result['text_labels'])) == len(result['text_labels'])
    return dict(zip(result['text_labels'], result['stats']))


def shifted(points, dx, dy):
    return {k: (x + dx, y + dy) for k, (x, y, _) in points.items()}


UPPER_POINTS = {0: (80, 20, 2), 1: (120, 20, 2), 2: (40, 50, 2), 3: (160, 50, 2), 6: (70, 90, 2), 7: (130, 90, 2)}
SIZES = {1: (200, 100)}


def evaluate(sizes, annotations, predictions_by_image, **kwargs):
    metric = metrics.NormalizedError(document(sizes, annotations), **kwargs)
    for image_id in sizes:
        metric.accumulate(predictions_by_image.get(image_id, []), meta(image_id, sizes))
    return metric, stats_of(metric)


def test_perfect_prediction():
    _, s = evaluate(SIZES, [garment(1, 1, UPPER_POINTS)], {1: [prediction(shifted(UPPER_POINTS, 0, 0), 0.8)]})
    assert s['NE avg'] == 0.0
    assert s['NE pooled'] == 0.0
    assert s['PDL@0.05'] == s['PDL@0.08'] == s['PDL@0.10'] == 1.0
    assert s['det rate'] == 1.0
    assert s['n visible'] == 6
    # lower-body slots have no sample: sentinel and count 0
    assert s['NE L.Waist'] == metrics.UNDEFINED and s['n L.Waist'] == 0


def test_fixed_offset_gives_normalized_distance():
    dx, dy = 7.0, -3.0
    _, s = evaluate(SIZES, [garment(1, 1, UPPER_POINTS)], {1: [prediction(shifted(UPPER_POINTS, dx, dy), 0.8)]})
    expected = math.sqrt((dx / 200) ** 2 + (dy / 100) ** 2)
    for k in UPPER_SLOTS:
        assert s['NE ' + constants.KEYPOINT_LABELS[k]] == pytest.approx(expected)
    assert s['NE avg'] == pytest.approx(expected)
    assert s['NE pooled'] == pytest.approx(expected)


def test_pdl_thresholds():
    # errors 0.04 (8 px on W = 200) on three landmarks and 0.09 (9 px on H = 100) on the other three
    points = {k: (x + 8, y) if k in (0, 1, 2) else (x, y + 9) for k, (x, y, _) in UPPER_POINTS.items()}
    _, s = evaluate(SIZES, [garment(1, 1, UPPER_POINTS)], {1: [prediction(points, 0.8)]},
                    pdl_thresholds=(0.05, 0.08, 0.1, 0.2))
    assert s['PDL@0.05'] == 0.5
    assert s['PDL@0.08'] == 0.5
    assert s['PDL@0.10'] == 1.0
    assert s['PDL@0.20'] == 1.0


def test_pdl_counts_an_error_equal_to_the_threshold():
    # 10 px on W = 200 is exactly 0.05 in floating point as well
    _, s = evaluate(SIZES, [garment(1, 1, UPPER_POINTS)], {1: [prediction(shifted(UPPER_POINTS, 10, 0), 0.8)]})
    assert s['NE pooled'] == pytest.approx(0.05)
    assert s['PDL@0.05'] == 1.0


def test_per_landmark_ne_and_average_versus_pooled():
    full_points = {k: (10 + 10 * k, 50, 2) for k in range(8)}
    sizes = {1: (100, 100), 2: (100, 100)}
    anns = [garment(1, 1, full_points, clothes_type=constants.FULL, category_id=41),
            garment(2, 2, {k: (p[0] / 2, p[1] / 2, 2) for k, p in UPPER_POINTS.items()})]
    upper_prediction = {k: (p[0] / 2, p[1] / 2) for k, p in UPPER_POINTS.items()}
    upper_prediction[0] = (upper_prediction[0][0] + 10, upper_prediction[0][1])  # L.Collar off by 0.1
    preds = {1: [prediction(shifted(full_points, 0, 0), 0.9)], 2: [prediction(upper_prediction, 0.9)]}
    _, s = evaluate(sizes, anns, preds)
    assert s['NE L.Collar'] == pytest.approx(0.05)
    assert s['n L.Collar'] == 2 and s['n L.Waist'] == 1
    assert s['NE R.Collar'] == 0.0
    assert s['NE avg'] == pytest.approx(0.05 / 8)
    assert s['NE pooled'] == pytest.approx(0.1 / 14)


def test_occluded_and_truncated_landmarks_do_not_count():
    points = dict(UPPER_POINTS)
    points[2] = (40, 50, 1)  # occluded
    points[3] = (160, 50, 0)  # truncated (stored as 0, 0, 0)
    pred_points = shifted(UPPER_POINTS, 4, 0)
    pred_points[2] = (1000, 1000)
    pred_points[3] = (-500, 700)
    pred_points[4] = (10, 10)  # a waistline on an upper garment: absent ground truth
    _, s = evaluate(SIZES, [garment(1, 1, points)], {1: [prediction(pred_points, 0.8)]})
    assert s['NE pooled'] == pytest.approx(4 / 200)
    assert s['NE avg'] == pytest.approx(4 / 200)
    assert s['n visible'] == 4
    assert s['n L.Sleeve'] == 0 and s['NE L.Sleeve'] == metrics.UNDEFINED
    # confidently predicted: 7 landmarks; truncated or absent ground truth: R.Sleeve, L.Waist; occluded: L.Sleeve
    assert s['n conf'] == 7
    assert s['conf on truncated'] == pytest.approx(2 / 7)
    assert s['conf on occluded'] == pytest.approx(1 / 7)


def test_confident_subset():
    pred_points = shifted(UPPER_POINTS, 10, 0)
    pred_points[0] = (80 + 40, 20, 0.1)  # below the default threshold 0.2
    pred_points[1] = (120 + 40, 20, 0.3)
    _, s = evaluate(SIZES, [garment(1, 1, UPPER_POINTS)], {1: [prediction(pred_points, 0.8)]})
    assert s['NE pooled'] == pytest.approx((40 + 40 + 4 * 10) / 200 / 6)
    assert s['NE conf'] == pytest.approx((40 + 4 * 10) / 200 / 5)
    assert s['n conf visible'] == 5
    assert s['conf share'] == pytest.approx(5 / 6)
    _, strict = evaluate(SIZES, [garment(1, 1, UPPER_POINTS)], {1: [prediction(pred_points, 0.8)]},
                         confidence_threshold=0.5)
    assert strict['NE conf'] == pytest.approx(10 / 200)
    assert strict['conf threshold'] == 0.5


def canonical_point(slot, width, height, margin=0.1):
    """Canonical pose slot in the central box, computed from CANONICAL_POSE by hand."""
    xs, ys = constants.CANONICAL_POSE[:, 0], constants.CANONICAL_POSE[:, 1]
    x = margin * width + (xs[slot] - xs.min()) / (xs.max() - xs.min()) * (1 - 2 * margin) * width
    y = margin * height + (ys[slot] - ys.min()) / (ys.max() - ys.min()) * (1 - 2 * margin) * height
    return x, y


def test_missing_garment_is_scored_at_the_canonical_pose():
    # W = 200, H = 100, box (20, 10, 160, 80): L.Collar at (76, 10), L.Hem at (40, 90)
    assert canonical_point(0, 200, 100) == pytest.approx((76, 10))
    assert canonical_point(6, 200, 100) == pytest.approx((40, 90))
    points = {0: (100, 30, 2), 6: (40, 90, 2), 7: (130, 90, 1)}
    _, s = evaluate(SIZES, [garment(1, 1, points)], {})
    collar_error = math.sqrt((24 / 200) ** 2 + (20 / 100) ** 2)
    assert s['det rate'] == 0.0
    assert s['n matched'] == 0
    assert s['NE L.Collar'] == pytest.approx(collar_error)
    assert s['NE L.Hem'] == pytest.approx(0.0)
    assert s['NE avg'] == pytest.approx(collar_error / 2)
    assert s['NE pooled'] == pytest.approx(collar_error / 2)
    assert s['NE matched avg'] == metrics.UNDEFINED
    assert s['NE conf'] == metrics.UNDEFINED


def test_unpredicted_landmark_of_a_matched_prediction_uses_the_canonical_pose():
    pred_points = shifted(UPPER_POINTS, 0, 0)
    pred_points[0] = (0.0, 0.0, 0.0)  # not predicted: its coordinates must not be used
    _, s = evaluate(SIZES, [garment(1, 1, UPPER_POINTS)], {1: [prediction(pred_points, 0.8)]})
    cx, cy = canonical_point(0, 200, 100)
    assert s['det rate'] == 1.0
    assert s['NE L.Collar'] == pytest.approx(math.hypot((cx - 80) / 200, (cy - 20) / 100))
    assert s['NE matched L.Collar'] == s['NE L.Collar']


# One upper garment in the box (100, 100)-(200, 200) of a 400 x 400 image and three predictions:
# the best-scored one lies far away, the best-overlapping one is mirrored, the closest one overlaps less.
MATCH_SIZES = {1: (400, 400)}
MATCH_POINTS = {0: (130, 100, 2), 1: (170, 100, 2), 2: (100, 140, 2), 3: (200, 140, 2), 6: (120, 200, 2),
                7: (180, 200, 2)}


def matching_predictions():
    far = prediction(shifted(MATCH_POINTS, 250, 0), 0.9)
    mirrored = prediction({k: (300 - x, y) for k, (x, y, _) in MATCH_POINTS.items()}, 0.5)
    close = prediction(shifted(MATCH_POINTS, 2, 2), 0.3)
    return [mirrored, close, far]


@pytest.mark.parametrize('matching, expected, detected', [
    ('score', 250 / 400, 0),  # the far prediction is matched (it has the best score) but not detected
    ('bbox', (40 + 40 + 100 + 100 + 60 + 60) / 6 / 400, 1),
    ('oracle', math.sqrt(8) / 400, 1),
])
def test_matching_picks_the_right_prediction(matching, expected, detected):
    metric, s = evaluate(MATCH_SIZES, [garment(1, 1, MATCH_POINTS)], {1: matching_predictions()},
                         matching=matching)
    prefix = 'oracle ' if matching == 'oracle' else ''
    assert s[prefix + 'NE pooled'] == pytest.approx(expected)
    assert s[prefix + 'n matched'] == 1
    assert s[prefix + 'det rate'] == detected
    assert s[prefix + 'false garments per image'] == 3 - detected
    assert s[prefix + 'n unmatched predictions'] == 2
    if matching == 'oracle':
        assert 'NE avg' not in s
        assert 'oracle (not comparable)' in metric.table()


def test_oracle_looks_at_visible_landmarks_only():
    points = dict(MATCH_POINTS)
    points[2] = (100, 140, 1)  # occluded
    exact_but_sleeve = shifted(MATCH_POINTS, 0, 0)
    exact_but_sleeve[2] = (390, 390)
    preds = [prediction(shifted(MATCH_POINTS, 4, 0), 0.9), prediction(exact_but_sleeve, 0.1)]
    _, s = evaluate(MATCH_SIZES, [garment(1, 1, points)], {1: preds}, matching='oracle')
    assert s['oracle NE pooled'] == 0.0


def test_bbox_matching_needs_overlap():
    far = prediction(shifted(MATCH_POINTS, 250, 0), 0.9)
    _, s = evaluate(MATCH_SIZES, [garment(1, 1, MATCH_POINTS)], {1: [far]}, matching='bbox')
    assert s['det rate'] == 0.0
    _, s = evaluate(MATCH_SIZES, [garment(1, 1, MATCH_POINTS)], {1: [far]}, matching='score')
    assert s['n matched'] == 1  # score matching pairs it all the same, but it does not overlap: not detected
    assert s['det rate'] == 0.0


def test_bbox_matching_tie_goes_to_the_higher_score():
    mirrored = {k: (300 - x, y) for k, (x, y, _) in MATCH_POINTS.items()}
    preds = [prediction(mirrored, 0.4), prediction(shifted(MATCH_POINTS, 0, 0), 0.6)]
    _, s = evaluate(MATCH_SIZES, [garment(1, 1, MATCH_POINTS)], {1: preds}, matching='bbox')
    assert s['NE pooled'] == 0.0


def two_garment_case():
    sizes = {1: (400, 200)}
    upper = {0: (60, 20, 2), 1: (100, 20, 2), 2: (20, 60, 2), 3: (140, 60, 2), 6: (50, 150, 2), 7: (110, 150, 2)}
    lower = {4: (260, 40, 2), 5: (340, 40, 2), 6: (240, 180, 2), 7: (360, 180, 2)}
    anns = [garment(1, 1, upper), garment(2, 1, lower, clothes_type=constants.LOWER, category_id=26)]
    return sizes, anns, upper, lower


@pytest.mark.parametrize('matching', metrics.MATCHINGS)
def test_two_garments_are_assigned_one_to_one(matching):
    sizes, anns, upper, lower = two_garment_case()
    # the lower garment's prediction has the higher score; a weaker duplicate of it must stay unmatched
    preds = [prediction(shifted(upper, 0, 0), 0.5), prediction(shifted(lower, 0, 0), 0.9),
             prediction(shifted(lower, 5, 0), 0.2)]
    _, s = evaluate(sizes, anns, {1: preds}, matching=matching)
    prefix = 'oracle ' if matching == 'oracle' else ''
    assert s[prefix + 'n matched'] == 2
    assert s[prefix + 'NE pooled'] == 0.0
    assert s[prefix + 'n unmatched predictions'] == 1


def test_two_garments_one_prediction():
    sizes, anns, upper, _ = two_garment_case()
    _, s = evaluate(sizes, anns, {1: [prediction(shifted(upper, 0, 0), 0.9)]})
    assert s['det rate'] == 0.5
    assert s['NE matched pooled'] == 0.0
    assert s['NE pooled'] > 0.0


def test_breakdowns_fill_the_right_buckets():
    sizes = {1: (100, 100), 2: (100, 100), 3: (100, 100)}
    full_points = {k: (10 + 10 * k, 50, 2) for k in range(8)}
    lower_points = {4: (30, 20, 2), 5: (70, 20, 2), 6: (20, 90, 2), 7: (80, 90, 2)}
    upper_points = {k: (x / 2, y / 2, v) for k, (x, y, v) in UPPER_POINTS.items()}
    anns = [
        garment(1, 1, upper_points, category_id=3, variation_type=3),  # Blouse, large pose
        garment(2, 2, lower_points, clothes_type=constants.LOWER, category_id=26),  # Jeans, no variation
        garment(3, 3, full_points, clothes_type=constants.FULL, category_id=53, variation_type=1),  # FLD
    ]
    preds = {1: [prediction(shifted(upper_points, 1, 0), 0.9)], 2: [prediction(shifted(lower_points, 2, 0), 0.9)],
             3: [prediction(shifted(full_points, 0, 3), 0.9)]}
    _, s = evaluate(sizes, anns, preds)
    assert s['NE upper'] == pytest.approx(0.01) and s['n upper'] == 1
    assert s['NE lower'] == pytest.approx(0.02) and s['n lower'] == 1
    assert s['NE full'] == pytest.approx(0.03) and s['n full'] == 1
    assert s['NE var large pose'] == pytest.approx(0.01) and s['n var large pose'] == 1
    assert s['NE var normal pose'] == pytest.approx(0.03) and s['n var normal pose'] == 1
    assert s['NE var medium pose'] == metrics.UNDEFINED and s['n var medium pose'] == 0
    assert s['NE cat Blouse'] == pytest.approx(0.01) and s['n cat Blouse'] == 1
    assert s['NE cat Jeans'] == pytest.approx(0.02)
    assert s['NE cat full-body garment'] == pytest.approx(0.03)
    assert s['NE cat Anorak'] == metrics.UNDEFINED and s['n cat Anorak'] == 0


def test_category_top_k():
    sizes = {1: (200, 100), 2: (200, 100)}
    anns = [garment(1, 1, UPPER_POINTS, category_id=3), garment(2, 2, UPPER_POINTS, category_id=3)]
    second = np.zeros(50)
    second[[0, 2]] = [0.9, 0.8]  # Blouse (id 3) ranks second
    fourth = np.zeros(50)
    fourth[[0, 1, 3, 2]] = [0.9, 0.8, 0.7, 0.5]  # ranks fourth
    preds = {1: [prediction(shifted(UPPER_POINTS, 0, 0), 0.9, category_scores=second)],
             2: [prediction(shifted(UPPER_POINTS, 0, 0), 0.9, category_scores=fourth)]}
    _, s = evaluate(sizes, anns, preds)
    assert s['top-1 acc'] == 0.0
    assert s['top-3 acc'] == 0.5
    assert s['top-5 acc'] == 1.0
    assert s['n top-k'] == 2
    # ties count against the prediction: uniform scores are no hit
    assert metrics.rank_of_category(np.ones(50), 3) == 49


def test_no_category_scores_no_top_k():
    _, s = evaluate(SIZES, [garment(1, 1, UPPER_POINTS)], {1: [prediction(shifted(UPPER_POINTS, 0, 0), 0.8)]})
    assert not any(label.startswith('top-') for label in s)


def test_empty_predictions_and_degenerate_ground_truth_give_no_nan():
    sizes = {1: (200, 100), 2: (200, 100), 3: (200, 100)}
    anns = [garment(1, 1, UPPER_POINTS),
            garment(2, 2, {0: (80, 20, 1), 6: (70, 90, 1)}, box=(10, 10, 100, 90))]  # nothing visible
    metric, s = evaluate(sizes, anns, {})  # image 3 has no ground truth
    assert all(math.isfinite(v) for v in s.values())
    assert s['det rate'] == 0.0
    assert s['n images'] == 3 and s['n images without gt'] == 1 and s['n garments'] == 2
    assert s['NE conf'] == metrics.UNDEFINED and s['conf on truncated'] == metrics.UNDEFINED
    assert 'NE avg' in metric.table()

    untouched = metrics.NormalizedError(document(sizes, anns))
    s = stats_of(untouched)
    assert all(math.isfinite(v) for v in s.values())
    assert s['NE avg'] == metrics.UNDEFINED and s['n garments'] == 0


def test_predictions_on_image_without_ground_truth():
    sizes = {1: (200, 100)}
    _, s = evaluate(sizes, [], {1: [prediction(shifted(UPPER_POINTS, 0, 0), 0.8)]})
    assert s['n unmatched predictions'] == 1
    assert s['det rate'] == metrics.UNDEFINED
    assert all(math.isfinite(v) for v in s.values())


def test_image_size_comes_from_the_json(tmp_path):
    path = tmp_path / 'gt.json'
    path.write_text(json.dumps(document(SIZES, [garment(1, 1, UPPER_POINTS)])))
    metric = metrics.NormalizedError(str(path))
    metric.accumulate([prediction(shifted(UPPER_POINTS, 10, 0), 0.8)],
                      {'image_id': 1, 'width_height': np.array([400.0, 100.0])})
    assert stats_of(metric)['NE pooled'] == pytest.approx(10 / 200)


def test_write_predictions(tmp_path):
    sizes, anns, upper, lower = two_garment_case()
    metric, _ = evaluate(sizes, anns, {1: [prediction(shifted(upper, 0, 0), 0.5),
                                           prediction(shifted(lower, 0, 0), 0.9),
                                           prediction({0: (5, 5, 0.1), 6: (9, 9, 0.1)}, 0.1)]})
    filename = str(tmp_path / 'eval')
    metric.write_predictions(filename, additional_data={'checkpoint': 'x'})
    with open(filename + '.pred-deepfashion.json', encoding='utf-8') as f:
        results = json.load(f)
    assert [r['matched_gt_id'] for r in results] == [1, 2, None]
    assert [r['clothes_type'] for r in results] == [constants.UPPER, constants.LOWER, 0]
    assert results[1]['keypoints'][3 * 4:3 * 4 + 3] == [260.0, 40.0, 0.9]
    assert results[1]['image_id'] == 1 and results[1]['score'] == 0.9
    with open(filename + '.pred-deepfashion-meta.json', encoding='utf-8') as f:
        assert json.load(f) == {'checkpoint': 'x'}
    assert sorted(os.listdir(tmp_path)) == ['eval.pred-deepfashion-meta.json', 'eval.pred-deepfashion.json']


def test_guess_clothes_type():
    scores = np.zeros(8)
    scores[list(constants.SLOTS[constants.FULL])] = 0.9
    assert metrics.guess_clothes_type(scores, 0.2) == constants.FULL
    scores[[0, 1, 2, 3]] = 0.05
    assert metrics.guess_clothes_type(scores, 0.2) == constants.LOWER


def test_table_from_stats_file(tmp_path, capsys, monkeypatch):
    metric, _ = evaluate(SIZES, [garment(1, 1, UPPER_POINTS)], {1: [prediction(shifted(UPPER_POINTS, 0, 0), 0.8)]})
    path = tmp_path / 'x.stats.json'
    path.write_text(json.dumps(metric.stats()))
    monkeypatch.setattr('sys.argv', ['metrics', str(path)])
    metrics.main()
    out = capsys.readouterr().out
    assert 'NE avg' in out and 'L.Collar' in out and 'cat Blouse' in out


def test_invalid_matching():
    with pytest.raises(ValueError):
        metrics.NormalizedError(document(SIZES, []), matching='nearest')


def test_ground_truth_from_pycocotools():
    import pycocotools.coco  # pylint: disable=import-outside-toplevel
    coco = pycocotools.coco.COCO()
    coco.dataset = document(SIZES, [garment(1, 1, UPPER_POINTS)])
    coco.createIndex()
    metric = metrics.NormalizedError(coco)
    metric.accumulate([prediction(shifted(UPPER_POINTS, 10, 0), 0.8)], meta(1, SIZES))
    assert stats_of(metric)['NE pooled'] == pytest.approx(10 / 200)


def test_oracle_matching_finds_the_lowest_total_error_not_the_greedy_one():
    # two garments, two predictions: greedy would take the single cheapest pair (g0, p0 = 1) and leave
    # g1 with p1 (10), total 11; the optimal assignment is g0-p1 (2) and g1-p0 (2), total 4
    cost_errors = np.array([[1.0, 2.0], [2.0, 10.0]])
    errors = np.repeat(cost_errors[:, :, None], 8, axis=2)

    class Garments:
        n = 2
        keypoints = np.zeros((2, 8, 3))
    Garments.keypoints[:, :, 2] = 2
    match = metrics.match_by_oracle(Garments, None, errors)
    assert match.tolist() == [1, 0]
