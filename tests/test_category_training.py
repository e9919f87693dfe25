"""The category head's training side: which cells are a garment's, the encoder's targets and the loss."""
import numpy as np
import pytest
import torch

import openpifpaf  # first: registering the plugin imports its modules, which need OpenPifPaf loaded

from openpifpaf_deepfashion.deepfashion import constants, heads
from openpifpaf_deepfashion.network.category_encoder import IGNORE, CategoryEncoder
from openpifpaf_deepfashion.network.category_head import Category
from openpifpaf_deepfashion.network.category_loss import CategoryLoss, image_labels
from openpifpaf_deepfashion.network.garment_cells import (LANDMARK_MARGIN, NO_GARMENT, cell_owners, garment_region,
                                                          garment_regions, landmarks_box)

from category_metas import metas  # tests/ is on sys.path (pytest's rootdir-relative imports)

N_CATEGORIES = len(constants.CATEGORIES)


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
    assert np.allclose(regions[0], expected) and regions[1].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert garment_regions('box', [keypoints], [lambda: [5, 6, 7, 8]]).tolist() == [[5.0, 6.0, 7.0, 8.0]]
    mixed = garment_regions('landmarks', [keypoints, np.zeros((8, 3))], [[0, 0, 9, 9], [1, 2, 3, 4]])
    assert np.allclose(mixed[0], expected) and mixed[1].tolist() == [1.0, 2.0, 3.0, 4.0]  # different slot counts
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
