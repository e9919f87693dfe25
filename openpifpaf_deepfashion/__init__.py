"""OpenPifPaf plugin for fashion landmarks (DeepFashion Category & Attribute and FLD benchmarks).

``import openpifpaf`` discovers this module by its ``openpifpaf_`` prefix and calls :func:`register`.
The data tools (generator, converter) import neither torch nor OpenPifPaf, so they start fast.
"""
__version__ = '0.1.0'


def register():
    # pylint: disable=import-outside-toplevel
    import openpifpaf
    from . import checkpoint
    from .deepfashion import decoder, garment
    from .deepfashion.datamodule import DeepFashion

    openpifpaf.DATAMODULES['deepfashion'] = DeepFashion
    openpifpaf.DECODERS.add(decoder.FashionCifCaf)
    garment.register_painter()
    checkpoint.install()
