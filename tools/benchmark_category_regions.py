"""Where a category head's field is right: its top-1 / top-3 read out over chosen regions of the ground-truth
garments, without the decoder.  Separates how good the field is from how well decoding finds its garments::

    python tools/benchmark_category_regions.py --root /tmp/category/data CHECKPOINT [CHECKPOINT ...]

Each checkpoint runs on the first ``--n-images`` test images of a generated multi-garment ROOT
(``coco_multi_garment/deepfashion_test.json``), scaled to ``--long-edge`` as ``openpifpaf.eval`` does in
tools/benchmark_category.py, and every garment with a category is read out (the checkpoint's own readout) over:

* its garment box (``--deepfashion-category-region=box`` trains on these cells);
* its landmarks' box grown by ``LANDMARK_MARGIN`` per side (``=landmarks`` trains and decodes on these);
* its landmarks' box as it is.

Compare the rows with the checkpoint's ``top-3 acc`` from ``openpifpaf.eval`` (decoded garments, matched).
"""
import argparse
import json
import os
from collections import defaultdict

import numpy as np
import PIL.Image
import torch

import openpifpaf
from openpifpaf import transforms

from openpifpaf_deepfashion.deepfashion import constants
from openpifpaf_deepfashion.network.category_readout import garment_category_scores
from openpifpaf_deepfashion.network.garment_cells import LANDMARK_MARGIN, garment_region

#: what each row reads: (region rule, margin of the landmarks' box)
REGIONS = {
    'garment box': ('box', None),
    'landmarks + {:.0f} % per side'.format(100 * LANDMARK_MARGIN): ('landmarks', LANDMARK_MARGIN),
    'landmarks box': ('landmarks', 0.0),
}


def test_images(root, n_images):
    """(image path, its annotations with a category) for the first n_images test images that have one."""
    with open(os.path.join(root, 'coco_multi_garment', 'deepfashion_test.json')) as f:
        document = json.load(f)
    by_image = defaultdict(list)
    for ann in document['annotations']:
        if 1 <= ann['category_id'] <= len(constants.CATEGORIES):
            by_image[ann['image_id']].append(ann)
    images = [image for image in document['images'] if by_image[image['id']]][:n_images]
    return [(os.path.join(root, image['file_name']), by_image[image['id']]) for image in images]


def category_meta(network):
    metas = [meta for meta in network.head_metas if meta.name == 'category']
    if not metas:
        raise SystemExit('the checkpoint has no category head')
    return metas[0]


def region_accuracies(checkpoint, images, long_edge):
    """{region: (top-1, top-3)} over every garment of images, and the number of garments."""
    network, _ = openpifpaf.network.Factory(checkpoint=checkpoint).factory()
    network.eval()
    meta = category_meta(network)
    preprocess = transforms.Compose([transforms.NormalizeAnnotations(), transforms.RescaleAbsolute(long_edge),
                                     transforms.CenterPadTight(16), transforms.EVAL_TRANSFORM])
    hits = {region: np.zeros(2) for region in REGIONS}
    n_garments = 0
    for path, anns in images:
        with open(path, 'rb') as f:
            pil = PIL.Image.open(f).convert('RGB')
        image, anns, _ = preprocess(pil, anns, {})
        with torch.no_grad():
            field = network(image[None])[meta.head_index][0].numpy()
        labels = np.array([ann['category_id'] - 1 for ann in anns])
        n_garments += len(anns)
        for region, (rule, margin) in REGIONS.items():
            boxes = [garment_region(rule, ann['keypoints'], ann['bbox'], margin) for ann in anns]
            scores = garment_category_scores(field, boxes, meta.stride, pooled=meta.readout == 'pooled')
            ranks = np.sum(scores > scores[np.arange(len(anns)), labels][:, None], axis=1)
            hits[region] += [np.sum(ranks < 1), np.sum(ranks < 3)]
    return {region: value / n_garments for region, value in hits.items()}, n_garments, meta


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoints', nargs='+')
    parser.add_argument('--root', required=True, help='a generated multi-garment sample (the benchmark\'s data/)')
    parser.add_argument('--n-images', type=int, default=300)
    parser.add_argument('--long-edge', type=int, default=161)
    args = parser.parse_args()

    images = test_images(args.root, args.n_images)
    print('{:<60s}{:<30s}{:>8s}{:>8s}'.format('checkpoint (readout, trained region)', 'read out over', 'top-1',
                                              'top-3'))
    for checkpoint in args.checkpoints:
        accuracies, n_garments, meta = region_accuracies(checkpoint, images, args.long_edge)
        name = '{} ({}, {})'.format(os.path.basename(checkpoint), meta.readout, meta.region)
        for region, (top1, top3) in accuracies.items():
            print('{:<60s}{:<30s}{:>8.3f}{:>8.3f}'.format(name, region, top1, top3))
            name = ''
    print('{} test images, {} garments, long edge {}'.format(len(images), n_garments, args.long_edge))


if __name__ == '__main__':
    main()
