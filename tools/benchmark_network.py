"""Forward + decode time of the plugin's network and decoder vs OpenPifPaf's own CIF/CAF network and decoder, and
the cost of the category head (the plugin's network with vs without it).

All use the same backbone, weights and input; the runs alternate so that drift hits all alike::

    python tools/benchmark_network.py --basenet shufflenetv2k16 --size 321 --repeats 20 [--device cuda]

With ``--checkpoint`` (a deepfashion checkpoint with a category head and the same ``--basenet`` and upsample)
all networks get its weights: random weights make the decoder's work, and so the timing, meaningless.
"""
import argparse
import time

import torch

import openpifpaf

from openpifpaf_deepfashion.deepfashion import constants, decoder, heads


def build(basenet, head_metas, device):
    parser = argparse.ArgumentParser()
    openpifpaf.network.Factory.cli(parser)
    args = parser.parse_args(['--basenet', basenet])
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


def forward_and_decode(net, dec, image):
    start = time.perf_counter()
    with torch.no_grad():
        fields = net(image)
    fields = [f[0].cpu() if f is not None else None for f in fields]
    dec(fields)
    if image.device.type == 'cuda':
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--basenet', default='shufflenetv2k16')
    parser.add_argument('--size', type=int, default=321)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--checkpoint', default=None, help='trained deepfashion checkpoint whose weights to use')
    parser.add_argument('--upsample', type=int, default=1, help='head upsample stride (the checkpoint\'s)')
    args = parser.parse_args()
    device = torch.device(args.device)
    openpifpaf.plugin.register()

    nets = {
        'plugin + category': build(args.basenet, heads.landmark_metas('B', args.upsample)
                                   + [heads.category_meta(args.upsample)], device),
        'plugin': build(args.basenet, heads.landmark_metas('B', args.upsample), device),
        'openpifpaf': build(args.basenet, openpifpaf_head_metas(args.upsample), device),
    }
    if args.checkpoint:
        trained = torch.load(args.checkpoint, map_location=device, weights_only=False)['model']
        nets['plugin + category'].load_state_dict(trained.state_dict())
    state = nets['plugin + category'].state_dict()
    for name in ('plugin', 'openpifpaf'):
        nets[name].load_state_dict({k: v for k, v in state.items() if not k.startswith('head_nets.2.')})
    decoders = {name: openpifpaf.decoder.factory(net.head_metas) for name, net in nets.items()}
    assert decoders['plugin + category'].decoders[0].category_meta is not None
    assert decoders['plugin'].decoders[0].category_meta is None
    assert not isinstance(decoders['openpifpaf'].decoders[0], decoder.FashionCifCaf)

    image = torch.randn(1, 3, args.size, args.size, device=device)
    times = {name: [] for name in nets}
    for i in range(args.repeats + 2):
        for name, net in nets.items():
            elapsed = forward_and_decode(net, decoders[name], image)
            if i >= 2:  # warm-up
                times[name].append(elapsed)
    median = {name: sorted(values)[len(values) // 2] for name, values in times.items()}
    print('{} {}x{} on {}, medians of {} alternating runs:'.format(
        args.basenet, args.size, args.size, device, args.repeats))
    for name, seconds in median.items():
        print('  {:<20s}{:8.1f} ms'.format(name, 1000 * seconds))
    ratio = median['plugin'] / median['openpifpaf']
    print('plugin / OpenPifPaf CIF/CAF: {:.3f} ({})'.format(ratio, 'PASS' if ratio <= 1.05 else 'FAIL: needs <= 1.05'))
    ratio = median['plugin + category'] / median['plugin']
    print('with / without the category head: {:.3f} ({})'.format(
        ratio, 'PASS' if ratio <= 1.03 else 'FAIL: needs <= 1.03'))


if __name__ == '__main__':
    main()
