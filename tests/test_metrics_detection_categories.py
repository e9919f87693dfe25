"""Detection (box IoU >= 0.5), false garments and the category figures of the NE evaluator, on hand-computed
cases."""
import json
import math

import numpy as np
import pytest

import openpifpaf

from openpifpaf_deepfashion.deepfashion import coco_format, constants, metrics

# one garment per 100 x 100 image, its box (10, 10)-(90, 90) spanned by its landmarks
POINTS = {0: (40, 10), 1: (60, 10), 2: (10, 40), 3: (90, 40), 6: (30, 90), 7: (70, 90)}
BOX = (10, 10, 90, 90)
IDS = {name: i for i, name in zip(constants.CATEGORY_IDS, constants.CATEGORY_NAMES)}


def garment(ann_id, image_id, category_id=3, *, clothes_type=None, box=BOX):
    if clothes_type is None:
        clothes_type = (constants.category_type(category_id) if category_id <= 50
                        else {51: constants.UPPER, 52: constants.LOWER, 53: constants.FULL}[category_id])
    keypoints = [POINTS[k] + (2,) if k in POINTS else (0, 0, 0) for k in range(8)]
    return coco_format.annotation_entry(ann_id, image_id, category_id, clothes_type, keypoints, box)


def prediction(*, score=0.9, dx=0.0, box=None, category_scores=None, clothes_type=None, category_id=None,
               category_name=None):
    """The garment's landmarks shifted by dx; box: a fixed [x, y, w, h] (else the landmarks' box)."""
    data = np.zeros((8, 3))
    for k, (x, y) in POINTS.items():
        data[k] = (x + dx, y, 0.9)
    ann = openpifpaf.Annotation(keypoints=constants.KEYPOINTS, skeleton=constants.SKELETON_B)
    ann.set(data, fixed_score=score, fixed_bbox=None if box is None else list(box))
    if category_scores is not None:
        ann.category_scores = np.asarray(category_scores, dtype=float)
    if clothes_type is not None:
        ann.clothes_type = clothes_type
    if category_id is not None:
        ann.category_id = category_id
    if category_name is not None:
        ann.category_name = category_name
    return ann


def top(category_name, value=0.9, **seconds):
    """Scores (50,) with ``category_name`` highest; seconds: {name: score}."""
    scores = np.zeros(50)
    scores[IDS[category_name] - 1] = value
    for name, v in seconds.items():
        scores[IDS[name] - 1] = v
    return scores


def evaluate(garments, predictions_by_image, n_images=None, **kwargs):
    """garments: annotations (their image_id); images 1..n_images, all 100 x 100."""
    n_images = n_images or max([g['image_id'] for g in garments] + list(predictions_by_image) + [1])
    sizes = {i: (100, 100) for i in range(1, n_images + 1)}
    images = [coco_format.image_entry(i, 'img_{}.jpg'.format(i), w, h) for i, (w, h) in sizes.items()]
    metric = metrics.NormalizedError(coco_format.coco_document(images, garments), **kwargs)
    for image_id, size in sizes.items():
        metric.accumulate(predictions_by_image.get(image_id, []),
                          {'image_id': image_id, 'width_height': np.array(size, dtype=float)})
    result = metric.stats()
    assert len(set(result['text_labels'])) == len(result['text_labels'])
    assert all(math.isfinite(v) for v in result['stats'])
    return metric, result


def as_dict(result):
    return dict(zip(result['text_labels'], result['stats']))


def one_per_image(cases):
    """cases: (garment category id, prediction or None) -> garments and predictions, one image each."""
    garments = [garment(i, i, category_id) for i, (category_id, _) in enumerate(cases, start=1)]
    preds = {i: [p] for i, (_, p) in enumerate(cases, start=1) if p is not None}
    return garments, preds


# --- detection


