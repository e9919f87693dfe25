"""The category head: its field, targets, loss, per-garment readout through the real decoder, and outputs."""
import argparse
import json
import os

import numpy as np
import PIL.Image
import pytest
import torch

import openpifpaf
from openpifpaf import encoder, transforms

from openpifpaf_deepfashion.deepfashion import constants, generator, heads
from openpifpaf_deepfashion.deepfashion.decoder import FashionCifCaf
from openpifpaf_deepfashion.deepfashion.garment import GarmentAnnotation, garment_label
from openpifpaf_deepfashion.network import category_readout
from openpifpaf_deepfashion.network.category_encoder import IGNORE, CategoryEncoder
from openpifpaf_deepfashion.network.category_head import Category, CategoryField
from openpifpaf_deepfashion.network.category_loss import CategoryLoss, image_labels
from openpifpaf_deepfashion.network.garment_cells import (LANDMARK_MARGIN, NO_GARMENT, cell_owners, garment_region,
                                                          garment_regions, landmarks_box)

N_CATEGORIES = len(constants.CATEGORIES)


def metas(readout='garment', region='landmarks'):
    """CIF, CAF, category metas at stride 8 (base stride 16, upsample 2), indexed as in a network."""
    result = heads.landmark_metas('B', 2) + [heads.category_meta(2, readout, region)]
    for index, meta in enumerate(result):
        meta.head_index = index
        meta.base_stride = 16
    return result


def test_cell_owners_smallest_box_in_front_and_every_box_gets_a_cell():
    boxes = [[0, 0, 64, 64], [16, 16, 16, 16], [50, 2, 2, 2]]  # big, small inside big, tiny between cells
    owners = cell_owners(boxes, (6, 6), 16)
    assert owners[0, 0] == 0 and owners[4, 4] == 0  # the big box
    assert owners[1, 1] == 1 and owners[2, 2] == 1  # the small box in front of it
    assert np.sum(owners == 2) == 1  # the tiny box has no cell centre inside: it gets its nearest cell
    assert owners[5, 5] == NO_GARMENT


def test_landmarks_region_is_the_landmarks_box_grown_on_every_side_and_the_box_without_landmarks():
    keypoints = np.array([[10.0, 20.0, 2], [50.0, 100.0, 1], [500.0, 500.0, 0], [30.0, 60.0, 2]])
    grown_x, grown_y = LANDMARK_MARGIN * 40.0, LANDMARK_MARGIN * 80.0
    expected = [10.0 - grown_x, 20.0 - grown_y, 40.0 + 2 * grown_x, 80.0 + 2 * grown_y]  # v = 0 is not a landmark
    assert np.allclose(landmarks_box(keypoints), expected)
    assert np.allclose(garment_region('landmarks', keypoints, [0, 0, 300, 300]), expected)
    assert garment_region('box', keypoints, np.array([0, 0, 300, 300])) == [0.0, 0.0, 300.0, 300.0]
    assert landmarks_box(np.zeros((8, 3))) is None and landmarks_box(()) is None
    assert garment_region('landmarks', np.zeros((8, 3)), [1, 2, 3, 4]) == [1.0, 2.0, 3.0, 4.0]
    # a decoded annotation's box (a function) is computed only where the region needs it
    assert np.allclose(garment_region('landmarks', keypoints, lambda: pytest.fail('box computed')), expected)
    assert garment_region('landmarks', np.zeros((8, 3)), lambda: [1, 2, 3, 4]) == [1.0, 2.0, 3.0, 4.0]
    # all the garments of an image at once, as the decoder computes them
    regions = garment_regions('landmarks', [keypoints, np.zeros((4, 3))], [[0, 0, 9, 9], lambda: [1, 2, 3, 4]])
    assert np.allclose(regions[0], expected) and regions[1] == [1.0, 2.0, 3.0, 4.0]
    assert garment_regions('box', [keypoints], [lambda: [5, 6, 7, 8]]) == [[5.0, 6.0, 7.0, 8.0]]
    mixed = garment_regions('landmarks', [keypoints, np.zeros((8, 3))], [[0, 0, 9, 9], [1, 2, 3, 4]])
    assert np.allclose(mixed[0], expected) and mixed[1] == [1.0, 2.0, 3.0, 4.0]  # different slot counts
    with pytest.raises(ValueError, match='region'):
        garment_region('keypoints', keypoints, [0, 0, 1, 1])
    with pytest.raises(ValueError, match='region'):
        Category('c', 'deepfashion', categories=['a'], region='keypoints')


