"""Forward + decode time of the plugin's network and decoder vs OpenPifPaf's own CIF/CAF network and decoder.

Both use the same backbone, weights and input; the runs alternate so that drift hits both alike::

    python tools/benchmark_network.py --basenet shufflenetv2k16 --size 321 --repeats 20 [--device cuda]
"""
import argparse
import time

import torch

import openpifpaf

from openpifpaf_deepfashion.deepfashion import constants, decoder
from openpifpaf_deepfashion.deepfashion.datamodule import DeepFashion


def build(basenet, head_metas, device):
    parser = argparse.ArgumentParser()
    openpifpaf.network.Factory.cli(parser)
    args = parser.parse_args(['--basenet', basenet])
    openpifpaf.network.Factory.configure(args)
    net, _ = openpifpaf.network.Factory(base_name=basenet).factory(head_metas=head_metas)
    return net.to(device).eval()


def openpifpaf_head_metas():
    """OpenPifPaf's plain CIF/CAF heads for the same 8 landmarks, under another dataset name."""
    cif = openpifpaf.headmeta.Cif('cif', 'plain', keypoints=constants.KEYPOINTS, sigmas=constants.SIGMAS,
                                  pose=constants.CANONICAL_POSE, draw_skeleton=constants.SKELETON_B)
    caf = openpifpaf.headmeta.Caf('caf', 'plain', keypoints=constants.KEYPOINTS, sigmas=constants.SIGMAS,
                                  pose=constants.CANONICAL_POSE, skeleton=constants.SKELETON_B)
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
    args = parser.parse_args()
    device = torch.device(args.device)
    openpifpaf.plugin.register()

    plugin_metas = DeepFashion().head_metas
    plain_metas = openpifpaf_head_metas()
    plugin_net = build(args.basenet, plugin_metas, device)
    plain_net = build(args.basenet, plain_metas, device)
    plain_net.load_state_dict(plugin_net.state_dict())
    plugin_dec = openpifpaf.decoder.factory(plugin_net.head_metas)
    plain_dec = openpifpaf.decoder.factory(plain_net.head_metas)
    assert isinstance(plugin_dec.decoders[0], decoder.FashionCifCaf)
    assert not isinstance(plain_dec.decoders[0], decoder.FashionCifCaf)

    image = torch.randn(1, 3, args.size, args.size, device=device)
    times = {'plugin': [], 'openpifpaf': []}
    for i in range(args.repeats + 2):
        for name, net, dec in (('plugin', plugin_net, plugin_dec), ('openpifpaf', plain_net, plain_dec)):
            elapsed = forward_and_decode(net, dec, image)
            if i >= 2:  # warm-up
                times[name].append(elapsed)
    median = {name: sorted(values)[len(values) // 2] for name, values in times.items()}
    ratio = median['plugin'] / median['openpifpaf']
    print('{} {}x{} on {}: plugin {:.1f} ms, OpenPifPaf CIF/CAF {:.1f} ms (medians of {}), ratio {:.3f} ({})'.format(
        args.basenet, args.size, args.size, device, 1000 * median['plugin'], 1000 * median['openpifpaf'],
        args.repeats, ratio, 'PASS' if ratio <= 1.05 else 'FAIL: needs <= 1.05'))


if __name__ == '__main__':
    main()
