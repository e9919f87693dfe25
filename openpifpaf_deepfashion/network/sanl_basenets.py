"""OpenPifPaf base networks with (spatial-aware) non-local blocks: ``<base>-sanl`` and ``<base>-nl``.

For ``resnet18``, ``resnet50``, ``resnet101`` and ``shufflenetv2k16`` (``--basenet=resnet50-sanl`` ...).  The
backbone is OpenPifPaf's own (its ``--resnet-*`` / ``--shufflenetv2k-*`` options apply) with one block after each
stage, as the SANL paper puts four blocks after conv2_3, conv3_4, conv4_23 and conv5_3 of its ResNet-101:

* ResNets: after ``block2``, ``block3``, ``block4`` and ``block5`` (conv2_x .. conv5_x).  OpenPifPaf's ResNet
  drops the input max pool by default, so these stages run at strides 2, 4, 8, 16 (4, 8, 16, 32 with
  ``--resnet-pool0-stride=2``); with ``--resnet-remove-last-block`` there is no conv5_x and three blocks.
  Block k takes the AttentionNet's map of stage k (layer k: a low-level map for a low-level block), resized.
* ShuffleNetV2K (stride 16, no stride-32 stage): three blocks, after ``stage2`` (stride 4), ``stage3``
  (stride 8) and ``conv5`` (the last layer at stride 16), taking the stride 4, 8 and 16 maps.

``-sanl`` nets need an attention source, ``--sanl-attention``:

* ``attention-net`` (the paper's): ``--sanl-attention-checkpoint FILE``, an AttentionNet written by
  ``python -m openpifpaf_deepfashion.train_attention``; it is frozen and becomes a submodule of the base network,
  so OpenPifPaf's checkpoint holds it and ``--checkpoint`` alone restores everything.
* ``category-head``: Grad-CAM of the network's own category head (:mod:`.category_attention`): no second
  backbone, a first pass through the same trunk instead.  The network's shell hands its category head to the
  base network's forward; a network without a category head refuses to start.

The source is stored in the base network, so eval and predict rebuild it from the checkpoint.
``--sanl-all-from-last-stride`` gives every block the stride-32 map (the paper's SANL(32) ablation; computed as
the closed-form CAM, which also makes the network exportable to ONNX).  ``-nl`` nets are the same blocks without
attention (the paper's NL).

A block's inner channels are C / ``--sanl-reduction``, capped at the largest power of two that keeps all blocks
within ``--sanl-param-budget`` (10 %) of the backbone's parameters: a block costs about 4 C C' parameters, so on
wide backbones the stride-32 block alone would cost a third of the trunk.  ``--sanl-param-budget=0`` builds the
paper's C / 2 blocks.  The defaults depend on the backbone (:data:`BACKBONES`):

* resnet18 and shufflenetv2k16: the paper's C / 2 (resnet18 uncapped, 1.063x parameters; shufflenetv2k16 capped
  at 64, 1.071x instead of 1.579x), keys and values at every position.
* resnet50 and resnet101 (bottleneck ResNets): C / 4, the bottleneck's own inner width (64, 128, 256, 512 before
  the cap at 128 / 256: 1.081x / 1.082x parameters), and keys and values subsampled over 2 x 2 cells
  (``--sanl-subsample``, Wang et al.'s subsampling).  Their first block runs at stride 2 on C = 256 channels, four
  times the width of the stage's own 3x3 convolutions: with the paper's C / 2 and every key position it alone
  added 16 % to the forward time of resnet50 at 385 px, and the four blocks 24 %; with these defaults the four
  add 11 % (resnet101: 10 %).
"""
import argparse
import collections
import functools
import logging

import torch

import openpifpaf

from ..errors import UserError
from . import attention_net, category_attention, category_head, sanl

LOG = logging.getLogger(__name__)


class Backbone(collections.namedtuple('Backbone', 'stages block_after reduction subsample')):
    """Stages run in order, the stages followed by a block, and the blocks' default reduction and subsample."""


