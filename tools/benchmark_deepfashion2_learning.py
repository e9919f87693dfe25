"""DeepFashion2 learning benchmark: generate, train from scratch, evaluate, compare with the canonical-pose
baseline and print the multi-garment table, in one command::

    python tools/benchmark_deepfashion2_learning.py --output df2_learning.json    # 11-12 min on 2 quiet cores
    python tools/benchmark_deepfashion2_learning.py --quick --workdir /tmp/df2-quick   # seconds, the test's run

1. generate: ``--n-train`` + ``--n-val`` images in DeepFashion2's raw layout with the plugin's generator
   (``deepfashion2.generator``, train and validation splits only), converted to COCO json
   (``deepfashion2.converter``); reused when ``--workdir`` already has them for the same sizes and seed;
2. train: ``python -m openpifpaf.train --dataset=deepfashion2`` from scratch with :data:`RECIPE`,
   ``--epochs`` epochs (of ``--train-batches`` batches each when given); everything after ``--`` is passed on
   to ``openpifpaf.train`` (later options override the recipe's);
3. BatchNorm statistics re-estimated on ``--bn-images`` training images (OpenPifPaf's BatchNorm momentum of
   0.01 leaves the running statistics far from the data after a few hundred steps: without this the eval-mode
   network scored the garments' own landmark cells at a median confidence of 0.07 and decoded nothing, with it
   0.34);
4. eval: ``python -m openpifpaf.eval --dataset=deepfashion2 --write-predictions`` on the validation split
   (:data:`EVAL`): keypoint AP, box AP and NE, overall and per category;
5. baseline: the same metric (``deepfashion2.metrics.DeepFashion2Metric``) fed with every ground-truth garment
   "predicted" with its category at its category's canonical pose in the central box of the image
   (``landmark_error.canonical_fill``: exactly where the NE puts a garment that has no prediction, so its NE is
   the NE of predicting nothing, checked here); for reference also at the canonical pose in the garment's own
   ground-truth box (a box oracle that knows no landmark);
6. multi-garment: the written result file evaluated again (``metrics.evaluate_result_files``), giving the
   multi-garment table (``metrics/multi_garment.py``: recall and NE on images with 2+ garments, all
   predictions beside the top-1 prediction per image) and a check that the result file reproduces the eval's
   figures.

Prints a markdown summary (machine, load, wall time per phase, per-category table, multi-garment table) and
writes everything to ``--output`` (JSON; undefined figures are ``null``; default ``WORKDIR/benchmark.json``).
Logs of the subprocesses are in ``--workdir``.

The subprocesses (and this process) run with ``OMP_WAIT_POLICY=PASSIVE`` unless it is set: on this 2-core
machine shared with another job, OpenMP's spinning threads made a forward pass 15-50x slower (3 s instead of
0.1 s per image), a training step up to 40x; passive waiting keeps contended runs near the quiet speed and
costs about 1.5x in the backward pass on an idle machine (``OMP_WAIT_POLICY=ACTIVE`` for that).

What else was tried (800 training images, validation NE with the BatchNorm re-estimation; the canonical-pose
baseline is 0.253 on the 200 validation images, 0.272 on their first 40):

* the first dataset's recipe (161 px, lr 1e-3, 1-epoch exponential warm-up, EMA): 4.2 s per step on the
  shared machine, and the warm-up keeps the learning rate under 1e-4 for 60 steps: stopped;
* 161 px, lr 2e-3, short warm-up, no EMA, 200 steps: no garment above the default thresholds; with
  --force-complete-pose and thresholds 0.2 / 0.02, NE 0.262 on 40 images (ratio 0.96);
* 129 px, lr 3e-3, 300 steps: 0.252 on 40 images (0.93); batch 4 (400 steps, 2.5 s each): over budget;
  resnet18 (no pretraining) at 129 px: nothing decoded after 300 steps;
* confidence and category losses weighted 3x, 200 steps: 0.222 on 40 images at thresholds 0.1 / 0.02 (0.82);
  10x: 0.181 on all 200 after 200 steps (0.71), but 0.203 after 300 at a constant learning rate (0.80), hence
  the linear decay.
"""
import argparse
import ast
import datetime
import glob
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time

import numpy as np

if __name__ == '__main__':  # before torch starts OpenMP: this process recalibrates BatchNorm (see the docstring)
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.dirname(os.path.abspath(__file__))
for path in (TOOLS, ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)

