"""Time the DeepFashion -> COCO converter on a synthetic root the size of Category & Attribute.

Writes, in a temporary folder that is removed afterwards, a root in the genuine layout: 289,222 rows in
Anno/list_landmarks.txt, list_bbox.txt, list_category_img.txt, list_category_cloth.txt, list_attr_cloth.txt,
list_attr_img.txt (1000 values per row) and Eval/list_eval_partition.txt, padded like the genuine files, and
one tiny JPEG per row under img/<Product_Name_Category>/.  The JPEGs are hard links to 8 source files of
different sizes (a copy where linking fails), but the converter still opens every one of them to read its
size.  Then it runs the converter three times, each in its own process, and prints wall time and peak RSS
(resource.getrusage; the image-size workers are separate processes and reported separately)::

    python tools/benchmark_converter.py                 # 289,222 rows
    python tools/benchmark_converter.py --rows 20000    # quicker

Runs: without a size cache; with a size cache that does not exist yet (sizes read, cache written); with
that cache (no image opened).
"""
import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from openpifpaf_deepfashion.deepfashion import constants  # noqa: E402  (after the path set-up for an uninstalled checkout)

CA_ROWS = 289222
N_ATTRIBUTES = 1000
IMAGE_SIZES = [(300, 300), (300, 264), (300, 220), (240, 300), (205, 300), (300, 251), (266, 300), (300, 199)]
IMAGES_PER_FOLDER = 52  # about 289,222 / 5,620 product folders in the genuine img/


def write_source_images(directory):
    os.makedirs(directory)
    paths = []
    for i, (w, h) in enumerate(IMAGE_SIZES):
        path = os.path.join(directory, 'source_{}.jpg'.format(i))
        Image.new('RGB', (w, h), (40 + 20 * i, 90, 140)).save(path, quality=30)
        paths.append(path)
    return paths


def image_name(i):
    folder = i // IMAGES_PER_FOLDER
    category = constants.CATEGORY_NAMES[folder % len(constants.CATEGORIES)]
    return 'img/Synthetic_Product_{:05d}_{}/img_{:08d}.jpg'.format(folder, category, i % IMAGES_PER_FOLDER + 1)


def link_images(root, names, sources):
    """One file per name, hard-linked to a source (sizes cycle through IMAGE_SIZES); returns size per name."""
    made = set()
    sizes = []
    for i, name in enumerate(names):
        path = os.path.join(root, name)
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder)
            made.add(folder)
        k = i % len(sources)
        try:
            os.link(sources[k], path)
        except OSError:
            shutil.copyfile(sources[k], path)
        sizes.append(IMAGE_SIZES[k])
    return sizes


def landmark_columns(clothes_type, size, rng):
    """Row text after the name: clothes_type then (visibility x y) triples, zero-padded like the genuine file."""
    w, h = size
    triples = []
    for _ in constants.SLOTS[clothes_type]:
        visibility = rng.choices((0, 1, 2), weights=(80, 12, 8))[0]
        x, y = (rng.randrange(w), rng.randrange(h)) if visibility != 2 else (rng.randrange(400), rng.randrange(400))
        triples.append('{} {:03d} {:03d}'.format(visibility, x, y))
    return '{}  {} '.format(clothes_type, '  '.join(triples))


