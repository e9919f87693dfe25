"""Dependable runs of ``python -m openpifpaf.train`` for this plugin's datasets: several processes on the CPU
(gloo) as on GPUs, checkpoints that are whole or absent, resuming a killed run, and a stop with names at the
first non-finite loss.  :func:`install` hooks them into OpenPifPaf's trainer; each lives in its own module."""
from . import atomic_checkpoints, distributed, finite_loss, resume, trainer_hooks


def install():
    """Idempotent."""
    atomic_checkpoints.install()
    resume.install()
    trainer_hooks.install(configure=[resume.configure, distributed.configure],
                          wrap=[distributed.wrap, finite_loss.guard])
