"""Fork normalization (Mordan et al. 2021; seed 001, appendix 7.1): where the heads fork from the shared trunk,
the gradient each head sends back into the trunk is scaled by kappa = T^-beta (T heads fed by the trunk), so
that the trunk's gradient norm does not grow with the number of tasks.  The forward pass is unchanged, and so
are the heads' own gradients (each head still learns from lambda_t dL_t/dz_t).

With the same kappa for every head, scaling each branch's gradient at the fork equals scaling their sum once
where the trunk's output is shared, which is what :class:`ForkNormalizedShell` does.  beta = 0 turns it off.

``--fork-normalization-beta`` sets beta for a new network (default 0.5).  The value is stored in the network,
so a checkpoint brings its own beta back in eval and predict; naming the option again when training from a
checkpoint changes it.  Only networks with heads of this plugin's datasets are touched.
"""
import argparse
import logging

import torch

import openpifpaf

from .. import DATASETS
from . import category_head

LOG = logging.getLogger(__name__)


class ScaleGradient(torch.autograd.Function):
    """Identity forward; the backward pass multiplies the incoming gradient by ``kappa``."""

    @staticmethod
    def forward(ctx, x, kappa):  # pylint: disable=arguments-differ
        ctx.kappa = kappa
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output):  # pylint: disable=arguments-differ
        return grad_output * ctx.kappa, None


def kappa(n_heads, beta):
    """The gradient factor T^-beta for T heads."""
    return float(n_heads) ** -float(beta) if n_heads > 0 else 1.0


class ForkNormalizedShell(openpifpaf.network.Shell):
    """OpenPifPaf's Shell with fork normalization between the trunk and its heads."""

    def __init__(self, base_net, head_nets, *, fork_beta=0.5, **kwargs):
        super().__init__(base_net, head_nets, **kwargs)
        self.fork_beta = float(fork_beta)

    @classmethod
    def from_shell(cls, shell, fork_beta):
        """The same modules (not copies) in a ForkNormalizedShell."""
        return cls(shell.base_net, shell.head_nets, fork_beta=fork_beta,
                   process_input=shell.process_input, process_heads=getattr(shell, 'process_heads', None))

    def category_head(self):
        """This plugin's category head network, or None."""
        return next((head for head in self.head_nets if isinstance(head.meta, category_head.Category)), None)

    def forward(self, image_batch, *, head_mask=None):
        if self.process_input is not None:
            image_batch = self.process_input(image_batch)

        if getattr(self.base_net, 'needs_category_head', False):  # SANL attention from the category head
            x = self.base_net(image_batch, category_head=self.category_head())
        else:
            x = self.base_net(image_batch)
        if head_mask is None:
            head_mask = [True] * len(self.head_nets)
        n_heads = sum(1 for m in head_mask if m)
        # not in a TorchScript trace: a Python autograd.Function cannot be saved there (and forward is identity)
        if self.fork_beta and x.requires_grad and n_heads and not torch.jit.is_tracing():
            x = ScaleGradient.apply(x, kappa(n_heads, self.fork_beta))
        head_outputs = tuple(hn(x) if m else None for hn, m in zip(self.head_nets, head_mask))

        if self.process_heads is not None:
            head_outputs = self.process_heads(head_outputs)
        return head_outputs


class ForkNormalization:
    """Command-line options (collected by OpenPifPaf's network factory through ``BASE_TYPES``)."""
    beta = None  #: None: 0.5 for a new network, the checkpoint's own value for a loaded one
    default_beta = 0.5

    @classmethod
    def cli(cls, parser: argparse.ArgumentParser):
        group = parser.add_argument_group('fork normalization (openpifpaf_deepfashion)')
        group.add_argument('--fork-normalization-beta', default=cls.beta, type=float,
                           help=('scale each head\'s gradient into the shared trunk by T^-beta for T heads '
                                 '(default {} for a new network, the checkpoint\'s value otherwise; 0 turns it '
                                 'off)'.format(cls.default_beta)))

    @classmethod
    def configure(cls, args: argparse.Namespace):
        if args.fork_normalization_beta is not None and args.fork_normalization_beta < 0.0:
            raise ValueError('--fork-normalization-beta must be >= 0, not {}'.format(args.fork_normalization_beta))
        cls.beta = args.fork_normalization_beta

    @classmethod
    def apply(cls, net):
        """``net`` with fork normalization if it has heads of this plugin's datasets, otherwise unchanged."""
        if not any(meta.dataset in DATASETS for meta in net.head_metas or []):
            return net
        if isinstance(net, ForkNormalizedShell):
            if cls.beta is not None and cls.beta != net.fork_beta:
                LOG.info('fork normalization: beta %.3f (checkpoint had %.3f)', cls.beta, net.fork_beta)
                net.fork_beta = cls.beta
            return net
        beta = cls.default_beta if cls.beta is None else cls.beta
        LOG.info('fork normalization: beta %.3f', beta)
        return ForkNormalizedShell.from_shell(net, beta)


def install():
    """Idempotent: register the options and make OpenPifPaf's network factory apply fork normalization."""
    openpifpaf.network.factory.BASE_TYPES.add(ForkNormalization)
    factory_class = openpifpaf.network.Factory
    if getattr(factory_class.init_net, 'fork_normalization', False):
        return
    plain_init_net = factory_class.init_net

    def init_net(self, net_cpu):
        return plain_init_net(self, ForkNormalization.apply(net_cpu))

    init_net.fork_normalization = True
    factory_class.init_net = init_net