def test_checkpoints_saved_before_the_region_option_decode_with_the_box_they_were_trained_on():
    meta = heads.category_meta(2, 'pooled', 'landmarks')
    del meta.__dict__['region']  # what unpickling a meta saved without the field gives
    assert meta.region == 'box'


def test_encoder_labels_the_landmarks_region_or_the_garment_box():
    image = torch.zeros(3, 129, 129)
    keypoints = np.zeros((8, 3))
    keypoints[:4] = [[40.0, 40.0, 2], [80.0, 40.0, 2], [40.0, 80.0, 2], [80.0, 80.0, 1]]
    anns = [{'bbox': np.array([8.0, 8.0, 112.0, 112.0]), 'keypoints': keypoints, 'category_id': 3, 'iscrowd': 0}]
    around_landmarks = CategoryEncoder(metas(region='landmarks')[2])(image, anns, {})[0]
    whole_box = CategoryEncoder(metas(region='box')[2])(image, anns, {})[0]
    assert whole_box[2, 2] == 2 and whole_box[14, 14] == 2
    assert around_landmarks[2, 2] == IGNORE and around_landmarks[14, 14] == IGNORE  # in the box, off the landmarks
    rows, columns = np.nonzero(around_landmarks.numpy() == 2)
    assert (rows.min(), rows.max(), columns.min(), columns.max()) == (5, 10, 5, 10)  # 36 - 84 px, stride 8


def test_encoder_labels_garment_cells_with_their_category_and_garment_and_ignores_the_rest():
    meta = metas()[2]
    image = torch.zeros(3, 129, 129)
    anns = [{'bbox': np.array([8.0, 8.0, 100.0, 100.0]), 'category_id': 3, 'iscrowd': 0},
            {'bbox': np.array([40.0, 40.0, 30.0, 30.0]), 'category_id': 26, 'iscrowd': 0},
            {'bbox': np.array([100.0, 100.0, 20.0, 20.0]), 'category_id': 52, 'iscrowd': 0}]  # FLD: no label
    target = CategoryEncoder(meta)(image, anns, {})
    assert target.shape == (2, 17, 17) and target.dtype == torch.int64
    labels, garments = target
    assert labels[2, 2] == 2 and garments[2, 2] == 0  # Blouse (id 3), 0-based, the first garment
    assert labels[6, 6] == 25 and garments[6, 6] == 1  # Jeans (id 26) in front of it
    assert labels[0, 0] == IGNORE and labels[16, 16] == IGNORE  # background and the unlabelled garment
    assert torch.equal(labels == IGNORE, garments == IGNORE)
    padded = CategoryEncoder(meta)(image, anns, {'valid_area': np.array([0.0, 0.0, 40.0, 128.0])})
    assert padded[0, 2, 2] == 2 and padded[0, 2, 8] == IGNORE  # cells right of the valid area are ignored
    assert padded[1, 2, 8] == IGNORE


def with_garments(labels):
    """A (B, 2, H, W) target from (B, H, W) labels: each image's cells of one category are one garment."""
    return torch.stack([labels, labels], dim=1)


