"""Make ``--checkpoint`` load OpenPifPaf's whole-module checkpoints under torch >= 2.6.

``openpifpaf.train`` pickles the whole network (``{'model': nets.Shell, 'epoch': ...}``), which torch's
``weights_only=True`` default refuses.  A checkpoint the user names on the command line is trusted the
way OpenPifPaf always trusted it, so inside ``openpifpaf.network.factory`` alone ``torch.load`` defaults to
``weights_only=False`` (and to ``map_location='cpu'``, so a CUDA-trained checkpoint also loads on a
machine without a GPU; OpenPifPaf moves the network to ``--device`` afterwards).  Nothing else in the
process changes, and no environment variable is needed.
"""
import torch

import openpifpaf.network.factory


class TorchForCheckpoints:
    """Stands in for the ``torch`` module inside openpifpaf.network.factory; only ``load`` differs."""

    def __getattr__(self, name):
        return getattr(torch, name)

    @staticmethod
    def load(f, *args, **kwargs):
        if not args:
            kwargs.setdefault('map_location', 'cpu')
        kwargs.setdefault('weights_only', False)
        return torch.load(f, *args, **kwargs)


def install():
    """Idempotent: route the factory's checkpoint loading through TorchForCheckpoints."""
    if not isinstance(openpifpaf.network.factory.torch, TorchForCheckpoints):
        openpifpaf.network.factory.torch = TorchForCheckpoints()
