"""Garment-type inference, the garment decoder's output, and checkpoint loading under weights_only."""
import json

import numpy as np
import pytest
import torch

import openpifpaf

from openpifpaf_deepfashion import checkpoint
from openpifpaf_deepfashion.deepfashion import constants, decoder, garment
from openpifpaf_deepfashion.deepfashion.datamodule import DeepFashion


def scores_for(slots):
    scores = np.zeros(len(constants.KEYPOINTS))
    scores[list(slots)] = 0.9
    return scores


@pytest.mark.parametrize('clothes_type', [constants.UPPER, constants.LOWER, constants.FULL])
def test_clothes_type_is_inferred_from_the_predicted_slots(clothes_type):
    assert garment.infer_clothes_type(scores_for(constants.SLOTS[clothes_type])) == clothes_type


def test_garment_annotation_json_has_type_and_generic_category():
    ann = openpifpaf.Annotation(constants.KEYPOINTS, constants.SKELETON_B)
    data = np.zeros((8, 3))
    for slot in constants.SLOTS[constants.LOWER]:
        data[slot] = (10.0 + slot, 20.0, 0.8)
    ann.set(data)
    garment_ann = garment.GarmentAnnotation.from_annotation(ann)
    payload = json.loads(json.dumps(garment_ann.json_data()))
    assert payload['clothes_type'] == constants.LOWER and payload['clothes_type_name'] == 'lower'
    assert payload['category_id'] == 52
    assert payload['keypoints'][3 * 4:3 * 4 + 2] == [14.0, 20.0]
    # the inverse transform (used by predict and eval) keeps the garment
    meta = {'rotation': {'angle': 0.0, 'width': None, 'height': None}, 'offset': np.zeros(2),
            'scale': np.ones(2), 'hflip': False, 'width_height': np.array([100, 100])}
    assert garment_ann.inverse_transform(meta).clothes_type == constants.LOWER


def test_garment_painter_is_registered_for_garments():
    openpifpaf.plugin.register()
    assert openpifpaf.PAINTERS['GarmentAnnotation'] is garment.GarmentPainter


def test_fashion_decoder_is_chosen_for_deepfashion_heads_only():
    metas = DeepFashion().head_metas
    for i, meta in enumerate(metas):
        meta.head_index = i
        meta.base_stride = 16
        meta.upsample_stride = 1
    assert decoder.FashionCifCaf.factory(metas)
    plain = [openpifpaf.headmeta.Cif('cif', 'other', keypoints=constants.KEYPOINTS, sigmas=constants.SIGMAS,
                                     pose=constants.CANONICAL_POSE, draw_skeleton=constants.SKELETON_B),
             openpifpaf.headmeta.Caf('caf', 'other', keypoints=constants.KEYPOINTS, sigmas=constants.SIGMAS,
                                     pose=constants.CANONICAL_POSE, skeleton=constants.SKELETON_B)]
    assert decoder.FashionCifCaf.factory(plain) == []

    decoders = openpifpaf.decoder.factory(metas).decoders
    assert isinstance(decoders[0], decoder.FashionCifCaf)
    category_field = torch.full((50, 9, 9), 0.5 / 49)
    category_field[25] = 0.5  # Jeans everywhere
    fields = [torch.zeros(8, 5, 9, 9), torch.zeros(11, 9, 9, 9), category_field]
    # one confident left hem: the 3 x 3 cells around field cell (4, 4) point at it
    # (confidence first, then regression / spread components set to 4 so that x = y = 4 cells, scale last)
    fields[0][6, :, 3:6, 3:6] = torch.tensor([1.0, 4.0, 4.0, 4.0, 1.0])[:, None, None]
    predictions = decoders[0](fields)
    assert len(predictions) == 1 and isinstance(predictions[0], garment.GarmentAnnotation)
    assert predictions[0].data[6, :2].tolist() == [64.0, 64.0]  # stride 16
    assert predictions[0].category_id == 26 and predictions[0].category_probability == pytest.approx(0.5)
    assert predictions[0].clothes_type == constants.LOWER
    assert predictions[0].slot_clothes_type == constants.LOWER  # hems only match lower garments' slots best
    confidences = predictions[0].data[:, 2]
    # the mean over a lower garment's 4 slots, not over all 8
    assert predictions[0].score == pytest.approx(np.mean(confidences[list(constants.SLOTS[constants.LOWER])]))
    assert predictions[0].score == pytest.approx(2.0 * np.mean(confidences))


