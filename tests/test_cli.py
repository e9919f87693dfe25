"""The user's three commands on generated data, on the CPU: train 1 epoch, eval, predict."""
import glob
import json
import os
import subprocess
import sys

import pytest

from openpifpaf_deepfashion.deepfashion import constants, converter, generator

TRAIN_OPTIONS = ['--basenet=shufflenetv2k16', '--deepfashion-square-edge=97', '--batch-size=2',
                 '--loader-workers=0', '--epochs=1', '--lr=1e-4', '--momentum=0.9']


def run(*args, cwd):
    result = subprocess.run([sys.executable, '-m'] + list(args), cwd=cwd, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    work = tmp_path_factory.mktemp('cli')
    root = str(work / 'sample')
    generator.generate(root, 14, seed=3, multi_garment=True, min_size=120, max_size=150)
    converter.convert(root, os.path.join(root, 'annotations'))
    run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + root,
        '--output=' + str(work / 'model.pkl'), *TRAIN_OPTIONS, cwd=str(work))
    checkpoint = str(work / 'model.pkl.epoch001')
    assert os.path.exists(checkpoint)
    return work, root, checkpoint


def test_eval_prints_the_ne_table_from_the_trained_checkpoint(trained):
    work, root, checkpoint = trained
    output = str(work / 'eval')
    # thresholds at 0 so that the barely trained model predicts garments to read categories from
    run('openpifpaf.eval', '--dataset=deepfashion', '--deepfashion-root=' + root,
        '--checkpoint=' + checkpoint, '--loader-workers=0', '--output=' + output,
        '--instance-threshold=0.0', '--seed-threshold=0.0001', '--force-complete-pose', cwd=str(work))
    with open(output + '.stats.json') as f:
        stats = json.load(f)
    labels = stats['text_labels']
    assert len(labels) == len(stats['stats'])
    values = dict(zip(labels, stats['stats']))
    assert 'NE avg' in values and 'OKS AP' in values
    assert all(v == v for v in stats['stats'])  # no NaN
    assert values['NE avg'] > 0.0  # one epoch learns little: a real, positive error
    for k in (1, 3, 5):  # the category head's figures over all garments (a garment not detected is a miss)
        assert 0.0 <= values['top-{} acc all'.format(k)] <= 1.0
    assert values['top-1 acc all'] <= values['top-3 acc all'] <= values['top-5 acc all']
    assert values['n top-k all'] > 0


def test_eval_multi_garment_and_crop_protocol(trained):
    work, root, checkpoint = trained
    output = str(work / 'eval-crop')
    run('openpifpaf.eval', '--dataset=deepfashion', '--deepfashion-multi-garment=' + root,
        '--deepfashion-eval-protocol=crop', '--deepfashion-matching=bbox',
        '--checkpoint=' + checkpoint, '--loader-workers=0', '--output=' + output, cwd=str(work))
    with open(output + '.stats.json') as f:
        stats = json.load(f)
    assert stats['n_images'] > 0 and 'NE avg' in stats['text_labels']


def test_predict_writes_garments_on_real_photos(trained, shared_data):
    work, _, checkpoint = trained
    photos = sorted(glob.glob(os.path.join(shared_data, 'photos', '*.jp*g'))
                    + glob.glob(os.path.join(shared_data, 'fld_real', '*.jpg')))
    assert len(photos) == 6
    out = str(work / 'predict') + os.sep
    os.makedirs(out)
    run('openpifpaf.predict', '--checkpoint=' + checkpoint, '--image-output=' + out, '--json-output=' + out,
        '--instance-threshold=0.0', '--seed-threshold=0.0001', '--force-complete-pose', '--long-edge=97', *photos,
        cwd=str(work))
    n_garments = 0
    for photo in photos:
        name = os.path.basename(photo)
        assert os.path.getsize(out + name + '.predictions.jpeg') > 0
        with open(out + name + '.predictions.json') as f:
            predictions = json.load(f)
        assert isinstance(predictions, list)
        for garment in predictions:
            assert len(garment['keypoints']) == 24
            assert 1 <= garment['category_id'] <= 50 and garment['category_name']
            assert garment['clothes_type'] == constants.category_type(garment['category_id'])
            top = {int(k): v for k, v in garment['category_scores'].items()}
            assert len(top) == 5 and garment['category_id'] == max(top, key=top.get)
            assert 0.0 < sum(top.values()) <= 1.0 + 1e-3
        n_garments += len(predictions)
    assert n_garments > 0


def test_export_onnx_loads_the_trained_checkpoint(trained):
    work, _, checkpoint = trained
    outfile = str(work / 'model.onnx')
    run('openpifpaf.export_onnx', '--checkpoint=' + checkpoint, '--outfile=' + outfile, cwd=str(work))
    import onnx  # pylint: disable=import-outside-toplevel
    model = onnx.load(outfile)
    assert len(model.graph.output) == 3  # CIF, CAF and category


def test_a_landmark_only_checkpoint_gains_the_category_head(trained):
    work, root, _ = trained
    landmarks = str(work / 'landmarks.pkl')
    run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + root, '--output=' + landmarks,
        '--deepfashion-category-head=off', *TRAIN_OPTIONS, cwd=str(work))
    output = str(work / 'eval-landmarks')
    run('openpifpaf.eval', '--dataset=deepfashion', '--deepfashion-root=' + root, '--checkpoint=' + landmarks
        + '.epoch001', '--loader-workers=0', '--output=' + output, cwd=str(work))
    with open(output + '.stats.json') as f:
        labels = json.load(f)['text_labels']
    assert 'NE avg' in labels and 'top-1 acc' not in labels  # evaluated as what it is: no category figures

    extended = str(work / 'extended.pkl')
    options = [o for o in TRAIN_OPTIONS if not o.startswith(('--basenet', '--epochs'))]
    run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + root, '--output=' + extended,
        '--checkpoint=' + landmarks + '.epoch001', '--epochs=2', *options, cwd=str(work))
    import torch  # pylint: disable=import-outside-toplevel
    before = torch.load(landmarks + '.epoch001', weights_only=False)['model']
    after = torch.load(extended + '.epoch002', weights_only=False)['model']
    assert [m.name for m in before.head_metas] == ['cif', 'caf']
    assert [m.name for m in after.head_metas] == ['cif', 'caf', 'category']
    assert after.fork_beta == 0.5
