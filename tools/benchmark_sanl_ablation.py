"""SANL ablation on generated garments: the same backbone without blocks, with non-local blocks, with SANL blocks
fed by the AttentionNet (the paper's source a) and with SANL blocks fed by the network's own category head
(source b), all trained from scratch with the same recipe, data and number of epochs; average NE per landmark on
the held-out test split in the SANL paper's table layout (its Table 3: one row per method, one column per
landmark, then the average), the detection rate, and the last validation loss (which still ranks the variants
when a short run detects nothing yet and every NE is the canonical pose's)::

    python tools/benchmark_sanl_ablation.py --workdir outputs/sanl-ablation --n-images 320 --epochs 4 --square-edge 129

The AttentionNet is trained first on the same training split (``python -m openpifpaf_deepfashion.train_attention``)
and its time is reported beside the table.  Everything after ``--`` goes to every ``openpifpaf.train``.
"""
import argparse
import datetime
import json
import os
import platform
import re
import sys
import time

import benchmark_learning
from openpifpaf_deepfashion.deepfashion import constants, converter, generator

#: variant -> (basenet suffix, extra openpifpaf.train options; ATTENTION is replaced by the AttentionNet file)
VARIANTS = {
    'base': ('', []),
    'NL': ('-nl', []),
    'SANL (AttentionNet)': ('-sanl', ['--sanl-attention=attention-net', '--sanl-attention-checkpoint=ATTENTION']),
    'SANL (own category head)': ('-sanl', ['--sanl-attention=category-head']),
}


def generate(root, n_images, seed):
    if not os.path.exists(os.path.join(root, 'annotations', 'deepfashion_test.json')):
        generator.generate(root, n_images, seed=seed, workers=os.cpu_count())
        converter.convert(root, os.path.join(root, 'annotations'))


def train_attention(root, workdir, epochs, crop_size):
    """AttentionNet checkpoint path, minutes and its held-out top-1 accuracy (from its last line)."""
    output = os.path.join(workdir, 'attention.pt')
    log_path = os.path.join(workdir, 'attention.log')
    annotations = os.path.join(root, 'annotations', 'deepfashion_{}.json')
    seconds = benchmark_learning.run(
        ['openpifpaf_deepfashion.train_attention', '--annotations', annotations.format('train'),
         '--image-dir', root, '--val-annotations', annotations.format('val'), '--output', output,
         '--epochs', str(epochs), '--crop-size', str(crop_size), '--batch-size', '32', '--loader-workers', '1'],
        log_path)
    with open(log_path) as f:
        found = re.findall(r'held-out top-1 ([0-9.]+)', f.read())
    return output, seconds / 60.0, float(found[-1]) if found else float('nan')


def training_log(checkpoint):
    """(minutes from the first to the last training-epoch record, the last validation loss) of a training log."""
    records = []
    with open(checkpoint + '.log') as f:
        for line in f:
            if line.startswith('{'):
                records.append(json.loads(line))
    stamps = [datetime.datetime.strptime(r['asctime'], '%Y-%m-%d %H:%M:%S,%f') for r in records
              if r is records[0] or r.get('type') == 'train-epoch']
    validation = [r['loss'] for r in records if r.get('type') == 'val-epoch']
    return (stamps[-1] - stamps[0]).total_seconds() / 60.0, validation[-1] if validation else float('nan')


def train_and_evaluate(name, root, workdir, args, attention):
    """One variant's row; a variant whose final checkpoint and evaluation exist in ``workdir`` is read, not rerun
    (``--report-only`` reads them all)."""
    suffix, options = VARIANTS[name]
    slug = re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')
    checkpoint = os.path.join(workdir, slug + '.pkl')
    data_args = ['--dataset=deepfashion', '--deepfashion-root=' + root]
    options = [o.replace('ATTENTION', attention or '') for o in options]
    edge = '={}'.format(args.square_edge)
    output = os.path.join(workdir, slug + '.eval')
    if not os.path.exists(output + '.stats.json'):
        benchmark_learning.run(
            ['openpifpaf.train', *data_args, *benchmark_learning.RECIPE, '--basenet=' + args.basenet + suffix,
             '--deepfashion-square-edge' + edge, *options, '--epochs={}'.format(args.epochs), '--loader-workers=1',
             '--output=' + checkpoint, *args.train_args], os.path.join(workdir, slug + '.train.log'))
        benchmark_learning.run(['openpifpaf.eval', *data_args, '--checkpoint={}.epoch{:03d}'.format(
            checkpoint, args.epochs), '--loader-workers=0', '--output=' + output, *benchmark_learning.EVAL,
            '--deepfashion-eval-long-edge' + edge], os.path.join(workdir, slug + '.eval.log'))
    with open(output + '.stats.json') as f:
        stats = json.load(f)
    values = dict(zip(stats['text_labels'], stats['stats']))
    train_minutes, val_loss = training_log(checkpoint)
    row = {label: values['NE ' + label] for label in constants.KEYPOINT_LABELS}
    row.update({'Avg.': values['NE avg'], 'det rate': values['det rate'], 'val loss': val_loss,
                'train min': train_minutes})
    top = [label for label in values if label.startswith('top-')]
    row.update({label: values[label] for label in top})
    return row


