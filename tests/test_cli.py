"""The user's three commands on generated data, on the CPU: train 1 epoch, eval, predict."""
import glob
import json
import os
import subprocess
import sys

import pytest

from openpifpaf_deepfashion.deepfashion import converter, generator

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
    run('openpifpaf.eval', '--dataset=deepfashion', '--deepfashion-root=' + root,
        '--checkpoint=' + checkpoint, '--loader-workers=0', '--output=' + output, cwd=str(work))
    with open(output + '.stats.json') as f:
        stats = json.load(f)
    labels = stats['text_labels']
    assert len(labels) == len(stats['stats'])
    values = dict(zip(labels, stats['stats']))
    assert 'NE avg' in values and 'OKS AP' in values
    assert all(v == v for v in stats['stats'])  # no NaN
    assert values['NE avg'] > 0.0  # one epoch learns little: a real, positive error


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
        '--instance-threshold=0.0', '--seed-threshold=0.0001', *photos, cwd=str(work))
    for photo in photos:
        name = os.path.basename(photo)
        assert os.path.getsize(out + name + '.predictions.jpeg') > 0
        with open(out + name + '.predictions.json') as f:
            predictions = json.load(f)
        assert isinstance(predictions, list)
        for garment in predictions:
            assert len(garment['keypoints']) == 24
            assert garment['clothes_type'] in (1, 2, 3)
            assert garment['category_id'] in (51, 52, 53)


def test_export_onnx_loads_the_trained_checkpoint(trained):
    work, _, checkpoint = trained
    outfile = str(work / 'model.onnx')
    run('openpifpaf.export_onnx', '--checkpoint=' + checkpoint, '--outfile=' + outfile, cwd=str(work))
    import onnx  # pylint: disable=import-outside-toplevel
    model = onnx.load(outfile)
    assert len(model.graph.output) == 2  # CIF and CAF
