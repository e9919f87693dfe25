"""Convert raw DeepFashion2 (``<split>/image/*.jpg`` + ``<split>/annos/*.json``) to COCO keypoint json.

ROOT holds the split folders as DeepFashion2 ships them (``train/``, ``validation/``, ``test/``; any other
folder with an ``image/`` inside counts too), or is one split folder itself.  Each split becomes
``<output-dir>/deepfashion2_<split>.json``: one annotation per garment with its 294-slot keypoints, category,
COCO box [x, y, w, h], area (w * h, as DeepFashion2's own conversion), segmentation, style, scale, occlusion,
zoom_in, viewpoint, pair_id, source and item number.  Image ids are the file numbers (000001.jpg -> 1).
A split without ``annos/`` (DeepFashion2's test split) gets its images only.  Usage::

    python -m openpifpaf_deepfashion.deepfashion2.converter --root data/DeepFashion2 --output-dir data/coco

Files are read by a pool of worker processes (json parsed and checked, image size read from the JPEG header);
the main process streams the annotations into a staging folder and moves every split's file into place only
when all of them are complete, so bad input leaves no output file.  A malformed input prints one
``file: item: field: problem`` message and exits with status 1.
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

from . import annos, constants
from .annos import DeepFashion2FormatError
from ..deepfashion.converter import Progress

OUTPUT_NAME = 'deepfashion2_{}.json'
KNOWN_SPLITS = ('train', 'validation', 'test')
IMAGE_DIR, ANNOS_DIR = 'image', 'annos'
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png')

#: One file to convert: image id, annos path (None for a split without annos) and image path.
Entry = collections.namedtuple('Entry', 'image_id annos_path image_path')


def categories():
    """COCO ``categories``: the 13 garments, each with the 294 slot names and its own skeleton (1-based slots)."""
    result = []
    for c in constants.CATEGORY_IDS:
        start = constants.SLOT_RANGES[c][0]
        result.append({
            'id': c, 'name': constants.CATEGORY_NAMES[c - 1], 'supercategory': 'clothes',
            'keypoints': constants.KEYPOINTS,
            'skeleton': [[start + a, start + b] for a, b in constants.SKELETONS[c]],
        })
    return result


def find_splits(root, splits=None):
    """[(split name, folder)]: the requested splits, else every split folder under root (or root itself)."""
    if not os.path.isdir(root):
        raise DeepFashion2FormatError(root, 'the root folder does not exist')
    if os.path.isdir(os.path.join(root, IMAGE_DIR)):
        found = [(os.path.basename(os.path.normpath(root)), root)]
    else:
        names = sorted(name for name in os.listdir(root) if os.path.isdir(os.path.join(root, name, IMAGE_DIR)))
        names.sort(key=lambda name: (KNOWN_SPLITS.index(name) if name in KNOWN_SPLITS else len(KNOWN_SPLITS)))
        found = [(name, os.path.join(root, name)) for name in names]
    if splits:
        by_name = dict(found)
        for split in splits:
            if split not in by_name:
                raise DeepFashion2FormatError(os.path.join(root, split, IMAGE_DIR), 'no such split folder')
        found = [(split, by_name[split]) for split in splits]
    if not found:
        raise DeepFashion2FormatError(root, 'no split folder with an {}/ folder inside'.format(IMAGE_DIR))
    return found


def _stems(folder, extensions):
    """stem -> file name of the files in folder with one of the extensions (case-insensitive)."""
    result = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            stem, extension = os.path.splitext(entry.name)
            if extension.lower() in extensions and not entry.name.startswith('.'):
                if stem in result:
                    raise DeepFashion2FormatError(os.path.join(folder, entry.name), 'a second file named {}'.format(
                        stem))
                result[stem] = entry.name
    return result


def image_ids(stems):
    """stem -> image id: the number itself when every stem is a distinct number, else the 1-based position."""
    numbers = [int(stem) for stem in stems if stem.isdigit()]
    if len(numbers) == len(stems) and len(set(numbers)) == len(numbers):
        return {stem: int(stem) for stem in stems}
    return {stem: i for i, stem in enumerate(stems, 1)}


def list_split(folder):
    """(entries, images without annos): one Entry per annos file (per image without annos/), stem order."""
    image_dir = os.path.join(folder, IMAGE_DIR)
    images = _stems(image_dir, IMAGE_EXTENSIONS)
    annos_dir = os.path.join(folder, ANNOS_DIR)
    if not os.path.isdir(annos_dir):
        stems = sorted(images)
        ids = image_ids(stems)
        return [Entry(ids[stem], None, os.path.join(image_dir, images[stem])) for stem in stems], 0
    annotated = _stems(annos_dir, ('.json',))
    stems = sorted(annotated)
    ids = image_ids(stems)
    entries = [Entry(ids[stem], os.path.join(annos_dir, annotated[stem]),
                     os.path.join(image_dir, images.get(stem, stem + '.jpg'))) for stem in stems]
    return entries, len(set(images) - set(annotated))


def convert_entry(entry):
    """Worker: (image text, annotation tails, category ids), or the DeepFashion2FormatError it raised."""
    try:
        if entry.annos_path is None:
            try:
                width, height = annos.image_size(entry.image_path)
            except Exception as error:  # PIL raises many kinds for a bad file
                raise DeepFashion2FormatError(entry.image_path, 'cannot read the image: {}'.format(error)) from None
            return annos.image_entry(entry.image_id, entry.image_path, width, height), [], []
        return annos.convert_file(entry.annos_path, entry.image_path, entry.image_id)
    except DeepFashion2FormatError as error:
        return error


class Workers:
    """Maps convert_entry over entries in ``n`` forked processes (in this process when n <= 1)."""

    def __init__(self, n):
        self.n = n
        self.pool = None
        if n > 1 and 'fork' in multiprocessing.get_all_start_methods():
            self.pool = multiprocessing.get_context('fork').Pool(n)

    def map(self, entries):
        if self.pool is None:
            return map(convert_entry, entries)
        chunksize = max(1, min(256, len(entries) // (16 * self.n)))
        return self.pool.imap(convert_entry, entries, chunksize=chunksize)

    def close(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def write_split(path, split, entries, workers, progress):
    """Stream one split's COCO json into path; returns its counts."""
    counts = {'images': 0, 'garments': 0, 'categories': collections.Counter(), 'multi_garment_images': 0}
    images = []
    annotation_id = 1
    total = len(entries)
    info = {'description': 'DeepFashion2 {} split, converted by openpifpaf_deepfashion'.format(split),
            'split': split, 'slots': constants.N_SLOTS}
    with open(path, 'w', encoding='utf-8') as f:
        f.write('{{"info":{},"categories":{},"annotations":['.format(
            json.dumps(info), json.dumps(categories(), separators=(',', ':'))))
        separator = '\n'
        for done, result in enumerate(workers.map(entries), 1):
            if isinstance(result, Exception):
                raise result
            image, tails, category_ids = result
            images.append(image)
            for tail in tails:
                f.write('{}{{"id":{}{}'.format(separator, annotation_id, tail))
                separator = ',\n'
                annotation_id += 1
            counts['categories'].update(category_ids)
            counts['multi_garment_images'] += len(tails) > 1
            if done % 1024 == 0 or done == total:
                progress(done, total)
        f.write('\n],"images":[\n')
        f.write(',\n'.join(images))
        f.write('\n]}\n')
    counts['images'] = len(images)
    counts['garments'] = annotation_id - 1
    return counts


