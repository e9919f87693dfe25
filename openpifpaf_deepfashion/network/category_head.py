"""The category head: a dense field of category logits beside CIF and CAF.

Every cell of the field holds one logit per category (the 50 of DeepFashion's ``list_category_cloth.txt``).
Training puts a cross-entropy loss on the logits of the cells that belong to a ground-truth garment
(:mod:`.category_encoder`, :mod:`.category_loss`); at inference the head returns per-cell probabilities (a
softmax over categories, as CIF returns sigmoid confidences), and the decoder reads one category per garment
out of the cells of that garment (:mod:`.category_readout`).

``readout`` selects how a garment gets its category:

* ``'garment'`` (default): the mean of the probabilities over the cells inside the garment's box, a vote of the
  garment's own cells (after Mordan et al. 2021, who vote over the cells of each detected instance).  Where the
  boxes of several garments overlap, a cell belongs to the smallest box (the garment in front), in training and
  in decoding alike.
* ``'pooled'``: the garment is classified as a whole: trained with the cross-entropy of the mean of its cells'
  logits (a classifier's global average pooling over the garment), read out as the softmax of that mean (the
  normalized geometric mean of the cells' probabilities).  A cell needs to carry only its part of the evidence
  (a collar, a hem) instead of the whole garment's category.
* ``'image'``: the seed report's image-level readout, kept for comparison: each category's logit is max-pooled
  over the whole image (a softmax of those maxima), trained with one label per image (its largest garment), and
  every garment of the image gets the same category.

``region`` (:data:`.garment_cells.REGIONS`) says which cells are a garment's, in training and in decoding:
``'landmarks'``, the box of its landmarks with a margin, which decoding computes from the decoded landmarks as
training does from the ground truth; or ``'box'``, the garment box in training and the decoded garment's box in
decoding (the default of the meta, so that checkpoints saved before the option decode as they were trained).
"""
import argparse
import dataclasses
import logging
import math
from typing import ClassVar, List

import torch

import openpifpaf

from . import pointwise
from .category_attention import SOURCE_NAME as SANL_ATTENTION_FROM_CATEGORY_HEAD
from .garment_cells import REGIONS

LOG = logging.getLogger(__name__)
READOUTS = ('garment', 'pooled', 'image')
DEFAULT_HIDDEN_FEATURES = 128  #: tools/benchmark_category.py: better NE, detection and top-3 than none
#: The context layer's 3x3 convolution: over all its features ('dense', 9 N multiply-adds per feature and cell
#: for N features), or each feature's own ('depthwise', 9).
CONTEXT_KINDS = ('dense', 'depthwise')


@dataclasses.dataclass
class Category(openpifpaf.headmeta.Base):
    """Head meta of a dense category field."""
    categories: List[str]
    readout: str = 'garment'
    region: str = 'box'

    n_confidences: ClassVar[int] = 0
    n_vectors: ClassVar[int] = 0
    n_scales: ClassVar[int] = 0

    def __post_init__(self):
        if self.readout not in READOUTS:
            raise ValueError('category readout must be one of {}, not {!r}'.format(READOUTS, self.readout))
        if self.region not in REGIONS:
            raise ValueError('category region must be one of {}, not {!r}'.format(REGIONS, self.region))

    @property
    def n_fields(self):
        return len(self.categories)


