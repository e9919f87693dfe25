"""The merged landmark set: DeepFashion2's 294 slots as 62 landmarks shared across categories.

``--deepfashion2-landmarks=merged`` trains CIF / CAF over these 62 instead of the 294 slots: a landmark that
means the same on several categories (the neckline of every top and dress, a shoulder, a cuff, a hem corner,
the waistband of every bottom, ...) is one field, and the category head says which of them a garment has.
:func:`expand` maps a decoded garment back to every category's slots, so evaluation and outputs keep
DeepFashion2's 294-slot layout.

The merge table follows the layout of :mod:`.constants` (landmarks along the outline), with the sleeve and side
points of each category told apart by their counts, and checked against the canonical poses of the genuine
garments (:data:`.constants.CANONICAL_POSES`):

* tops, outwear, dresses: the neckline 1-6; per side, from the shoulder beside 2: the sleeve (long: shoulder,
  three outer points, cuff outer and inner, two inner points, armpit; short: shoulder, the middle outer point,
  cuff outer and inner, armpit; vest and sling: shoulder, armpit), the side seam (5 points on sleeved dresses,
  3 on tops and vest dresses, 1 on vests and slings; spread over 5 merged points by their place along the seam)
  and the hem corner; the hem centre.  Short and long cuffs are one landmark (the sleeve's end), a top's hem
  corner and a dress's too.
* outwear's open front: its neckline centre and hem centre become a front-edge pair each (with their twins),
  and the two front edges' points: 8 landmarks of their own, because a closed top's neckline and hem centre lie
  on the symmetry axis and an open front's do not (a shared slot would need two different flips).
* bottoms: the waistband 1-3; per side the hip, and then the skirt's hem corner, or the leg's outer knee (trousers),
  hem outer and inner points and inner knee (trousers); the crotch and the skirt's hem centre.

Side ``a`` is landmark 2's side (landmark 1's for bottoms); a horizontal flip swaps ``_a`` and ``_b``, and for
every category it maps the merged landmarks as DeepFashion2's own flip maps its slots (tested).
"""
import numpy as np

from . import constants

NECKLINE = ['neck_back', 'neck_side_a', 'neck_mid_a', 'neck_front', 'neck_mid_b', 'neck_side_b']
SLEEVES = {
    'long': ['shoulder', 'sleeve_out1', 'sleeve_out2', 'sleeve_out3', 'cuff_out', 'cuff_in', 'sleeve_in1',
             'sleeve_in2', 'armpit'],
    'short': ['shoulder', 'sleeve_out2', 'cuff_out', 'cuff_in', 'armpit'],
    'none': ['shoulder', 'armpit'],
}
SIDE_POINTS = 5  # the longest side seam (sleeved dresses), the grid the shorter seams are spread over
#: category id -> (sleeve, points on the side seam) for tops, outwear and dresses
TOP_SHAPES = {1: ('short', 3), 2: ('long', 3), 3: ('short', 3), 4: ('long', 3), 5: ('none', 1), 6: ('none', 1),
              10: ('short', 5), 11: ('long', 5), 12: ('none', 3), 13: ('none', 3)}
#: category id -> the outline of one side, from the hip down (the crotch or hem centre follows)
BOTTOM_SIDES = {7: ['hip', 'leg_hem_out', 'leg_hem_in'], 8: ['hip', 'leg_knee_out', 'leg_hem_out', 'leg_hem_in',
                                                             'leg_knee_in'],
                9: ['hip', 'skirt_hem_corner']}
BOTTOM_CENTRES = {7: 'crotch', 8: 'crotch', 9: 'skirt_hem_centre'}


def side_seam(points):
    """Names of a side seam of ``points`` points, spread over the SIDE_POINTS merged ones by their place."""
    return ['side{}'.format(int(round(k * (SIDE_POINTS + 1) / (points + 1)))) for k in range(1, points + 1)]


def _sided(names, side):
    return [name + '_' + side for name in names]


def _top_roles(category_id):
    sleeve, seam = TOP_SHAPES[category_id]
    one_side = SLEEVES[sleeve] + side_seam(seam) + ['hem_corner']
    roles = list(NECKLINE) + _sided(one_side, 'a') + ['hem_centre'] + _sided(one_side[::-1], 'b')
    if category_id in constants.OUTWEAR:
        last, middle = constants._outwear_indices(category_id)  # pylint: disable=protected-access
        assert len(roles) == last
        roles[4 - 1] = 'front_neck_a'
        roles[middle - 1] = 'front_hem_a'
        roles += ['front_neck_b', 'front_edge1_b', 'front_edge2_b', 'front_hem_b', 'front_edge1_a', 'front_edge2_a']
    return roles


