"""Category head benchmark: landmarks only vs landmarks + category (beta = 0) vs landmarks + category (beta = 0.5),
the category head (a 1x1 classifier on the trunk) trained on each garment's pooled logits over its landmarks'
region; beside them the per-cell category loss (beta = 0.5) with that classifier, with the category weighted 5x
(``--lambdas 1 1 5``), with the head's own context layer (``--category-head-hidden=128``, the default since
2026-12-06, or 64; its 3x3 convolution dense or depthwise, ``--category-head-context``) and with both; and the
pooled loss over the garment box (``--deepfashion-category-region=box``).

All train from scratch with the same recipe and number of epochs (one CPU budget) on generated multi-garment
data (every garment of every image annotated; 4200 training images by default, 2 epochs, the learning rate
warmed up over the first 0.15 epoch), and are evaluated on the held-out test split of the same renderer and on a
second, differently drawn set (``--style second`` of the generator), each against the canonical-pose baseline::

    python tools/benchmark_category.py --workdir /tmp/category

Everything after ``--`` goes to ``openpifpaf.train``.  At 2 epochs the models are far from trained (the README's
category table); the figures at 4 epochs come from ``--epochs 4``, from scratch or resumed from a 2-epoch run's
files copied into a new work folder (about 27 min per model and 2 epochs on a 2-core Xeon)::

    python tools/benchmark_category.py --workdir W --epochs 4 --variants 'landmarks only' \
        -- --resume-training=W/landmarks_only.pkl

Prints one table: average NE, detection rate, false garments per image, top-1 / top-3 / type accuracy of the
detected garments, top-3 over all garments (a missed one a miss), and the NE ratio to the canonical pose on both
test sets; then the per-category top-1 spread and the most confused pairs of the beta = 0.5 model.
"""
import argparse
import json
import os

import benchmark_learning  # tools/ is on sys.path when this file runs as a script
from openpifpaf_deepfashion.deepfashion import converter, generator

CATEGORY = ['--deepfashion-category-head=on', '--deepfashion-category-region=landmarks']
PER_CELL = [*CATEGORY, '--deepfashion-category-readout=garment', '--fork-normalization-beta=0.5']
NO_CONTEXT = ['--category-head-hidden=0']  # the category head's 1x1 classifier on the trunk, as before 2026-12-06
VARIANTS = {
    'landmarks only': ['--deepfashion-category-head=off'],
    'category, beta 0': [*CATEGORY, *NO_CONTEXT, '--deepfashion-category-readout=pooled',
                         '--fork-normalization-beta=0'],
    'category, beta 0.5': [*CATEGORY, *NO_CONTEXT, '--deepfashion-category-readout=pooled',
                           '--fork-normalization-beta=0.5'],
    'category per cell, beta 0.5': [*PER_CELL, *NO_CONTEXT],
    'category per cell, beta 0.5, lambda 5': [*PER_CELL, *NO_CONTEXT, '--lambdas', '1', '1', '5'],
    'category per cell, beta 0.5, context 64': [*PER_CELL, '--category-head-hidden=64'],
    'category per cell, beta 0.5, context 128': [*PER_CELL, '--category-head-hidden=128'],
    'category per cell, beta 0.5, context 128 depthwise': [*PER_CELL, '--category-head-hidden=128',
                                                           '--category-head-context=depthwise'],
    'category per cell, beta 0.5, context 128, lambda 5': [*PER_CELL, '--category-head-hidden=128',
                                                           '--lambdas', '1', '1', '5'],
    'category box region, beta 0.5': ['--deepfashion-category-head=on', '--deepfashion-category-region=box',
                                      *NO_CONTEXT, '--deepfashion-category-readout=pooled',
                                      '--fork-normalization-beta=0.5'],
}
#: The learning benchmark's recipe with this benchmark's own warm-up (``--lr-warm-up-epochs``).
RECIPE = [arg for arg in benchmark_learning.RECIPE if not arg.startswith('--lr-warm-up-epochs')]


def generated(root, n_images, seed, style):
    if not os.path.exists(os.path.join(root, 'annotations', 'deepfashion_test.json')):
        generator.generate(root, n_images, seed=seed, multi_garment=True, workers=os.cpu_count(), style=style)
        converter.convert(root, os.path.join(root, 'annotations'))
    return root


def baseline_ne(annotations):
    """Average NE of predicting nothing: every garment at the canonical pose fitted to the image."""
    from openpifpaf_deepfashion.deepfashion import metrics  # pylint: disable=import-outside-toplevel
    metric = metrics.NormalizedError(annotations)
    with open(annotations) as f:
        for image in json.load(f)['images']:
            metric.accumulate([], {'image_id': image['id'], 'width_height': (image['width'], image['height'])})
    stats = metric.stats()
    return dict(zip(stats['text_labels'], stats['stats']))['NE avg']


