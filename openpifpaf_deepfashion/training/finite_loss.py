"""Stop at the first non-finite loss, naming the epoch, the batch and the heads.

Seed 001 (section 7.2) lost most of its trainings to loss explosions.  OpenPifPaf's own check fires after
the step, in a traceback that names no epoch, batch or head.  Here a forward hook on the trainer's loss
checks each head's loss before ``backward()``: the weights are not touched by the bad batch, and the last
checkpoint on disk (whole, see :mod:`.atomic_checkpoints`) stays the one to resume from or to fine-tune with
a lower ``--lr`` or with ``--clip-grad-norm``.  Under DDP the finding is shared by all processes, so that all
stop together instead of waiting for each other's gradients.
"""
import logging
import math

import torch

from ..errors import UserError

LOG = logging.getLogger(__name__)


class NonFiniteLossError(UserError, RuntimeError):
    """A head's loss became NaN or infinite."""


class Position:
    """Where the trainer is: set by the wrapped ``train``/``val``/``train_batch``/``val_batch``."""

    def __init__(self):
        self.phase = 'train'
        self.epoch = 0
        self.batch = -1


def non_finite_heads(field_names, head_losses):
    """(name, value) of each loss component that is NaN or infinite (None components are skipped)."""
    values = [float(loss.detach()) if loss is not None else 0.0 for loss in head_losses]
    return [(name, value) for name, value in zip(field_names, values) if not math.isfinite(value)]


def shared_flags(head_losses, device):
    """1.0 for each non-finite component, summed over all DDP processes (one tensor, no sync per head)."""
    flags = torch.zeros(len(head_losses), device=device)
    present = [i for i, loss in enumerate(head_losses) if loss is not None]
    if present:
        values = torch.stack([head_losses[i].detach().reshape(()) for i in present])
        flags[present] = (~torch.isfinite(values)).to(flags.dtype)
    if torch.distributed.is_initialized():
        torch.distributed.all_reduce(flags)
    return flags


def message(position, field_names, head_losses, flags):
    bad = [name for name, flag in zip(field_names, flags.tolist()) if flag]
    local = dict(non_finite_heads(field_names, head_losses))
    heads = ', '.join('{} ({})'.format(name, local[name] if name in local else 'in another process')
                      for name in bad)
    what = 'training' if position.phase == 'train' else 'validation after'
    return ('non-finite loss in {} epoch {}, batch {}: {}. The weights were not updated with this batch; '
            'resume from the last checkpoint with a lower --lr or with --clip-grad-norm'.format(
                what, position.epoch, position.batch, heads))


def guard(trainer):
    """Trainer hook: check every batch's head losses before the backward pass."""
    position = Position()
    field_names = list(getattr(trainer.loss, 'field_names', []))

    def check(_module, _inputs, output):
        total, head_losses = output
        if total is None:
            return
        flags = shared_flags(head_losses, total.device)
        if bool(flags.any()):
            raise NonFiniteLossError(message(position, field_names, head_losses, flags))

    trainer.loss.register_forward_hook(check)
    trainer.finite_loss_position = position
    plain_train, plain_val = trainer.train, trainer.val
    plain_train_batch, plain_val_batch = trainer.train_batch, trainer.val_batch

    def train(scenes, epoch):
        position.phase, position.epoch, position.batch = 'train', epoch, -1
        return plain_train(scenes, epoch)

    def val(scenes, epoch):
        position.phase, position.epoch, position.batch = 'val', epoch, -1
        return plain_val(scenes, epoch)

    def train_batch(*args, **kwargs):
        position.batch += 1
        return plain_train_batch(*args, **kwargs)

    def val_batch(*args, **kwargs):
        position.batch += 1
        return plain_val_batch(*args, **kwargs)

    trainer.train, trainer.val = train, val
    trainer.train_batch, trainer.val_batch = train_batch, val_batch