def test_a_matched_prediction_that_does_not_overlap_is_not_detected():
    far = prediction(dx=5.0, box=(200, 200, 50, 50))
    _, result = evaluate([garment(1, 1)], {1: [far]})
    s = as_dict(result)
    assert s['n matched'] == 1  # score matching pairs the only prediction ...
    assert s['det rate'] == 0.0  # ... but its box does not overlap
    assert s['false garments per image'] == 1.0 and s['n false garments'] == 1
    # NE uses the match all the same (5 px on W = 100), not the canonical pose
    assert s['NE pooled'] == pytest.approx(0.05) and s['NE avg'] == pytest.approx(0.05)
    assert s['NE matched pooled'] == pytest.approx(0.05)
    assert s['NE detected avg'] == metrics.UNDEFINED and s['n detected'] == 0


@pytest.mark.parametrize('width, detected', [(49, 0.0), (50, 1.0), (51, 1.0)])
def test_detection_needs_box_iou_of_one_half(width, detected):
    # the garment's box is (10, 10, 100, 80), the prediction's (10, 10, width, 80) lies inside: IoU = width / 100
    box = (10, 10, 110, 90)
    _, result = evaluate([garment(1, 1, box=box)], {1: [prediction(box=(10, 10, width, 80))]})
    s = as_dict(result)
    assert s['det rate'] == detected
    assert s['false garments per image'] == 1.0 - detected
    assert s['det IoU threshold'] == 0.5


def test_detection_iou_is_a_parameter():
    box = (10, 10, 110, 90)
    case = ([garment(1, 1, box=box)], {1: [prediction(box=(10, 10, 49, 80))]})
    assert as_dict(evaluate(*case, detection_iou=0.4)[1])['det rate'] == 1.0
    assert as_dict(evaluate(*case, detection_iou=0.6)[1])['det rate'] == 0.0
    with pytest.raises(ValueError):
        metrics.NormalizedError(coco_format.coco_document([], []), detection_iou=0.0)


def test_false_garments_are_duplicates_and_predictions_without_ground_truth():
    # image 1: the garment, its prediction and a weaker duplicate; image 2: no garment, one prediction;
    # image 3: nothing
    preds = {1: [prediction(score=0.9), prediction(score=0.5, dx=1.0)], 2: [prediction()]}
    metric, result = evaluate([garment(1, 1)], preds, n_images=3)
    s = as_dict(result)
    assert s['det rate'] == 1.0 and s['n detected'] == 1
    assert s['n false garments'] == 2
    assert s['false garments per image'] == pytest.approx(2 / 3)
    assert s['NE detected pooled'] == 0.0
    assert 'false garments per image' in metric.table()


def test_no_image_no_false_garment_rate():
    metric = metrics.NormalizedError(coco_format.coco_document([], []))
    s = as_dict(metric.stats())
    assert s['false garments per image'] == metrics.UNDEFINED and s['det rate'] == metrics.UNDEFINED


# --- categories


def test_category_figures_count_detected_garments_and_all_counts_the_rest_as_misses():
    far = prediction(box=(200, 200, 50, 50), category_scores=top('Blouse'))  # matched, not detected
    cases = [(IDS['Blouse'], far),
             (IDS['Jeans'], prediction(category_scores=top('Jeans'))),
             (IDS['Dress'], prediction(category_scores=top('Tee', Dress=0.5))),  # second: a top-3 hit
             (IDS['Skirt'], None)]  # nothing matched
    _, result = evaluate(*one_per_image(cases))
    s = as_dict(result)
    assert s['n matched'] == 3 and s['n detected'] == 2
    assert s['n top-k'] == 2 and s['n top-k all'] == 4
    assert s['top-1 acc'] == 0.5 and s['top-3 acc'] == 1.0  # the far prediction's right name does not count
    assert s['top-1 acc all'] == 0.25 and s['top-3 acc all'] == 0.5
    assert 'confused 1: Dress->Tee' in s and not any(label.startswith('confused 2') for label in s)
    # nothing detected: no accuracy of detected garments, but every garment is a miss of the model's naming
    _, result = evaluate(*one_per_image(cases[:1] + [(IDS['Skirt'], None)]))
    s = as_dict(result)
    assert 'top-1 acc' not in s and 'type acc' not in s
    assert s['top-1 acc all'] == 0.0 and s['top-5 acc all'] == 0.0 and s['n top-k all'] == 2