def canonical_row(root):
    """NE per landmark with no prediction at all: every garment at the canonical pose (what a model that detects
    nothing scores; the reference a variant has to beat)."""
    values = benchmark_learning.canonical_pose_values(root)
    row = {label: values['NE ' + label] for label in constants.KEYPOINT_LABELS}
    row.update({'Avg.': values['NE avg'], 'det rate': 0.0, 'val loss': float('nan'), 'train min': 0.0})
    return row


def table(rows):
    columns = constants.KEYPOINT_LABELS + ['Avg.', 'det rate', 'val loss', 'train min']
    lines = ['| method | ' + ' | '.join(columns) + ' |', '|---|' + '---:|' * len(columns)]
    for name, row in rows.items():
        cells = ['{:.4f}'.format(row[c]) if c in constants.KEYPOINT_LABELS + ['Avg.'] else '{:.2f}'.format(row[c])
                 for c in columns]
        lines.append('| {} | {} |'.format(name, ' | '.join(cells)))
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--workdir', default='outputs/sanl-ablation')
    parser.add_argument('--n-images', type=int, default=560)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--epochs', type=int, default=6)
    parser.add_argument('--basenet', default='shufflenetv2k16', help='backbone of all four variants')
    parser.add_argument('--square-edge', type=int, default=161,
                        help='training crop edge, also the long edge of the evaluation images')
    parser.add_argument('--attention-epochs', type=int, default=5)
    parser.add_argument('--attention-crop-size', type=int, default=112)
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument('--report-only', action='store_true',
                        help='only read the finished variants in --workdir and print the table')
    parser.add_argument('--output', default=None, help='JSON file of the results (default: WORKDIR/ablation.json)')
    parser.add_argument('train_args', nargs='*', help='extra openpifpaf.train arguments (after --)')
    args = parser.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    root = os.path.join(args.workdir, 'data')
    start = time.time()
    generate(root, args.n_images, args.seed)
    attention, attention_minutes, attention_top1 = None, None, None
    if args.report_only:
        args.variants = [v for v in args.variants if os.path.exists(os.path.join(
            args.workdir, re.sub(r'[^a-z0-9]+', '-', v.lower()).strip('-') + '.eval.stats.json'))]
    elif any('ATTENTION' in ' '.join(VARIANTS[v][1]) for v in args.variants):
        attention, attention_minutes, attention_top1 = train_attention(
            root, args.workdir, args.attention_epochs, args.attention_crop_size)
    rows = {}
    for name in args.variants:
        rows[name] = train_and_evaluate(name, root, args.workdir, args, attention)
        print('{}: NE avg {:.4f} ({:.1f} min training)'.format(name, rows[name]['Avg.'], rows[name]['train min']),
              flush=True)

    machine = '{}, {} CPU cores'.format(platform.processor() or platform.machine(), os.cpu_count())
    recipe = ' '.join(a for a in benchmark_learning.RECIPE[1:] if 'square-edge' not in a)
    print('\n{} on {} generated images ({} epochs each, {} --deepfashion-square-edge={}); {}'.format(
        args.basenet, args.n_images, args.epochs, recipe, args.square_edge, machine))
    if attention is not None:
        print('AttentionNet: {} epochs in {:.1f} min, held-out top-1 {:.3f}'.format(
            args.attention_epochs, attention_minutes, attention_top1))
    canonical = canonical_row(root)
    print(table(dict(rows, **{'canonical pose (nothing detected)': canonical})))
    print('total {:.1f} min'.format((time.time() - start) / 60.0))
    result = dict(basenet=args.basenet, n_images=args.n_images, epochs=args.epochs, square_edge=args.square_edge,
                  machine=machine, rows=rows, canonical_pose=canonical,
                  attention_minutes=attention_minutes, attention_top1=attention_top1)
    with open(args.output or os.path.join(args.workdir, 'ablation.json'), 'w') as f:
        json.dump(result, f, indent=1)


if __name__ == '__main__':
    sys.exit(main())