# pylint: disable=wrong-import-position
from openpifpaf_deepfashion.deepfashion2 import constants, converter, generator  # noqa: E402
from openpifpaf_deepfashion.deepfashion2 import metrics  # noqa: E402

#: The training recipe: from scratch within the CPU budget, 300 steps of batch 8 (3 epochs of 800 images; 10 minutes
#: on 2 quiet cores). Found by measurement (the module docstring lists what else was tried): 129 px crops (a step
#: costs 0.65 of 161 px), light augmentation, Adam at 3e-3 after a short warm-up, decaying linearly to 0, no
#: weight EMA (OpenPifPaf restarts its EMA every epoch, so a checkpoint after 100 steps is mostly the epoch's first
#: weights), and the confidence and category losses weighted 10x (--component-lambdas over cif.c, cif.vec,
#: cif.scales, caf.c, caf.vec, caf.scales, category.ce: with all at 1 the regression losses, 20x larger, shape
#: the trunk and the fields of the 294 slots barely tell the categories apart).
RECIPE = [
    '--basenet=shufflenetv2k16',
    '--deepfashion2-square-edge=129',
    '--deepfashion2-upsample=1',
    '--deepfashion2-rescale-range', '0.75', '1.33',
    '--deepfashion2-rotation=0',
    '--batch-size=8',
    '--adam', '--lr=3e-3', '--momentum=0.9',
    '--lr-warm-up-epochs=0.3', '--lr-warm-up-factor=0.01',
    '--lr-decay-type=linear',
    '--ema=0',
    '--component-lambdas', '10', '1', '1', '10', '1', '1', '10',
    '--val-batches=4',
]
#: Decoder settings for a short-trained model. Its garments decode with few landmarks above the keypoint
#: threshold, so their score (the mean confidence over the category's slots) stays low: --force-complete-pose
#: completes each garment along its category's skeleton, and the seed and instance thresholds are lowered
#: (0.1 / 0.02 instead of 0.2 / 0.05 matched 87 % of the garments instead of 60 %). The evaluation long edge is
#: appended: the training square edge (training fits each image's long edge to it), RECIPE's or the one given
#: after ``--``.
EVAL = ['--seed-threshold=0.1', '--instance-threshold=0.02', '--force-complete-pose']

#: The model "clearly" beats the canonical-pose baseline at an NE at most this share of the baseline's (and a
#: keypoint AP above 0).
CLEAR_RATIO = 0.8

#: Sizes and schedule; every entry can be overridden by its command-line option.
PRESETS = {
    'default': {'n_train': 800, 'n_val': 200, 'epochs': 3, 'train_batches': None},
    'quick': {'n_train': 12, 'n_val': 6, 'epochs': 1, 'train_batches': 3},
}
#: --quick: a tiny network input, and the default decoder thresholds: a model trained for a few batches has nearly
#: uniform confidences, and lower thresholds (seed 0.05, instance 0) seed thousands of garments per image, which
#: takes the decoder 10-100 s per image; at 0.2 / 0.05 it predicts little or nothing, which the metric scores.
QUICK_TRAIN = ['--deepfashion2-square-edge=97', '--batch-size=2', '--val-batches=1']
QUICK_EVAL = ['--seed-threshold=0.2', '--instance-threshold=0.05']

CATEGORY_FIGURES = (('kp_ap', 'kp AP '), ('box_ap', 'box AP '), ('ne', 'NE '), ('n', 'n '),
                    ('matched', 'n matched '))
OVERALL_FIGURES = (('kp_ap', 'kp AP'), ('kp_ap50', 'kp AP0.5'), ('box_ap', 'box AP'), ('box_ap50', 'box AP0.5'),
                   ('ne_avg', 'NE avg'), ('ne_pooled', 'NE pooled'), ('ne_cat_mean', 'NE cat mean'),
                   ('n_images', 'n images'), ('n_garments', 'n garments'), ('n_matched', 'n matched'),
                   ('n_predictions', 'n predictions'))
#: Figures that must agree between the eval's stats and the re-evaluated result file.
CHECKED = ('kp AP', 'box AP', 'NE avg', 'NE pooled', 'n predictions')


def defined(value):
    """A statistic as JSON: None for the metric's UNDEFINED (-1) or a non-finite value."""
    if value is None:
        return None
    value = float(value)
    return None if value == -1.0 or not math.isfinite(value) else value