def test_type_accuracy():
    cases = [
        # the prediction's own clothes_type wins over its category scores: upper for a Blouse, right
        (IDS['Blouse'], prediction(clothes_type=constants.UPPER, category_scores=top('Jeans'))),
        # no clothes_type: the type of its top category, Tee (upper), for Jeans (lower): wrong
        (IDS['Jeans'], prediction(category_scores=top('Tee'))),
        # no clothes_type, no category scores: no sample
        (IDS['Dress'], prediction()),
        # FLD garments are no samples
        (53, prediction(clothes_type=constants.FULL)),
        # unmatched: no sample
        (IDS['Skirt'], None),
    ]
    metric, result = evaluate(*one_per_image(cases))
    s = as_dict(result)
    assert s['type acc'] == 0.5 and s['n type acc'] == 2
    assert s['n top-k'] == 2 and s['top-1 acc'] == 0.0
    assert 'type acc' in metric.table()


def test_confused_pairs_counts_and_order():
    cases = [(IDS['Blouse'], prediction(category_scores=top('Tee')))] * 3
    cases += [(IDS['Jeans'], prediction(category_scores=top('Shorts')))] * 2
    cases += [(IDS['Blazer'], prediction(category_scores=top('Anorak', Blazer=0.5)))] * 2
    cases += [(IDS['Dress'], prediction(category_scores=top('Romper'))),
              (IDS['Tee'], prediction(category_scores=top('Top'))),
              (IDS['Anorak'], prediction(category_scores=top('Tank'))),
              (IDS['Blouse'], prediction(category_scores=top('Blouse'))),  # a hit is no confusion
              (53, prediction(category_scores=top('Tee')))]  # FLD: no sample
    metric, result = evaluate(*one_per_image(cases))
    confused = [(label, value) for label, value in zip(result['text_labels'], result['stats'])
                if label.startswith('confused')]
    # most frequent first; equal counts by true category id (Blazer 2 < Jeans 26; Anorak 1 < Tee 18 < Dress 41)
    assert confused == [('confused 1: Blouse->Tee', 3), ('confused 2: Blazer->Anorak', 2),
                        ('confused 3: Jeans->Shorts', 2), ('confused 4: Anorak->Tank', 1),
                        ('confused 5: Tee->Top', 1)]
    s = as_dict(result)
    assert s['n top-k'] == 11 and s['top-1 acc'] == pytest.approx(1 / 11)
    assert s['top-3 acc'] == pytest.approx(3 / 11)  # the hit and the two Blazers (ranked second)
    table = metric.table()
    assert 'Blouse -> Tee' in table and 'Dress -> Romper' not in table


def test_confusion_of_a_tie_goes_against_the_true_category():
    scores = top('Jeans', 0.6, Chinos=0.6)  # Chinos (22) ties with Jeans (26): a miss, confused with Jeans
    assert metrics.top1_category(scores, IDS['Chinos']) == IDS['Jeans']
    assert metrics.top1_category(scores, IDS['Jeans']) == IDS['Chinos']
    assert metrics.top1_category(top('Jeans'), IDS['Jeans']) == IDS['Jeans']
    assert metrics.top1_category(None, IDS['Jeans']) == 0
    _, result = evaluate(*one_per_image([(IDS['Chinos'], prediction(category_scores=scores))]))
    assert as_dict(result)['confused 1: Chinos->Jeans'] == 1
    assert as_dict(result)['top-1 acc'] == 0.0


