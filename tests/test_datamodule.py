"""The deepfashion data module: head metas, flip augmentation, training targets, eval preprocessing."""
import argparse
import json
import os

import numpy as np
import pytest
from PIL import Image

import openpifpaf
from openpifpaf import transforms

from openpifpaf_deepfashion.deepfashion import coco_format, constants
from openpifpaf_deepfashion.deepfashion.datamodule import DeepFashion
from openpifpaf_deepfashion.deepfashion.transforms import CropToGarments
from openpifpaf_deepfashion.deepfashion.dataset import AnnotationFileError, DeepFashionCoco

# a full-body garment on a 200 x 160 (w x h) image: slot -> (x, y, COCO visibility)
FULL_KEYPOINTS = [(80, 30, 2), (120, 30, 2), (50, 60, 2), (150, 60, 2),
                  (85, 80, 2), (115, 80, 1), (70, 140, 2), (130, 140, 0)]


def write_sample(root, keypoints=FULL_KEYPOINTS, clothes_type=constants.FULL, size=(200, 160)):
    os.makedirs(os.path.join(root, 'img'), exist_ok=True)
    Image.new('RGB', size, (90, 120, 150)).save(os.path.join(root, 'img', 'a.jpg'))
    ann = coco_format.annotation_entry(1, 1, 41, clothes_type, keypoints, (40, 20, 160, 150))
    document = coco_format.coco_document([coco_format.image_entry(1, 'img/a.jpg', *size)], [ann])
    path = os.path.join(root, 'sample.json')
    coco_format.write_json_atomic(path, document)
    return path


def configured_datamodule(**options):
    parser = argparse.ArgumentParser()
    DeepFashion.cli(parser)
    args = parser.parse_args([])
    args.debug = False
    args.pin_memory = False
    for key, value in options.items():
        setattr(args, 'deepfashion_' + key, value)
    DeepFashion.configure(args)
    return DeepFashion()


@pytest.fixture(autouse=True)
def restore_class_config():
    saved = dict(vars(DeepFashion))
    yield
    for key, value in saved.items():
        if not key.startswith('__'):
            setattr(DeepFashion, key, value)


def test_registered_and_head_metas_come_from_constants():
    assert openpifpaf.DATAMODULES["deepfashion"] is DeepFashion
    datamodule = configured_datamodule(skeleton='A')
    cif, caf, category = datamodule.head_metas  # no json to look at: the category head is on
    assert cif.keypoints == constants.KEYPOINTS and cif.sigmas == constants.SIGMAS
    assert caf.skeleton == constants.SKELETON_A
    assert category.categories == constants.CATEGORY_NAMES and category.readout == 'garment'
    assert configured_datamodule(skeleton='B').head_metas[1].skeleton == constants.SKELETON_B


def test_category_head_follows_the_training_json(tmp_path):
    labelled = write_sample(str(tmp_path / 'c'))  # category 41 (Dress)
    fld = str(tmp_path / 'fld.json')
    document = json.load(open(labelled))
    document['annotations'][0]['category_id'] = 53  # FLD's generic full-body garment
    coco_format.write_json_atomic(fld, document)

    def names(datamodule):
        return [meta.name for meta in datamodule.head_metas]

    assert names(configured_datamodule(train_annotations=labelled)) == ['cif', 'caf', 'category']
    assert names(configured_datamodule(train_annotations=fld)) == ['cif', 'caf']
    assert names(configured_datamodule(train_annotations=fld, category_head='on')) == ['cif', 'caf', 'category']
    assert names(configured_datamodule(train_annotations=labelled, category_head='off')) == ['cif', 'caf']
    image_readout = configured_datamodule(train_annotations=labelled, category_head='auto', category_readout='image')
    assert image_readout.head_metas[2].readout == 'image'
    assert configured_datamodule(train_annotations=labelled).head_metas[2].region == 'landmarks'
    assert configured_datamodule(train_annotations=labelled, category_region='box').head_metas[2].region == 'box'


