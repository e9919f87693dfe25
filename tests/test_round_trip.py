"""Generator -> converter round trip: every landmark, visibility, box and category comes back exactly."""
import json

import pytest

from openpifpaf_deepfashion.deepfashion import coco_format, constants, converter, generator


def expected_keypoints(landmarks):
    flat = []
    for landmark in landmarks:
        if landmark is None:
            flat += [0, 0, 0]
            continue
        x, y, deepfashion_visibility = landmark
        coco_visibility = constants.DEEPFASHION_TO_COCO_VISIBILITY[deepfashion_visibility]
        flat += [x, y, coco_visibility] if coco_visibility > 0 else [0, 0, 0]
    return flat


@pytest.mark.parametrize('benchmark', ['category', 'fld'])
def test_round_trip_reproduces_the_generated_ground_truth(tmp_path, benchmark):
    root = str(tmp_path / benchmark)
    generated = generator.generate(root, 45, benchmark=benchmark, seed=11, min_size=96, max_size=160)
    paths = converter.convert(root, str(tmp_path / 'coco'))

    converted = {}
    for split, path in paths.items():
        with open(path) as f:
            document = json.load(f)
        images = {image['id']: image for image in document['images']}
        for ann in document['annotations']:
            converted[images[ann['image_id']]['file_name']] = (split, images[ann['image_id']], ann)
    assert len(converted) == len(generated.images)

    seen_types, seen_visibilities = set(), set()
    for record in generated.images:
        split, image, ann = converted[record.image_name]
        assert split == record.split
        assert (image['width'], image['height']) == (record.width, record.height)
        assert ann['keypoints'] == expected_keypoints(record.landmarks), record.image_name
        x1, y1, x2, y2 = record.bbox
        assert ann['bbox'] == [x1, y1, x2 - x1, y2 - y1]
        assert ann['clothes_type'] == record.clothes_type
        if benchmark == 'category':
            assert ann['category_id'] == record.category_id
            assert constants.category_type(ann['category_id']) == record.clothes_type
            assert ann['attribute_ids'] == list(record.attribute_ids)
            assert 'variation_type' not in ann
        else:
            assert ann['category_id'] == coco_format.GENERIC_CATEGORY_IDS[record.clothes_type]
            assert ann['variation_type'] == record.variation_type
        seen_types.add(record.clothes_type)
        seen_visibilities.update(landmark[2] for landmark in record.landmarks if landmark is not None)
    assert seen_types == {constants.UPPER, constants.LOWER, constants.FULL}
    assert seen_visibilities == {0, 1, 2}  # visible, occluded and truncated all went through


def test_multi_garment_json_agrees_with_the_converted_annotated_garment(tmp_path):
    root = str(tmp_path / 'multi')
    generated = generator.generate(root, 20, seed=5, multi_garment=True, min_size=96, max_size=160)
    paths = converter.convert(root, str(tmp_path / 'coco'))
    for split, path in paths.items():
        with open(path) as f:
            single = json.load(f)
        with open(generated.coco_files[split]) as f:
            multi = json.load(f)
        assert [image['file_name'] for image in single['images']] == [image['file_name'] for image in multi['images']]
        multi_keypoints = {}
        for ann in multi['annotations']:
            multi_keypoints.setdefault(ann['image_id'], []).append(ann['keypoints'])
        for ann in single['annotations']:
            # the garment the list files annotate is one of the image's garments in the multi-garment json
            assert ann['keypoints'] in multi_keypoints[ann['image_id']]