def test_loss_is_cross_entropy_on_logits():
    meta = metas()[2]
    loss = CategoryLoss(meta)
    target = torch.full((2, 4, 4), IGNORE, dtype=torch.long)
    target[0, 1:3, 1:3] = 7
    target[1, 0, 0] = 30
    logits = torch.randn(2, N_CATEGORIES, 4, 4)
    value, = loss(logits, with_garments(target))
    labelled = target != IGNORE
    expected = torch.nn.functional.cross_entropy(
        logits.permute(0, 2, 3, 1)[labelled], target[labelled], reduction='sum') / 2
    assert torch.isclose(value, expected)
    # confident and right costs ~0: a softmax before the cross-entropy would cost ~ln(49 + e) > 3.9 here
    confident = torch.zeros(2, N_CATEGORIES, 4, 4)
    confident[0, 7] = 30.0
    confident[1, 30] = 30.0
    assert loss(confident, with_garments(target))[0] < 1e-6
    assert loss(logits, with_garments(torch.full((2, 4, 4), IGNORE, dtype=torch.long))) == [None]


def test_pooled_loss_is_the_cross_entropy_of_each_garments_mean_logits_weighted_by_its_cells():
    meta = metas('pooled')[2]
    loss = CategoryLoss(meta)
    target = torch.full((2, 2, 4, 4), IGNORE, dtype=torch.long)
    target[0, 0, :2, :] = 7  # image 0: two garments of the same category, 8 and 4 cells
    target[0, 1, :2, :] = 0
    target[0, 0, 3, :] = 7
    target[0, 1, 3, :] = 1
    target[1, 0, 0, 0] = 30  # image 1: one garment of 1 cell
    target[1, 1, 0, 0] = 0
    logits = torch.randn(2, N_CATEGORIES, 4, 4)
    value, = loss(logits, target)
    means = torch.stack([logits[0, :, :2, :].mean(dim=(1, 2)), logits[0, :, 3, :].mean(dim=1), logits[1, :, 0, 0]])
    per_garment = torch.nn.functional.cross_entropy(means, torch.tensor([7, 7, 30]), reduction='none')
    assert torch.isclose(value, (8 * per_garment[0] + 4 * per_garment[1] + per_garment[2]) / 2)
    # one garment's cells may disagree as long as their mean is right: the per-cell loss would not be ~0 here
    split = torch.zeros(2, N_CATEGORIES, 4, 4)
    split[0, 7, :2, :2] = 60.0  # half of the first garment's cells are sure of category 7, half are not
    split[0, 7, 3, :] = 30.0
    split[1, 30, 0, 0] = 30.0
    assert loss(split, target)[0] < 1e-6
    assert CategoryLoss(metas()[2])(split, target)[0] > 1.0
    # a softmax before the cross-entropy would cost ~ln(49 + e) > 3.9 per cell
    assert loss(torch.log_softmax(split, dim=1), target)[0] < 1e-6


def test_image_readout_loss_uses_the_max_pooled_logits_and_the_largest_garment():
    target = torch.full((1, 4, 4), IGNORE, dtype=torch.long)
    target[0, :3, :3] = 4  # 9 cells
    target[0, 3, 3] = 9  # 1 cell
    assert image_labels(target, N_CATEGORIES).tolist() == [4]
    logits = torch.zeros(1, N_CATEGORIES, 4, 4)
    logits[0, 4, 0, 0] = 5.0  # one cell is enough for the max-pool
    value, = CategoryLoss(metas('image')[2])(logits, with_garments(target))
    pooled = torch.zeros(1, N_CATEGORIES)
    pooled[0, 4] = 5.0
    assert torch.isclose(value, torch.nn.functional.cross_entropy(pooled, torch.tensor([4])))


def test_head_gives_logits_in_training_and_probabilities_in_eval():
    meta = metas()[2]
    head = CategoryField(meta, 16)
    x = torch.randn(2, 16, 9, 9)
    head.train()
    logits = head(x)
    assert logits.shape == (2, N_CATEGORIES, 17, 17)  # stride 16 -> 8, as CIF's upsampled field
    head.eval()
    probabilities = head(x)
    assert torch.allclose(probabilities, torch.softmax(logits, dim=1), atol=1e-6)
    image_head = CategoryField(metas('image')[2], 16)
    image_head.load_state_dict(head.state_dict())
    image_head.eval()
    per_image = image_head(x)
    expected = torch.softmax(torch.amax(logits, dim=(2, 3)), dim=1)
    assert torch.allclose(per_image[:, :, 3, 5], expected, atol=1e-6)


