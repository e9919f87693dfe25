"""``openpifpaf.train --ddp`` on CPU processes (gloo), as on GPUs (NCCL).

OpenPifPaf 0.14 starts the process group and wraps the network in ``DistributedDataParallel`` only when CUDA
is used; on the CPU each process of a ``torchrun`` launch trains alone on the whole data and writes the same
files as the others.  For ``--ddp`` on the CPU (no GPU, or ``--disable-cuda``) this module starts the gloo
process group from torchrun's environment before the data and network are built (OpenPifPaf then gives each
process its share of the data through a distributed sampler, and writes checkpoints and the log on rank 0
only), and wraps the network in ``DistributedDataParallel`` when the trainer is made: gradients are averaged
over the processes in every step, so that all ranks keep the same weights.  Batch norm statistics stay per
process (``SyncBatchNorm`` needs CUDA).  The GPU path is OpenPifPaf's own, unchanged.
"""
import copy
import logging

import torch

LOG = logging.getLogger(__name__)


def configure(args):
    """Training hook: start the gloo process group for ``--ddp`` on the CPU."""
    if not getattr(args, 'ddp', False) or args.device.type != 'cpu' or torch.distributed.is_initialized():
        return
    torch.distributed.init_process_group(backend='gloo', init_method='env://')
    LOG.info('DDP on the CPU (gloo): rank %d of %d', torch.distributed.get_rank(),
             torch.distributed.get_world_size())


def wrap(trainer):
    """Trainer hook: a CPU network in a started process group trains as ``DistributedDataParallel``."""
    if not torch.distributed.is_initialized() or torch.distributed.get_backend() != 'gloo':
        return
    model = trainer.model
    if isinstance(model, torch.nn.parallel.DistributedDataParallel) \
       or next(model.parameters()).device.type != 'cpu':
        return
    if trainer.checkpoint_shell is None:
        trainer.checkpoint_shell = copy.deepcopy(model)
    unused = bool(getattr(model.base_net, 'unused_parameters', False))
    trainer.model = torch.nn.parallel.DistributedDataParallel(model, find_unused_parameters=unused)
    LOG.info('network wrapped in DistributedDataParallel (gloo, rank %d)', torch.distributed.get_rank())
