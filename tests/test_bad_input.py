"""Bad input wherever a user types: predict skips unreadable images and exits 1 after the good results; bad
checkpoints, empty splits, a root without annotations and a SANL net without attention stop with one message."""
import glob
import json
import os
import subprocess
import sys
import types

import pytest
import torch

import openpifpaf

from openpifpaf_deepfashion import __version__, checkpoint, errors
from openpifpaf_deepfashion.deepfashion import coco_format, converter, generator
from openpifpaf_deepfashion.deepfashion.dataset import AnnotationFileError
from openpifpaf_deepfashion.deepfashion.datamodule import DataRootError, DeepFashion, check_root

TRAIN_OPTIONS = ['--basenet=shufflenetv2k16', '--deepfashion-square-edge=97', '--batch-size=2',
                 '--loader-workers=0', '--epochs=1', '--lr=1e-4', '--momentum=0.9',
                 '--train-batches=2', '--val-batches=1']


def run(*args, cwd):
    return subprocess.run([sys.executable, '-m'] + list(args), cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False)


def last_line(result):
    """The last line on stderr, where a stop puts its message (alone: no traceback before it)."""
    assert 'Traceback' not in result.stderr, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else ''


@pytest.fixture(scope='module')
def sample(tmp_path_factory):
    work = tmp_path_factory.mktemp('bad-input')
    root = str(work / 'sample')
    generator.generate(root, 14, seed=3, multi_garment=True, min_size=120, max_size=150)
    converter.convert(root, os.path.join(root, 'annotations'))
    return work, root


@pytest.fixture(scope='module')
def trained(sample):
    work, root = sample
    result = run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + root,
                 '--output=' + str(work / 'model.pkl'), *TRAIN_OPTIONS, cwd=str(work))
    assert result.returncode == 0, result.stderr[-3000:]
    return str(work / 'model.pkl.epoch001')