def figures(stats):
    """{'overall': {...}, 'per_category': [{category, n, matched, kp_ap, box_ap, ne}, ...]} of a metric's stats
    (``{'stats', 'text_labels'}``), categories with ground truth only."""
    values = dict(zip(stats['text_labels'], stats['stats']))
    overall = {key: defined(values.get(label)) for key, label in OVERALL_FIGURES}
    rows = []
    for name in constants.CATEGORY_NAMES:
        row = {key: defined(values.get(prefix + name)) for key, prefix in CATEGORY_FIGURES}
        if row['n']:
            rows.append(dict(category=name, **row))
    return {'overall': overall, 'per_category': rows}


def machine():
    """benchmark.machine's cpu, cores, python and device, with the versions this benchmark reports."""
    import torch  # pylint: disable=import-outside-toplevel
    import openpifpaf  # pylint: disable=import-outside-toplevel
    import benchmark  # pylint: disable=import-outside-toplevel
    found = benchmark.machine('cpu')
    found.update(processor=platform.processor(), cpu_count=os.cpu_count(), platform=platform.platform(),
                 torch=torch.__version__, openpifpaf=openpifpaf.__version__)
    return found


def children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def subprocess_env():
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(p for p in (ROOT, env.get('PYTHONPATH')) if p)
    env.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
    return env


def run(module, args, log_path):
    """``python -m module args`` with its output in log_path; exits with the log's tail when it fails."""
    command = [sys.executable, '-m', module] + list(args)
    start = time.perf_counter()
    with open(log_path, 'w', encoding='utf-8') as log:
        log.write(' '.join(command) + '\n')
        log.flush()
        result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=subprocess_env(),
                                check=False)
    if result.returncode != 0:
        with open(log_path, encoding='utf-8') as f:
            sys.exit('{} failed (exit {}; log {}):\n{}'.format(module, result.returncode, log_path, f.read()[-3000:]))
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------------------ phases

def generate(root, n_train, n_val, seed):
    """Generate (train + validation) and convert, unless root already has both json files."""
    paths = {split: os.path.join(root, 'annotations', converter.OUTPUT_NAME.format(split))
             for split in ('train', 'validation')}
    reused = all(os.path.exists(path) for path in paths.values())
    if not reused:
        generator.generate(root, n_train + n_val, seed=seed, workers=os.cpu_count() or 1,
                           split_fractions=(n_train, n_val, 0))
        converter.convert(root, os.path.join(root, 'annotations'), splits=['train', 'validation'])
    summary = {'root': root, 'reused': reused, 'seed': seed}
    for split, path in paths.items():
        with open(path, encoding='utf-8') as f:
            document = json.load(f)
        per_image = {}
        for ann in document['annotations']:
            per_image[ann['image_id']] = per_image.get(ann['image_id'], 0) + 1
        summary[split] = {'images': len(document['images']), 'garments': len(document['annotations']),
                          'multi_garment_images': sum(1 for n in per_image.values() if n >= 2)}
    return summary, paths


def training_log(log_path):
    """Batches per epoch, steps and the per-epoch train / val losses from openpifpaf.train's log."""
    result = {'batches_per_epoch': None, 'steps': 0, 'epochs': []}
    with open(log_path, encoding='utf-8') as f:
        for line in f:
            match = re.search(r'training batches per epoch = (\d+)', line)
            if match:
                result['batches_per_epoch'] = int(match.group(1))
            if "{'type': '" not in line:
                continue
            try:
                record = ast.literal_eval(line[line.index('{'):].strip())
            except (ValueError, SyntaxError):
                continue
            if record.get('type') == 'train-epoch':
                result['epochs'].append({'epoch': record['epoch'], 'train_loss': record['loss'],
                                         'train_s': record.get('time')})
            elif record.get('type') == 'val-epoch' and result['epochs']:
                result['epochs'][-1]['val_loss'] = record['loss']
    return result