def test_context_layer_lets_a_cell_see_its_neighbours_and_old_heads_still_run(monkeypatch):
    meta = metas()[2]
    x = torch.randn(1, 16, 9, 9)
    nudged = x.clone()
    nudged[0, :, 4, 4] += 3.0

    def changed_cells(head):
        head.eval()
        with torch.no_grad():
            difference = (head(nudged) - head(x)).abs().sum(dim=1)[0]
        return {tuple(cell) for cell in torch.nonzero(difference > 1e-6).tolist()}

    monkeypatch.setattr(CategoryField, 'hidden_features', 0)
    plain = CategoryField(meta, 16)
    assert plain.context is None
    # the 1x1 classifier: only the 2x2 upsampled cells of the nudged trunk cell change (the crop cuts the end)
    assert changed_cells(plain) == {(8, 8), (8, 9), (9, 8), (9, 9)}

    monkeypatch.setattr(CategoryField, 'hidden_features', 8)
    with_context = CategoryField(meta, 16)
    assert with_context.conv.in_channels == 8
    rows = {row for row, _ in changed_cells(with_context)}
    assert rows == set(range(6, 12))  # the 3x3 context: the neighbouring trunk cells' 2x2 blocks too

    del with_context._modules['context']  # a head pickled before the context layer existed
    with_context.conv = plain.conv
    assert changed_cells(with_context) == changed_cells(plain)


def test_category_head_hidden_option_defaults_to_a_context_layer_but_not_for_sanl_from_the_head(monkeypatch):
    monkeypatch.setattr(CategoryField, 'hidden_features', CategoryField.hidden_features)
    parser = argparse.ArgumentParser()
    CategoryField.cli(parser)
    parser.add_argument('--basenet', default='shufflenetv2k16')
    parser.add_argument('--sanl-attention', default='attention-net')
    CategoryField.configure(parser.parse_args([]))
    assert CategoryField.hidden_features == 128
    CategoryField.configure(parser.parse_args(['--basenet=resnet18-sanl', '--sanl-attention=category-head']))
    assert CategoryField.hidden_features == 0
    CategoryField.configure(parser.parse_args(['--basenet=resnet18-sanl', '--category-head-hidden=32']))
    assert CategoryField.hidden_features == 32
    with pytest.raises(ValueError, match='--category-head-hidden'):
        CategoryField.configure(parser.parse_args(['--category-head-hidden=-1']))


def test_readout_averages_the_garments_own_cells():
    field = np.zeros((N_CATEGORIES, 10, 10))
    field[0] = 1.0
    field[:, 5:, 5:] = 0.0
    field[1, 5:, 5:] = 0.6
    field[2, 5:, 5:] = 0.4
    scores = category_readout.garment_category_scores(field, [[0, 0, 30, 30], [40, 40, 30, 30]], 8)
    assert np.argmax(scores[0]) == 0 and np.isclose(scores[0, 0], 1.0)
    assert np.allclose(scores[1, :3], [0.0, 0.6, 0.4])
    assert np.allclose(scores.sum(axis=1), 1.0)
    # a garment whose every cell a garment in front took (the same box, later) reads its own box's cells
    hidden = category_readout.garment_category_scores(field, [[32, 32, 30, 30], [32, 32, 30, 30]], 8)
    own_box = cell_owners([[32, 32, 30, 30]], (10, 10), 8) == 0
    assert np.allclose(hidden[0], field[:, own_box].mean(axis=1) / field[:, own_box].mean(axis=1).sum())
    assert np.allclose(hidden[0], hidden[1]) and 0.0 < hidden[0, 0] < 1.0