def test_every_option_has_the_deepfashion_prefix():
    parser = argparse.ArgumentParser()
    DeepFashion.cli(parser)
    options = [o for action in parser._actions for o in action.option_strings if o != '-h' and o != '--help']
    assert options and all(o.startswith('--deepfashion-') for o in options)


def test_flip_swaps_left_and_right_landmarks():
    anns = [{'keypoints': np.array(FULL_KEYPOINTS, dtype=np.float32), 'bbox': np.array([40, 20, 120, 130.0]),
             'iscrowd': 0}]
    image = Image.new('RGB', (200, 160))
    _, anns, meta = transforms.NormalizeAnnotations()(image, anns, None)
    _, flipped, meta = transforms.HFlip(constants.KEYPOINTS, constants.HFLIP)(image, anns, meta)
    flipped = flipped[0]['keypoints']
    for i, name in enumerate(constants.KEYPOINTS):
        j = constants.KEYPOINTS.index(constants.HFLIP[name])
        x, y, v = FULL_KEYPOINTS[j]
        assert flipped[i, 2] == v
        if v > 0:
            # the partner landmark, mirrored: left stays on the image's left
            assert flipped[i, 0] == pytest.approx(199 - x)
            assert flipped[i, 1] == pytest.approx(y)
    left_collar, right_collar = flipped[0], flipped[1]
    assert left_collar[0] < right_collar[0]


def test_targets_put_cif_confidence_at_the_landmarks(tmp_path):
    ann_file = write_sample(str(tmp_path))
    datamodule = configured_datamodule(augmentation=False, square_edge=161)
    for head_index, meta in enumerate(datamodule.head_metas):
        meta.head_index = head_index
        meta.base_stride = 8
    data = DeepFashionCoco(str(tmp_path), ann_file, preprocess=datamodule._preprocess())
    image, targets, meta = data[0]
    assert image.shape == (3, 161, 161)
    cif_confidence = targets[0][:, 0]  # (8, H, W)
    scale = meta['scale'][0]
    for slot, (x, y, v) in enumerate(FULL_KEYPOINTS):
        if v == 0:
            assert np.nanmax(cif_confidence[slot].numpy()) < 1.0  # truncated: no positive target
            continue
        fx = int(round((x * scale - meta['offset'][0]) / 8))
        fy = int(round((y * scale - meta['offset'][1]) / 8))
        assert cif_confidence[slot, fy, fx] == 1.0, constants.KEYPOINTS[slot]
        far = cif_confidence[slot].clone()
        far[max(0, fy - 2):fy + 3, max(0, fx - 2):fx + 3] = 0.0
        assert np.nanmax(far.numpy()) < 1.0  # nowhere else


def test_garment_type_filter_and_missing_keypoints_field(tmp_path):
    ann_file = write_sample(str(tmp_path))
    assert len(DeepFashionCoco(str(tmp_path), ann_file, clothes_types=(constants.FULL,))) == 1
    assert len(DeepFashionCoco(str(tmp_path), ann_file, clothes_types=(constants.UPPER,))) == 0

    with open(ann_file) as f:
        document = json.load(f)
    del document['annotations'][0]['keypoints']
    broken = os.path.join(str(tmp_path), 'broken.json')
    with open(broken, 'w') as f:
        json.dump(document, f)
    with pytest.raises(AnnotationFileError, match=r'broken.json: annotations\[0\].*keypoints'):
        DeepFashionCoco(str(tmp_path), broken)


def test_missing_image_names_the_annotation_file(tmp_path):
    ann_file = write_sample(str(tmp_path))
    os.remove(os.path.join(str(tmp_path), 'img', 'a.jpg'))
    data = DeepFashionCoco(str(tmp_path), ann_file)
    with pytest.raises(AnnotationFileError, match=r'sample.json: image img/a.jpg \(id 1\) cannot be read'):
        data[0]