def recalibrate_batchnorm(checkpoint, output, image_dir, edge, n_images):
    """Write checkpoint with every BatchNorm layer's running statistics re-estimated on the first n_images of
    image_dir (fitted to edge): OpenPifPaf's BatchNorm momentum of 0.01 leaves them far from the data after a few
    hundred steps (tools/benchmark.py does the same for its tiny model)."""
    import torch  # pylint: disable=import-outside-toplevel
    import openpifpaf  # pylint: disable=import-outside-toplevel
    import benchmark  # pylint: disable=import-outside-toplevel
    import benchmark_network  # pylint: disable=import-outside-toplevel
    openpifpaf.plugin.register()  # before unpickling the plugin's modules
    saved = torch.load(checkpoint, map_location='cpu', weights_only=False)
    paths = sorted(glob.glob(os.path.join(image_dir, '*.jpg')))[:n_images]
    layers = benchmark.recalibrate_batchnorm(saved['model'], benchmark_network.input_images(
        paths, edge, torch.device('cpu')))
    torch.save(saved, output + '.tmp')
    os.replace(output + '.tmp', output)
    return {'layers': layers, 'images': len(paths), 'checkpoint': output}


def canonical_predictions(gt, width, height, margin, in_gt_box=False):
    """Every ground-truth garment of one image predicted at its category's canonical pose, with its category and
    score 1: in the central box of the image that leaves margin free on each side (``canonical_fill``: where the
    NE puts a garment without a prediction), with that box; or, with in_gt_box, in the garment's own box."""
    if in_gt_box:
        boxes = gt.boxes
        keypoints = np.array([constants.canonical_keypoints(c, box) for c, box in zip(gt.category_ids, boxes)])
        keypoints = keypoints.reshape(gt.n, constants.N_SLOTS, 3)
    else:
        central = [margin * width, margin * height, (1.0 - 2.0 * margin) * width, (1.0 - 2.0 * margin) * height]
        boxes = [central] * gt.n
        keypoints = np.zeros((gt.n, constants.N_SLOTS, 3))
        keypoints[:, :, :2] = metrics.canonical_fill(gt.category_ids, width, height, margin)
    for g, c in enumerate(gt.category_ids):
        own = np.zeros(constants.N_SLOTS, dtype=bool)
        own[slice(*constants.SLOT_RANGES[c])] = True
        keypoints[g, ~own] = 0.0
        keypoints[g, own, 2] = 1.0
    return metrics.Predictions(keypoints, np.ones(gt.n), gt.category_ids, boxes)


def baseline(ground_truth_path, in_gt_box=False):
    """(figures, multi-garment rows, NE avg of predicting nothing) of the canonical-pose baseline."""
    metric = metrics.DeepFashion2Metric(ground_truth_path)
    nothing = metrics.SlotErrors()
    for image in metric.ground_truth.document['images']:
        gt = metric.ground_truth.garments(image['id'])
        width, height = metric.ground_truth.image_size(image['id'])
        metric.accumulate_arrays(image['id'], canonical_predictions(gt, width, height, metric.canonical_margin,
                                                                    in_gt_box))
        empty = metrics.Predictions([], [], [], [])
        errors, visible, _ = metrics.garment_errors(gt, empty, width, height, matching=metric.matching,
                                                    margin=metric.canonical_margin)
        nothing.add(errors, visible)
    return figures(metric.stats()), metric.multi_garment_rows(), defined(nothing.average())


def multi_rows(rows):
    return [{key: (defined(value) if isinstance(value, float) else value) for key, value in row.items()}
            for row in rows]


# ------------------------------------------------------------------------------------------------------ output

def fmt(value, digits=3):
    return '-' if value is None else '{:.{}f}'.format(value, digits)


def count(value):
    return '-' if value is None else str(int(value))