RESNET_STAGES = ('input_block', 'block2', 'block3', 'block4', 'block5')
#: base network name -> its :class:`Backbone`
BACKBONES = {
    'resnet18': Backbone(RESNET_STAGES, RESNET_STAGES[1:], reduction=2, subsample=1),
    'resnet50': Backbone(RESNET_STAGES, RESNET_STAGES[1:], reduction=4, subsample=2),
    'resnet101': Backbone(RESNET_STAGES, RESNET_STAGES[1:], reduction=4, subsample=2),
    'shufflenetv2k16': Backbone(('input_block', 'stage2', 'stage3', 'stage4', 'conv5'), ('stage2', 'stage3', 'conv5'),
                                reduction=2, subsample=1),
}
LAST_STRIDE_MAP = len(attention_net.STRIDES) - 1
ATTENTION_SOURCES = ('attention-net', category_attention.SOURCE_NAME)


class SanlConfigError(UserError, ValueError):
    """A -sanl network was asked for without what it needs (the message names the option)."""


def inner_channels_cap(channels, base_parameters, reduction=2, budget=0.10):
    """The largest power of two that, as a cap on every block's inner channels, keeps the blocks' parameters
    within ``budget`` x ``base_parameters`` (None: C / reduction everywhere fits, or no budget).

    Blocks on C channels cost about 4 C C' parameters, so the widest stage dominates (C = 2048 on a ResNet-50's
    conv5_x: 8.4 M of the blocks' 11.1 M at C' = C / 2).  Capping C' there, and leaving the narrow stages at the
    paper's C / 2, keeps the blocks light on wide backbones; the smallest cap tried is 8.
    """
    def cost(cap):
        return sum(sanl.block_parameters(c, sanl.inner_channels(c, reduction, cap)) for c in channels)

    if not budget or cost(None) <= budget * base_parameters:
        return None
    cap = 1 << (max(sanl.inner_channels(c, reduction) for c in channels).bit_length() - 1)
    while cap > 8 and cost(cap) > budget * base_parameters:
        cap //= 2
    return cap


