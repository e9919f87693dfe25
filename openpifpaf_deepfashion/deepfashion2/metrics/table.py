"""The human-readable table of ``DeepFashion2Metric.stats()`` (also of an eval's ``.stats.json``): AP, NE, the
per-category breakdown and the multi-garment table."""
from .. import constants
from ...deepfashion.metrics.table import format_value
from .coco_ap import BOX_LABELS, KEYPOINT_LABELS
from .multi_garment import FIGURES, GROUPS, READING_NAMES, READINGS


def _cell(label, value, width=9):
    return '{:>{}s}'.format('-' if value is None else format_value(label, value), width)


def _figures(values, prefix, labels):
    return [('  {:<10s}'.format(prefix.strip()) + ''.join('{:>9s}'.format(label) for label in labels)),
            '  {:<10s}'.format('') + ''.join(_cell(prefix + label, values.get(prefix + label)) for label in labels)]


def per_category_lines(values):
    header = '  {:<22s}{:>9s}{:>9s}{:>9s}{:>9s}{:>9s}'.format('category', 'kp AP', 'box AP', 'NE', 'n', 'matched')
    lines = [header]
    for name in constants.CATEGORY_NAMES:
        if not values.get('n ' + name):
            continue
        lines.append('  {:<22s}'.format(name) + _cell('AP', values.get('kp AP ' + name))
                     + _cell('AP', values.get('box AP ' + name)) + _cell('NE', values.get('NE ' + name))
                     + _cell('n', values.get('n ' + name)) + _cell('n', values.get('n matched ' + name)))
    return lines if len(lines) > 1 else []


def multi_garment_lines(values):
    """The multi-garment table: one line per garments-per-image group and reading."""
    header = '  {:<10s}{:<32s}{:>8s}{:>9s}'.format('per image', 'reading', 'images', 'garments')
    header += ''.join('{:>16s}'.format(figure) for figure in FIGURES)
    lines = []
    for group in GROUPS:
        n_images = values.get('n multi {} images'.format(group))
        if not n_images:
            continue
        for reading in READINGS:
            n_garments = int(values['n multi {} garments'.format(group)])
            line = '  {:<10s}{:<32s}{:>8d}{:>9d}'.format(group, READING_NAMES[reading], int(n_images), n_garments)
            for figure in FIGURES:
                line += _cell(figure, values.get('multi {} {} {}'.format(group, reading, figure)), 16)
            lines.append(line)
    if not lines:
        return []
    return ['multi-garment images (2+ garments): recall = same category and box IoU >= 0.5', header] + lines


def format_table(stats):
    values = dict(zip(stats['text_labels'], stats['stats']))
    lines = ['DeepFashion2: keypoint AP (OKS with DeepFashion2 sigmas, per category), box AP, normalized error']
    lines += _figures(values, 'kp ', KEYPOINT_LABELS) + _figures(values, 'box ', BOX_LABELS)
    lines += ['  {:<12s}'.format(label) + _cell(label, values.get(label))
              for label in ('NE avg', 'NE pooled', 'NE cat mean') if label in values]
    category_lines = per_category_lines(values)
    if category_lines:
        lines += [''] + category_lines
    multi_lines = multi_garment_lines(values)
    if multi_lines:
        lines += [''] + multi_lines
    counts = ('n images', 'n images unknown', 'n garments', 'n matched', 'n predictions')
    lines += [''] + ['  {:<22s}{}'.format(label, _cell(label, values[label])) for label in counts if label in values]
    return '\n'.join(lines)
