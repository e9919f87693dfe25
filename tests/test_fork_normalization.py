"""Fork normalization: the trunk receives T^-beta times the heads' summed gradient; nothing else changes."""
import argparse
import copy

import pytest
import torch

import openpifpaf

from openpifpaf_deepfashion.deepfashion import heads
from openpifpaf_deepfashion.network import fork_normalization
from openpifpaf_deepfashion.network.fork_normalization import ForkNormalization, ForkNormalizedShell


class TinyBase(torch.nn.Module):
    stride = 16
    out_features = 8
    name = 'tiny'

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, stride=16, padding=1)

    def forward(self, x):
        return self.conv(x)


def tiny_shell():
    torch.manual_seed(0)
    metas = heads.landmark_metas('B', 1) + [heads.category_meta(1)]
    head_nets = [openpifpaf.HEADS[meta.__class__](meta, TinyBase.out_features) for meta in metas]
    return openpifpaf.network.Shell(TinyBase(), head_nets)


def gradients(net, image):
    net.zero_grad()
    outputs = net(image)
    loss = sum((output * torch.linspace(-1.0, 1.0, output.numel()).reshape(output.shape)).sum()
               for output in outputs)
    loss.backward()
    return outputs, {name: p.grad.clone() for name, p in net.named_parameters()}


@pytest.mark.parametrize('beta', [0.0, 0.5, 1.0])
def test_trunk_gets_t_to_the_minus_beta_times_the_heads_gradients_and_heads_their_own(beta):
    plain = tiny_shell()
    plain.train()
    normalized = ForkNormalizedShell.from_shell(copy.deepcopy(plain), beta)
    image = torch.randn(2, 3, 33, 33)
    plain_outputs, plain_grads = gradients(plain, image)
    normalized_outputs, normalized_grads = gradients(normalized, image)

    kappa = 3.0 ** -beta  # three heads: CIF, CAF, category
    for name, grad in plain_grads.items():
        factor = kappa if name.startswith('base_net.') else 1.0
        # float32 rounding of the summed head gradients, relative to the gradient's scale (an element near 0
        # may carry a rounding error of a few 1e-7 when the largest is 15)
        atol = 1e-6 * float(grad.abs().max())
        assert torch.allclose(normalized_grads[name], factor * grad, rtol=1e-5, atol=atol), name
    for a, b in zip(plain_outputs, normalized_outputs):
        assert torch.equal(a, b)  # forward unchanged


def test_only_the_heads_that_are_fed_count():
    net = ForkNormalizedShell.from_shell(tiny_shell(), 0.5)
    net.train()
    image = torch.randn(1, 3, 33, 33)
    net.zero_grad()
    outputs = net(image, head_mask=[True, False, False])
    outputs[0].sum().backward()
    with_one = net.base_net.conv.weight.grad.clone()
    plain = tiny_shell()
    plain.load_state_dict({k: v for k, v in net.state_dict().items()})
    plain.train()
    plain(image, head_mask=[True, False, False])[0].sum().backward()
    assert torch.allclose(with_one, plain.base_net.conv.weight.grad)  # T = 1: kappa = 1


def test_factory_applies_beta_to_fashion_networks_and_keeps_a_checkpoints_beta():
    parser = argparse.ArgumentParser()
    ForkNormalization.cli(parser)
    try:
        ForkNormalization.configure(parser.parse_args([]))
        net = ForkNormalization.apply(tiny_shell())
        assert isinstance(net, ForkNormalizedShell) and net.fork_beta == 0.5  # the default for a new network
        net.fork_beta = 0.25  # as loaded from a checkpoint
        assert ForkNormalization.apply(net).fork_beta == 0.25
        ForkNormalization.configure(parser.parse_args(['--fork-normalization-beta', '0']))
        assert ForkNormalization.apply(net).fork_beta == 0.0  # named on the command line: it wins

        other = tiny_shell()
        for meta in other.head_metas:
            meta.dataset = 'cocokp'
        assert ForkNormalization.apply(other) is other  # other datasets' networks stay as they are
        with pytest.raises(ValueError, match='>= 0'):
            ForkNormalization.configure(parser.parse_args(['--fork-normalization-beta', '-1']))
    finally:
        ForkNormalization.beta = None


def test_factory_hook_is_installed_once_and_in_the_option_registry():
    fork_normalization.install()
    fork_normalization.install()
    assert openpifpaf.network.Factory.init_net.fork_normalization
    assert ForkNormalization in openpifpaf.network.factory.BASE_TYPES
