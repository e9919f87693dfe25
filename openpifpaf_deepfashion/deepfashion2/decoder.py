"""CIF/CAF (+ category) decoding for the deepfashion2 heads: OpenPifPaf's CifCaf over the 294 slots, then one
:class:`Garment2Annotation` per decoded instance with one category and only that category's slots.

An instance grows along one category's skeleton (no link joins two categories), so its slots say which category
the CIF/CAF fields found.  Its category is the category head's readout over the garment's cells weighted by each
category's share of the instance's slot confidence (argmax of p_head(c) * share(c)): the head decides between the
categories whose slots the instance holds (after ``--force-complete-pose``, say), and cannot name a category
with no landmark in the instance, which would leave an empty garment.  Without a category head the slots decide
alone.  The other categories' slots are zeroed, so the metric and ``--json-output`` see one category per garment.
Where instances of different categories cover one garment (boxes with IoU >= ``DUPLICATE_IOU``), the one with the
higher score x category probability stays: the head settles what the fields decoded twice.

A network trained on the merged landmarks (``--deepfashion2-landmarks=merged``) decodes instances over them;
each is expanded to every category's slots (:func:`.merged.expand`), and its category is the argmax of p_head(c)
times the mean confidence of c's landmarks (normalized over the categories): the landmarks are shared, so the
head names the garment and the slots only say which categories' landmarks are complete.

Over the 294 slots the decoder runs one CifCaf pass per category on that category's part of the fields, so
OpenPifPaf's C++ decoder thresholds each instance by its own category's mean confidence.  Over the merged
landmarks one pass thresholds by the mean over all 62, a fraction of a garment's own mean (8 / 62 for a skirt):
that pass runs with the instance threshold scaled by that smallest fraction.  Either way ``--instance-threshold``
is then applied to the garment's own-slot mean (``Garment2Annotation.score``), by which the garments are also
sorted.
"""
import numpy as np

import openpifpaf

from ..deepfashion.decoder import FashionCifCaf
from ..deepfashion.metrics.matching import box_iou
from . import constants, merged

DATASET_NAME = 'deepfashion2'

#: How many categories ``--json-output`` lists in ``category_scores``.
TOP_CATEGORIES = 5

#: Garments of different categories whose boxes overlap this much are one garment decoded twice.
DUPLICATE_IOU = 0.7

#: The smallest share of the 294 slots that one category owns (skirt: 8).
MIN_SLOT_FRACTION = min(constants.N_LANDMARKS.values()) / constants.N_SLOTS


def category_pairs(category_id):
    """The 294-slot skeleton's connections (1-based) within a category's slot range."""
    start, stop = constants.SLOT_RANGES[category_id]
    return [(a, b) for a, b in constants.SKELETON if start < a <= stop and start < b <= stop]


#: category id -> (its connections, the same 0-based), computed once: every decoded garment takes one
CATEGORY_SKELETONS = {c: (category_pairs(c), (np.asarray(category_pairs(c)) - 1).tolist())
                      for c in constants.CATEGORY_IDS}


def slot_shares(confidences):
    """Each category's share of the instance's summed slot confidence (sums to 1; uniform if all are 0)."""
    sums = np.array([np.sum(confidences[slice(*constants.SLOT_RANGES[c])]) for c in constants.CATEGORY_IDS])
    total = np.sum(sums)
    return sums / total if total > 0 else np.full(len(sums), 1.0 / len(sums))


