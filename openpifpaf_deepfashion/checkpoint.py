"""Make ``--checkpoint`` load OpenPifPaf's whole-module checkpoints under torch >= 2.6.

``openpifpaf.train`` pickles the whole network (``{'model': nets.Shell, 'epoch': ...}``), which torch's
``weights_only=True`` default refuses.  A checkpoint the user names on the command line is trusted the
way OpenPifPaf always trusted it, so inside ``openpifpaf.network.factory`` alone ``torch.load`` defaults to
``weights_only=False`` (and to ``map_location='cpu'``, so a CUDA-trained checkpoint also loads on a
machine without a GPU; OpenPifPaf moves the network to ``--device`` afterwards).  Nothing else in the
process changes, and no environment variable is needed.

A checkpoint of another version of this plugin that this version cannot use (a pickled class that is gone, or
deepfashion heads without a field or with other landmarks or categories than this version's) is refused with
:class:`OutdatedCheckpointError`, which says what to do.
"""
import dataclasses
import logging

import torch

import openpifpaf.network.factory

from . import __version__
from .deepfashion import constants
from .errors import UserError

LOG = logging.getLogger(__name__)

PLUGIN = 'openpifpaf_deepfashion'


#: What the last checkpoint loaded through the factory was trained for: {'path': ..., 'datasets': [...]}.
LAST_LOADED = {}


class WrongCheckpointError(UserError, ValueError):
    """A checkpoint whose heads belong to another dataset was given for deepfashion evaluation."""


class OutdatedCheckpointError(UserError, ValueError):
    """A checkpoint of another version of this plugin whose network or heads this version cannot use."""


class TorchForCheckpoints:
    """Stands in for the ``torch`` module inside openpifpaf.network.factory; only ``load`` differs."""

    def __getattr__(self, name):
        return getattr(torch, name)

    @staticmethod
    def load(f, *args, **kwargs):
        if not args:
            kwargs.setdefault('map_location', 'cpu')
        kwargs.setdefault('weights_only', False)
        try:
            checkpoint = torch.load(f, *args, **kwargs)
        except (ImportError, AttributeError) as e:  # a class of this plugin that was renamed or moved since
            if PLUGIN not in str(e):
                raise
            raise OutdatedCheckpointError(outdated_message(f, None, 'it names code that is gone: {}'.format(e))) from e
        model = checkpoint.get('model') if isinstance(checkpoint, dict) else None
        LAST_LOADED.clear()
        metas = getattr(model, 'head_metas', None) or []
        problems = outdated_heads(metas)
        if problems and openpifpaf.network.Factory.head_consolidation != 'create':
            raise OutdatedCheckpointError(outdated_message(f, checkpoint, '; '.join(problems)) + (
                ', or keep its trunk and train new heads (--checkpoint={} --head-consolidation=create)'.format(f)))
        LAST_LOADED.update(path=str(f), datasets=sorted({meta.dataset for meta in metas}),
                           heads=sorted({(meta.dataset, meta.name) for meta in metas}))
        return checkpoint


def outdated_heads(metas):
    """What the deepfashion head metas of a checkpoint lack for this version of the plugin (a list of texts)."""
    expected = {'keypoints': constants.KEYPOINTS, 'categories': constants.CATEGORY_NAMES}
    problems = []
    for meta in metas:
        if meta.dataset != 'deepfashion' or not dataclasses.is_dataclass(meta):
            continue
        missing = [field.name for field in dataclasses.fields(meta) if not hasattr(meta, field.name)]
        if missing:
            problems.append('its {} head has no {}'.format(meta.name, ', '.join(missing)))
            continue
        for name, values in expected.items():
            if not hasattr(meta, name) or list(getattr(meta, name)) == list(values):
                continue
            if len(getattr(meta, name)) == len(values):
                problems.append('its {} head has other {} than this version'.format(meta.name, name))
            else:
                problems.append('its {} head has {} {}, this version {}'.format(
                    meta.name, len(getattr(meta, name)), name, len(values)))
    return problems


def outdated_message(path, checkpoint, problem):
    """What is wrong with an outdated checkpoint and what to do, with the plugin version that wrote it if known."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    version = ((meta or {}).get('plugin_versions') or {}).get(PLUGIN)
    return ('checkpoint {} was written by {} and does not fit {} {}: {}. Train a new one with this version '
            '(python -m openpifpaf.train --dataset=deepfashion --basenet=...)'.format(
                path, '{} {}'.format(PLUGIN, version) if version else 'another version of ' + PLUGIN,
                PLUGIN, __version__, problem))


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