class SanlBase(openpifpaf.network.BaseNetwork):
    """An OpenPifPaf backbone with a non-local block after each stage; SANL blocks when ``attention`` is given.

    :param base: the OpenPifPaf base network whose stage modules are adopted (state-dict keys stay the same, so
        weights of a plain checkpoint of that backbone load into it with ``strict=False``)
    :param stages: the attribute names of ``base``'s stages, in forward order (None entries are skipped)
    :param block_after: the stages followed by a block, from low to high level
    :param attention: an :class:`attention_net.AttentionSource`, ``'category-head'`` (the maps come from the
        category head that the shell passes to :meth:`forward`), or None for plain non-local blocks
    """
    attention_source = 'attention-net'
    attention_checkpoint = None
    all_from_last_stride = False
    reduction = None  # None: the backbone's default (BACKBONES)
    subsample = None  # None: the backbone's default (BACKBONES)
    param_budget = 0.10
    attention_scale = 1.0

    def __init__(self, name, base, stages, block_after, *, attention=None, all_from_last_stride=False,
                 reduction=2, subsample=1, param_budget=None, attention_scale=1.0):
        super().__init__(name, stride=base.stride, out_features=base.out_features)
        self.stages = tuple(stages)
        for stage in self.stages:
            setattr(self, stage, getattr(base, stage))
        channels = self._stage_channels()
        self.block_after = tuple(stage for stage in block_after if getattr(self, stage) is not None)
        trunk_parameters = sum(p.numel() for p in self.parameters())
        cap = inner_channels_cap([channels[stage] for stage in self.block_after], trunk_parameters, reduction,
                                 param_budget)
        self.nl_blocks = torch.nn.ModuleDict({
            stage: (sanl.SANLBlock if attention is not None else sanl.NonLocalBlock)(
                channels[stage], reduction, cap, subsample)
            for stage in self.block_after
        })
        self.map_index = {stage: LAST_STRIDE_MAP if all_from_last_stride else i
                          for i, stage in enumerate(self.block_after)}
        #: maps from the category head passed to forward() (attention source 'category-head')
        self.needs_category_head = attention == category_attention.SOURCE_NAME
        self.attention = attention if not self.needs_category_head else None
        self.all_from_last_stride = all_from_last_stride
        #: the attention source sees the image resized by this factor (its maps are resized to each block)
        self.attention_scale = attention_scale
        LOG.info('%s: %s blocks after %s (inner channels %s, keys subsampled %dx, attention maps %s)', name,
                 'SANL' if attention is not None else 'NL', list(self.block_after),
                 [self.nl_blocks[s].inner_channels for s in self.block_after], subsample,
                 [self.map_index[s] for s in self.block_after])

    def _stage_channels(self):
        """Output channels of every stage, from a forward pass of a small image in eval mode."""
        was_training = self.training
        self.train(False)
        channels = {}
        with torch.no_grad():
            x = torch.zeros(1, 3, 65, 65)
            for stage in self.stages:
                module = getattr(self, stage)
                if module is None:
                    continue
                x = module(x)
                channels[stage] = x.shape[1]
        self.train(was_training)
        return channels

    def run_stages(self, x, maps=None, collect=False):
        """(trunk output, {stage: the block's input} if ``collect``) with the maps {stage: M} (None: M = 0)."""
        block_inputs = {}
        for stage in self.stages:
            module = getattr(self, stage)
            if module is None:
                continue
            x = module(x)
            if stage in self.nl_blocks:
                if collect:
                    block_inputs[stage] = x
                x = self.nl_blocks[stage](x, maps[stage] if maps is not None else None)
        return x, block_inputs

    def attention_input(self, x):
        """The image as the attention source sees it: resized by ``attention_scale``."""
        scale = getattr(self, 'attention_scale', 1.0)
        if scale == 1.0:
            return x
        return torch.nn.functional.interpolate(x, scale_factor=scale, mode='bilinear', align_corners=False,
                                               recompute_scale_factor=False)

    def forward(self, x, category_head=None):  # pylint: disable=arguments-differ
        maps = None
        if self.attention is not None:
            source_maps = self.attention.maps(self.attention_input(x))
            maps = {stage: source_maps[self.map_index[stage]] for stage in self.block_after}
        elif getattr(self, 'needs_category_head', False):
            if category_head is None:
                raise SanlConfigError(missing_category_head_message(self.name))
            if not self.all_from_last_stride and attention_net.is_exporting():
                raise RuntimeError(attention_net.EXPORT_REFUSAL)
            maps = category_attention.maps(self, self.attention_input(x), category_head)
        return self.run_stages(x, maps)[0]

    @classmethod
    def cli(cls, parser: argparse.ArgumentParser):
        group = parser.add_argument_group('SANL / non-local base networks (openpifpaf_deepfashion)')
        group.add_argument('--sanl-attention', default=cls.attention_source, choices=ATTENTION_SOURCES,
                           help='where the attention maps of a <base>-sanl network come from: the paper\'s '
                                'AttentionNet (--sanl-attention-checkpoint) or Grad-CAM of the network\'s own '
                                'category head (no second backbone)')
        group.add_argument('--sanl-attention-checkpoint', default=cls.attention_checkpoint,
                           help='AttentionNet checkpoint (python -m openpifpaf_deepfashion.train_attention) '
                                'whose Grad-CAM maps feed the blocks of a <base>-sanl network')
        assert not cls.all_from_last_stride
        group.add_argument('--sanl-all-from-last-stride', default=False, action='store_true',
                           help='every SANL block takes the stride-32 attention map (the paper\'s SANL(32))')
        group.add_argument('--sanl-reduction', default=cls.reduction, type=int,
                           help='inner channels of a block = channels / this (2 in the paper; default: 2, and 4 '
                                'on resnet50 / resnet101, their bottleneck width)')
        group.add_argument('--sanl-subsample', default=cls.subsample, type=int,
                           help='keys and values of a block from its input averaged over cells of this size '
                                '(1: every position, the paper\'s; default: 1, and 2 on resnet50 / resnet101)')
        group.add_argument('--sanl-attention-scale', default=cls.attention_scale, type=float,
                           help='the attention source sees the image resized by this factor (0.5: a quarter of '
                                'its cost; the maps are resized to each block anyway)')
        group.add_argument('--sanl-param-budget', default=cls.param_budget, type=float,
                           help='cap the blocks\' inner channels (at a power of two, widest stages first) so that '
                                'the blocks add at most this fraction to the backbone\'s parameters; 0: no cap '
                                '(the paper\'s C / 2 everywhere)')

    @classmethod
    def configure(cls, args: argparse.Namespace):
        cls.attention_source = args.sanl_attention
        cls.attention_checkpoint = args.sanl_attention_checkpoint
        cls.all_from_last_stride = args.sanl_all_from_last_stride
        cls.reduction = args.sanl_reduction
        cls.subsample = args.sanl_subsample
        for option, value in (('--sanl-reduction', cls.reduction), ('--sanl-subsample', cls.subsample)):
            if value is not None and value < 1:
                raise SanlConfigError('{} must be at least 1, not {}'.format(option, value))
        cls.param_budget = args.sanl_param_budget
        cls.attention_scale = args.sanl_attention_scale
        if not 0.0 < cls.attention_scale <= 1.0:
            raise SanlConfigError('--sanl-attention-scale must be in (0, 1], not {}'.format(cls.attention_scale))
        if cls.param_budget < 0:
            raise SanlConfigError('--sanl-param-budget must be 0 (no cap) or positive, not {}'.format(
                cls.param_budget))


