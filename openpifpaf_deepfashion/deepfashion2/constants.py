"""DeepFashion2 landmark definitions: categories, the 294-slot layout, skeletons, flips, OKS sigmas, poses.

Slot layout: the 13 categories' landmark sets end to end in category order, the layout of DeepFashion2's own
COCO conversion (``evaluation/deepfashion2_to_coco.py`` of switchablenorms/DeepFashion2, whose output the
KGDet demo json is): landmark k (1-based, DeepFashion2's numbering) of category c is the 0-based slot
``SLOT_RANGES[c][0] + k - 1``.  Every labelled keypoint of the 55 genuine KGDet garments falls inside its
category's range (tests/test_deepfashion2_constants.py).

Landmarks run along the garment's outline.  Tops and dresses (1, 2, 5, 6, 10-13): 1-6 the neckline (1 back
centre, 4 front centre, 2/6 the neck sides), 7..n the outline from the shoulder (or strap) beside 2, over
sleeve, side and hem (centre (7+n)/2) back to the shoulder beside 6.  Outwear (3, 4) is a top whose front is
open: the front centre 4 and the hem centre M = (7+L)/2 of the outline 7..L get twins L+1 and L+4 on the other
front edge, L+2, L+3 run down that edge and L+5, L+6 down the edge of the first side (4 ... M).  Bottoms
(7-9): 1-3 the waistband (2 its centre), 4..n the outline from below 1 round the hem (and crotch) to below 3.
"""
import numpy as np

from .pose_table import POSE_TABLE

#: As the raw ``annos/*.json`` spell ``category_name`` (category_id = position + 1).
CATEGORY_NAMES = [
    'short sleeve top', 'long sleeve top', 'short sleeve outwear', 'long sleeve outwear', 'vest', 'sling',
    'shorts', 'trousers', 'skirt', 'short sleeve dress', 'long sleeve dress', 'vest dress', 'sling dress',
]
#: As DeepFashion2's COCO conversion (and so the KGDet demo and MMPose json) names the categories.
COCO_CATEGORY_NAMES = [
    'short_sleeved_shirt', 'long_sleeved_shirt', 'short_sleeved_outwear', 'long_sleeved_outwear', 'vest', 'sling',
    'shorts', 'trousers', 'skirt', 'short_sleeved_dress', 'long_sleeved_dress', 'vest_dress', 'sling_dress',
]
CATEGORY_IDS = list(range(1, len(CATEGORY_NAMES) + 1))
N_LANDMARKS = dict(zip(CATEGORY_IDS, [25, 33, 31, 39, 15, 15, 10, 14, 8, 29, 37, 19, 19]))
N_SLOTS = sum(N_LANDMARKS.values())  # 294

#: category_id -> (first slot, one past the last slot), 0-based.
SLOT_RANGES = {}
_start = 0
for _c in CATEGORY_IDS:
    SLOT_RANGES[_c] = (_start, _start + N_LANDMARKS[_c])
    _start += N_LANDMARKS[_c]

TOPS = (1, 2, 5, 6, 10, 11, 12, 13)
OUTWEAR = (3, 4)
BOTTOMS = (7, 8, 9)


def _outwear_indices(category_id):
    """(L, M): the outline's last landmark and its hem centre for an outwear category."""
    last = N_LANDMARKS[category_id] - 6
    return last, (7 + last) // 2


def _landmark_flip(category_id):
    """1-based mirror of each landmark of a category (left/right swap of a horizontal flip)."""
    n = N_LANDMARKS[category_id]
    mirror = list(range(1, n + 1))

    def swap(a, b):
        mirror[a - 1], mirror[b - 1] = b, a

    if category_id in BOTTOMS:
        swap(1, 3)
        for k in range(4, n + 1):
            mirror[k - 1] = 4 + n - k
        return mirror
    swap(2, 6)
    swap(3, 5)
    last, middle = (n, None) if category_id in TOPS else _outwear_indices(category_id)
    for k in range(7, last + 1):
        mirror[k - 1] = 7 + last - k
    if middle is not None:
        swap(4, last + 1)
        swap(middle, last + 4)
        swap(last + 2, last + 5)
        swap(last + 3, last + 6)
    return mirror


def _chain(indices):
    return [(a, b) for a, b in zip(indices[:-1], indices[1:])]


def _landmark_skeleton(category_id):
    """1-based connections within a category.

    Rule: every landmark is joined to its neighbours along the garment's outline, the neckline or the
    waistband, and each chain to the next where they meet (neck side - shoulder, waistband end - outline).
    Outwear's open front adds its two front edges and joins the twin points across the opening (4 - L+1 at
    the neck, M - L+4 at the hem).  The result is one connected graph per category that a horizontal flip
    maps onto itself."""
    n = N_LANDMARKS[category_id]
    if category_id in BOTTOMS:
        return _chain([1, 2, 3]) + _chain([1] + list(range(4, n + 1)) + [3])
    if category_id in TOPS:
        return _chain([1, 2, 3, 4, 5, 6, 1]) + [(2, 7), (6, n)] + _chain(list(range(7, n + 1)))
    last, middle = _outwear_indices(category_id)
    return (_chain([1, 2, 3, 4]) + _chain([1, 6, 5, last + 1]) + [(4, last + 1), (2, 7), (6, last)]
            + _chain(list(range(7, middle + 1))) + _chain([last + 4] + list(range(middle + 1, last + 1)))
            + _chain([4, last + 5, last + 6, middle]) + _chain([last + 1, last + 2, last + 3, last + 4])
            + [(middle, last + 4)])


