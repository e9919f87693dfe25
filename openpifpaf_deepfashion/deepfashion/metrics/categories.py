"""Category figures of detected garments: top-k accuracy from the predictions' ``category_scores`` (index =
category id - 1), clothes-type accuracy, the most confused category pairs and the per-category top-1 spread;
and top-k over all garments, where a garment that was not detected counts as a miss.

Only ground-truth garments with a labelled DeepFashion category (1-50) are samples; FLD's generic garments
(51-53) are not.  A garment matched to a prediction that does not overlap it (``score`` matching pairs them
anyway) was not found: that prediction's category belongs to another garment, or to none, and says nothing
about how well the model names the garments it finds.
"""
import collections

import numpy as np

from .. import constants
from .arrays import CATEGORY_LABELS

TOP_K = (1, 3, 5)
N_CONFUSIONS = 5
N_CATEGORIES = len(constants.CATEGORIES)


def is_labelled(category_ids):
    """Mask of ground-truth category ids that are one of the 50 DeepFashion categories."""
    category_ids = np.asarray(category_ids)
    return (category_ids >= 1) & (category_ids <= N_CATEGORIES)


def rank_of_category(scores, category_id):
    """0-based rank of the true category among the scores (ties count against it); -1 if not available."""
    if scores is None or not 1 <= category_id <= min(len(scores), N_CATEGORIES):
        return -1
    true_score = scores[category_id - 1]
    return int(np.sum(scores >= true_score)) - 1


def top1_category(scores, category_id):
    """The predicted top-1 category id with ties counted against the true one: the true id when it alone has
    the highest score, else the highest-scoring other category (lowest id among equals); 0 without scores."""
    rank = rank_of_category(scores, category_id)
    if rank < 0:
        return 0
    if rank == 0:
        return int(category_id)
    others = np.array(scores[:N_CATEGORIES], dtype=np.float64)
    others[category_id - 1] = -np.inf
    return int(np.argmax(others)) + 1


def predicted_type(clothes_type, scores):
    """Clothes type (1 upper, 2 lower, 3 full) of a prediction: its own ``clothes_type`` when it has one, else
    the type of its highest-scoring category; 0 when it has neither."""
    if clothes_type in constants.CLOTHES_TYPES:
        return int(clothes_type)
    if scores is None or len(scores) < 1:
        return 0
    return constants.category_type(int(np.argmax(scores[:N_CATEGORIES])) + 1)


def confusion_label(rank, true_id, predicted_id):
    return 'confused {}: {}->{}'.format(rank, CATEGORY_LABELS[true_id], CATEGORY_LABELS[predicted_id])


def category_figures(rows):
    """(main, counts): (label, value) pairs of the category figures; a figure without samples is left out.
    ``top-k acc all`` is there as soon as a matched prediction carries category scores, even when no garment
    was detected (all misses: 0)."""
    labelled = is_labelled(rows['category_id'])
    scored = labelled & rows['matched'] & (rows['category_rank'] >= 0)
    ranked = scored & rows['detected']
    typed = labelled & rows['detected'] & (rows['predicted_type'] > 0)
    main, counts = [], []
    if ranked.any():
        ranks = rows['category_rank'][ranked]
        main += [('top-{} acc'.format(k), float(np.mean(ranks < k))) for k in TOP_K]
        per_category = [float(np.mean(ranks[rows['category_id'][ranked] == c] == 0))
                        for c in np.unique(rows['category_id'][ranked])]
        main += [('top-1 cat min', min(per_category)), ('top-1 cat median', float(np.median(per_category))),
                 ('top-1 cat max', max(per_category))]
        counts += [('n top-k', int(ranked.sum())), ('n top-1 cats', len(per_category))]
    if scored.any():
        n_all = int(labelled.sum())
        main += [('top-{} acc all'.format(k), float(np.sum(ranked & (rows['category_rank'] < k))) / n_all)
                 for k in TOP_K]
        counts.append(('n top-k all', n_all))
    if typed.any():
        main.append(('type acc', float(np.mean(rows['predicted_type'][typed] == rows['clothes_type'][typed]))))
        counts.append(('n type acc', int(typed.sum())))
    return main, counts + confusions(rows['category_id'][ranked], rows['top1_category'][ranked])


def confusions(true_ids, predicted_ids):
    """The ``N_CONFUSIONS`` most frequent (true -> predicted top-1) category pairs of the misses, as
    (label, count): most frequent first, ties by true id, then predicted id."""
    pairs = collections.Counter((int(t), int(p)) for t, p in zip(true_ids, predicted_ids) if t != p)
    ordered = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[:N_CONFUSIONS]
    return [(confusion_label(i, t, p), count) for i, ((t, p), count) in enumerate(ordered, start=1)]