def test_pooled_readout_is_the_softmax_of_the_mean_logits_of_the_garments_cells():
    logits = torch.randn(N_CATEGORIES, 10, 10, dtype=torch.float64) * 3.0
    field = torch.softmax(logits, dim=0).numpy()
    boxes = [[0, 0, 30, 30], [40, 40, 30, 30]]
    scores = category_readout.garment_category_scores(field, boxes, 8, pooled=True)
    owners = cell_owners(boxes, (10, 10), 8)
    for garment in range(2):
        cells = torch.from_numpy(owners == garment)
        expected = torch.softmax(logits[:, cells].mean(dim=1), dim=0).numpy()
        assert np.allclose(scores[garment], expected)
        assert not np.allclose(scores[garment], field[:, owners == garment].mean(axis=1))


def box_centre(box):
    x, y, w, h = (float(v) for v in box)
    return np.array([x + 0.5 * w, y + 0.5 * h])


def network_fields(targets):
    """What a perfect network would output in eval mode, made from the encoders' training targets:
    CIF [b, c, x, y, s] and CAF [b, c, x1, y1, x2, y2, s1, s2] per field, positions absolute in cells."""
    def absolute(reg):  # (n, 2, H, W) offsets -> positions
        rows, columns = reg.shape[-2:]
        index = np.stack(np.meshgrid(np.arange(columns), np.arange(rows))).astype(np.float32)
        return list(np.nan_to_num(reg + index).transpose(1, 0, 2, 3))

    cif_t, caf_t = (t.numpy() for t in targets[:2])
    cif = [np.ones_like(cif_t[:, 0]), np.nan_to_num(cif_t[:, 0])] + absolute(cif_t[:, 1:3]) \
        + [np.nan_to_num(cif_t[:, 4], nan=1.0)]
    caf = [np.ones_like(caf_t[:, 0]), np.nan_to_num(caf_t[:, 0])] + absolute(caf_t[:, 1:3]) \
        + absolute(caf_t[:, 3:5]) + [np.nan_to_num(caf_t[:, 7], nan=1.0), np.nan_to_num(caf_t[:, 8], nan=1.0)]
    return [torch.from_numpy(np.stack(cif, axis=1).astype(np.float32)),
            torch.from_numpy(np.stack(caf, axis=1).astype(np.float32))]


@pytest.fixture(scope='module')
def two_garment_image(tmp_path_factory):
    """A generated image with two garments of different categories, as the eval pipeline sees it."""
    root = str(tmp_path_factory.mktemp('two'))
    generator.generate(root, 12, seed=5, multi_garment=True, occlusion_rate=0.0, truncation_rate=0.0,
                       min_size=200, max_size=240)
    documents = [json.load(open(os.path.join(root, 'coco_multi_garment', 'deepfashion_{}.json'.format(split))))
                 for split in generator.SPLITS]
    for document in documents:
        for image in document['images']:
            anns = [a for a in document['annotations'] if a['image_id'] == image['id']]
            if len(anns) == 2 and anns[0]['category_id'] != anns[1]['category_id']:
                pil = PIL.Image.open(os.path.join(root, image['file_name'])).convert('RGB')
                preprocess = transforms.Compose([transforms.NormalizeAnnotations(), transforms.CenterPadTight(16),
                                                 transforms.EVAL_TRANSFORM])
                return preprocess(pil, anns, {})
    pytest.fail('no generated image with two garments of different categories')


@pytest.mark.parametrize('readout', ['garment', 'pooled'])
def test_a_hand_built_category_field_gives_each_garment_its_own_category_through_the_decoder(
        two_garment_image, readout):
    image, anns, _ = two_garment_image
    cif, caf, category = metas(readout)
    targets = [encoder.Cif(cif, bmin=1.0)(image, anns, {}), encoder.Caf(caf, bmin=1.0)(image, anns, {}),
               CategoryEncoder(category)(image, anns, {})]
    fields = network_fields(targets)
    category_field = np.full((N_CATEGORIES,) + tuple(targets[2].shape[1:]), 1e-3)
    labels = targets[2][0].numpy()
    for label in np.unique(labels[labels != IGNORE]):
        category_field[label][labels == label] = 1.0
    fields.append(torch.from_numpy(category_field / category_field.sum(axis=0, keepdims=True)))

    decoders = FashionCifCaf.factory([cif, caf, category])
    assert len(decoders) == 1 and decoders[0].category_meta is category
    garments = decoders[0](fields)
    assert len(garments) >= 2
    expected = {ann['category_id'] for ann in anns}
    found = set()
    for ann in anns:  # the decoded garment nearest each ground-truth garment carries its category
        centre = box_centre(ann['bbox'])
        nearest = min(garments, key=lambda g: np.linalg.norm(box_centre(g.bbox()) - centre))
        assert nearest.category_id == ann['category_id']
        assert nearest.clothes_type == constants.category_type(ann['category_id'])
        assert nearest.clothes_type_source == 'category'
        found.add(nearest.category_id)
    assert found == expected and len(found) == 2