LANDMARK_FLIPS = {c: _landmark_flip(c) for c in CATEGORY_IDS}
SKELETONS = {c: _landmark_skeleton(c) for c in CATEGORY_IDS}


def slug(category_id):
    """'short_sleeve_top' for category 1."""
    return CATEGORY_NAMES[category_id - 1].replace(' ', '_')


#: The 294 slot names: '<category slug>_<DeepFashion2 landmark number>'.
KEYPOINTS = ['{}_{}'.format(slug(c), k) for c in CATEGORY_IDS for k in range(1, N_LANDMARKS[c] + 1)]
#: Horizontal flip as OpenPifPaf wants it: name -> mirrored name (landmarks on the symmetry axis omitted).
HFLIP = {'{}_{}'.format(slug(c), k): '{}_{}'.format(slug(c), m)
         for c in CATEGORY_IDS for k, m in enumerate(LANDMARK_FLIPS[c], 1) if k != m}
#: 0-based slot permutation of a horizontal flip.
FLIP_INDICES = [SLOT_RANGES[c][0] + m - 1 for c in CATEGORY_IDS for m in LANDMARK_FLIPS[c]]
#: All categories' skeletons in 1-based slot indices (OpenPifPaf's convention); no link between categories.
SKELETON = [(SLOT_RANGES[c][0] + a, SLOT_RANGES[c][0] + b) for c in CATEGORY_IDS for a, b in SKELETONS[c]]

# Per-landmark OKS sigmas of DeepFashion2's keypoint evaluation, copied as data (grouped by category here)
# from ``deepfashion2_api/PythonAPI/pycocotools/cocoeval.py`` (COCOeval.computeOks) of switchablenorms/DeepFashion2.
# They are symmetric under LANDMARK_FLIPS except long sleeve dress 15 / 29 (0.0455 / 0.0486), as published.
SIGMAS_BY_CATEGORY = dict(zip(CATEGORY_IDS, [
    # 1 short sleeve top
    [0.012, 0.0158, 0.0169, 0.0165, 0.0169, 0.0158, 0.0298, 0.0329, 0.0321, 0.0323, 0.034, 0.0388, 0.0452,
     0.0574, 0.0492, 0.0352, 0.0492, 0.0574, 0.0452, 0.0388, 0.034, 0.0323, 0.0321, 0.0329, 0.0298],
    # 2 long sleeve top
    [0.0194, 0.017, 0.0185, 0.0193, 0.0185, 0.017, 0.0286, 0.0471, 0.0547, 0.0526, 0.043, 0.0392, 0.0513,
     0.0566, 0.0509, 0.0564, 0.0542, 0.0604, 0.0599, 0.052, 0.0599, 0.0604, 0.0542, 0.0564, 0.0509, 0.0566,
     0.0513, 0.0392, 0.043, 0.0526, 0.0547, 0.0471, 0.0286],
    # 3 short sleeve outwear
    [0.0074, 0.0085, 0.0165, 0.0248, 0.0165, 0.0085, 0.0156, 0.0231, 0.0296, 0.0137, 0.0195, 0.025, 0.0347,
     0.038, 0.0257, 0.037, 0.0257, 0.038, 0.0347, 0.025, 0.0195, 0.0137, 0.0296, 0.0231, 0.0156, 0.0248,
     0.0469, 0.0632, 0.037, 0.0469, 0.0632],
    # 4 long sleeve outwear
    [0.0137, 0.0153, 0.0243, 0.0377, 0.0243, 0.0153, 0.0203, 0.0366, 0.0467, 0.0433, 0.0393, 0.0329, 0.0418,
     0.0477, 0.0399, 0.0331, 0.042, 0.0492, 0.0436, 0.0478, 0.0436, 0.0492, 0.042, 0.0331, 0.0399, 0.0477,
     0.0418, 0.0329, 0.0393, 0.0433, 0.0467, 0.0366, 0.0203, 0.0377, 0.0645, 0.0573, 0.0478, 0.0645, 0.0573],
    # 5 vest
    [0.0352, 0.0158, 0.021, 0.0214, 0.021, 0.0158, 0.0196, 0.05, 0.0489, 0.0404, 0.0401, 0.0404, 0.0489, 0.05,
     0.0196],
    # 6 sling
    [0.0276, 0.0548, 0.0283, 0.0204, 0.0283, 0.0548, 0.0369, 0.0726, 0.0677, 0.064, 0.0251, 0.064, 0.0677,
     0.0726, 0.0369],
    # 7 shorts
    [0.0308, 0.0216, 0.0308, 0.0506, 0.0494, 0.0463, 0.0477, 0.0463, 0.0494, 0.0506],
    # 8 trousers
    [0.0275, 0.0202, 0.0275, 0.0651, 0.0451, 0.035, 0.028, 0.0392, 0.0362, 0.0392, 0.028, 0.035, 0.0451,
     0.0651],
    # 9 skirt
    [0.0253, 0.0195, 0.0253, 0.0513, 0.0543, 0.0415, 0.0543, 0.0513],
    # 10 short sleeve dress
    [0.0153, 0.023, 0.0167, 0.0145, 0.0167, 0.023, 0.0332, 0.0391, 0.0391, 0.0396, 0.044, 0.0452, 0.0498,
     0.0514, 0.0585, 0.0655, 0.0635, 0.0602, 0.0635, 0.0655, 0.0585, 0.0514, 0.0498, 0.0452, 0.044, 0.0396,
     0.0391, 0.0391, 0.0332],
    # 11 long sleeve dress
    [0.0121, 0.0134, 0.0158, 0.0162, 0.0158, 0.0134, 0.0246, 0.0406, 0.047, 0.0404, 0.0463, 0.0466, 0.0435,
     0.0499, 0.0455, 0.044, 0.0411, 0.049, 0.0576, 0.0685, 0.0618, 0.0483, 0.0618, 0.0685, 0.0576, 0.049,
     0.0411, 0.044, 0.0486, 0.0499, 0.0435, 0.0466, 0.0463, 0.0404, 0.047, 0.0406, 0.0246],
    # 12 vest dress
    [0.0116, 0.0167, 0.016, 0.018, 0.016, 0.0167, 0.0196, 0.0385, 0.0421, 0.0497, 0.0562, 0.0528, 0.0428,
     0.0528, 0.0562, 0.0497, 0.0421, 0.0385, 0.0196],
    # 13 sling dress
    [0.0244, 0.0297, 0.0244, 0.0208, 0.0244, 0.0297, 0.0173, 0.0616, 0.0659, 0.0712, 0.0707, 0.0685, 0.0339,
     0.0685, 0.0707, 0.0712, 0.0659, 0.0616, 0.0173],
]))
SIGMAS = [s for c in CATEGORY_IDS for s in SIGMAS_BY_CATEGORY[c]]

