"""Decoding cost of DeepFashion2's slot designs, on the fields of one trained all-slot network.

Per-category heads (13 CIF / CAF pairs, one per category) compute the same channels as the all-slot head (a 1x1
convolution split by rows) and are trained on the same targets with the same summed loss (OpenPifPaf's composite
losses sum over fields, so 13 heads' losses add up to the all-slot head's), so what tells them apart is decoding:
13 CifCaf passes, one per category, instead of one.  This tool runs both on the fields of an all-slot checkpoint
(the per-category passes on the category's slice of the fields: exactly what the split heads would output) over
the first ``--n-images`` images of a directory, and prints the decoding time per image and the garments found::

    python tools/benchmark_deepfashion2_decoders.py --checkpoint model.pkl --image-dir DF2/validation/image

The thresholds are those of the learning benchmark (``benchmark_deepfashion2_learning.EVAL``).
"""
import argparse
import glob
import os
import statistics
import time

import torch

import openpifpaf

import benchmark
import benchmark_network
from benchmark_deepfashion2_learning import EVAL
from openpifpaf_deepfashion.deepfashion2 import constants, decoder


def category_metas(cif, caf, category_id):
    """CIF and CAF metas of one category's slots, as a per-category head pair would have them."""
    start, stop = constants.SLOT_RANGES[category_id]
    connections = [i for i, (a, b) in enumerate(constants.SKELETON) if start < a <= stop and start < b <= stop]
    skeleton = [(constants.SKELETON[i][0] - start, constants.SKELETON[i][1] - start) for i in connections]
    keypoints = constants.KEYPOINTS[start:stop]
    sigmas = constants.SIGMAS[start:stop]
    pose = constants.POSE[start:stop]
    cif_c = openpifpaf.headmeta.Cif('cif', 'deepfashion2-' + str(category_id), keypoints=keypoints, sigmas=sigmas,
                                    pose=pose, draw_skeleton=skeleton)
    caf_c = openpifpaf.headmeta.Caf('caf', 'deepfashion2-' + str(category_id), keypoints=keypoints, sigmas=sigmas,
                                    pose=pose, skeleton=skeleton)
    for meta, like in ((cif_c, cif), (caf_c, caf)):
        meta.base_stride, meta.upsample_stride = like.base_stride, like.upsample_stride
    cif_c.head_index, caf_c.head_index = 0, 1
    return cif_c, caf_c, slice(start, stop), connections


def configure_thresholds():
    parser = argparse.ArgumentParser()
    openpifpaf.decoder.cli(parser)
    args = parser.parse_args(EVAL)
    openpifpaf.decoder.configure(args)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--checkpoint', required=True, help='an all-slot deepfashion2 checkpoint')
    parser.add_argument('--image-dir', required=True)
    parser.add_argument('--n-images', type=int, default=50)
    parser.add_argument('--long-edge', type=int, default=129)
    args = parser.parse_args(argv)

    openpifpaf.plugin.register()
    torch.set_num_threads(2)
    configure_thresholds()
    net, _ = openpifpaf.network.Factory(checkpoint=args.checkpoint).factory()
    net = net.eval()
    cif, caf = net.head_metas[:2]
    if len(cif.keypoints) != constants.N_SLOTS:
        raise SystemExit('{}: its CIF head has {} fields, not the 294 slots'.format(
            args.checkpoint, len(cif.keypoints)))
    all_slots = decoder.DeepFashion2CifCaf.factory(net.head_metas)[0]
    per_category = [category_metas(cif, caf, c) for c in constants.CATEGORY_IDS]
    split_decoders = [(openpifpaf.decoder.CifCaf([cif_c], [caf_c]), slots, connections)
                      for cif_c, caf_c, slots, connections in per_category]

    paths = sorted(glob.glob(os.path.join(args.image_dir, '*.jpg')))[:args.n_images]
    times = {'all-slot head, one pass': [], 'per-category heads, 13 passes': []}
    found = {name: 0 for name in times}
    for image in benchmark_network.input_images(paths, args.long_edge, torch.device('cpu')):
        fields, _ = benchmark_network.forward(net, image)
        start = time.perf_counter()
        found['all-slot head, one pass'] += len(all_slots(fields))
        times['all-slot head, one pass'].append(time.perf_counter() - start)
        start = time.perf_counter()
        for split, slots, connections in split_decoders:
            found['per-category heads, 13 passes'] += len(split([fields[0][slots], fields[1][connections]]))
        times['per-category heads, 13 passes'].append(time.perf_counter() - start)

    print('machine: {}; {} images of {} at long edge {}; thresholds {}'.format(
        benchmark.machine('cpu'), len(paths), args.image_dir, args.long_edge, ' '.join(EVAL)))
    print('| decoding | ms per image (median) | ms per image (mean) | instances |')
    print('|---|---:|---:|---:|')
    for name, values in times.items():
        print('| {} | {:.1f} | {:.1f} | {} |'.format(name, 1000 * statistics.median(values),
                                                     1000 * statistics.mean(values), found[name]))


if __name__ == '__main__':
    main()
