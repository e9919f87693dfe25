"""The category read out per garment, through the real decoder, and the garments' outputs."""
import json
import os

import numpy as np
import PIL.Image
import pytest
import torch

import openpifpaf
from openpifpaf import encoder, transforms

from openpifpaf_deepfashion.deepfashion import constants, generator
from openpifpaf_deepfashion.deepfashion.decoder import FashionCifCaf
from openpifpaf_deepfashion.deepfashion.garment import GarmentAnnotation, garment_label
from openpifpaf_deepfashion.network import category_readout
from openpifpaf_deepfashion.network.category_encoder import IGNORE, CategoryEncoder
from openpifpaf_deepfashion.network.category_head import Category
from openpifpaf_deepfashion.network.garment_cells import NO_GARMENT, cell_owners, garment_region

from category_metas import metas  # tests/ is on sys.path (pytest's rootdir-relative imports)

N_CATEGORIES = len(constants.CATEGORIES)


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


def test_instances_that_cannot_reach_the_threshold_take_no_cells_from_the_garments_kept():
    """A weak instance inside a garment's region is dropped before the readout (its best type score is below
    --instance-threshold whatever its category), so the garment reads all of its own cells."""
    cif, caf, category = metas()

    def instance(corner, size, slots, confidence):
        ann = openpifpaf.Annotation(constants.KEYPOINTS, constants.SKELETON_B, score_weights=constants.SCORE_WEIGHTS)
        ann.data = np.zeros((8, 3))
        ann.data[:, :2] = corner + size * np.array([[0, 0], [1, 0], [0, 0.5], [1, 0.5],
                                                    [0, 0.5], [1, 0.5], [0, 1], [1, 1]])
        ann.data[list(slots), 2] = confidence
        return ann

    jeans = instance(np.array([30.0, 30.0]), 100.0, constants.SLOTS[constants.LOWER], 0.9)
    weak = instance(np.array([40.0, 70.0]), 50.0, range(8), 0.01)
    assert constants.best_type_scores([weak.data[:, 2]])[0] < 0.05 <= jeans.score
    field = np.full((N_CATEGORIES, 20, 20), 1e-3)
    field[25] = 1.0  # Jeans around ...
    weak_cells = cell_owners([garment_region(category.region, weak.data, weak.bbox())], (20, 20), 8) == 0
    field[21][weak_cells], field[25][weak_cells] = 1.0, 1e-3  # ... Chinos where the weak instance is
    field /= field.sum(axis=0, keepdims=True)
    jeans_region = garment_region(category.region, jeans.data, jeans.bbox())
    own_cells = category_readout.garment_category_scores(field, [jeans_region], 8)[0]
    without_weak_cells = category_readout.garment_category_scores(
        field, [jeans_region, garment_region(category.region, weak.data, weak.bbox())], 8)[0]
    assert not np.allclose(own_cells, without_weak_cells)  # the weak instance would take cells from the jeans

    decoder = FashionCifCaf.factory([cif, caf, category])[0]
    garments = decoder.garments([jeans, weak], [None, None, field], instance_threshold=0.05)
    assert len(garments) == 1 and garments[0].category_name == 'Jeans'
    assert np.allclose(garments[0].category_scores, own_cells)
    # without a threshold both are candidates: the weak instance claims its cells, as before
    both = decoder.garments([jeans, weak], [None, None, field], instance_threshold=0.0)
    assert np.allclose(max(both, key=lambda g: g.score).category_scores, without_weak_cells)
