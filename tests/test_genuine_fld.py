"""The two genuine FLD images with their labels, written back in FLD's layout, convert to the same landmarks."""
import json
import os
import shutil

from openpifpaf_deepfashion.deepfashion import constants, converter


def fld_list(header, rows):
    return '{}\n{}\n'.format(len(rows), '  '.join(header)) + ''.join(row + '\n' for row in rows)


def test_genuine_fld_sample_round_trips(tmp_path, genuine, shared_data):
    """Labels from tests/genuine, images from ../shared/data (skipped when it is absent)."""
    with open(os.path.join(genuine, 'test_fld.json')) as f:
        labels = json.load(f)
    root = tmp_path / 'FLD'
    (root / 'img').mkdir(parents=True)
    landmark_rows, box_rows, partition_rows = [], [], []
    for image, ann in zip(labels['images'], labels['annotations']):
        name = 'img/' + image['file_name']
        shutil.copy(os.path.join(shared_data, 'fld_real', image['file_name']), str(root / name))
        triples = []
        for x, y, v in zip(*[iter(ann['keypoints'])] * 3):
            triples.append('{} {:03d} {:03d}'.format(constants.COCO_TO_DEEPFASHION_VISIBILITY[int(v)], int(x), int(y)))
        landmark_rows.append('{:<40}3  1  {} '.format(name, '  '.join(triples)))
        x, y, w, h = ann['bbox']
        box_rows.append('{:<40}3  1  {:03d} {:03d} {:03d} {:03d}'.format(name, x, y, x + w, y + h))
        partition_rows.append('{:<40}test'.format(name))
    (root / 'Anno').mkdir()
    (root / 'Eval').mkdir()
    header = ['image_name', 'clothes_type', 'variation_type'] + [
        '{}_{}'.format(c, i) for i in range(1, 9)
        for c in ('landmark_visibility', 'landmark_location_x', 'landmark_location_y')]
    (root / 'Anno' / 'list_landmarks.txt').write_text(fld_list(header, landmark_rows))
    (root / 'Anno' / 'list_bbox.txt').write_text(fld_list(
        ['image_name', 'clothes_type', 'pose_type', 'x_1', 'y_1', 'x_2', 'y_2'], box_rows))
    (root / 'Eval' / 'list_eval_partition.txt').write_text(fld_list(
        ['image_name', 'evaluation_status'], partition_rows))

    paths = converter.convert(str(root), str(tmp_path / 'coco'), splits=('test',))
    assert paths.summary['benchmark'] == 'fld'
    with open(paths['test']) as f:
        converted = json.load(f)
    for image, ann, genuine_image, genuine_ann in zip(converted['images'], converted['annotations'],
                                                      labels['images'], labels['annotations']):
        assert (image['width'], image['height']) == (genuine_image['width'], genuine_image['height']) == (200, 250)
        assert ann['keypoints'] == [int(v) for v in genuine_ann['keypoints']]
        assert ann['num_keypoints'] == genuine_ann['num_keypoints']
        assert ann['bbox'] == genuine_ann['bbox']
        assert ann['clothes_type'] == constants.FULL and ann['variation_type'] == 1
