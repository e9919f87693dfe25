"""Convert a DeepFashion root (Category & Attribute or FLD benchmark) to COCO keypoint json, one file per split.

The benchmark is detected from Anno/list_landmarks.txt itself (row layout and header).  Everything is
parsed and checked first (list files joined by image name, image sizes read from the image files,
landmarks and boxes inside their image); only then are ``<output-dir>/deepfashion_{split}.json`` written,
so that bad input leaves no output file at all.  Usage::

    python -m openpifpaf_deepfashion.deepfashion.converter --root data/DeepFashion --output-dir data/coco \\
        --size-cache data/deepfashion_sizes.tsv

A malformed input prints one ``path:line: problem`` message and exits with status 1.
"""
import argparse
import collections
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time

from PIL import Image

from .. import atomic
from . import coco_format, constants
from . import list_files as files
from .list_files import DeepFashionFormatError

OUTPUT_NAME = 'deepfashion_{}.json'


class Progress:
    """A one-line progress bar on stderr, redrawn at each new percent; disabled, it does nothing."""

    def __init__(self, label, enabled=True, stream=None):
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._percent = None

    def __call__(self, done, total):
        if not self.enabled:
            return
        percent = 100 * done // total if total else 100
        if percent != self._percent:
            self._percent = percent
            self.stream.write('\r{}: {:3d}% ({}/{})'.format(self.label, percent, done, total))
            if done >= total:
                self.stream.write('\n')
            self.stream.flush()


class Dataset:
    """The parsed and cross-checked list files of one DeepFashion root."""

    def __init__(self, root, landmarks, boxes, partition, categories=None, attributes=None):
        self.root = root
        self.landmarks = landmarks
        self.boxes = boxes
        self.partition = partition
        self.categories = categories
        self.attributes = attributes

    @property
    def benchmark(self):
        return self.landmarks.benchmark

    def rows_of(self, splits):
        """(image id, landmark row) of the requested splits, in image id order."""
        entries = self.partition.entries
        return [(position + 1, row) for position, row in enumerate(self.landmarks.rows)
                if entries[row.name].value in splits]


class ConversionResult(dict):
    """split -> written json path, with ``summary`` (a dict, see :func:`format_summary`)."""

    def __init__(self, paths, summary):
        super().__init__(paths)
        self.summary = summary


def read_dataset(root, progress=False):
    """Parse every list file of a DeepFashion root and check that they agree (joined by image name)."""
    def path(name):
        return os.path.join(root, name)

    def bar(name):
        return Progress('reading ' + name, progress)

    for name in files.REQUIRED_FILES:
        files.check_exists(path(name))
    landmarks = files.parse_landmarks(path(files.LANDMARKS), bar(files.LANDMARKS))
    boxes = files.parse_bbox(path(files.BBOX), bar(files.BBOX))
    files.check_same_images(landmarks, boxes)
    check_box_types(landmarks, boxes)
    partition = files.parse_partition(path(files.PARTITION), bar(files.PARTITION))
    files.check_same_images(landmarks, partition)
    if files.check_exists(path(files.CATEGORY_CLOTH), required=False):
        files.parse_category_cloth(path(files.CATEGORY_CLOTH))
    categories = None
    if files.check_exists(path(files.CATEGORY_IMG), required=False):
        categories = files.parse_category_img(path(files.CATEGORY_IMG), bar(files.CATEGORY_IMG))
        files.check_same_images(landmarks, categories)
    n_attributes = None
    if files.check_exists(path(files.ATTR_CLOTH), required=False):
        n_attributes = len(files.parse_attr_cloth(path(files.ATTR_CLOTH)))
    attributes = None
    if files.check_exists(path(files.ATTR_IMG), required=False):
        attributes = files.parse_attr_img(path(files.ATTR_IMG), n_attributes, bar(files.ATTR_IMG))
        files.check_same_images(landmarks, attributes)
    return Dataset(root, landmarks, boxes, partition, categories, attributes)