def format_table(result):
    model, base, oracle = result['model'], result['baseline'], result['baseline_gt_box']
    wall = result['wall_s']
    data = result['data']
    verdict = result['verdict']
    train = result['training']
    lines = ['| figure | value |', '|---|---|',
             '| date | {} |'.format(result['date']),
             '| machine | {cpu} (platform.processor {processor!r}), {cores} cores (cpu_count {cpu_count}), '
             'torch {torch}, OpenPifPaf {openpifpaf}; load average {start:.1f} at the start, {end:.1f} at the end '
             '(other jobs on the machine slow every phase) |'.format(
                 start=result['load_average']['start'][0], end=result['load_average']['end'][0],
                 **result['machine']),
             '| command | `{}` |'.format(result['command']),
             '| data | train {} images / {} garments, validation {} images / {} garments ({} with 2+){} |'.format(
                 data['train']['images'], data['train']['garments'], data['validation']['images'],
                 data['validation']['garments'], data['validation']['multi_garment_images'],
                 ', reused' if data['reused'] else ''),
             '| training | `{}` |'.format(' '.join(result['settings']['train_args'])),
             '| steps | {} epochs x {} batches = {} steps; train loss per epoch {} |'.format(
                 len(train['epochs']), train['steps_per_epoch'], train['steps'],
                 ' '.join(fmt(e['train_loss'], 0) for e in train['epochs'])),
             '| evaluation | `{}` |'.format(' '.join(result['settings']['eval_args'])),
             '| wall time | generate {:.0f} s, train {:.0f} s, BatchNorm statistics {:.0f} s, eval {:.0f} s, '
             'baseline + multi-garment {:.0f} s; **total {:.1f} min**{} |'.format(
                 wall['generate'], wall['train'], wall['batchnorm'], wall['eval'], wall['metrics'],
                 wall['total'] / 60.0,
                 ''.join('; {} CPU {:.1f} min'.format(name, seconds / 60.0)
                         for name, seconds in result['subprocess_cpu_s'].items())),
             '| NE avg | model **{}**, canonical-pose baseline {} (ratio **{}**; nothing predicted: {}), '
             'canonical pose in the true box {} |'.format(
                 fmt(model['overall']['ne_avg'], 4), fmt(base['overall']['ne_avg'], 4), fmt(verdict['ne_ratio']),
                 fmt(result['baseline_nothing_predicted_ne_avg'], 4), fmt(oracle['overall']['ne_avg'], 4)),
             '| keypoint AP / box AP | model **{}** / **{}**, baseline {} / {}, canonical pose in the true box '
             '{} / {} |'.format(fmt(model['overall']['kp_ap']), fmt(model['overall']['box_ap']),
                                fmt(base['overall']['kp_ap']), fmt(base['overall']['box_ap']),
                                fmt(oracle['overall']['kp_ap']), fmt(oracle['overall']['box_ap'])),
             '| verdict | {} |'.format(verdict['text']),
             '| result file check | {} |'.format('re-evaluated result file reproduces the eval' if
                                                 result['result_file_check']['agrees'] else
                                                 'MISMATCH: {}'.format(result['result_file_check']['figures'])),
             '']
    lines += ['| category | n | matched | kp AP | box AP | NE | baseline kp AP | baseline box AP | baseline NE | '
              'true-box canonical NE |', '|---|---|---|---|---|---|---|---|---|---|']
    by_name = {row['category']: row for row in base['per_category']}
    oracle_by_name = {row['category']: row for row in oracle['per_category']}
    overall = model['overall']
    lines.append('| **all** | {} | {} | **{}** | **{}** | **{}** | {} | {} | {} | {} |'.format(
        count(overall['n_garments']), count(overall['n_matched']), fmt(overall['kp_ap']), fmt(overall['box_ap']),
        fmt(overall['ne_avg'], 4), fmt(base['overall']['kp_ap']), fmt(base['overall']['box_ap']),
        fmt(base['overall']['ne_avg'], 4), fmt(oracle['overall']['ne_avg'], 4)))
    for row in model['per_category']:
        b, o = by_name.get(row['category'], {}), oracle_by_name.get(row['category'], {})
        lines.append('| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |'.format(
            row['category'], count(row['n']), count(row['matched']), fmt(row['kp_ap']), fmt(row['box_ap']),
            fmt(row['ne'], 4), fmt(b.get('kp_ap')), fmt(b.get('box_ap')), fmt(b.get('ne'), 4), fmt(o.get('ne'), 4)))
    lines += ['', 'Multi-garment images (2+ garments): recall = a prediction of the same category with box IoU '
              '>= 0.5 (any cat: any category)', '',
              '| garments per image | reading | images | garments | recall | recall any cat | NE avg | NE pooled | '
              'baseline NE avg |', '|---|---|---|---|---|---|---|---|---|']
    base_ne = {row['group']: row['NE avg'] for row in result['multi_garment']['baseline'] if row['reading'] == 'all'}
    for row in result['multi_garment']['model']:
        lines.append('| {} | {} | {} | {} | {} | {} | {} | {} | {} |'.format(
            row['group'], metrics.multi_garment.READING_NAMES[row['reading']], row['images'], row['garments'],
            fmt(row['recall']), fmt(row['recall any cat']), fmt(row['NE avg'], 4), fmt(row['NE pooled'], 4),
            fmt(base_ne.get(row['group']), 4)))
    return '\n'.join(lines)


