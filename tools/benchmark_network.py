"""Forward and decode time of the plugin's network and decoder vs OpenPifPaf's own CIF/CAF network and decoder,
and the cost of the category head (the plugin's network with vs without it); then the absolute forward time per
image in fp32 and under ``torch.autocast`` (AMP: float16 on CUDA, bfloat16 on the CPU).

All use the same backbone, weights and input; the runs alternate so that drift hits all alike, and forward
(network + fields to the CPU) and decode are timed separately::

    python tools/benchmark_network.py --basenet shufflenetv2k16 --size 321 --repeats 20 [--device cuda]

With ``--checkpoint`` (a deepfashion checkpoint with a category head) all networks get its weights, backbone
and head upsample strides: random weights make the decoder's work, and so the timing, meaningless. Give
``--image`` files (e.g. generated ones) so that the trained network sees garments, and the decoder thresholds
the model was evaluated with (``--seed-threshold``, ``--instance-threshold``); without images the input is
noise. ``tools/benchmark.py`` runs this with a freshly trained tiny model.
"""
import argparse
import contextlib
import time

import PIL.Image
import torch
import torchvision

import openpifpaf

from openpifpaf_deepfashion.deepfashion import constants, decoder, heads
from openpifpaf_deepfashion.network import category_head

NETWORKS = ('plugin + category', 'plugin', 'openpifpaf')
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def build(basenet, head_metas, device, options=()):
    parser = argparse.ArgumentParser()
    openpifpaf.network.Factory.cli(parser)
    args = parser.parse_args(['--basenet', basenet, *options])
    openpifpaf.network.Factory.configure(args)
    net, _ = openpifpaf.network.Factory(base_name=basenet).factory(head_metas=head_metas)
    return net.to(device).eval()


def openpifpaf_head_metas(upsample):
    """OpenPifPaf's plain CIF/CAF heads for the same 8 landmarks, under another dataset name."""
    cif = openpifpaf.headmeta.Cif('cif', 'plain', keypoints=constants.KEYPOINTS, sigmas=constants.SIGMAS,
                                  pose=constants.CANONICAL_POSE, draw_skeleton=constants.SKELETON_B)
    caf = openpifpaf.headmeta.Caf('caf', 'plain', keypoints=constants.KEYPOINTS, sigmas=constants.SIGMAS,
                                  pose=constants.CANONICAL_POSE, skeleton=constants.SKELETON_B)
    cif.upsample_stride = caf.upsample_stride = upsample
    return [cif, caf]


def load_checkpoint(path):
    """The network of a deepfashion checkpoint (on the CPU) and its basenet name, landmark and category head
    upsample strides."""
    trained = torch.load(path, map_location='cpu', weights_only=False)['model']
    metas = {meta.name: meta for meta in (head.meta for head in trained.head_nets)}
    if 'category' not in metas:
        raise SystemExit('{} has no category head: the benchmark needs one (train with '
                         '--deepfashion-category-head=on)'.format(path))
    return trained, trained.base_net.name, metas['cif'].upsample_stride, metas['category'].upsample_stride


def build_networks(basenet, upsample, device, category_upsample=1, trained=None):
    """The three networks (see NETWORKS) with the same weights: ``trained``'s, else the random ones of the
    first network. (The checkpoint's network is not timed itself, so that all three come from one factory; its
    category head's context layer, ``category_head.context_options``, is rebuilt with it.)"""
    context_options = category_head.context_options(trained.head_nets[2]) if trained is not None else []
    nets = {
        'plugin + category': build(basenet, heads.landmark_metas('B', upsample)
                                   + [heads.category_meta(category_upsample)], device,
                                   context_options),
        'plugin': build(basenet, heads.landmark_metas('B', upsample), device),
        'openpifpaf': build(basenet, openpifpaf_head_metas(upsample), device),
    }
    if trained is not None:
        nets['plugin + category'].load_state_dict(trained.state_dict())
    state = nets['plugin + category'].state_dict()
    for name in ('plugin', 'openpifpaf'):
        nets[name].load_state_dict({k: v for k, v in state.items() if not k.startswith('head_nets.2.')})
    return nets


def configure_decoder(argv=()):
    """Configure OpenPifPaf's decoders from command-line arguments (e.g. ['--seed-threshold=0.2'])."""
    parser = argparse.ArgumentParser()
    openpifpaf.decoder.cli(parser)
    openpifpaf.decoder.configure(parser.parse_args(list(argv)))