def evaluate(checkpoint, root, output, workdir):
    benchmark_learning.run(['openpifpaf.eval', '--dataset=deepfashion', '--deepfashion-multi-garment=' + root,
                            '--checkpoint=' + checkpoint, '--loader-workers=0', '--output=' + output,
                            *benchmark_learning.EVAL], os.path.join(workdir, os.path.basename(output) + '.log'))
    with open(output + '.stats.json') as f:
        stats = json.load(f)
    return dict(zip(stats['text_labels'], stats['stats'])), stats


def cell(values, label, digits=4):
    value = values.get(label)
    if value is None or value == -1:
        return '-'
    return '{:.{}f}'.format(value, digits)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--workdir', default='outputs/category')
    parser.add_argument('--n-images', type=int, default=6000, help='generated images (70 %% train, 15 %% test)')
    parser.add_argument('--n-second', type=int, default=200, help='images of the differently drawn set')
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--lr-warm-up-epochs', type=float, default=0.15)
    parser.add_argument('--loader-workers', type=int, default=1)
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument('train_args', nargs='*', help='extra openpifpaf.train arguments (after --)')
    args = parser.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    root = generated(os.path.join(args.workdir, 'data'), args.n_images, 0, 'default')
    second = generated(os.path.join(args.workdir, 'second'), args.n_second, 1, 'second')
    test_sets = {'own': root, 'second': second}
    baselines = {name: baseline_ne(os.path.join(path, 'coco_multi_garment', 'deepfashion_test.json'))
                 for name, path in test_sets.items()}

    rows = {}
    for variant in args.variants:
        slug = variant.replace(' ', '_').replace(',', '')
        checkpoint = os.path.join(args.workdir, slug + '.pkl')
        final = '{}.epoch{:03d}'.format(checkpoint, args.epochs)
        seconds = None
        if not os.path.exists(final):
            seconds = benchmark_learning.run(
                ['openpifpaf.train', '--dataset=deepfashion', '--deepfashion-multi-garment=' + root,
                 *RECIPE, '--epochs={}'.format(args.epochs),
                 '--lr-warm-up-epochs={}'.format(args.lr_warm_up_epochs),
                 '--loader-workers={}'.format(args.loader_workers), '--output=' + checkpoint, *VARIANTS[variant],
                 *args.train_args],
                os.path.join(args.workdir, slug + '.train.log'))
        rows[variant] = {'train minutes': seconds / 60.0 if seconds else None}
        for name, path in test_sets.items():
            values, stats = evaluate(final, path, os.path.join(args.workdir, '{}.eval-{}'.format(slug, name)),
                                     args.workdir)
            rows[variant][name] = values
            rows[variant][name + ' stats'] = stats

    print('\n{:<52s}{:>9s}{:>9s}{:>9s}{:>9s}{:>9s}{:>10s}{:>9s}{:>10s}{:>11s}{:>8s}'.format(
        'held-out split', 'NE avg', 'det', 'false/im', 'top-1', 'top-3', 'top-3 all', 'type', 'ratio own',
        'NE second', 'ratio 2'))
    for variant, row in rows.items():
        own, other = row['own'], row['second']
        print('{:<52s}{:>9s}{:>9s}{:>9s}{:>9s}{:>9s}{:>10s}{:>9s}{:>10.2f}{:>11s}{:>8.2f}'.format(
            variant, cell(own, 'NE avg'), cell(own, 'det rate', 3), cell(own, 'false garments per image', 2),
            cell(own, 'top-1 acc', 3), cell(own, 'top-3 acc', 3), cell(own, 'top-3 acc all', 3),
            cell(own, 'type acc', 3),
            own['NE avg'] / baselines['own'], cell(other, 'NE avg'), other['NE avg'] / baselines['second']))
    print('canonical-pose NE: own renderer {:.4f}, second renderer {:.4f}'.format(
        baselines['own'], baselines['second']))
    for variant, row in rows.items():
        if row['train minutes']:
            print('{}: trained {} epochs in {:.1f} min'.format(variant, args.epochs, row['train minutes']))

    if 'category, beta 0.5' in rows:
        own = rows['category, beta 0.5']['own']
        spread = [label for label in own if label.startswith('top-1 cat ')]
        print('\ncategory, beta 0.5: per-category top-1 ' + ', '.join(
            '{} {}'.format(label[len('top-1 cat '):], cell(own, label, 3)) for label in spread))
        for label, value in own.items():
            if label.startswith('confused '):
                print('  {}: {}'.format(label, int(value)))


if __name__ == '__main__':
    main()
