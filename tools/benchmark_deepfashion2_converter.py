"""Time the DeepFashion2 -> COCO converter on a generated root the size of DeepFashion2's train split.

Writes, in a temporary folder removed afterwards, ``DeepFashion2/train/annos/NNNNNN.json`` (the genuine raw
layout: source, pair_id, item1..itemN with all ten item fields; 1-3 garments per image, about DeepFashion2's
1.6 on average; every category with its own landmark count; segmentation polygons of 12-40 points) and
``train/image/NNNNNN.jpg``, hard links to 8 small source JPEGs of DeepFashion2-like sizes (links per source
stay below ext4's 65,000; a copy where linking fails).  The annos texts cycle through 512 generated
variants, but every file is opened, parsed and checked, and every JPEG header read.  Then it runs the
converter CLI in a child process and prints wall time, files/s, garments/s, the output size and the peak RSS
of the converter's process tree (sum over the main process and its workers, sampled from /proc every 0.1 s)::

    python tools/benchmark_deepfashion2_converter.py                  # 191,961 files (the train split)
    python tools/benchmark_deepfashion2_converter.py --files 20000    # quicker
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from openpifpaf_deepfashion.deepfashion2 import constants  # noqa: E402  (after the path set-up)

TRAIN_FILES = 191961
IMAGE_SIZES = [(468, 624), (640, 960), (750, 750), (800, 1200), (600, 800), (512, 512), (720, 960), (1080, 1440)]
VARIANTS = 512


def write_sources(directory):
    os.makedirs(directory)
    paths = []
    for i, (w, h) in enumerate(IMAGE_SIZES):
        path = os.path.join(directory, 'source_{}.jpg'.format(i))
        Image.new('RGB', (w, h), (40 + 20 * i, 90, 140)).save(path, quality=30)
        paths.append(path)
    return paths


def garment(rng, size):
    w, h = size
    c = rng.choice(constants.CATEGORY_IDS)
    x1, y1 = rng.randrange(w // 2), rng.randrange(h // 2)
    x2, y2 = rng.randrange(x1 + 10, w + 1), rng.randrange(y1 + 10, h + 1)
    landmarks = []
    for _ in range(constants.N_LANDMARKS[c]):
        v = rng.choices((0, 1, 2), weights=(15, 25, 60))[0]
        landmarks += [rng.randint(x1, x2), rng.randint(y1, y2), v] if v else [0, 0, 0]
    polygons = []
    for _ in range(rng.choice((1, 1, 2))):
        polygon = []
        for _ in range(rng.randrange(12, 41)):
            polygon += [rng.randint(x1, x2), rng.randint(y1, y2)]
        polygons.append(polygon)
    return {'segmentation': polygons, 'scale': rng.randint(1, 3), 'viewpoint': rng.randint(1, 3),
            'zoom_in': rng.randint(1, 3), 'landmarks': landmarks, 'style': rng.randint(0, 3),
            'bounding_box': [x1, y1, x2, y2], 'category_id': c, 'occlusion': rng.randint(1, 3),
            'category_name': constants.CATEGORY_NAMES[c - 1]}


def variants(rng):
    """VARIANTS annos texts; variant i fits IMAGE_SIZES[i % 8]."""
    texts = []
    for i in range(VARIANTS):
        data = {'source': rng.choice(('user', 'shop')), 'pair_id': rng.randint(1, 14555)}
        for k in range(rng.choices((1, 2, 3), weights=(45, 45, 10))[0]):
            data['item{}'.format(k + 1)] = garment(rng, IMAGE_SIZES[i % len(IMAGE_SIZES)])
        texts.append(json.dumps(data))
    return texts


def write_root(root, n_files, seed=1):
    """The generated split; returns (garments, bytes of annos)."""
    rng = random.Random(seed)
    sources = write_sources(os.path.join(root, 'sources'))
    annos_dir, image_dir = os.path.join(root, 'train', 'annos'), os.path.join(root, 'train', 'image')
    os.makedirs(annos_dir)
    os.makedirs(image_dir)
    texts = variants(rng)
    counts = [text.count('"category_id"') for text in texts]
    garments = annos_bytes = 0
    for i in range(n_files):
        k = i % VARIANTS
        name = '{:06d}'.format(i + 1)
        with open(os.path.join(annos_dir, name + '.json'), 'w', encoding='utf-8') as f:
            f.write(texts[k])
        image = os.path.join(image_dir, name + '.jpg')
        try:
            os.link(sources[k % len(sources)], image)
        except OSError:
            shutil.copyfile(sources[k % len(sources)], image)
        garments += counts[k]
        annos_bytes += len(texts[k])
    return garments, annos_bytes


def tree_rss_kb(pid):
    """Resident memory (kB) of pid and all its descendants, from /proc."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open('/proc/{}/status'.format(p)) as f:
                total += next(int(line.split()[1]) for line in f if line.startswith('VmRSS:'))
            with open('/proc/{0}/task/{0}/children'.format(p)) as f:
                stack += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            continue
    return total


def run_converter(root, output_dir, workers):
    command = [sys.executable, '-m', 'openpifpaf_deepfashion.deepfashion2.converter', '--root', root,
               '--output-dir', output_dir, '--no-progress']
    if workers:
        command += ['--workers', str(workers)]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss_kb(child.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    output = child.stdout.read()
    if child.returncode:
        raise SystemExit('converter failed ({}): {}'.format(child.returncode, output))
    return wall, peak / 1024, output


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--files', type=int, default=TRAIN_FILES)
    parser.add_argument('--workers', type=int, default=None, help="converter's --workers (default: its own)")
    parser.add_argument('--tmp-dir', default=None, help='parent of the temporary root (default: system temp)')
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix='deepfashion2-benchmark-', dir=args.tmp_dir)
    try:
        root = os.path.join(work, 'DeepFashion2')
        start = time.perf_counter()
        garments, annos_bytes = write_root(root, args.files)
        print('generated: {} annos files ({:.0f} MB), {} garments, {} hard-linked JPEGs ({:.1f} s)'.format(
            args.files, annos_bytes / 1e6, garments, args.files, time.perf_counter() - start))
        output_dir = os.path.join(work, 'out')
        wall, peak_mb, output = run_converter(root, output_dir, args.workers)
        size = os.path.getsize(os.path.join(output_dir, 'deepfashion2_train.json'))
        assert '{} garments'.format(garments) in output, output
        print(output.strip())
        print('converter: wall {:.1f} s, {:.0f} files/s, {:.0f} garments/s, output {:.0f} MB, '
              'peak RSS {:.0f} MB (process tree)'.format(
                  wall, args.files / wall, garments / wall, size / 1e6, peak_mb))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