class Garment2Annotation(openpifpaf.Annotation):
    """A DeepFashion2 garment: 294-slot keypoints with only its category's slots set, its category (1-13) with
    ``category_scores`` (13 probabilities: the category head's, or the slots' confidence shares when
    ``category_source`` is ``'slots'``) and ``score``, the mean confidence over its category's slots."""
    category_scores = None
    category_source = 'slots'
    from_merged = False  #: decoded over the merged landmarks
    category_fill = None  #: for from_merged: each category's mean landmark confidence (normalized)

    @classmethod
    def from_annotation(cls, ann, category_scores=None):
        """The garment of a decoded instance: over the 294 slots, over one category's slots (``ann.slots``, the
        slice of a per-category pass) or over the merged landmarks."""
        # no skeleton here: assign_category sets the category's own (OpenPifPaf's __init__ converts the one
        # given, 308 connections, which cost more than the rest of the garment when thousands are decoded)
        garment = cls(constants.KEYPOINTS, [], constants.SIGMAS, categories=list(constants.CATEGORY_NAMES))
        slots = getattr(ann, 'slots', None)
        garment.from_merged = slots is None and len(ann.data) == merged.N_MERGED
        if slots is not None:
            garment.data = np.zeros((constants.N_SLOTS, 3))
            garment.joint_scales = np.zeros(constants.N_SLOTS)
            garment.data[slots] = ann.data
            garment.joint_scales[slots] = ann.joint_scales
        else:
            expand = merged.expand if garment.from_merged else np.array
            garment.data = np.array(expand(ann.data), dtype=np.float64)
            garment.joint_scales = np.array(expand(ann.joint_scales), dtype=np.float64)
            garment.decoding_order = ann.decoding_order
            garment.frontier_order = ann.frontier_order
        garment.category_fill = merged.category_fill(ann.data[:, 2]) if garment.from_merged else None
        if hasattr(ann, 'id_'):
            garment.id_ = ann.id_
        return garment.assign_category(category_scores)

    def assign_category(self, category_scores=None):
        """Category from the slots' confidence shares, weighted by ``category_scores`` (the head's, index =
        id - 1) if given; then only that category's slots and skeleton are kept."""
        shares = self.category_fill if self.from_merged else slot_shares(self.data[:, 2])
        if category_scores is None:
            self.category_scores = shares
            self.category_source = 'slots'
            self.category_id = int(np.argmax(shares)) + 1
        else:
            self.category_scores = np.asarray(category_scores, dtype=np.float64)
            self.category_source = 'category head'
            self.category_id = int(np.argmax(self.category_scores * shares)) + 1
        start, stop = constants.SLOT_RANGES[self.category_id]
        outside = np.ones(len(self.data), dtype=bool)
        outside[start:stop] = False
        self.data[outside] = 0.0
        self.joint_scales[outside] = 0.0
        self.skeleton, self.skeleton_m1 = CATEGORY_SKELETONS[self.category_id]
        return self

    @property
    def category_name(self):
        return constants.CATEGORY_NAMES[self.category_id - 1]

    @property
    def category_probability(self):
        return float(self.category_scores[self.category_id - 1])

    @property
    def score(self):
        if self.fixed_score is not None:
            return self.fixed_score
        return float(np.mean(self.data[slice(*constants.SLOT_RANGES[self.category_id]), 2]))

    def top_categories(self, k=TOP_CATEGORIES):
        """The k most probable categories as {id: probability}, most probable first."""
        order = np.argsort(-self.category_scores, kind='stable')[:k]
        return {int(i) + 1: round(float(self.category_scores[i]), 4) for i in order}

    def json_data(self, coordinate_digits=2):
        data = super().json_data(coordinate_digits)
        data['category_name'] = self.category_name
        data['category_source'] = self.category_source
        data['category_scores'] = self.top_categories()
        return data


class Garment2Painter(openpifpaf.show.KeypointPainter):
    """Draws each garment with its own category's skeleton in its category's colour (tab20), labelled
    "trousers 87 %": the category head's probability, or the garment's score when the slots decided."""
    monocolor_connections = True
    line_width = 3

    def annotation(self, ax, ann, *, color=None, text=None, subtext=None, alpha=1.0):
        if isinstance(ann, Garment2Annotation):
            color = ann.category_id - 1 if color is None else color
            text = garment_label(ann) if text is None else text
        super().annotation(ax, ann, color=color, text=text, subtext=subtext, alpha=alpha)


def garment_label(ann):
    """"trousers 87 %"."""
    value = ann.category_probability if ann.category_source == 'category head' else ann.score
    return '{} {:.0f} %'.format(ann.category_name, 100.0 * (value or 0.0))


def register_painter():
    openpifpaf.show.annotation_painter.PAINTERS['Garment2Annotation'] = Garment2Painter


