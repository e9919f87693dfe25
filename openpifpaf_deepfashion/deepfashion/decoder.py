"""CIF/CAF decoding for fashion heads: OpenPifPaf's CifCaf, returning one GarmentAnnotation per garment."""
import openpifpaf

from .garment import GarmentAnnotation

DATASET_NAME = 'deepfashion'


class FashionCifCaf(openpifpaf.decoder.CifCaf):
    """Chosen ahead of the plain CifCaf decoder for networks with deepfashion heads."""

    def __init__(self, cif_metas, caf_metas, **kwargs):
        super().__init__(cif_metas, caf_metas, **kwargs)
        self.priority += 1.0

    @classmethod
    def cli(cls, parser):
        """Options are CifCaf's own (registered by CifCaf)."""

    @classmethod
    def configure(cls, args):
        """Configured through CifCaf."""

    @classmethod
    def factory(cls, head_metas):
        return [
            cls([meta], [meta_next])
            for meta, meta_next in zip(head_metas[:-1], head_metas[1:])
            if (isinstance(meta, openpifpaf.headmeta.Cif)
                and isinstance(meta_next, openpifpaf.headmeta.Caf)
                and meta.dataset == DATASET_NAME)
        ]

    def __call__(self, fields, initial_annotations=None):
        annotations = super().__call__(fields, initial_annotations)
        return [GarmentAnnotation.from_annotation(ann) for ann in annotations]