def test_whole_module_checkpoint_loads_through_the_factory(tmp_path):
    openpifpaf.plugin.register()
    metas = DeepFashion().head_metas
    net, _ = openpifpaf.network.Factory(base_name='shufflenetv2k16').factory(head_metas=metas)
    path = str(tmp_path / 'model.pkl.epoch001')
    torch.save({'model': net, 'epoch': 1}, path)
    with pytest.raises(Exception):
        torch.load(path)  # torch's own default refuses whole pickled modules
    factory = openpifpaf.network.Factory(checkpoint=path)
    loaded, epoch = factory.from_checkpoint()
    assert epoch == 1
    assert [m.name for m in loaded.head_metas] == ['cif', 'caf', 'category']
    assert loaded.head_metas[0].keypoints == constants.KEYPOINTS
    checkpoint.install()  # idempotent
    assert isinstance(openpifpaf.network.factory.torch, checkpoint.TorchForCheckpoints)


def test_eval_refuses_a_checkpoint_of_another_dataset(tmp_path):
    openpifpaf.plugin.register()
    other = [openpifpaf.headmeta.Cif('cif', 'animal', keypoints=['a', 'b'], sigmas=[0.1, 0.1],
                                     pose=np.zeros((2, 3)), draw_skeleton=[(1, 2)]),
             openpifpaf.headmeta.Caf('caf', 'animal', keypoints=['a', 'b'], sigmas=[0.1, 0.1],
                                     pose=np.zeros((2, 3)), skeleton=[(1, 2)])]
    net, _ = openpifpaf.network.Factory(base_name='shufflenetv2k16').factory(head_metas=other)
    path = str(tmp_path / 'animal.pkl')
    torch.save({'model': net, 'epoch': 3}, path)
    openpifpaf.network.Factory(checkpoint=path).from_checkpoint()
    assert checkpoint.LAST_LOADED == {'path': path, 'datasets': ['animal'],
                                      'heads': [('animal', 'caf'), ('animal', 'cif')]}
    with pytest.raises(checkpoint.WrongCheckpointError, match=r'animal.pkl has heads for \[.animal.\], not for'):
        DeepFashion().eval_loader()

    fashion, _ = openpifpaf.network.Factory(base_name='shufflenetv2k16').factory(
        head_metas=DeepFashion().head_metas)
    torch.save({'model': fashion, 'epoch': 3}, path)
    openpifpaf.network.Factory(checkpoint=path).from_checkpoint()
    checkpoint.check_trained_for('deepfashion')  # no error


def test_metric_names_the_problem_with_predictions_of_another_skeleton():
    from openpifpaf_deepfashion.deepfashion import coco_format, metrics
    document = coco_format.coco_document([coco_format.image_entry(1, 'a.jpg', 100, 100)], [])
    metric = metrics.NormalizedError(document)
    wrong = openpifpaf.Annotation(['a'] * 17, [(1, 2)]).set(np.ones((17, 3)))
    with pytest.raises(ValueError, match='17 keypoints.*another dataset'):
        metric.accumulate([wrong], {'image_id': 1, 'width_height': (100, 100)})


def test_garment_painter_draws_the_skeleton_in_the_type_colour():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    ann = openpifpaf.Annotation(constants.KEYPOINTS, constants.SKELETON_B)
    data = np.zeros((8, 3))
    for slot in constants.SLOTS[constants.LOWER]:
        data[slot] = (10.0 + 5 * slot, 20.0 + 3 * slot, 0.9)
    ann.set(data, fixed_score=0.8)
    fig, ax = plt.subplots()
    garment.GarmentPainter().annotation(ax, garment.GarmentAnnotation.from_annotation(ann))
    colours = {tuple(c) for collection in ax.collections
               for c in list(collection.get_edgecolor()) + list(collection.get_facecolor())}
    plt.close(fig)
    assert colours == {matplotlib.colors.to_rgba(garment.TYPE_COLORS[constants.LOWER])}