def box_columns(size, rng):
    w, h = size
    x1, y1 = rng.randrange(w // 3), rng.randrange(h // 3)
    return '{:03d} {:03d} {:03d} {:03d}'.format(x1, y1, rng.randrange(x1 + 1, w + 1), rng.randrange(y1 + 1, h + 1))


def attribute_rows(rng, variants=64):
    """A few 1000-value attribute rows (mostly -1, a handful of 1) reused across images."""
    rows = []
    for _ in range(variants):
        values = ['-1'] * N_ATTRIBUTES
        for position in rng.sample(range(N_ATTRIBUTES), rng.randrange(1, 8)):
            values[position] = ' 1'
        rows.append(' '.join(values))
    return rows


def write_list(path, header, rows, count):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('{}\n{}\n'.format(count, header))
        f.writelines(rows)


def write_root(root, n_rows, attributes=True, seed=1):
    """The synthetic Category & Attribute root; returns the number of images per split."""
    rng = random.Random(seed)
    names = [image_name(i) for i in range(n_rows)]
    sizes = link_images(root, names, write_source_images(os.path.join(root, 'sources')))
    labels = [(i // IMAGES_PER_FOLDER) % len(constants.CATEGORIES) + 1 for i in range(n_rows)]
    splits = ['train' if r < 0.7234 else 'val' if r < 0.8617 else 'test' for r in (rng.random() for _ in names)]
    anno = os.path.join(root, 'Anno')
    landmark_header = '  '.join(['image_name', 'clothes_type'] + [
        'landmark_visibility_{0}  landmark_location_x_{0}  landmark_location_y_{0}'.format(i) for i in range(1, 9)])
    write_list(os.path.join(anno, 'list_landmarks.txt'), landmark_header, (
        '{:<72}{}\n'.format(name, landmark_columns(constants.category_type(label), size, rng))
        for name, label, size in zip(names, labels, sizes)), n_rows)
    write_list(os.path.join(anno, 'list_bbox.txt'), 'image_name  x_1  y_1  x_2  y_2', (
        '{} {}\n'.format(name, box_columns(size, rng)) for name, size in zip(names, sizes)), n_rows)
    write_list(os.path.join(anno, 'list_category_img.txt'), 'image_name  category_label', (
        '{:<71}{}\n'.format(name, label) for name, label in zip(names, labels)), n_rows)
    write_list(os.path.join(anno, 'list_category_cloth.txt'), 'category_name  category_type', (
        '{:<15}{}\n'.format(name, clothes_type) for name, clothes_type in constants.CATEGORIES),
        len(constants.CATEGORIES))
    write_list(os.path.join(root, 'Eval', 'list_eval_partition.txt'), 'image_name  evaluation_status', (
        '{:<71}{}\n'.format(name, split) for name, split in zip(names, splits)), n_rows)
    if attributes:
        write_list(os.path.join(anno, 'list_attr_cloth.txt'), 'attribute_name  attribute_type', (
            '{:<29}{}\n'.format('synthetic attribute {}'.format(i), i % 5 + 1) for i in range(N_ATTRIBUTES)),
            N_ATTRIBUTES)
        variants = attribute_rows(rng)
        write_list(os.path.join(anno, 'list_attr_img.txt'), 'image_name  attribute_labels', (
            '{:<71}{}\n'.format(name, variants[i % len(variants)]) for i, name in enumerate(names)), n_rows)
    return {split: splits.count(split) for split in ('train', 'val', 'test')}


def measure_once(root, output_dir, size_cache, workers):
    """Run the converter in this process; print wall time and peak RSS as json (used by run_measured)."""
    from openpifpaf_deepfashion.deepfashion.converter import convert
    start = time.perf_counter()
    result = convert(root, output_dir, size_cache=size_cache, progress=False, workers=workers)
    wall = time.perf_counter() - start
    print(json.dumps({
        'wall_s': wall,
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'worker_peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        'images': result.summary['images'],
        'sizes_read': result.summary['sizes_read'],
        'sizes_cached': result.summary['sizes_cached'],
    }))


def run_child(*arguments):
    """Run this script with hidden arguments in a fresh process and return the json on its last line.

    Each step runs in its own process so that no figure includes another step's memory: getrusage's
    ru_maxrss also counts what a process held before exec, so this parent stays small.
    """
    command = [sys.executable, os.path.abspath(__file__)] + [str(a) for a in arguments]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rows', type=int, default=CA_ROWS)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--no-attributes', dest='attributes', action='store_false',
                        help='leave out list_attr_img.txt (about 0.9 GB at 289,222 rows)')
    parser.add_argument('--tmp-dir', default=None, help='parent of the temporary root (default: system temp)')
    parser.add_argument('--write-root', metavar='ROOT', help=argparse.SUPPRESS)
    parser.add_argument('--measure', nargs=3, metavar=('ROOT', 'OUTPUT_DIR', 'SIZE_CACHE'), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_root:
        print(json.dumps(write_root(args.write_root, args.rows, attributes=args.attributes)))
        return
    if args.measure:
        root, output_dir, size_cache = args.measure
        measure_once(root, output_dir, size_cache or None, args.workers)
        return

    run(args.rows, workers=args.workers, attributes=args.attributes, tmp_dir=args.tmp_dir)


def run(rows, workers=2, attributes=True, tmp_dir=None, report=print):
    """Write the synthetic root, time the three converter runs (each in its own process), remove it all.

    Calls ``report`` with a line per step; returns {'rows', 'write_s', 'runs': [{'label', 'wall_s',
    'peak_rss_mb', 'worker_peak_rss_mb', 'images', 'sizes_read', 'sizes_cached'}, ...]}.
    """
    work = tempfile.mkdtemp(prefix='deepfashion-benchmark-', dir=tmp_dir)
    result = {'rows': rows, 'attributes': attributes, 'workers': workers, 'runs': []}
    try:
        root = os.path.join(work, 'DeepFashion')
        start = time.perf_counter()
        no_attributes = [] if attributes else ['--no-attributes']
        expected = run_child('--write-root', root, '--rows', rows, *no_attributes)
        result['write_s'] = time.perf_counter() - start
        report('synthetic root: {} rows{}, {} ({:.1f} s to write)'.format(
            rows, ' with list_attr_img.txt' if attributes else '', expected, result['write_s']))
        cache = os.path.join(work, 'sizes.tsv')
        runs = [('no size cache', ''), ('size cache, cold (sizes read, cache written)', cache),
                ('size cache, warm (no image opened)', cache)]
        for label, size_cache in runs:
            output_dir = os.path.join(work, 'out')
            figures = run_child('--measure', root, output_dir, size_cache, '--workers', workers)
            assert figures['images'] == expected, (figures['images'], expected)
            report('{:<46} wall {:5.1f} s   peak RSS {:5.0f} MB (main), {:4.0f} MB (largest size worker);'
                   ' sizes read {}, cached {}'.format(label, figures['wall_s'], figures['peak_rss_mb'],
                                                      figures['worker_peak_rss_mb'], figures['sizes_read'],
                                                      figures['sizes_cached']))
            result['runs'].append({'label': label, **figures})
            shutil.rmtree(output_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


if __name__ == '__main__':
    main()
