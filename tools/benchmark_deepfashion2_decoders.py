"""Decoding cost of DeepFashion2's slot designs, on the fields of one trained all-slot network.

Per-category heads (13 CIF / CAF pairs, one per category) compute the same channels as the all-slot head (a 1x1
convolution split by rows) and are trained on the same targets with the same summed loss (OpenPifPaf's composite
losses sum over fields, so 13 heads' losses add up to the all-slot head's), so what tells them apart is decoding:
13 CifCaf passes, one per category, instead of one over all slots.  This tool times, per image, over the first
``--n-images`` images of a directory and on the fields of an all-slot checkpoint:

* one CifCaf pass over the 294 slots, at the smallest category's share of the instance threshold (the plugin's
  decoder before it ran per category);
* 13 CifCaf passes, one per category on that category's part of the fields (exactly what split heads output;
  the plugin's decoder runs these, ``decoder.category_pass_metas``);
* the plugin's whole decoder (the 13 passes, the category readout, the duplicate suppression across categories
  and the ``--deepfashion2-max-garments`` cap)::

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
from openpifpaf_deepfashion.deepfashion.decoder import FashionCifCaf
from openpifpaf_deepfashion.deepfashion2 import constants, decoder


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
    paths = sorted(glob.glob(os.path.join(args.image_dir, '*.jpg')))[:args.n_images]
    decoders = {
        'one CifCaf pass over the 294 slots (at the smallest category\'s threshold share)':
            lambda fields: FashionCifCaf.instances(all_slots, fields),  # the shared decoder's single pass
        '13 CifCaf passes, one per category (as per-category heads decode; the plugin\'s decoder runs these)':
            all_slots.instances,
        'the plugin\'s whole decoder (13 passes, category readout, duplicates across categories, cap)': all_slots,
    }
    times = {name: [] for name in decoders}
    found = {name: 0 for name in decoders}
    for image in benchmark_network.input_images(paths, args.long_edge, torch.device('cpu')):
        fields, _ = benchmark_network.forward(net, image)
        for name, decode in decoders.items():
            start = time.perf_counter()
            found[name] += len(decode(fields))
            times[name].append(time.perf_counter() - start)

    print('machine: {}; {} images of {} at long edge {}; thresholds {}'.format(
        benchmark.machine('cpu'), len(paths), args.image_dir, args.long_edge, ' '.join(EVAL)))
    print('| decoding | ms per image (median) | ms per image (mean) | instances |')
    print('|---|---:|---:|---:|')
    for name, values in times.items():
        print('| {} | {:.1f} | {:.1f} | {} |'.format(name, 1000 * statistics.median(values),
                                                     1000 * statistics.mean(values), found[name]))


if __name__ == '__main__':
    main()
