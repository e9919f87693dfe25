"""Checkpoints written by ``openpifpaf.train`` are whole or absent.

OpenPifPaf's trainer writes ``OUT.epochNNN`` and ``OUT.optim.epochNNN`` with ``torch.save`` straight into
the final name, so a run killed while writing leaves a truncated file that a later ``--checkpoint`` or
``--resume-training`` would pick up.  Here the trainer module's ``torch.save`` and ``shutil.copyfile`` write
to a temporary file beside the target and rename it (an atomic replace on POSIX and Windows), for every
dataset: a whole file is never worse than a truncated one.
"""
import shutil

import torch

import openpifpaf.network.trainer

from ..atomic import atomic_path


class TorchWithAtomicSave:
    """Stands in for ``torch`` inside openpifpaf.network.trainer; only ``save`` differs."""

    def __getattr__(self, name):
        return getattr(torch, name)

    @staticmethod
    def save(obj, f, *args, **kwargs):
        if not isinstance(f, str):
            return torch.save(obj, f, *args, **kwargs)
        with atomic_path(f) as tmp_path:
            torch.save(obj, tmp_path, *args, **kwargs)
        return None


class ShutilWithAtomicCopy:
    """Stands in for ``shutil`` inside openpifpaf.network.trainer; only ``copyfile`` differs."""

    def __getattr__(self, name):
        return getattr(shutil, name)

    @staticmethod
    def copyfile(src, dst, **kwargs):
        with atomic_path(dst) as tmp_path:
            shutil.copyfile(src, tmp_path, **kwargs)
        return dst


def install():
    """Idempotent."""
    module = openpifpaf.network.trainer
    if not isinstance(module.torch, TorchWithAtomicSave):
        module.torch = TorchWithAtomicSave()
    if not isinstance(module.shutil, ShutilWithAtomicCopy):
        module.shutil = ShutilWithAtomicCopy()