def build_decoders(nets):
    decoders = {name: openpifpaf.decoder.factory(net.head_metas) for name, net in nets.items()}
    assert decoders['plugin + category'].decoders[0].category_meta is not None
    assert decoders['plugin'].decoders[0].category_meta is None
    assert not isinstance(decoders['openpifpaf'].decoders[0], decoder.FashionCifCaf)
    return decoders


def load_image(path, size):
    """An image file as the network's input: long edge fitted to ``size``, normalized, centred on a
    ``size`` x ``size`` canvas (zero after normalization, as OpenPifPaf pads with the mean colour)."""
    image = PIL.Image.open(path).convert('RGB')
    scale = size / max(image.size)
    width, height = (max(1, round(side * scale)) for side in image.size)
    image = image.resize((width, height), PIL.Image.BILINEAR)
    tensor = torchvision.transforms.functional.to_tensor(image)
    tensor = torchvision.transforms.functional.normalize(tensor, IMAGENET_MEAN, IMAGENET_STD)
    canvas = torch.zeros(3, size, size)
    top, left = (size - height) // 2, (size - width) // 2
    canvas[:, top:top + height, left:left + width] = tensor
    return canvas


def input_images(paths, size, device, seed=0):
    """One (1, 3, size, size) batch per image file; one batch of noise without files."""
    if not paths:
        generator = torch.Generator().manual_seed(seed)
        return [torch.randn(1, 3, size, size, generator=generator).to(device)]
    return [load_image(path, size).unsqueeze(0).to(device) for path in paths]


