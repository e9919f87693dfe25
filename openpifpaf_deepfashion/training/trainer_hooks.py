"""Where this plugin joins OpenPifPaf's training loop.

``openpifpaf.train`` runs as ``__main__``, so its functions cannot be patched; its ``network.Trainer`` class
can.  ``Trainer.configure(args)`` is called once, in training only, after the options are parsed and before
the network and the data are built: the *configure* hooks run there.  The *wrap* hooks run at the end of
``Trainer.__init__`` with the new trainer.  Both run only when ``--dataset`` names one of this plugin's
datasets, so other datasets train exactly as OpenPifPaf trains them.
"""
import openpifpaf

from .. import DATASETS


class Hooks:
    configure = []
    wrap = []
    active = False


def plugin_dataset(dataset):
    """True for this plugin's datasets, also inside a multi-dataset ``a-b`` name."""
    return any(name in DATASETS for name in (dataset or '').split('-'))


def install(*, configure, wrap):
    """Idempotent: route ``Trainer.configure`` and ``Trainer.__init__`` through the hooks."""
    Hooks.configure = list(configure)
    Hooks.wrap = list(wrap)
    trainer_class = openpifpaf.network.Trainer
    if getattr(trainer_class.__init__, 'deepfashion_hooks', False):
        return
    plain_configure = trainer_class.configure
    plain_init = trainer_class.__init__

    def configure(cls, args):
        plain_configure.__func__(cls, args)
        Hooks.active = plugin_dataset(getattr(args, 'dataset', None))
        if Hooks.active:
            for hook in Hooks.configure:
                hook(args)

    def init(self, *args, **kwargs):
        plain_init(self, *args, **kwargs)
        if Hooks.active:
            for hook in Hooks.wrap:
                hook(self)

    init.deepfashion_hooks = True
    trainer_class.configure = classmethod(configure)
    trainer_class.__init__ = init