def test_per_category_top1_spread():
    hit, miss = top('Blouse'), top('Tee')
    cases = [(IDS['Blouse'], prediction(category_scores=hit)), (IDS['Blouse'], prediction(category_scores=miss))]
    cases += [(IDS['Jeans'], prediction(category_scores=top('Jeans')))]
    cases += [(IDS['Dress'], prediction(category_scores=miss))]
    cases += [(IDS['Anorak'], prediction(category_scores=top('Anorak')))] * 3
    cases += [(IDS['Anorak'], prediction(category_scores=miss))]
    cases += [(53, prediction(category_scores=miss)), (IDS['Skirt'], None)]  # no samples
    _, result = evaluate(*one_per_image(cases))
    s = as_dict(result)
    # per category: Blouse 1/2, Jeans 1, Dress 0, Anorak 3/4
    assert s['top-1 cat min'] == 0.0
    assert s['top-1 cat median'] == pytest.approx((0.5 + 0.75) / 2)
    assert s['top-1 cat max'] == 1.0
    assert s['n top-1 cats'] == 4
    assert s['top-1 acc'] == pytest.approx(5 / 8)


@pytest.mark.parametrize('cases', [
    [(IDS['Blouse'], prediction()), (IDS['Jeans'], None)],  # predictions without categories
    [(53, prediction(category_scores=top('Tee'), clothes_type=constants.UPPER))],  # FLD garments only
    [(IDS['Blouse'], None)],  # nothing matched
])
def test_no_category_figures_without_samples(cases):
    metric, result = evaluate(*one_per_image(cases))
    labels = result['text_labels']
    assert not any(label.startswith(('top-', 'type acc', 'confused', 'n top-', 'n type')) for label in labels)
    assert all(math.isfinite(v) for v in result['stats'])
    assert 'confused' not in metric.table()


def test_oracle_labels_carry_the_prefix():
    cases = [(IDS['Blouse'], prediction(category_scores=top('Tee')))]
    metric, result = evaluate(*one_per_image(cases), matching='oracle')
    s = as_dict(result)
    assert s['oracle confused 1: Blouse->Tee'] == 1 and s['oracle det rate'] == 1.0
    assert 'Blouse -> Tee' in metric.table() and 'oracle (not comparable)' in metric.table()


def test_table_from_stats_file_shows_confusions(tmp_path, capsys, monkeypatch):
    _, result = evaluate(*one_per_image([(IDS['Blouse'], prediction(category_scores=top('Tee')))]))
    path = tmp_path / 'x.stats.json'
    path.write_text(json.dumps(result))
    monkeypatch.setattr('sys.argv', ['metrics', str(path)])
    metrics.main()
    out = capsys.readouterr().out
    assert 'Blouse -> Tee' in out and 'false garments per image' in out


# --- written predictions


def test_write_predictions_carries_the_category(tmp_path):
    scores = np.zeros(50)
    scores[[17, 2, 18, 0, 1, 5]] = [0.5, 0.2, 0.1, 0.08, 0.07, 0.05]  # Tee, Blouse, Top, Anorak, Blazer, ...
    preds = {1: [prediction(category_scores=scores, category_id=IDS['Tee'])],
             2: [prediction(category_id=52)],  # a generic lower-body garment, no scores
             3: [prediction(category_id=7, category_name='my flannel')]}
    metric, _ = evaluate([garment(1, 1)], preds, n_images=3)
    filename = str(tmp_path / 'eval')
    metric.write_predictions(filename)
    with open(filename + '.pred-deepfashion.json', encoding='utf-8') as f:
        results = json.load(f)
    assert results[0]['category_id'] == 18 and results[0]['category_name'] == 'Tee'
    assert list(results[0]['category_scores'].items()) == [('18', 0.5), ('3', 0.2), ('19', 0.1), ('1', 0.08),
                                                           ('2', 0.07)]
    assert results[1]['category_id'] == 52 and results[1]['category_name'] == 'lower-body garment'
    assert 'category_scores' not in results[1]
    assert results[2]['category_name'] == 'my flannel'