def synchronize(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def forward(net, image):
    """The network's fields for a batch of one (on the CPU, where the decoder reads them) and the seconds."""
    start = time.perf_counter()
    with torch.no_grad():
        fields = net(image)
    fields = [f[0].cpu() if f is not None else None for f in fields]
    synchronize(image.device)
    return fields, time.perf_counter() - start


def decode(dec, fields):
    """The decoder's annotations and the seconds."""
    start = time.perf_counter()
    annotations = dec(fields)
    return annotations, time.perf_counter() - start


def forward_and_decode(net, dec, image):
    """Seconds for forward and decode together."""
    fields, forward_seconds = forward(net, image)
    _, decode_seconds = decode(dec, fields)
    return forward_seconds + decode_seconds


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def compare(nets, decoders, images, repeats, warmup=2, progress=None):
    """Alternating runs over the networks, one image after the other (``repeats`` runs each after ``warmup``).

    Per network the seconds of forward, decode and their sum: for each image the median of its runs (robust to
    a busy machine), then the mean over the images (decode time varies a lot from image to image); and the
    mean number of annotations decoded per image."""
    times = {name: {part: [[] for _ in images] for part in ('forward', 'decode', 'total')} for name in nets}
    found = {name: [] for name in nets}
    for i in range(repeats + warmup):
        k = i % len(images)
        for name, net in nets.items():
            fields, forward_seconds = forward(net, images[k])
            annotations, decode_seconds = decode(decoders[name], fields)
            if i >= warmup:
                times[name]['forward'][k].append(forward_seconds)
                times[name]['decode'][k].append(decode_seconds)
                times[name]['total'][k].append(forward_seconds + decode_seconds)
                found[name].append(len(annotations))
        if progress is not None:
            progress(i + 1, repeats + warmup)
    result = {}
    for name, parts in times.items():
        result[name] = {part: sum(per_image) / len(per_image)
                        for part, per_image in ((part, [median(runs) for runs in per_image if runs])
                                                for part, per_image in parts.items())}
        result[name]['annotations_per_image'] = sum(found[name]) / len(found[name])
    return result


def ratios(medians):
    """plugin / OpenPifPaf and with / without the category head, for forward, decode and total."""
    return {
        'plugin_vs_openpifpaf': {part: medians['plugin'][part] / medians['openpifpaf'][part]
                                 for part in ('forward', 'decode', 'total')},
        'category_head': {part: medians['plugin + category'][part] / medians['plugin'][part]
                          for part in ('forward', 'decode', 'total')},
    }


def autocast_dtype(device):
    return torch.float16 if device.type == 'cuda' else torch.bfloat16


def amp_runs(device, repeats):
    """(repeats, warmup) for the AMP figure: bfloat16 autocast on a CPU without bfloat16 units is emulated,
    30-300x slower than fp32 and erratic, so there one run shows that the code path works."""
    return (repeats, 2) if device.type == 'cuda' else (1, 0)


def forward_ms_per_image(net, device, size, batch_size=1, amp=False, repeats=10, warmup=2):
    """Median forward time (network only, outputs left on the device) per image in ms, in fp32 or under
    ``torch.autocast`` (float16 on CUDA, bfloat16 on the CPU)."""
    image = torch.randn(batch_size, 3, size, size, generator=torch.Generator().manual_seed(0)).to(device)
    context = (lambda: torch.autocast(device_type=device.type, dtype=autocast_dtype(device))) if amp \
        else contextlib.nullcontext
    times = []
    with torch.no_grad():
        for i in range(repeats + warmup):
            synchronize(device)
            start = time.perf_counter()
            with context():
                net(image)
            synchronize(device)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    return 1000.0 * median(times) / batch_size


def main():
    openpifpaf.plugin.register()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--basenet', default=None, help='default: the checkpoint\'s, else shufflenetv2k16')
    parser.add_argument('--size', type=int, default=321)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--checkpoint', default=None, help='trained deepfashion checkpoint whose weights to use')
    parser.add_argument('--upsample', type=int, default=None,
                        help='CIF/CAF upsample stride (default: the checkpoint\'s, else 1)')
    parser.add_argument('--category-upsample', type=int, default=None,
                        help='category head upsample stride (default: the checkpoint\'s, else 1)')
    parser.add_argument('--image', nargs='+', default=[], help='input images, used in turn (default: noise)')
    parser.add_argument('--batch-size', type=int, default=8, help='batch of the absolute fp32 / AMP forward')
    openpifpaf.decoder.cli(parser)
    args = parser.parse_args()
    device = torch.device(args.device)
    openpifpaf.decoder.configure(args)

    trained, basenet, upsample, category_upsample = None, 'shufflenetv2k16', 1, 1
    if args.checkpoint:
        trained, basenet, upsample, category_upsample = load_checkpoint(args.checkpoint)
    basenet = args.basenet or basenet
    upsample = args.upsample or upsample
    category_upsample = args.category_upsample or category_upsample
    nets = build_networks(basenet, upsample, device, category_upsample, trained)
    decoders = build_decoders(nets)
    images = input_images(args.image, args.size, device)

    medians = compare(nets, decoders, images, args.repeats)
    print('{} {}x{} on {}, {}, {}, {} alternating runs (per image the median, then the mean over images):'.format(
        basenet, args.size, args.size, device, 'trained weights' if trained is not None else 'random weights',
        '{} images'.format(len(images)) if args.image else 'noise input', args.repeats))
    print('  {:<20s}{:>10s}{:>10s}{:>10s}{:>14s}'.format('', 'forward', 'decode', 'total', 'annotations'))
    for name, figures in medians.items():
        print('  {:<20s}{:7.1f} ms{:7.1f} ms{:7.1f} ms{:14.1f}'.format(
            name, 1000 * figures['forward'], 1000 * figures['decode'], 1000 * figures['total'],
            figures['annotations_per_image']))
    found = ratios(medians)
    for key, label, limit in (('plugin_vs_openpifpaf', 'plugin / OpenPifPaf CIF/CAF', 1.05),
                              ('category_head', 'with / without the category head', 1.03)):
        print('{}: forward {forward:.3f}, decode {decode:.3f}, total {total:.3f}'.format(label, **found[key]), end='')
        print(' ({})'.format('PASS' if found[key]['total'] <= limit else 'FAIL: needs <= {}'.format(limit)))
    net = nets['plugin + category']
    for batch_size in sorted({1, args.batch_size}):
        fp32 = forward_ms_per_image(net, device, args.size, batch_size, amp=False, repeats=args.repeats)
        repeats, warmup = amp_runs(device, args.repeats)
        amp = forward_ms_per_image(net, device, args.size, batch_size, amp=True, repeats=repeats, warmup=warmup)
        print('forward per image, plugin + category, batch {}: fp32 {:.2f} ms, AMP ({}) {:.2f} ms'.format(
            batch_size, fp32, autocast_dtype(device), amp))


if __name__ == '__main__':
    main()
