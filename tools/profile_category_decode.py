"""Where the category head's decode time goes: the parts of ``FashionCifCaf`` timed inside the alternating
forward + decode runs of ``tools/benchmark_network.py`` (right after a forward pass, as in predict and eval,
where the decoder's numpy calls start from cold caches)::

    python tools/profile_category_decode.py CHECKPOINT --data GENERATED_ROOT

CHECKPOINT: a deepfashion checkpoint with a category head; GENERATED_ROOT: generated multi-garment data (its
``coco_multi_garment/deepfashion_train.json``, e.g. a ``tools/benchmark.py --workdir`` run's ``data``).

Prints per network (with and without the category head) forward and decode ms, then the median and mean ms per
image of the decoder's C++ instances, its garments pass, and, with the head, the garment regions and the
category readout.
"""
import argparse
import collections
import time

import torch

import openpifpaf

import benchmark  # tools/ is on sys.path when this file runs as a script
import benchmark_learning
import benchmark_network
from openpifpaf_deepfashion.deepfashion import decoder

NETWORKS = ('plugin + category', 'plugin')


def timed(seconds, key, function):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        seconds[key].append(time.perf_counter() - start)
        return result
    return wrapper


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint')
    parser.add_argument('--data', required=True, help='generated multi-garment data root')
    parser.add_argument('--images', type=int, default=8)
    parser.add_argument('--repeats', type=int, default=30)
    args = parser.parse_args()

    openpifpaf.plugin.register()
    benchmark_network.configure_decoder([a for a in benchmark_learning.EVAL if not a.startswith('--deepfashion-')])
    trained, basenet, upsample, category_upsample = benchmark_network.load_checkpoint(args.checkpoint)
    nets = benchmark_network.build_networks(basenet, upsample, torch.device('cpu'), category_upsample, trained)
    decoders = benchmark_network.build_decoders(nets)
    nets, decoders = ({name: by_name[name] for name in NETWORKS} for by_name in (nets, decoders))
    images = benchmark_network.input_images(benchmark.split_images(args.data, 'train', args.images),
                                            benchmark.IMAGE_SIZE, torch.device('cpu'))

    seconds = collections.defaultdict(list)
    for part in ('garment_regions', 'garment_category_scores'):
        setattr(decoder, part, timed(seconds, ('plugin + category', part), getattr(decoder, part)))
    for name in NETWORKS:
        fashion_decoder = decoders[name].decoders[0]
        for part in ('instances', 'garments'):
            setattr(fashion_decoder, part, timed(seconds, (name, part), getattr(fashion_decoder, part)))

    medians = benchmark_network.compare(nets, decoders, images, args.repeats)
    for name, figures in medians.items():
        print('{}: forward {:.2f} ms, decode {:.3f} ms per image'.format(
            name, 1000 * figures['forward'], 1000 * figures['decode']))
    for (name, part), values in seconds.items():
        values = sorted(values)
        print('{} {}: median {:.3f} ms, mean {:.3f} ms'.format(
            name, part, 1000 * values[len(values) // 2], 1000 * sum(values) / len(values)))


if __name__ == '__main__':
    main()