class CategoryField(openpifpaf.network.HeadNetwork):
    """A 1x1 convolution to one logit per category (pixel-shuffled to the meta's upsample stride like OpenPifPaf's
    composite fields) from the trunk's features, through the head's context layer by default.  Logits in
    training, probabilities in eval mode.

    With ``hidden_features`` (``--category-head-hidden``, default 128), a context layer of the head's own comes
    first: a 1x1 convolution down to that many features and a 3x3 one over the neighbouring cells, each followed
    by a ReLU, so that the category has features (and a non-linearity) that CIF and CAF do not share.  The 3x3
    convolution mixes all features (``--category-head-context=dense``) or filters each feature on its own
    (``depthwise``).  0 puts the classifier on the trunk directly: the default under
    ``--sanl-attention=category-head``, whose attention maps read the head's class weights off the trunk's
    features."""
    dropout_p = 0.0
    hidden_features = DEFAULT_HIDDEN_FEATURES
    context_kind = 'dense'

    def __init__(self, meta: Category, in_features, *, hidden_features=None, context_kind=None):
        super().__init__(meta, in_features)
        hidden = self.hidden_features if hidden_features is None else hidden_features
        kind = context_kind or self.context_kind
        if kind not in CONTEXT_KINDS:
            raise ValueError('category head context must be one of {}, not {!r}'.format(CONTEXT_KINDS, kind))
        self.dropout = torch.nn.Dropout2d(p=self.dropout_p)
        self.context = None
        if hidden:
            self.context = torch.nn.Sequential(
                torch.nn.Conv2d(in_features, hidden, 1), torch.nn.ReLU(inplace=True),
                torch.nn.Conv2d(hidden, hidden, 3, padding=1, groups=hidden if kind == 'depthwise' else 1),
                torch.nn.ReLU(inplace=True))
            in_features = hidden
        self.conv = torch.nn.Conv2d(in_features, meta.n_fields * meta.upsample_stride ** 2, 1)
        self.upsample_op = torch.nn.PixelShuffle(meta.upsample_stride) if meta.upsample_stride > 1 else None

    @classmethod
    def cli(cls, parser: argparse.ArgumentParser):
        group = parser.add_argument_group('category head (openpifpaf_deepfashion)')
        group.add_argument('--category-head-dropout', default=cls.dropout_p, type=float,
                           help='zeroing probability of a feature in the category head\'s input')
        group.add_argument('--category-head-hidden', default=None, type=int,
                           help='features of the category head\'s own context layer (1x1 and 3x3 convolutions '
                                'before its classifier; default {}, 0 with --sanl-attention=category-head); 0: '
                                'the classifier reads the trunk directly'.format(DEFAULT_HIDDEN_FEATURES))
        group.add_argument('--category-head-context', default=cls.context_kind, choices=CONTEXT_KINDS,
                           help='the context layer\'s 3x3 convolution: over all its features, or each feature\'s '
                                'own (depthwise: 9 instead of 9 N multiply-adds per feature and cell)')

    @classmethod
    def configure(cls, args: argparse.Namespace):
        cls.dropout_p = args.category_head_dropout
        hidden = args.category_head_hidden
        if hidden is None:
            hidden = DEFAULT_HIDDEN_FEATURES
            if attention_from_category_head(args):
                LOG.info('category head without a context layer: --sanl-attention=category-head reads its class '
                         'weights off the trunk')
                hidden = 0
        if hidden < 0:
            raise ValueError('--category-head-hidden must be >= 0, not {}'.format(hidden))
        cls.hidden_features = hidden
        cls.context_kind = args.category_head_context

    def forward(self, x):  # pylint: disable=arguments-differ
        x = self.dropout(x)
        for layer in (context_layer(self) or ()):
            x = pointwise.apply(layer, x)
        x = pointwise.apply(self.conv, x)
        if self.upsample_op is not None:
            x = self.upsample_op(x)
            low_cut = (self.meta.upsample_stride - 1) // 2
            high_cut = math.ceil((self.meta.upsample_stride - 1) / 2.0)
            x = x[:, :, low_cut:int(x.shape[2]) - high_cut, low_cut:int(x.shape[3]) - high_cut]
        if self.training:
            return x
        if self.meta.readout == 'image':
            # one distribution per image (softmax of each category's maximum logit), in every cell
            return torch.softmax(torch.amax(x, dim=(2, 3), keepdim=True), dim=1).expand_as(x)
        return torch.softmax(x, dim=1)


def context_layer(head):
    """The category head's context layer, None for a classifier on the trunk (and for heads pickled before the
    context layer existed, which have no such module)."""
    return head._modules.get('context')  # pylint: disable=protected-access


def context_options(head):
    """The command-line options that build a category head with ``head``'s context layer."""
    context = context_layer(head)
    if context is None:
        return ['--category-head-hidden=0']
    dense = context[2].groups == 1
    return ['--category-head-hidden={}'.format(context[0].out_channels),
            '--category-head-context={}'.format('dense' if dense else 'depthwise')]


def attention_from_category_head(args):
    """Whether the command line builds a SANL base network that takes its attention from the category head."""
    basenet = getattr(args, 'basenet', None) or ''
    return basenet.endswith('-sanl') and getattr(args, 'sanl_attention', None) == SANL_ATTENTION_FROM_CATEGORY_HEAD
