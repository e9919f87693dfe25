"""Make ``--checkpoint`` load OpenPifPaf's whole-module checkpoints under torch >= 2.6.

``openpifpaf.train`` pickles the whole network (``{'model': nets.Shell, 'epoch': ...}``), which torch's
``weights_only=True`` default refuses.  A checkpoint the user names on the command line is trusted the
way OpenPifPaf always trusted it, so inside ``openpifpaf.network.factory`` alone ``torch.load`` defaults to
``weights_only=False`` (and to ``map_location='cpu'``, so a CUDA-trained checkpoint also loads on a
machine without a GPU; OpenPifPaf moves the network to ``--device`` afterwards).  Nothing else in the
process changes, and no environment variable is needed.
"""
import logging

import torch

import openpifpaf.network.factory

LOG = logging.getLogger(__name__)


#: What the last checkpoint loaded through the factory was trained for: {'path': ..., 'datasets': [...]}.
LAST_LOADED = {}


class WrongCheckpointError(ValueError):
    """A checkpoint whose heads belong to another dataset was given for deepfashion evaluation."""


class TorchForCheckpoints:
    """Stands in for the ``torch`` module inside openpifpaf.network.factory; only ``load`` differs."""

    def __getattr__(self, name):
        return getattr(torch, name)

    @staticmethod
    def load(f, *args, **kwargs):
        if not args:
            kwargs.setdefault('map_location', 'cpu')
        kwargs.setdefault('weights_only', False)
        checkpoint = torch.load(f, *args, **kwargs)
        model = checkpoint.get('model') if isinstance(checkpoint, dict) else None
        LAST_LOADED.clear()
        metas = getattr(model, 'head_metas', None) or []
        LAST_LOADED.update(path=str(f), datasets=sorted({meta.dataset for meta in metas}),
                           heads=sorted({(meta.dataset, meta.name) for meta in metas}))
        return checkpoint


def check_trained_for(dataset, head_metas=()):
    """Refuse to evaluate a loaded checkpoint that has no heads for ``dataset``.

    OpenPifPaf would silently attach new, untrained heads to it (right for fine-tuning, wrong for eval).  Of
    ``head_metas``, those the checkpoint did not have are marked ``untrained`` (and logged): the decoder then
    leaves them out, so that a landmark-only checkpoint is evaluated as what it is."""
    if LAST_LOADED and dataset not in LAST_LOADED['datasets']:
        raise WrongCheckpointError(
            'checkpoint {} has heads for {}, not for "{}": evaluate it with its own --dataset, or fine-tune it '
            'first with python -m openpifpaf.train --dataset={} --checkpoint={}'.format(
                LAST_LOADED['path'], LAST_LOADED['datasets'], dataset, dataset, LAST_LOADED['path']))
    if not LAST_LOADED:
        return
    for meta in head_metas:
        if (meta.dataset, meta.name) not in LAST_LOADED['heads']:
            LOG.warning('checkpoint %s has no %s head: evaluated without it', LAST_LOADED['path'], meta.name)
            meta.untrained = True


def install():
    """Idempotent: route the factory's checkpoint loading through TorchForCheckpoints."""
    if not isinstance(openpifpaf.network.factory.torch, TorchForCheckpoints):
        openpifpaf.network.factory.torch = TorchForCheckpoints()