def test_crop_protocol_maps_back_to_the_full_image(tmp_path):
    ann_file = write_sample(str(tmp_path))
    datamodule = configured_datamodule(eval_protocol='crop', eval_long_edge=97)
    datamodule.batch_size = 1
    data = DeepFashionCoco(str(tmp_path), ann_file, preprocess=datamodule._eval_preprocess(), only_annotated=False)
    image, anns, meta = data[0]
    assert meta['width_height'].tolist() == [200, 160]
    assert max(image.shape[1:]) < 200  # cropped and rescaled
    # ground truth goes through the same inverse transform as the predictions
    restored = anns[0].inverse_transform(meta).data
    for slot, (x, y, v) in enumerate(FULL_KEYPOINTS):
        if v > 0:
            assert restored[slot, 0] == pytest.approx(x, abs=1e-3)
            assert restored[slot, 1] == pytest.approx(y, abs=1e-3)


def test_crop_to_garments_keeps_the_margin():
    image = Image.new('RGB', (200, 160))
    anns = [{'keypoints': np.zeros((8, 3), dtype=np.float32), 'bbox': np.array([40.0, 20.0, 120.0, 130.0])}]
    _, anns, meta = transforms.NormalizeAnnotations()(image, anns, None)
    cropped, anns, meta = CropToGarments(0.1)(image, anns, meta)
    assert cropped.size == (144, 153)  # x 28..172, y 7..163 clipped to 160
    assert meta['offset'].tolist() == [28.0, 7.0]
    assert anns[0]['bbox'][:2].tolist() == [12.0, 13.0]


def test_corrupt_image_names_the_annotation_file(tmp_path):
    ann_file = write_sample(str(tmp_path))
    with open(os.path.join(str(tmp_path), 'img', 'a.jpg'), 'wb') as f:
        f.write(b'\xff\xd8 not really a jpeg')
    data = DeepFashionCoco(str(tmp_path), ann_file)
    with pytest.raises(AnnotationFileError, match=r'sample.json: image img/a.jpg \(id 1\) cannot be read'):
        data[0]


def test_eval_counts_an_unreadable_image_as_not_detected(tmp_path):
    from openpifpaf_deepfashion.deepfashion import metrics
    ann_file = write_sample(str(tmp_path))
    os.remove(os.path.join(str(tmp_path), 'img', 'a.jpg'))
    datamodule = configured_datamodule(eval_annotations=ann_file, eval_image_dir=str(tmp_path))
    datamodule.batch_size = 1
    data = datamodule.eval_dataset()
    image, anns, meta = data[0]
    assert meta['image_unreadable'] and meta['width_height'].tolist() == [200, 160]
    metric = metrics.NormalizedError(data.document)
    metric.accumulate([], meta)
    stats = metric.stats()
    values = dict(zip(stats['text_labels'], stats['stats']))
    assert values['n images unreadable'] == 1
    assert values['det rate'] == 0.0 and values['NE avg'] > 0.0


def test_category_field_stays_at_the_trunk_stride_when_the_landmark_heads_upsample(tmp_path):
    ann_file = write_sample(str(tmp_path))
    datamodule = configured_datamodule(augmentation=False, square_edge=161, upsample=2)
    cif, _, category = datamodule.head_metas
    assert (cif.upsample_stride, category.upsample_stride) == (2, 1)
    net, _ = openpifpaf.network.Factory(base_name='shufflenetv2k16').factory(head_metas=datamodule.head_metas)
    data = DeepFashionCoco(str(tmp_path), ann_file, preprocess=datamodule._preprocess())
    image, targets, _ = data[0]
    net.train()
    fields = net(image.unsqueeze(0))
    assert (cif.stride, category.stride) == (8, 16)
    assert fields[0].shape[-2:] == targets[0].shape[-2:]  # CIF at stride 8
    assert fields[2].shape[-2:] == targets[2].shape[-2:] == (11, 11)  # category at stride 16