def missing_category_head_message(name):
    return ('{} with --sanl-attention={} takes its attention maps from the network\'s category head, and this '
            'network has none: train with the category head on (--dataset=deepfashion with the 50 categories, '
            'or deepfashion2), or use --sanl-attention=attention-net --sanl-attention-checkpoint FILE'.format(
                name, category_attention.SOURCE_NAME))


def attention_source(name):
    """The attention source configured for the -sanl network ``name`` (refuses when there is none)."""
    if SanlBase.attention_source == category_attention.SOURCE_NAME:
        if SanlBase.attention_checkpoint:
            LOG.warning('%s takes its attention from the category head: --sanl-attention-checkpoint is not used',
                        name)
        return category_attention.SOURCE_NAME
    if not SanlBase.attention_checkpoint:
        raise SanlConfigError(
            '{} needs spatial attention maps: pass --sanl-attention-checkpoint FILE (an AttentionNet trained with '
            'python -m openpifpaf_deepfashion.train_attention), or use {} for plain non-local blocks'.format(
                name, name.replace('-sanl', '-nl')))
    net = attention_net.load_checkpoint(SanlBase.attention_checkpoint)
    return attention_net.GradCamAttention(net, last_stride_only=SanlBase.all_from_last_stride)


def build(base_name, spatial_aware):
    """Factory of ``<base_name>-sanl`` (spatial_aware) or ``<base_name>-nl``."""
    name = '{}-{}'.format(base_name, 'sanl' if spatial_aware else 'nl')
    attention = attention_source(name) if spatial_aware else None
    if not spatial_aware and SanlBase.attention_checkpoint:
        LOG.warning('%s has plain non-local blocks: --sanl-attention-checkpoint is not used', name)
    backbone = BACKBONES[base_name]
    base = openpifpaf.BASE_FACTORIES[base_name]()
    return SanlBase(name, base, backbone.stages, backbone.block_after, attention=attention,
                    all_from_last_stride=SanlBase.all_from_last_stride and spatial_aware,
                    reduction=SanlBase.reduction or backbone.reduction,
                    subsample=SanlBase.subsample or backbone.subsample, param_budget=SanlBase.param_budget,
                    attention_scale=SanlBase.attention_scale if spatial_aware else 1.0)


def check_category_head(net):
    """Refuse a network whose base takes attention from a category head that the network does not have, or
    whose category head is not linear in the trunk's features (has a context layer)."""
    if not getattr(net.base_net, 'needs_category_head', False):
        return net
    if not hasattr(net, 'category_head') or net.category_head() is None:
        raise SanlConfigError(missing_category_head_message(net.base_net.name))
    if category_head.context_layer(net.category_head()) is not None:
        raise SanlConfigError('{} with --sanl-attention={} reads the category head\'s class weights off the trunk: '
                              'build the head without a context layer (--category-head-hidden=0)'.format(
                                  net.base_net.name, category_attention.SOURCE_NAME))
    return net


def register():
    for base_name in BACKBONES:
        openpifpaf.BASE_FACTORIES[base_name + '-sanl'] = functools.partial(build, base_name, True)
        openpifpaf.BASE_FACTORIES[base_name + '-nl'] = functools.partial(build, base_name, False)
    openpifpaf.network.factory.BASE_TYPES.add(SanlBase)
    factory_class = openpifpaf.network.Factory
    if not getattr(factory_class.init_net, 'sanl_check', False):
        plain_init_net = factory_class.init_net

        def init_net(self, net_cpu):
            return check_category_head(plain_init_net(self, net_cpu))

        init_net.sanl_check = True
        factory_class.init_net = init_net