def write_json(path, result):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = path + '.tmp'
    with open(temporary, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=1)
    os.replace(temporary, path)


# -------------------------------------------------------------------------------------------------------- main

def square_edge(train_args):
    """The training square edge (the last --deepfashion2-square-edge): evaluation runs at that long edge."""
    edges = [int(a.split('=', 1)[1]) for a in train_args if a.startswith('--deepfashion2-square-edge=')]
    return edges[-1]


def settings(args):
    """The preset of --quick / default with the options given on the command line."""
    found = dict(PRESETS['quick' if args.quick else 'default'])
    for key in found:
        if getattr(args, key) is not None:
            found[key] = getattr(args, key)
    return found


def cli(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--workdir', default='outputs/deepfashion2_learning')
    parser.add_argument('--output', help='JSON file for all figures (default: WORKDIR/benchmark.json)')
    parser.add_argument('--quick', action='store_true', help='tiny sizes, seconds: checks the plumbing only')
    parser.add_argument('--n-train', type=int, help='generated training images (default {})'.format(
        PRESETS['default']['n_train']))
    parser.add_argument('--n-val', type=int, help='generated validation images (default {})'.format(
        PRESETS['default']['n_val']))
    parser.add_argument('--epochs', type=int, help='training epochs (default {})'.format(
        PRESETS['default']['epochs']))
    parser.add_argument('--train-batches', type=int, help='batches per epoch (default: the whole train split)')
    parser.add_argument('--seed', type=int, default=0, help='generator seed')
    parser.add_argument('--loader-workers', type=int, default=1, help='training data-loader workers')
    parser.add_argument('--bn-images', type=int, default=64,
                        help='training images to re-estimate BatchNorm statistics on before the eval (0: no)')
    parser.add_argument('--eval-only', action='store_true', help='reuse the trained checkpoint in --workdir')
    parser.add_argument('train_args', nargs='*', help='extra openpifpaf.train arguments (after --)')
    return parser.parse_args(argv)


def main(argv=None):
    start_all = time.perf_counter()
    load_start = os.getloadavg()
    args = cli(argv)
    found = settings(args)
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    output = args.output or os.path.join(workdir, 'benchmark.json')
    wall = {}

    start = time.perf_counter()
    root = os.path.join(workdir, 'data-{n_train}-{n_val}-seed{}'.format(args.seed, **found))
    data, annotation_paths = generate(root, found['n_train'], found['n_val'], args.seed)
    wall['generate'] = time.perf_counter() - start
    print('generate: {} train / {} validation images in {:.0f} s'.format(
        data['train']['images'], data['validation']['images'], wall['generate']), file=sys.stderr, flush=True)

    data_args = ['--dataset=deepfashion2', '--deepfashion2-root=' + root]
    checkpoint = os.path.join(workdir, 'model.pkl')
    train_args = RECIPE + (QUICK_TRAIN if args.quick else []) + ['--epochs={}'.format(found['epochs'])]
    if found['train_batches']:
        train_args.append('--train-batches={}'.format(found['train_batches']))
    train_args += ['--loader-workers={}'.format(args.loader_workers)] + list(args.train_args)
    wall['train'] = wall['batchnorm'] = 0.0
    train_log = os.path.join(workdir, 'train.log')
    cpu = {}
    if not args.eval_only:
        print('train: {} epochs ...'.format(found['epochs']), file=sys.stderr, flush=True)
        before = children_cpu_s()
        wall['train'] = run('openpifpaf.train', data_args + train_args + ['--output=' + checkpoint], train_log)
        cpu['train'] = children_cpu_s() - before
    training = training_log(train_log)
    steps_per_epoch = training['batches_per_epoch']
    if steps_per_epoch and found['train_batches']:
        steps_per_epoch = min(steps_per_epoch, found['train_batches'])
    training.update(steps_per_epoch=steps_per_epoch, steps=(steps_per_epoch or 0) * len(training['epochs']),
                    checkpoint='{}.epoch{:03d}'.format(checkpoint, found['epochs']))

    batchnorm = None
    evaluated = training['checkpoint']
    if args.bn_images:
        start = time.perf_counter()
        batchnorm = recalibrate_batchnorm(evaluated, os.path.join(workdir, 'model-bn.pkl'),
                                          os.path.join(root, 'train', 'image'), square_edge(train_args),
                                          args.bn_images)
        evaluated = batchnorm['checkpoint']
        wall['batchnorm'] = time.perf_counter() - start

    eval_output = os.path.join(workdir, 'eval')
    eval_args = EVAL + (QUICK_EVAL if args.quick else [])
    eval_args.append('--deepfashion2-eval-long-edge={}'.format(square_edge(train_args)))
    print('eval: {} validation images ...'.format(data['validation']['images']), file=sys.stderr, flush=True)
    before = children_cpu_s()
    wall['eval'] = run('openpifpaf.eval', data_args + ['--checkpoint=' + evaluated, '--loader-workers=0',
                                                       '--output=' + eval_output, '--write-predictions'] + eval_args,
                       os.path.join(workdir, 'eval.log'))
    cpu['eval'] = children_cpu_s() - before
    with open(eval_output + '.stats.json', encoding='utf-8') as f:
        eval_stats = json.load(f)

    start = time.perf_counter()
    ground_truth = annotation_paths['validation']
    rerun = metrics.evaluate_result_files(ground_truth, eval_output + metrics.metric.KEYPOINT_SUFFIX,
                                          eval_output + metrics.metric.BOX_SUFFIX)
    rerun_values = dict(zip(*(lambda s: (s['text_labels'], s['stats']))(rerun.stats())))
    eval_values = dict(zip(eval_stats['text_labels'], eval_stats['stats']))
    check = {label: [eval_values.get(label), rerun_values.get(label)] for label in CHECKED}
    agrees = all(a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a)) for a, b in check.values())
    base_figures, base_multi, nothing_ne = baseline(ground_truth)
    oracle_figures, oracle_multi, _ = baseline(ground_truth, in_gt_box=True)
    wall['metrics'] = time.perf_counter() - start

    model = figures(eval_stats)
    ne_ratio = None
    if model['overall']['ne_avg'] is not None and base_figures['overall']['ne_avg']:
        ne_ratio = model['overall']['ne_avg'] / base_figures['overall']['ne_avg']
    kp_ap = model['overall']['kp_ap'] or 0.0
    beats = ne_ratio is not None and ne_ratio < 1.0
    clearly = beats and ne_ratio <= CLEAR_RATIO and kp_ap > 0
    verdict = {'ne_ratio': ne_ratio, 'beats_baseline_ne': beats, 'clearly': clearly, 'kp_ap_positive': kp_ap > 0,
               'text': '{}: NE {} the canonical-pose baseline (ratio {}; clearly: <= {}), keypoint AP {} {} 0'.format(
                   'PASS' if clearly else ('MARGINAL' if beats and kp_ap > 0 else 'FAIL'),
                   'below' if beats else 'not below', fmt(ne_ratio, 2), CLEAR_RATIO, fmt(kp_ap, 4),
                   '>' if kp_ap > 0 else '=')}
    wall['total'] = time.perf_counter() - start_all
    given = sys.argv[1:] if argv is None else list(argv)
    command = ' '.join(['python', 'tools/benchmark_deepfashion2_learning.py'] + given)
    result = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'command': command,
        'machine': machine(),
        'omp_wait_policy': subprocess_env()['OMP_WAIT_POLICY'],
        'load_average': {'start': list(load_start), 'end': list(os.getloadavg())},
        'settings': dict(found, seed=args.seed, quick=args.quick, train_args=train_args, eval_args=eval_args,
                         recipe=RECIPE),
        'data': data,
        'training': training,
        'batchnorm': batchnorm,
        'eval': {key: eval_stats.get(key) for key in ('n_images', 'decoder_time', 'nn_time', 'total_time')},
        'model': model,
        'baseline': base_figures,
        'baseline_nothing_predicted_ne_avg': nothing_ne,
        'baseline_gt_box': oracle_figures,
        'multi_garment': {'model': multi_rows(rerun.multi_garment_rows()), 'baseline': multi_rows(base_multi),
                          'baseline_gt_box': multi_rows(oracle_multi)},
        'result_file_check': {'agrees': agrees, 'figures': check},
        'verdict': verdict,
        'wall_s': wall,
        'subprocess_cpu_s': cpu,
    }
    write_json(output, result)
    print(format_table(result))
    print('\nwritten: {}'.format(output))
    return result


if __name__ == '__main__':
    main()
