"""OpenPifPaf plugin for fashion landmarks (DeepFashion Category & Attribute and FLD benchmarks).

``import openpifpaf`` discovers this module by its ``openpifpaf_`` prefix and calls :func:`register`.
"""
import openpifpaf

from . import checkpoint, decoder, garment
from .datamodule import DeepFashion

__version__ = '0.1.0'


def register():
    openpifpaf.DATAMODULES['deepfashion'] = DeepFashion
    openpifpaf.DECODERS.add(decoder.FashionCifCaf)
    garment.register_painter()
    checkpoint.install()
