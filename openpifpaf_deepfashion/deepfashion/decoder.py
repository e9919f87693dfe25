"""CIF/CAF (+ category) decoding for fashion heads: OpenPifPaf's CifCaf, then one GarmentAnnotation per garment
with its category read out of the category field (when the network has a category head).

OpenPifPaf's C++ decoder ranks and thresholds instances by the mean confidence over all 8 slots, which puts a
lower garment (4 slots) at half the score of an equally good full one.  This decoder runs the C++ part with
half the instance threshold (a garment of 4 or more slots whose own-slot mean reaches t has an 8-slot mean of at
least t / 2, so none that should pass is lost there), then keeps the garments whose type-normalized score
(``GarmentAnnotation.score``) reaches ``--instance-threshold``, sorted by that score, at most
``--deepfashion-max-garments`` of them (20, the detections COCO's keypoint evaluation counts per image: a weakly
trained model at low thresholds otherwise writes hundreds per image into the json output and the evaluation).
The category is read out only for the instances that can reach the threshold under some type (``candidates``):
the others would be dropped whatever their category, and do not take cells from the garments that are kept.
"""
import numpy as np

import openpifpaf

from ..network.category_head import Category
from ..network.category_readout import garment_category_scores
from ..network.garment_cells import garment_regions
from . import constants
from .garment import GarmentAnnotation

DATASET_NAME = 'deepfashion'


class FashionCifCaf(openpifpaf.decoder.CifCaf):
    """Chosen ahead of the plain CifCaf decoder for networks with deepfashion heads.

    A dataset with other garments subclasses it with its own ``dataset_name``, ``annotation_class`` (built by
    ``from_annotation(annotation, category_scores)``, with a type-normalized ``score``), ``c_instance_fraction``
    (the share of ``--instance-threshold`` the C++ part runs at) and ``select`` (a last pass over the garments)."""
    dataset_name = DATASET_NAME
    annotation_class = GarmentAnnotation
    c_instance_fraction = 0.5
    max_garments = 20

    def __init__(self, cif_metas, caf_metas, category_meta=None, **kwargs):
        super().__init__(cif_metas, caf_metas, **kwargs)
        self.category_meta = category_meta
        self.priority += 1.0

    @classmethod
    def cli(cls, parser):
        """``--<dataset>-max-garments``; the other options are CifCaf's own (registered by CifCaf)."""
        group = parser.add_argument_group('{} decoder'.format(cls.dataset_name))
        group.add_argument('--{}-max-garments'.format(cls.dataset_name), default=cls.max_garments, type=int,
                           help='at most this many garments per image, the best scored (0: no limit)')

    @classmethod
    def configure(cls, args):
        cls.max_garments = getattr(args, '{}_max_garments'.format(cls.dataset_name))
        if cls.max_garments < 0:
            raise ValueError('--{}-max-garments must be 0 (no limit) or positive, not {}'.format(
                cls.dataset_name, cls.max_garments))

    @classmethod
    def factory(cls, head_metas):
        category_metas = [meta for meta in head_metas
                          if isinstance(meta, Category) and meta.dataset == cls.dataset_name]
        return [
            cls([meta], [meta_next], category_metas[0] if category_metas else None)
            for meta, meta_next in zip(head_metas[:-1], head_metas[1:])
            if (isinstance(meta, openpifpaf.headmeta.Cif)
                and isinstance(meta_next, openpifpaf.headmeta.Caf)
                and meta.dataset == cls.dataset_name)
        ]

    def __call__(self, fields, initial_annotations=None):
        instance_threshold = openpifpaf.decoder.utils.nms.Keypoints.get_instance_threshold()
        return self.garments(self.instances(fields, initial_annotations), fields, instance_threshold)

    def instances(self, fields, initial_annotations=None):
        """OpenPifPaf's CifCaf instances, its C++ part at ``c_instance_fraction`` of ``--instance-threshold``."""
        nms = openpifpaf.decoder.utils.nms.Keypoints
        instance_threshold = nms.get_instance_threshold()
        nms.set_instance_threshold(self.c_instance_fraction * instance_threshold)
        try:
            return super().__call__(fields, initial_annotations)
        finally:
            nms.set_instance_threshold(instance_threshold)

    def garments(self, annotations, fields, instance_threshold=0.0):
        """One garment annotation per decoded instance, with its category read out where there is a category
        head, thresholded by its type-normalized score, best first."""
        annotations = self.candidates(annotations, instance_threshold)
        category_scores = [None] * len(annotations)
        if self.category_meta is not None and not getattr(self.category_meta, 'untrained', False) and annotations:
            regions = garment_regions(self.category_meta.region, [ann.data for ann in annotations],
                                      [ann.bbox for ann in annotations])
            category_scores = garment_category_scores(
                fields[self.category_meta.head_index], regions, self.category_meta.stride,
                pooled=self.category_meta.readout == 'pooled')
        garments = [self.annotation_class.from_annotation(ann, scores)
                    for ann, scores in zip(annotations, category_scores)]
        garments = [g for g in garments if g.score > 0.0 and g.score >= instance_threshold]
        garments = sorted(self.select(garments), key=lambda g: -g.score)
        return garments[:self.max_garments] if self.max_garments else garments

    @staticmethod
    def candidates(annotations, instance_threshold):
        """The instances whose best type-normalized score (over the three types) reaches the threshold."""
        if not annotations or instance_threshold <= 0.0:
            return annotations
        best = constants.best_type_scores(np.stack([ann.data[:, 2] for ann in annotations]))
        return [ann for ann, score in zip(annotations, best)
                if ann.fixed_score is not None or score >= instance_threshold - 1e-9]

    @staticmethod
    def select(garments):
        return garments