def convert(root, output_dir, splits=None, progress=False, workers=None):
    """Convert every split of a DeepFashion2 root; returns {split: path} and a summary dict.

    Raises DeepFashion2FormatError, leaving no output file, on malformed input."""
    start = time.time()
    workers = workers or min(8, os.cpu_count() or 1)
    found = find_splits(root, splits)
    listed = [(split, list_split(folder)) for split, folder in found]
    os.makedirs(output_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix='.deepfashion2-staging-', dir=output_dir)
    summary = {'splits': {}, 'seconds': None}
    try:
        staged = {}
        with Workers(workers) as pool:
            for split, (entries, unannotated) in listed:
                staged[split] = os.path.join(staging, OUTPUT_NAME.format(split))
                counts = write_split(staged[split], split, entries, pool,
                                     Progress('converting ' + split, progress))
                counts['images_without_annos'] = unannotated
                counts['annotated'] = not entries or entries[0].annos_path is not None
                summary['splits'][split] = counts
        paths = {}
        for split, staged_path in staged.items():
            paths[split] = os.path.join(output_dir, OUTPUT_NAME.format(split))
            os.replace(staged_path, paths[split])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary['seconds'] = time.time() - start
    return paths, summary


def format_summary(paths, summary):
    """A few lines for the console."""
    lines = []
    for split, counts in summary['splits'].items():
        line = '{}: {} images, {} garments ({} images with 2+) -> {}'.format(
            split, counts['images'], counts['garments'], counts['multi_garment_images'], paths[split])
        if not counts['annotated']:
            line += ' (no annos/: images only)'
        if counts['images_without_annos']:
            line += '; {} images without an annos file left out'.format(counts['images_without_annos'])
        lines.append(line)
        if counts['garments']:
            lines.append('  ' + ', '.join('{} {}'.format(counts['categories'][c], constants.CATEGORY_NAMES[c - 1])
                                          for c in constants.CATEGORY_IDS if counts['categories'][c]))
    lines.append('{:.1f} s'.format(summary['seconds']))
    return '\n'.join(lines)


def cli(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m openpifpaf_deepfashion.deepfashion2.converter',
        description='Convert raw DeepFashion2 (image/ + annos/ per split) to COCO keypoint json.')
    parser.add_argument('--root', required=True, help='DeepFashion2 root (train/, validation/, test/) or one split')
    parser.add_argument('--output-dir', required=True, help='where deepfashion2_<split>.json are written')
    parser.add_argument('--splits', nargs='+', default=None, help='split folders to convert (default: all found)')
    parser.add_argument('--workers', type=int, default=None, help='worker processes (default: CPU count, max 8)')
    parser.add_argument('--no-progress', dest='progress', action='store_false', help='no progress bar on stderr')
    return parser.parse_args(argv)


def main(argv=None):
    args = cli(argv)
    try:
        paths, summary = convert(args.root, args.output_dir, splits=args.splits, progress=args.progress,
                                 workers=args.workers)
    except DeepFashion2FormatError as error:
        print('error: {}'.format(error), file=sys.stderr)
        return 1
    print(format_summary(paths, summary))
    return 0


if __name__ == '__main__':
    sys.exit(main())