def _bottom_roles(category_id):
    side = BOTTOM_SIDES[category_id]
    return (['waist_a', 'waist_centre', 'waist_b'] + _sided(side, 'a') + [BOTTOM_CENTRES[category_id]]
            + _sided(side[::-1], 'b'))


def _roles(category_id):
    return _bottom_roles(category_id) if category_id in constants.BOTTOMS else _top_roles(category_id)


ROLES = {c: _roles(c) for c in constants.CATEGORY_IDS}
#: the merged landmarks, in order of first use (tops first, then bottoms)
KEYPOINTS = list(dict.fromkeys(name for c in constants.CATEGORY_IDS for name in ROLES[c]))
N_MERGED = len(KEYPOINTS)
#: category id -> 0-based merged index of each of its landmarks (DeepFashion2's numbering order)
MERGE = {c: np.array([KEYPOINTS.index(name) for name in ROLES[c]]) for c in constants.CATEGORY_IDS}


def _mirror(name):
    for side, other in (('_a', '_b'), ('_b', '_a')):
        if name.endswith(side):
            return name[:-len(side)] + other
    return name


HFLIP = {name: _mirror(name) for name in KEYPOINTS if _mirror(name) != name}
FLIP_INDICES = [KEYPOINTS.index(_mirror(name)) for name in KEYPOINTS]
#: every category's connections in merged indices (1-based), each once
SKELETON = list(dict.fromkeys(
    tuple(sorted((int(MERGE[c][a - 1]) + 1, int(MERGE[c][b - 1]) + 1)))
    for c in constants.CATEGORY_IDS for a, b in constants.SKELETONS[c]))


def _merged_mean(values_by_category):
    """Per merged landmark: the mean of the values of the category landmarks merged into it."""
    total = np.zeros((N_MERGED,) + np.shape(values_by_category[1])[1:])
    count = np.zeros(N_MERGED)
    for c in constants.CATEGORY_IDS:
        np.add.at(total, MERGE[c], values_by_category[c])
        np.add.at(count, MERGE[c], 1.0)
    return total / count.reshape((-1,) + (1,) * (total.ndim - 1))


#: OKS-style sigmas (the mean of the merged landmarks'), for the CIF / CAF metas; evaluation uses the 294 slots'
SIGMAS = [float(s) for s in _merged_mean({c: np.array(constants.SIGMAS_BY_CATEGORY[c])
                                          for c in constants.CATEGORY_IDS})]


def _pose():
    """(N_MERGED, 3): mean canonical positions; bottoms drawn beside the tops (they share no landmark)."""
    pose = np.zeros((N_MERGED, 3))
    pose[:, :2] = _merged_mean(constants.CANONICAL_POSES)
    bottoms = np.unique(np.concatenate([MERGE[c] for c in constants.BOTTOMS]))
    pose[bottoms, 0] += constants.POSE_SPACING
    pose[:, 2] = 2.0
    return pose


POSE = _pose()
#: the smallest share of the merged landmarks that one category has (skirt: 8 of 62)
MIN_FRACTION = min(constants.N_LANDMARKS.values()) / N_MERGED


def to_merged(keypoints, category_id):
    """A garment's 294-slot keypoints (flat x, y, v list) as the merged landmarks' (flat list)."""
    slots = np.asarray(keypoints, dtype=np.float64).reshape(-1, 3)
    start, stop = constants.SLOT_RANGES[category_id]
    merged = np.zeros((N_MERGED, 3))
    merged[MERGE[category_id]] = slots[start:stop]
    return merged.reshape(-1).tolist()


def expand(values):
    """(N_MERGED, ...) per merged landmark -> (294, ...): every category's slots filled from its landmarks."""
    values = np.asarray(values)
    return np.concatenate([values[MERGE[c]] for c in constants.CATEGORY_IDS])


def category_fill(confidences):
    """Per category (13): the mean confidence of its merged landmarks, normalized to sum to 1 (uniform if 0):
    the slots' evidence for each category, with categories of many and of few landmarks alike."""
    confidences = np.asarray(confidences, dtype=np.float64)
    means = np.array([np.mean(confidences[MERGE[c]]) for c in constants.CATEGORY_IDS])
    total = np.sum(means)
    return means / total if total > 0 else np.full(len(means), 1.0 / len(means))