def test_decoding_reads_each_garment_out_of_the_cells_it_was_trained_on(two_garment_image):
    """With the landmarks region, the cells the decoder reads for each decoded garment are the cells the
    encoder labelled with that garment (perfect fields: decoded landmarks = ground truth)."""
    image, anns, _ = two_garment_image
    cif, caf, category = metas('pooled', 'landmarks')
    targets = [encoder.Cif(cif, bmin=1.0)(image, anns, {}), encoder.Caf(caf, bmin=1.0)(image, anns, {}),
               CategoryEncoder(category)(image, anns, {})]
    trained_on = targets[2][1].numpy()
    decoded = FashionCifCaf.factory([cif, caf, category])[0].instances(network_fields(targets))
    regions = [garment_region(category.region, ann.data, ann.bbox()) for ann in decoded]
    read_from = cell_owners(regions, trained_on.shape, category.stride)
    for garment in range(len(anns)):
        cells = trained_on == garment
        owners, counts = np.unique(read_from[cells], return_counts=True)
        assert owners[np.argmax(counts)] != NO_GARMENT
        same = read_from == owners[np.argmax(counts)]  # the decoded garment that reads most of these cells
        assert np.sum(same & cells) >= 0.9 * max(np.sum(same), np.sum(cells))


def test_garment_json_and_label_carry_the_category():
    data = np.zeros((8, 3))
    data[[4, 5, 6, 7], 2] = 0.8  # the slots of a lower garment
    ann = openpifpaf.Annotation(constants.KEYPOINTS, constants.SKELETON_B)
    ann.data = data
    scores = np.full(N_CATEGORIES, 0.1 / (N_CATEGORIES - 1))
    scores[25] = 0.9  # Jeans
    garment = GarmentAnnotation.from_annotation(ann, scores)
    data = garment.json_data()
    assert data['category_id'] == 26 and data['category_name'] == 'Jeans'
    assert list(data['category_scores']) == [26] + list(data['category_scores'])[1:]
    assert len(data['category_scores']) == 5 and data['category_scores'][26] == 0.9
    assert data['clothes_type'] == constants.LOWER and data['clothes_type_source'] == 'category'
    assert 'slot_clothes_type' not in data  # slots agree
    assert garment_label(garment) == 'Jeans 90 %'
    # a category whose type the slots contradict: the category decides, the slots' type is reported
    scores[25], scores[2] = 0.0, 0.9  # Blouse, upper
    upper = GarmentAnnotation.from_annotation(ann, scores).json_data()
    assert upper['clothes_type'] == constants.UPPER and upper['slot_clothes_type'] == constants.LOWER


@pytest.mark.parametrize('clothes_type', [constants.UPPER, constants.LOWER, constants.FULL])
def test_garment_score_is_the_same_for_every_type_at_the_same_confidence(clothes_type):
    ann = openpifpaf.Annotation(constants.KEYPOINTS, constants.SKELETON_B,
                                score_weights=constants.SCORE_WEIGHTS)
    ann.data = np.zeros((8, 3))
    ann.data[list(constants.SLOTS[clothes_type]), 2] = 0.8
    garment = GarmentAnnotation.from_annotation(ann)
    assert garment.clothes_type == clothes_type
    assert garment.score == pytest.approx(0.8)
    assert Category('c', 'deepfashion', categories=['a', 'b']).n_fields == 2
