"""OpenPifPaf plugin for fashion landmarks (DeepFashion Category & Attribute and FLD benchmarks).

``import openpifpaf`` discovers this module by its ``openpifpaf_`` prefix and calls :func:`register`.
The data tools (generator, converter) import neither torch nor OpenPifPaf, so they start fast.
"""
import sys

__version__ = '0.1.0'

#: The datasets this plugin adds; only their networks and training runs get the plugin's changes.
DATASETS = ('deepfashion', 'deepfashion2')


def register():
    # pylint: disable=import-outside-toplevel
    forget_half_imported_modules()
    import openpifpaf
    from . import checkpoint, errors, predict_guard, training
    from .deepfashion import decoder, garment
    from .deepfashion.datamodule import DeepFashion
    from .deepfashion2 import decoder as decoder2
    from .deepfashion2.datamodule import DeepFashion2
    from .network import category_head, category_loss, fork_normalization
    from .network import sanl_basenets

    openpifpaf.DATAMODULES['deepfashion'] = DeepFashion
    openpifpaf.DATAMODULES['deepfashion2'] = DeepFashion2
    openpifpaf.HEADS[category_head.Category] = category_head.CategoryField
    openpifpaf.LOSSES[category_head.Category] = category_loss.CategoryLoss
    openpifpaf.DECODERS.add(decoder.FashionCifCaf)
    openpifpaf.DECODERS.add(decoder2.DeepFashion2CifCaf)
    garment.register_painter()
    decoder2.register_painter()
    errors.install()
    checkpoint.install()
    predict_guard.install()
    training.install()
    fork_normalization.install()
    sanl_basenets.register()


def forget_half_imported_modules():
    """Let a script import any of this plugin's modules before OpenPifPaf.

    ``from openpifpaf_deepfashion.deepfashion import heads`` as a script's first import runs that module's
    ``import openpifpaf``, and OpenPifPaf registers its plugins as it loads: this one, while ``heads`` is still
    half run, so registration's own imports of it would fail ("partially initialized module").  Dropping the
    half-run modules from ``sys.modules`` makes registration import complete copies; ``importlib`` then hands
    the script what ``sys.modules`` holds once its import ends, the complete copy, and the half-run one
    finishes unused."""
    for name, module in list(sys.modules.items()):
        if name.startswith(__name__ + '.') and getattr(getattr(module, '__spec__', None), '_initializing', False):
            del sys.modules[name]