@pytest.fixture(scope='module')
def photos(sample):
    """good.jpg, truncated.jpg (half of a JPEG), missing.jpg (no file), notanimage.jpg (text), good2.jpg."""
    work, root = sample
    folder = work / 'photos'
    folder.mkdir()
    real = sorted(glob.glob(os.path.join(root, 'img', '**', '*.jpg'), recursive=True))
    with open(real[0], 'rb') as f:
        jpeg = f.read()
    with open(real[1], 'rb') as f:
        jpeg2 = f.read()
    (folder / 'good.jpg').write_bytes(jpeg)
    (folder / 'truncated.jpg').write_bytes(jpeg[:len(jpeg) // 2])
    (folder / 'notanimage.jpg').write_text('this is not an image\n')
    (folder / 'good2.jpg').write_bytes(jpeg2)
    names = ['good.jpg', 'truncated.jpg', 'missing.jpg', 'notanimage.jpg', 'good2.jpg']
    return [str(folder / name) for name in names]


@pytest.mark.parametrize('options', [['--batch-size=1', '--loader-workers=0'],
                                     ['--batch-size=2', '--long-edge=97']],  # 2 loader workers by default
                         ids=['batch1-workers0', 'batch2-workers2'])
def test_predict_skips_unreadable_images_writes_the_others_and_exits_1(trained, photos, options, tmp_path):
    out = str(tmp_path) + os.sep
    result = run('openpifpaf.predict', '--checkpoint=' + trained, '--json-output=' + out, '--image-output=' + out,
                 *options, *photos, cwd=str(tmp_path))
    assert result.returncode == 1, result.stderr[-3000:]
    good, truncated, missing, notanimage, good2 = photos
    for photo in (good, good2):
        name = os.path.basename(photo)
        with open(out + name + '.predictions.json') as f:
            assert isinstance(json.load(f), list)
        assert os.path.getsize(out + name + '.predictions.jpeg') > 0
    assert sorted(os.listdir(out)) == sorted(os.path.basename(p) + ext for p in (good, good2)
                                             for ext in ('.predictions.json', '.predictions.jpeg'))
    assert last_line(result) == 'openpifpaf.predict: 3 unreadable images skipped: {}, {}, {}'.format(
        truncated, missing, notanimage)
    log = result.stdout + result.stderr  # OpenPifPaf logs to stdout
    assert 'skipped {}, not a readable image (OSError: '.format(truncated) in log
    assert 'skipped {}, not a readable image (FileNotFoundError: '.format(missing) in log
    assert 'skipped {}, not a readable image (UnidentifiedImageError: '.format(notanimage) in log
    assert 'Traceback' not in result.stderr


@pytest.fixture
def restore_loaded():
    saved = openpifpaf.network.Factory.checkpoint, dict(checkpoint.LAST_LOADED)
    yield
    openpifpaf.network.Factory.checkpoint = saved[0]
    checkpoint.LAST_LOADED.clear()
    checkpoint.LAST_LOADED.update(saved[1])


def test_predictor_api_skips_with_a_warning_and_does_not_exit(trained, photos, caplog, restore_loaded):
    predictor = openpifpaf.Predictor(checkpoint=trained)
    predictor.batch_size, predictor.long_edge, predictor.loader_workers = 2, 97, 0
    results = list(predictor.images(photos))
    assert [meta['file_name'] for _, _, meta in results] == [photos[0], photos[4]]
    assert [meta['dataset_index'] for _, _, meta in results] == [0, 4]
    warnings = [r.getMessage() for r in caplog.records if 'not a readable image' in r.getMessage()]
    assert [w.split(',')[0] for w in warnings] == ['skipped ' + photo for photo in photos[1:4]]


def checkpoint_copy(trained, path, change):
    saved = torch.load(trained, weights_only=False)
    change(saved)
    torch.save(saved, path)
    return path


def test_eval_refuses_a_checkpoint_of_another_dataset(sample, trained):
    work, root = sample

    def to_animal(saved):
        for meta in saved['model'].head_metas:
            meta.dataset = 'animal'
    animal = checkpoint_copy(trained, str(work / 'animal.pkl'), to_animal)
    result = run('openpifpaf.eval', '--dataset=deepfashion', '--deepfashion-root=' + root, '--checkpoint=' + animal,
                 '--loader-workers=0', '--output=' + str(work / 'eval-animal'), cwd=str(work))
    assert result.returncode == 1
    assert last_line(result).endswith(
        'WrongCheckpointError: checkpoint {0} has heads for [\'animal\'], not for "deepfashion": evaluate it with '
        'its own --dataset, or fine-tune it first with python -m openpifpaf.train --dataset=deepfashion '
        '--checkpoint={0}'.format(animal))
    assert not os.path.exists(str(work / 'eval-animal.stats.json'))


def test_predict_refuses_a_checkpoint_whose_heads_an_older_plugin_wrote(sample, trained, photos):
    work, _ = sample

    def outdate(saved):
        saved['meta']['plugin_versions']['openpifpaf_deepfashion'] = '0.0.9'
        del saved['model'].head_metas[2].categories  # the category head meta as an older Category class
    old = checkpoint_copy(trained, str(work / 'old.pkl'), outdate)
    out = str(work / 'predict-old') + os.sep
    os.makedirs(out)
    result = run('openpifpaf.predict', '--checkpoint=' + old, '--json-output=' + out, photos[0], cwd=str(work))
    assert result.returncode == 1
    assert last_line(result).endswith(
        'OutdatedCheckpointError: checkpoint {0} was written by openpifpaf_deepfashion 0.0.9 and does not fit '
        'openpifpaf_deepfashion {1}: its category head has no categories. Train a new one with this version '
        '(python -m openpifpaf.train --dataset=deepfashion --basenet=...), or keep its trunk and train new heads '
        '(--checkpoint={0} --head-consolidation=create)'.format(old, __version__))
    assert os.listdir(out) == []


def test_an_outdated_checkpoint_is_refused_at_load(tmp_path):
    """A pickled class of this plugin that is gone, and heads with other landmarks (in-process, no exit code)."""
    openpifpaf.plugin.register()
    gone = types.ModuleType('openpifpaf_deepfashion.gone')
    exec('class OldShell:\n    pass\n', gone.__dict__)  # pylint: disable=exec-used
    gone.OldShell.__module__ = gone.__name__
    sys.modules[gone.__name__] = gone
    try:
        torch.save({'model': gone.OldShell(), 'epoch': 1}, str(tmp_path / 'gone.pkl'))
    finally:
        del sys.modules[gone.__name__]
    with pytest.raises(checkpoint.OutdatedCheckpointError, match=(
            r'gone.pkl was written by another version of openpifpaf_deepfashion and does not fit openpifpaf_'
            r"deepfashion .*: it names code that is gone: No module named 'openpifpaf_deepfashion.gone'")):
        openpifpaf.network.Factory(checkpoint=str(tmp_path / 'gone.pkl')).from_checkpoint()

    metas = DeepFashion().head_metas
    metas[0].keypoints = metas[0].keypoints[:6]
    metas[2].categories = list(reversed(metas[2].categories))
    assert checkpoint.outdated_heads(metas) == ['its cif head has 6 keypoints, this version 8',
                                                'its category head has other categories than this version']


def test_train_refuses_an_empty_training_split(sample):
    work, root = sample
    empty = str(work / 'empty')
    os.makedirs(os.path.join(empty, 'annotations'))
    for split in ('train', 'val', 'test'):
        coco_format.write_json_atomic(os.path.join(empty, 'annotations', 'deepfashion_{}.json'.format(split)),
                                      coco_format.coco_document([], []))
    result = run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + empty,
                 '--output=' + str(work / 'empty.pkl'), *TRAIN_OPTIONS, cwd=str(work))
    assert result.returncode == 1
    assert last_line(result).endswith('AnnotationFileError: {}/annotations/deepfashion_train.json: nothing for '
                                      'training: it lists no images'.format(empty))
    assert not glob.glob(str(work / 'empty.pkl.epoch*'))  # stopped before training (only its log is there)


@pytest.fixture
def restore_class_config():
    saved = dict(vars(DeepFashion))
    yield
    for key, value in saved.items():
        if not key.startswith('__'):
            setattr(DeepFashion, key, value)


def test_splits_without_garments_or_a_batch_are_refused(sample, tmp_path, restore_class_config):
    work, root = sample
    with open(os.path.join(root, 'annotations', 'deepfashion_test.json')) as f:
        document = json.load(f)
    n_images = len(document['images'])
    document['annotations'] = []
    no_garments = str(tmp_path / 'no_garments.json')
    coco_format.write_json_atomic(no_garments, document)
    DeepFashion.set_root(root, 'annotations')
    DeepFashion.eval_annotations = no_garments
    DeepFashion.batch_size = 1
    with pytest.raises(AnnotationFileError, match=(
            r'no_garments.json: nothing for evaluation: none of its {} images has a garment of '
            r'--deepfashion-garment-types=all$'.format(n_images))):
        DeepFashion().eval_dataset()

    DeepFashion.train_annotations = no_garments
    with pytest.raises(AnnotationFileError, match=(
            r'no_garments.json: nothing for training: none of its {} images has a garment of '
            r'--deepfashion-garment-types=all with a labelled landmark \(--deepfashion-min-kp-anns=1\)$'.format(
                n_images))):
        DeepFashion().train_loader()

    DeepFashion.set_root(root, 'annotations')
    DeepFashion.batch_size = 64
    with pytest.raises(AnnotationFileError, match=r'deepfashion_train.json: nothing for training: \d+ images to '
                                                  r'train on, fewer than --batch-size=64$'):
        DeepFashion().train_loader()


def test_a_root_of_raw_list_files_names_the_converter(sample, trained):
    work, _ = sample
    raw = str(work / 'raw')
    os.makedirs(os.path.join(raw, 'Anno'))
    with open(os.path.join(raw, 'Anno', 'list_landmarks.txt'), 'w') as f:
        f.write('0\nimage_name clothes_type\n')
    result = run('openpifpaf.eval', '--dataset=deepfashion', '--deepfashion-root=' + raw, '--checkpoint=' + trained,
                 '--loader-workers=0', cwd=str(work))
    assert result.returncode == 1
    assert last_line(result).endswith(
        'DataRootError: --deepfashion-root {0} has DeepFashion\'s list files but no annotations '
        '({0}/annotations/deepfashion_{{train,val,test}}.json): convert it first with python -m '
        'openpifpaf_deepfashion.deepfashion.converter --root {0} --output-dir {0}/annotations'.format(raw))


def test_a_root_without_annotations_or_list_files(tmp_path):
    with pytest.raises(DataRootError, match=r'nowhere: no such directory$'):
        check_root(str(tmp_path / 'nowhere'))
    with pytest.raises(DataRootError, match=(
            r'has no annotations \(.*/annotations/deepfashion_\{train,val,test\}.json\) and no DeepFashion list '
            r'files \(Anno/list_landmarks.txt\): name a DeepFashion root \(Anno/, Eval/, img/\) and convert it '
            r'first with python -m openpifpaf_deepfashion.deepfashion.converter --root ROOT --output-dir '
            r'ROOT/annotations$')):
        check_root(str(tmp_path))


def test_a_sanl_net_without_attention_stops_with_the_option_name(sample):
    work, root = sample
    result = run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + root,
                 '--output=' + str(work / 'sanl.pkl'), '--basenet=resnet18-sanl', *TRAIN_OPTIONS[1:], cwd=str(work))
    assert result.returncode == 1
    assert last_line(result).endswith(
        'SanlConfigError: resnet18-sanl needs spatial attention maps: pass --sanl-attention-checkpoint FILE (an '
        'AttentionNet trained with python -m openpifpaf_deepfashion.train_attention), or use resnet18-nl for plain '
        'non-local blocks')
    assert not glob.glob(str(work / 'sanl.pkl.epoch*'))


def test_a_user_error_prints_one_line_and_other_errors_their_traceback(capsys):
    hook = errors.excepthook(sys.__excepthook__)
    hook(DataRootError, DataRootError('--deepfashion-root R: no such directory'), None)
    assert capsys.readouterr().err == 'DataRootError: --deepfashion-root R: no such directory\n'
    try:
        raise KeyError('bug')
    except KeyError as e:
        hook(KeyError, e, e.__traceback__)
    assert 'Traceback' in capsys.readouterr().err
