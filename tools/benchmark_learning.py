"""Learning benchmark: train from scratch on generated garments, evaluate NE on a held-out generated split.

Compares the model's average NE with the "canonical pose in the image" baseline (what the metric scores when
nothing is predicted) and passes when the model reaches at most half of the baseline's error::

    python tools/benchmark_learning.py --workdir /tmp/learning --n-images 800 --epochs 10

Everything after ``--`` goes to ``openpifpaf.train`` (overriding the recipe below).
"""
import argparse
import json
import os
import subprocess
import sys
import time

from openpifpaf_deepfashion.deepfashion import converter, generator

#: The training recipe found by measurement (see the README's "Training recipe").
RECIPE = [
    '--basenet=shufflenetv2k16',
    '--deepfashion-square-edge=161',
    '--deepfashion-upsample=2',
    '--deepfashion-rotation=10',
    '--batch-size=8',
    '--adam', '--lr=1e-3', '--momentum=0.9',
    '--lr-warm-up-epochs=1',
]
#: Evaluation at the scale the model was trained at (training fits each image's long edge to the square edge),
#: with decoder thresholds lowered for a short-trained model.
EVAL = ['--deepfashion-eval-long-edge=161', '--seed-threshold=0.2', '--instance-threshold=0.05']


def run(args, log_path):
    start = time.perf_counter()
    with open(log_path, 'w') as log:
        result = subprocess.run([sys.executable, '-m'] + args, stdout=log, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        with open(log_path) as f:
            sys.exit('{} failed:\n{}'.format(' '.join(args[:2]), f.read()[-3000:]))
    return time.perf_counter() - start


def canonical_pose_values(root):
    """{label: value} of the NE evaluator on the test split with no prediction at all: every garment at the
    canonical pose (what a model that detects nothing scores)."""
    from openpifpaf_deepfashion.deepfashion import metrics  # pylint: disable=import-outside-toplevel
    path = os.path.join(root, 'annotations', 'deepfashion_test.json')
    nothing = metrics.NormalizedError(path)
    with open(path) as f:
        for image in json.load(f)['images']:
            nothing.accumulate([], {'image_id': image['id'], 'width_height': (image['width'], image['height'])})
    stats = nothing.stats()
    return dict(zip(stats['text_labels'], stats['stats']))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--workdir', default='outputs/learning')
    parser.add_argument('--n-images', type=int, default=800)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--multi-garment', action='store_true')
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--loader-workers', type=int, default=1)
    parser.add_argument('--eval-only', action='store_true', help='reuse the trained checkpoint')
    parser.add_argument('train_args', nargs='*', help='extra openpifpaf.train arguments (after --)')
    args = parser.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    root = os.path.join(args.workdir, 'data')
    if not os.path.exists(os.path.join(root, 'annotations', 'deepfashion_test.json')):
        generator.generate(root, args.n_images, seed=args.seed, multi_garment=args.multi_garment,
                           workers=os.cpu_count())
        converter.convert(root, os.path.join(root, 'annotations'))
    data_args = ['--dataset=deepfashion', '--deepfashion-root=' + root]
    if args.multi_garment:
        data_args.append('--deepfashion-multi-garment=' + root)

    checkpoint = os.path.join(args.workdir, 'model.pkl')
    final = '{}.epoch{:03d}'.format(checkpoint, args.epochs)
    train_seconds = None
    if not args.eval_only:
        train_seconds = run(['openpifpaf.train', *data_args, *RECIPE, '--epochs={}'.format(args.epochs),
                             '--loader-workers={}'.format(args.loader_workers), '--output=' + checkpoint,
                             *args.train_args],
                            os.path.join(args.workdir, 'train.log'))

    output = os.path.join(args.workdir, 'eval')
    eval_seconds = run(['openpifpaf.eval', *data_args, '--checkpoint=' + final, '--loader-workers=0',
                        '--output=' + output, *EVAL], os.path.join(args.workdir, 'eval.log'))
    with open(output + '.stats.json') as f:
        stats = json.load(f)
    values = dict(zip(stats['text_labels'], stats['stats']))

    baseline_values = canonical_pose_values(root)

    print(metrics.format_table(stats))
    if train_seconds is not None:
        print('train: {:.1f} CPU-machine minutes for {} epochs'.format(train_seconds / 60.0, args.epochs))
    print('eval: {:.1f} s for {} images'.format(eval_seconds, int(values['n images'])))
    ratio = values['NE avg'] / baseline_values['NE avg']
    print('NE avg: model {:.4f}, canonical-pose baseline {:.4f}, ratio {:.2f} ({})'.format(
        values['NE avg'], baseline_values['NE avg'], ratio, 'PASS' if ratio <= 0.5 else 'FAIL: needs <= 0.5'))
    print('detection rate {:.3f}, PDL@0.05 {:.3f}'.format(values['det rate'], values['PDL@0.05']))


if __name__ == '__main__':
    main()
