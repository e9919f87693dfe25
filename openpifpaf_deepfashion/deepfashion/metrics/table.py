"""The human-readable table of the evaluator's statistics, and the CLI that prints it from an eval's
``.stats.json``."""
import argparse
import json

from .. import constants
from .arrays import CATEGORY_LABELS
from .values import UNDEFINED


def format_value(label, value):
    if label.startswith('n ') or label.rsplit(' ', 1)[-1] == 'n':
        return '{:d}'.format(int(value))
    if value == UNDEFINED:
        return '-'
    return '{:.4f}'.format(value)


def format_table(stats, matching=None):
    """Human-readable table of a ``stats()`` dict (also of an eval's ``.stats.json``)."""
    values = dict(zip(stats['text_labels'], stats['stats']))
    prefix = 'oracle ' if 'oracle NE avg' in values else ''
    matching = 'oracle' if prefix else matching

    def get(label):
        return values.get(prefix + label)

    def line(label, width=24):
        value = get(label)
        return '  {:<{}s} {}'.format(label, width, '-' if value is None else format_value(label, value))

    title = 'Fashion landmarks: normalized error'
    if matching:
        title += ', matching: ' + ('oracle (not comparable)' if matching == 'oracle' else matching)
    lines = [title]
    pdl = [label[len(prefix):] for label in values if label.startswith(prefix + 'PDL@')]
    main = ['NE avg', 'NE pooled', 'det rate', 'false garments per image'] + pdl
    main += ['NE conf', 'conf share', 'conf on truncated', 'conf on occluded', 'NE matched avg',
             'NE matched pooled', 'NE detected avg', 'NE detected pooled', 'top-1 acc', 'top-3 acc', 'top-5 acc',
             'top-1 acc all', 'top-3 acc all', 'top-5 acc all', 'top-1 cat min', 'top-1 cat median',
             'top-1 cat max', 'type acc', 'conf threshold', 'det IoU threshold']
    lines += [line(label) for label in main if get(label) is not None]
    counts = ('n images', 'n images without gt', 'n images unreadable', 'n garments', 'n matched', 'n detected',
              'n predictions', 'n unmatched predictions', 'n false garments', 'n visible', 'n top-k', 'n top-k all',
              'n top-1 cats', 'n type acc')
    lines += [line(label) for label in counts if get(label) is not None]
    confused = [(label[len(prefix):].split(': ', 1)[1], value) for label, value in values.items()
                if label.startswith(prefix + 'confused ') and ': ' in label]
    if confused:
        lines += ['', '  {:<40s}{:>9s}'.format('most confused (true -> top-1)', 'n')]
        lines += ['  {:<40s}{:>9d}'.format(pair.replace('->', ' -> '), int(n)) for pair, n in confused]

    header = '  {:<12s}'.format('') + ''.join('{:>9s}'.format(label) for label in constants.KEYPOINT_LABELS)
    lines += ['', header]
    for name, key in (('NE', 'NE '), ('NE matched', 'NE matched '), ('n visible', 'n ')):
        cells = [get(key + label) for label in constants.KEYPOINT_LABELS]
        lines.append('  {:<12s}'.format(name) + ''.join(
            '{:>9s}'.format('-' if v is None else format_value(key.strip(), v)) for v in cells))

    names = [name for name in constants.CLOTHES_TYPES.values()]
    names += ['var ' + name for name in constants.VARIATION_TYPES.values()]
    names += ['cat ' + name for name in CATEGORY_LABELS.values()]
    rows = [(name, get('NE ' + name), get('n ' + name)) for name in names]
    rows = [row for row in rows if row[2]]
    if rows:
        lines += ['', '  {:<28s}{:>9s}{:>9s}'.format('breakdown', 'NE avg', 'n')]
        lines += ['  {:<28s}{:>9s}{:>9d}'.format(name, format_value('NE', ne), int(n)) for name, ne, n in rows]
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description='Print the normalized-error table of an eval stats file.')
    parser.add_argument('stats_file', help='<output>.stats.json written by python -m openpifpaf.eval')
    args = parser.parse_args()
    with open(args.stats_file, encoding='utf-8') as f:
        print(format_table(json.load(f)))
