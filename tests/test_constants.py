import os

import numpy as np

from openpifpaf_deepfashion.deepfashion import coco_format, constants


def test_flip_map_is_an_involution_that_swaps_left_and_right():
    for name in constants.KEYPOINTS:
        partner = constants.HFLIP[name]
        assert constants.HFLIP[partner] == name
        assert partner != name
        side, part = name.split('_', 1)
        assert partner == {'left': 'right', 'right': 'left'}[side] + '_' + part
    assert sorted(constants.HFLIP) == sorted(constants.KEYPOINTS)
    indices = constants.flip_indices()
    assert [indices[i] for i in indices] == list(range(len(constants.KEYPOINTS)))


def test_categories_equal_the_genuine_file(genuine):
    with open(os.path.join(genuine, 'list_category_cloth.txt'), encoding='utf-8') as f:
        lines = f.read().splitlines()
    assert int(lines[0]) == 50
    assert lines[1].split() == ['category_name', 'category_type']
    genuine = [(line.split()[0], int(line.split()[1])) for line in lines[2:] if line.strip()]
    assert genuine == constants.CATEGORIES
    assert constants.category_type(3) == constants.UPPER  # Blouse
    assert constants.CATEGORY_NAMES[3 - 1] == 'Blouse'


def test_slots_per_type_put_upper_hems_in_hem_slots():
    hem = [constants.KEYPOINTS.index('left_hem'), constants.KEYPOINTS.index('right_hem')]
    waist = [constants.KEYPOINTS.index('left_waistline'), constants.KEYPOINTS.index('right_waistline')]
    assert list(constants.SLOTS[constants.UPPER][-2:]) == hem
    assert not set(waist) & set(constants.SLOTS[constants.UPPER])
    assert list(constants.SLOTS[constants.LOWER]) == waist + hem
    assert list(constants.SLOTS[constants.FULL]) == list(range(8))


def test_skeletons_differ_exactly_by_collar_waistline_links():
    def names(skeleton):
        return {frozenset((constants.KEYPOINTS[a - 1], constants.KEYPOINTS[b - 1])) for a, b in skeleton}
    extra = names(constants.SKELETON_B) - names(constants.SKELETON_A)
    assert extra == {frozenset(('left_collar', 'left_waistline')), frozenset(('right_collar', 'right_waistline'))}
    for skeleton in (constants.SKELETON_A,):
        assert not any({'collar', 'waistline'} <= {n.split('_')[1] for n in pair} for pair in names(skeleton))


def test_every_garment_type_is_connected_in_both_skeletons():
    for skeleton in constants.SKELETONS.values():
        for clothes_type, slots in constants.SLOTS.items():
            slots = set(slots)
            edges = [(a - 1, b - 1) for a, b in skeleton if a - 1 in slots and b - 1 in slots]
            reached, frontier = {min(slots)}, [min(slots)]
            while frontier:
                node = frontier.pop()
                for a, b in edges:
                    for u, v in ((a, b), (b, a)):
                        if u == node and v not in reached:
                            reached.add(v)
                            frontier.append(v)
            assert reached == slots, (clothes_type, skeleton)


def test_skeletons_are_mirror_symmetric():
    flip = constants.flip_indices()
    for skeleton in constants.SKELETONS.values():
        pairs = {frozenset((a - 1, b - 1)) for a, b in skeleton}
        assert {frozenset((flip[a], flip[b])) for a, b in map(tuple, pairs)} == pairs


def test_canonical_pose_is_left_right_consistent_and_fits_a_box():
    pose = constants.CANONICAL_POSE
    for name in constants.KEYPOINTS:
        if name.startswith('left_'):
            partner = constants.KEYPOINTS.index(constants.HFLIP[name])
            assert pose[constants.KEYPOINTS.index(name), 0] < pose[partner, 0]  # left is the image's left
    fitted = constants.canonical_pose_in_box(10, 20, 100, 200, constants.LOWER)
    present = fitted[:, 2] > 0
    assert list(np.nonzero(present)[0]) == list(constants.SLOTS[constants.LOWER])
    full = constants.canonical_pose_in_box(10, 20, 100, 200)
    assert full[:, 0].min() == 10 and full[:, 0].max() == 110
    assert full[:, 1].min() == 20 and full[:, 1].max() == 220


def test_categories_document_lists_50_plus_generic_types():
    categories = coco_format.categories('A')
    assert [c['id'] for c in categories] == list(range(1, 54))
    assert categories[0]['skeleton'] == [list(p) for p in constants.SKELETON_A]
    names = {c['id']: c['name'] for c in categories}
    for clothes_type, category_id in coco_format.GENERIC_CATEGORY_IDS.items():
        assert names[category_id] == '{}-body garment'.format(constants.CLOTHES_TYPES[clothes_type])
    assert names[41] == 'Dress' and categories[40]['supercategory'] == 'full'


def test_skeleton_pictures_are_drawn(tmp_path):
    paths = constants.draw_skeletons(str(tmp_path))
    assert [os.path.basename(p) for p in paths] == ['skeleton_A.png', 'skeleton_B.png']
    for path in paths:
        with open(path, 'rb') as f:
            assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_clothes_type_of_slots_and_of_foreign_annotations():
    def mask(slots):
        return [i in slots for i in range(8)]
    for clothes_type, slots in constants.SLOTS.items():
        assert constants.clothes_type_of_slots(mask(slots)) == clothes_type
    assert constants.clothes_type_of_slots(mask([])) is None
    assert constants.clothes_type_of_slots(mask([0, 2, 6])) == constants.UPPER
    # a json without clothes_type (e.g. MMPose's FLD sample): from its labelled slots
    keypoints = [0, 0, 0] * 8
    for slot in constants.SLOTS[constants.FULL]:
        keypoints[3 * slot + 2] = 2
    assert constants.annotation_clothes_type({'keypoints': keypoints, 'category_id': 1}) == constants.FULL
    assert constants.annotation_clothes_type({'keypoints': keypoints, 'clothes_type': 2}) == constants.LOWER


def test_best_type_scores_is_the_highest_type_score_over_the_three_types():
    rng = np.random.default_rng(3)
    confidences = rng.random((50, 8)) * (rng.random((50, 8)) > 0.4)
    expected = [max(constants.type_score(row, clothes_type) for clothes_type in constants.SLOTS)
                for row in confidences]
    assert np.allclose(constants.best_type_scores(confidences), expected)