def check_box_types(landmarks, boxes):
    """FLD's list_bbox.txt repeats clothes_type: it must agree with list_landmarks.txt."""
    if boxes.layout == files.CATEGORY:
        return
    for row in landmarks.rows:
        box = boxes.entries[row.name]
        if box.clothes_type != row.clothes_type:
            message = 'clothes_type {} of {} disagrees with {}:{} ({})'
            raise DeepFashionFormatError(boxes.path, box.line, message.format(
                box.clothes_type, row.name, landmarks.path, row.line, row.clothes_type))


def image_size(path):
    """(width, height) from the image header, or a string saying why it cannot be read."""
    try:
        with Image.open(path) as image:
            return image.size
    except FileNotFoundError:
        return 'image file {} does not exist'.format(path)
    except Exception as error:  # PIL raises many kinds for a bad file: report them all as unreadable
        return 'cannot read image file {}: {}'.format(path, error)


class SizeReader:
    """Reads image sizes in a pool of ``workers`` processes, forked when this is created.

    Create it before parsing the list files: the workers then start as small copies of this process
    and need no re-import of ``__main__`` (a script calling :func:`convert` needs no main guard).
    """

    def __init__(self, workers=2):
        self.pool = None
        if workers > 1 and 'fork' in multiprocessing.get_all_start_methods():
            self.pool = multiprocessing.get_context('fork').Pool(workers)
        self.workers = workers

    def sizes(self, paths, progress=None):
        """Yield image_size(path) for each path, in order."""
        total = len(paths)
        if self.pool is None:
            results = map(image_size, paths)
        else:
            results = self.pool.imap(image_size, paths, chunksize=max(1, min(1024, total // (8 * self.workers))))
        for done, result in enumerate(results, 1):
            if progress is not None and (done % 1024 == 0 or done == total):
                progress(done, total)
            yield result

    def close(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def load_size_cache(path):
    """name -> (width, height) from a size cache (.json: {name: [w, h]}; otherwise tsv: name, w, h)."""
    if path is None or not os.path.exists(path):
        return {}
    if path.endswith('.json'):
        try:
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
            return {name: (int(w), int(h)) for name, (w, h) in data.items()}
        except (ValueError, TypeError, AttributeError) as error:
            raise DeepFashionFormatError(path, None, 'not a size cache ({{name: [width, height]}}): {}'.format(
                error)) from None
    sizes = {}
    with open(path, 'rb') as f:
        for number, raw in enumerate(f, 1):
            tokens = raw.split(b'\t')
            try:
                name, width, height = tokens[0].decode('utf-8'), int(tokens[1]), int(tokens[2])
            except (IndexError, ValueError):
                raise DeepFashionFormatError(path, number, 'expected image_name<TAB>width<TAB>height') from None
            sizes[name] = (width, height)
    return sizes


def save_size_cache(path, sizes):
    """Write the size cache atomically (same format rules as load_size_cache)."""
    with atomic.atomic_open(path) as f:
        if path.endswith('.json'):
            json.dump({name: list(size) for name, size in sizes.items()}, f)
        else:
            f.writelines('{}\t{}\t{}\n'.format(name, w, h) for name, (w, h) in sizes.items())


def image_sizes(dataset, rows, cached, reader, progress=False):
    """name -> (width, height) for the rows: from ``cached`` where present, else read from the image file.

    Returns (sizes, number read from files).  A missing or unreadable image raises, naming the line of
    list_landmarks.txt that names it.
    """
    sizes = {}
    to_read = []
    for _, row in rows:
        size = cached.get(row.name)
        if size is None:
            to_read.append(row)
        else:
            sizes[row.name] = size
    paths = [os.path.join(dataset.root, row.name) for row in to_read]
    results = reader.sizes(paths, Progress('reading image sizes', progress))
    for row, result in zip(to_read, results):
        if isinstance(result, str):
            raise DeepFashionFormatError(dataset.landmarks.path, row.line, 'image {}: {}'.format(row.name, result))
        sizes[row.name] = result
    return sizes, len(to_read)


def check_inside_images(dataset, rows, sizes):
    """Visible and occluded landmarks, and boxes, must lie in their image (0 <= x <= width, same for y)."""
    boxes = dataset.boxes
    for _, row in rows:
        width, height = sizes[row.name]
        landmarks = row.landmarks
        for i in range(0, len(landmarks), 3):
            visibility, x, y = landmarks[i:i + 3]
            if visibility != 2 and not (0 <= x <= width and 0 <= y <= height):
                raise DeepFashionFormatError(
                    dataset.landmarks.path, row.line, 'landmark {} at ({}, {}) is outside the {}x{} image {}'.format(
                        i // 3 + 1, x, y, width, height, row.name))
        box = boxes.entries[row.name]
        if not (0 <= box.x1 and box.x2 <= width and 0 <= box.y1 and box.y2 <= height):
            message = 'box ({}, {}, {}, {}) is outside the {}x{} image {}'
            raise DeepFashionFormatError(boxes.path, box.line, message.format(
                box.x1, box.y1, box.x2, box.y2, width, height, row.name))


def slot_keypoints(row):
    """The 8 COCO (x, y, visibility) slots of a landmark row; slots the clothes type lacks are (0, 0, 0)."""
    keypoints = [(0, 0, 0)] * len(constants.KEYPOINTS)
    landmarks = row.landmarks
    for i, slot in enumerate(constants.SLOTS[row.clothes_type]):
        visibility, x, y = landmarks[3 * i:3 * i + 3]
        keypoints[slot] = (x, y, constants.DEEPFASHION_TO_COCO_VISIBILITY[visibility])
    return keypoints


def coco_for_split(dataset, rows, sizes, split, skeleton='B'):
    """The COCO document of one split (rows: (image id, landmark row) of that split)."""
    images = []
    annotations = []
    boxes = dataset.boxes.entries
    categories = dataset.categories.entries if dataset.categories is not None else None
    attributes = dataset.attributes.entries if dataset.attributes is not None else None
    for image_id, row in rows:
        width, height = sizes[row.name]
        images.append(coco_format.image_entry(image_id, row.name, width, height))
        box = boxes[row.name]
        if categories is not None:
            category_id = categories[row.name].value
        else:
            category_id = coco_format.GENERIC_CATEGORY_IDS[row.clothes_type]
        annotations.append(coco_format.annotation_entry(
            image_id, image_id, category_id, row.clothes_type, slot_keypoints(row), (box.x1, box.y1, box.x2, box.y2),
            variation_type=row.variation_type,
            attribute_ids=attributes[row.name].value if attributes is not None else None))
    info = {
        'description': 'DeepFashion {} benchmark, {} split, converted by openpifpaf_deepfashion'.format(
            files.BENCHMARK_NAMES[dataset.benchmark], split),
        'benchmark': dataset.benchmark,
        'split': split,
    }
    return coco_format.coco_document(images, annotations, skeleton=skeleton, info=info)


def write_splits(dataset, rows_by_split, sizes, output_dir, skeleton):
    """Write every split's json into a staging folder, then move them all into output_dir.

    A failure while writing removes the staging folder: no split's file appears.
    """
    os.makedirs(output_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix='.deepfashion-staging-', dir=output_dir)
    try:
        staged = {}
        for split, rows in rows_by_split.items():
            staged[split] = os.path.join(staging, OUTPUT_NAME.format(split))
            document = coco_for_split(dataset, rows, sizes, split, skeleton)
            coco_format.write_json_atomic(staged[split], document)
            del document
        paths = {}
        for split, staged_path in staged.items():
            paths[split] = os.path.join(output_dir, OUTPUT_NAME.format(split))
            os.replace(staged_path, paths[split])
        return paths
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def convert(root, output_dir, splits=files.SPLITS, skeleton='B', size_cache=None, progress=False, workers=2):
    """Convert a DeepFashion root to ``output_dir/deepfashion_{split}.json``.

    Returns a :class:`ConversionResult`: split -> path, and ``.summary``.  Raises
    DeepFashionFormatError, before writing anything, on malformed input.
    """
    start = time.time()
    splits = tuple(dict.fromkeys(splits))
    unknown = [split for split in splits if split not in files.SPLITS]
    if unknown or skeleton not in constants.SKELETONS:
        raise ValueError('splits must be among {} and skeleton among {}, got {} and {!r}'.format(
            files.SPLITS, tuple(constants.SKELETONS), splits, skeleton))
    with SizeReader(workers) as reader:
        dataset = read_dataset(root, progress)
        rows = dataset.rows_of(splits)
        cached = load_size_cache(size_cache)
        sizes, n_read = image_sizes(dataset, rows, cached, reader, progress)
    check_inside_images(dataset, rows, sizes)

    rows_by_split = {split: [] for split in splits}
    for image_id, row in rows:
        rows_by_split[dataset.partition.entries[row.name].value].append((image_id, row))
    paths = write_splits(dataset, rows_by_split, sizes, output_dir, skeleton)
    if size_cache is not None and n_read:
        cached.update(sizes)
        save_size_cache(size_cache, cached)
    return ConversionResult(paths, summarize(dataset, rows_by_split, n_read, len(rows) - n_read, time.time() - start))


def summarize(dataset, rows_by_split, n_read, n_cached, seconds):
    """Counts for the final report."""
    garments = collections.Counter()
    type_mismatches = 0
    categories = dataset.categories.entries if dataset.categories is not None else None
    for rows in rows_by_split.values():
        for _, row in rows:
            garments[constants.CLOTHES_TYPES[row.clothes_type]] += 1
            if categories is not None and constants.category_type(categories[row.name].value) != row.clothes_type:
                type_mismatches += 1
    return {
        'benchmark': dataset.benchmark,
        'header_layout': dataset.landmarks.header_layout,
        'images': {split: len(rows) for split, rows in rows_by_split.items()},
        'garments': {name: garments[name] for name in constants.CLOTHES_TYPES.values()},
        'categories': dataset.categories is not None,
        'category_type_mismatches': type_mismatches,
        'attributes': dataset.attributes is not None,
        'sizes_read': n_read,
        'sizes_cached': n_cached,
        'seconds': seconds,
    }


def format_summary(summary, paths=None):
    """A few lines for the console."""
    lines = ['benchmark detected: {} ({})'.format(files.BENCHMARK_NAMES[summary['benchmark']], summary['benchmark'])]
    if summary['header_layout'] != summary['benchmark']:
        lines[0] += '; the header names the columns of {}, the rows do not'.format(
            files.BENCHMARK_NAMES[summary['header_layout']])
    for split, n in summary['images'].items():
        lines.append('{}: {} images{}'.format(split, n, ' -> ' + paths[split] if paths else ''))
    lines.append('garments: ' + ', '.join('{} {}'.format(n, name) for name, n in summary['garments'].items()))
    extras = []
    extras.append('category labels' if summary['categories'] else 'generic categories (no list_category_img.txt)')
    if summary['attributes']:
        extras.append('attributes')
    if summary['category_type_mismatches']:
        extras.append('{} garments whose category type differs from their clothes_type'.format(
            summary['category_type_mismatches']))
    lines.append('; '.join(extras))
    lines.append('image sizes: {} read from files, {} from the size cache; {:.1f} s'.format(
        summary['sizes_read'], summary['sizes_cached'], summary['seconds']))
    return '\n'.join(lines)


def cli(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m openpifpaf_deepfashion.deepfashion.converter',
        description='Convert DeepFashion (Category & Attribute or FLD) to COCO keypoint json.')
    parser.add_argument('--root', required=True, help='DeepFashion root (holding Anno/, Eval/ and img/)')
    parser.add_argument('--output-dir', required=True, help='where deepfashion_{split}.json are written')
    parser.add_argument('--splits', nargs='+', choices=files.SPLITS, default=list(files.SPLITS))
    parser.add_argument('--skeleton', choices=sorted(constants.SKELETONS), default='B')
    parser.add_argument('--size-cache', default=None,
                        help='tsv (or .json) of image_name -> width height: read if it exists, written after reading')
    parser.add_argument('--workers', type=int, default=2, help='processes that read image sizes')
    parser.add_argument('--no-progress', dest='progress', action='store_false', help='no progress bar on stderr')
    return parser.parse_args(argv)


def main(argv=None):
    args = cli(argv)
    try:
        paths = convert(args.root, args.output_dir, splits=args.splits, skeleton=args.skeleton,
                        size_cache=args.size_cache, progress=args.progress, workers=args.workers)
    except DeepFashionFormatError as error:
        print('error: {}'.format(error), file=sys.stderr)
        return 1
    print(format_summary(paths.summary, paths))
    return 0


if __name__ == '__main__':
    sys.exit(main())