#: category_id -> (n, 2) canonical landmark positions in the garment's box, (0, 0) top left, (1, 1) bottom
#: right; derived by :mod:`.canonical` (genuine KGDet and MMPose garments, mirrored; see there).
CANONICAL_POSES = {c: np.array(POSE_TABLE[c], dtype=np.float64).reshape(-1, 2) for c in CATEGORY_IDS}

POSE_COLUMNS = 5  # garments per row of POSE
POSE_SPACING = 1.25  # distance between neighbouring garments in POSE, in box units


def _pose_grid():
    pose = np.zeros((N_SLOTS, 3))
    for i, c in enumerate(CATEGORY_IDS):
        start, stop = SLOT_RANGES[c]
        offset = np.array([i % POSE_COLUMNS, i // POSE_COLUMNS]) * POSE_SPACING
        pose[start:stop, :2] = CANONICAL_POSES[c] + offset
        pose[start:stop, 2] = 2.0
    return pose


#: (294, 3) OpenPifPaf head-meta ``pose``: every category's canonical garment in its own cell of a grid
#: (POSE_COLUMNS per row), so that drawing the 294-slot skeleton shows the 13 garments side by side.
POSE = _pose_grid()


def category_of_slot(slot):
    """Category id whose range holds the 0-based slot."""
    for c in CATEGORY_IDS:
        if SLOT_RANGES[c][0] <= slot < SLOT_RANGES[c][1]:
            return c
    raise IndexError('slot {} is outside 0..{}'.format(slot, N_SLOTS - 1))


def landmarks_to_keypoints(category_id, landmarks):
    """A category's flat (x, y, v) landmarks placed in the 294 slots (flat list of 882, zeros elsewhere)."""
    start, stop = SLOT_RANGES[category_id]
    if len(landmarks) != 3 * (stop - start):
        raise ValueError('category {} has {} landmarks, got {} values'.format(
            category_id, stop - start, len(landmarks)))
    return [0] * (3 * start) + list(landmarks) + [0] * (3 * (N_SLOTS - stop))


def keypoints_to_landmarks(category_id, keypoints):
    """The inverse: a category's flat (x, y, v) landmarks out of 294-slot keypoints."""
    start, stop = SLOT_RANGES[category_id]
    return list(keypoints[3 * start:3 * stop])


def canonical_keypoints(category_id, bbox):
    """The canonical garment of a category in the COCO box (x, y, w, h): (294, 3), visibility 2 on the
    category's slots and 0 elsewhere (the canonical-pose baseline)."""
    x, y, w, h = bbox
    keypoints = np.zeros((N_SLOTS, 3))
    start, stop = SLOT_RANGES[category_id]
    pose = CANONICAL_POSES[category_id]
    keypoints[start:stop, 0] = x + pose[:, 0] * w
    keypoints[start:stop, 1] = y + pose[:, 1] * h
    keypoints[start:stop, 2] = 2.0
    return keypoints