def category_pass_metas(cif, caf, category_id):
    """(CIF meta, CAF meta, slot slice, connection indices) of one category's slots of the 294-slot metas: what a
    per-category head pair would have, for a CifCaf pass over that category's part of the fields."""
    start, stop = constants.SLOT_RANGES[category_id]
    connections = [i for i, (a, b) in enumerate(caf.skeleton) if start < a <= stop and start < b <= stop]
    skeleton = [(caf.skeleton[i][0] - start, caf.skeleton[i][1] - start) for i in connections]
    name = '{}-{}'.format(DATASET_NAME, constants.slug(category_id))
    shared = dict(keypoints=cif.keypoints[start:stop], sigmas=cif.sigmas[start:stop], pose=cif.pose[start:stop])
    cif_c = openpifpaf.headmeta.Cif('cif', name, draw_skeleton=skeleton, **shared)
    caf_c = openpifpaf.headmeta.Caf('caf', name, skeleton=skeleton, **shared)
    for meta, like in ((cif_c, cif), (caf_c, caf)):
        meta.base_stride, meta.upsample_stride = like.base_stride, like.upsample_stride
    cif_c.head_index, caf_c.head_index = 0, 1
    return cif_c, caf_c, slice(start, stop), connections


class DeepFashion2CifCaf(FashionCifCaf):
    """Chosen ahead of the plain CifCaf decoder for networks with deepfashion2 heads: the first dataset's decoder
    with this dataset's garments, C++ threshold share and duplicate suppression.

    Over the 294 slots it runs one CifCaf pass per category on that category's part of the fields (what
    per-category heads would decode): no instance crosses categories anyway, and each pass thresholds instances
    by their own category's mean confidence, where one pass over all slots has to run at the smallest category's
    share of it and then builds, completes and drops many more instances
    (``tools/benchmark_deepfashion2_decoders.py``).  Over the merged landmarks it runs one pass."""
    dataset_name = DATASET_NAME
    annotation_class = Garment2Annotation
    c_instance_fraction = MIN_SLOT_FRACTION

    def __init__(self, cif_metas, caf_metas, category_meta=None, **kwargs):
        super().__init__(cif_metas, caf_metas, category_meta, **kwargs)
        self.per_category = len(cif_metas[0].keypoints) == constants.N_SLOTS
        self._category_passes = None
        if len(cif_metas[0].keypoints) == merged.N_MERGED:
            self.c_instance_fraction = merged.MIN_FRACTION

    def category_passes(self):
        """[(CifCaf decoder, slot slice, connection indices)] per category, built on first use (the metas' strides
        are set by then)."""
        if self._category_passes is None:
            self._category_passes = []
            for category_id in constants.CATEGORY_IDS:
                cif_c, caf_c, slots, connections = category_pass_metas(
                    self.cif_metas[0], self.caf_metas[0], category_id)
                self._category_passes.append((openpifpaf.decoder.CifCaf([cif_c], [caf_c]), slots, connections))
        return self._category_passes

    def instances(self, fields, initial_annotations=None):
        """Over the 294 slots: the instances of the per-category passes, each with its ``slots`` (where its
        landmarks go among the 294), every pass at the full ``--instance-threshold`` on its category's mean."""
        if not self.per_category:
            return super().instances(fields, initial_annotations)
        cif = fields[self.cif_metas[0].head_index]
        caf = fields[self.caf_metas[0].head_index]
        annotations = []
        for decode, slots, connections in self.category_passes():
            for ann in decode([cif[slots], caf[connections]]):
                ann.slots = slots
                annotations.append(ann)
        return annotations

    @staticmethod
    def candidates(annotations, instance_threshold):
        """Every instance: its garment's score depends on the layout it was decoded in (a category pass's slots,
        the 294 slots, the merged landmarks), so the first dataset's bound over the three types does not apply."""
        return annotations

    @staticmethod
    def select(garments):
        return suppress_duplicates(garments)


def suppress_duplicates(garments, iou_threshold=DUPLICATE_IOU):
    """Of garments of different categories with boxes overlapping by ``iou_threshold`` or more, keep the one with
    the highest score x category probability (same-category duplicates are OpenPifPaf's NMS's)."""
    garments = sorted(garments, key=lambda g: -g.score * g.category_probability)
    boxes = np.array([g.bbox() for g in garments], dtype=np.float64).reshape(-1, 4)
    categories = np.array([g.category_id for g in garments])
    kept = []  # indices; each new garment against all kept ones at once
    for i in range(len(garments)):
        if kept:
            overlaps = box_iou(boxes[i:i + 1], boxes[kept])[0] >= iou_threshold
            if np.any(overlaps & (categories[kept] != categories[i])):
                continue
        kept.append(i)
    return [garments[i] for i in kept]
