"""Fashion landmark definitions shared by the converter, the generator, the datamodule and the metric.

Keypoint order is DeepFashion's own (the column order of ``list_landmarks.txt`` for full-body garments).
Running this module draws the two skeletons for the documentation::

    python -m openpifpaf_deepfashion.deepfashion.constants --output-dir docs
"""
import argparse
import os

import numpy as np

KEYPOINTS = [
    'left_collar',
    'right_collar',
    'left_sleeve',
    'right_sleeve',
    'left_waistline',
    'right_waistline',
    'left_hem',
    'right_hem',
]

#: Short column labels as used in the papers' tables.
KEYPOINT_LABELS = ['L.Collar', 'R.Collar', 'L.Sleeve', 'R.Sleeve', 'L.Waist', 'R.Waist', 'L.Hem', 'R.Hem']

HFLIP = {
    'left_collar': 'right_collar',
    'right_collar': 'left_collar',
    'left_sleeve': 'right_sleeve',
    'right_sleeve': 'left_sleeve',
    'left_waistline': 'right_waistline',
    'right_waistline': 'left_waistline',
    'left_hem': 'right_hem',
    'right_hem': 'left_hem',
}

# Skeletons use OpenPifPaf's 1-based keypoint indices.
# Skeleton A: every garment type is one connected graph without collar-waistline links:
# upper garments hang collar -> hem, lower garments waistline -> hem, full garments use both.
SKELETON_A = [
    (1, 2),  # collar - collar
    (1, 3),  # left collar - left sleeve
    (2, 4),  # right collar - right sleeve
    (1, 7),  # left collar - left hem
    (2, 8),  # right collar - right hem
    (5, 6),  # waistline - waistline
    (5, 7),  # left waistline - left hem
    (6, 8),  # right waistline - right hem
    (7, 8),  # hem - hem
]
# Skeleton B adds the collar - waistline links (seed 001 found B trains better).
SKELETON_B = SKELETON_A + [
    (1, 5),  # left collar - left waistline
    (2, 6),  # right collar - right waistline
]
SKELETONS = {'A': SKELETON_A, 'B': SKELETON_B}

# Sigmas for OKS / CIF scale targets, chosen by analogy with COCO's person sigmas for the body part each
# landmark sits on (collar ~ shoulder 0.079, sleeve end ~ elbow/wrist 0.072/0.062, waistline ~ hip 0.107,
# hem ~ hip/knee 0.107/0.087), rounded: fashion landmarks are annotated less precisely than joints.
SIGMAS = [0.079, 0.079, 0.072, 0.072, 0.107, 0.107, 0.087, 0.087]


# A canonical full-body garment (a dress), x to the image's right, y down, in units of the garment's height;
# visibility 2 everywhere.  Used for drawing and as OpenPifPaf's pose prior, and, scaled into an image, as the
# "canonical pose" baseline of the metric.
CANONICAL_POSE = np.array([
    [-0.12, 0.00, 2.0],  # left collar (DeepFashion's "left" is the image's left: smaller x)
    [0.12, 0.00, 2.0],  # right collar
    [-0.40, 0.30, 2.0],  # left sleeve
    [0.40, 0.30, 2.0],  # right sleeve
    [-0.14, 0.40, 2.0],  # left waistline
    [0.14, 0.40, 2.0],  # right waistline
    [-0.30, 1.00, 2.0],  # left hem
    [0.30, 1.00, 2.0],  # right hem
])

# Garment types, as in list_category_cloth.txt and list_landmarks.txt.
UPPER, LOWER, FULL = 1, 2, 3
CLOTHES_TYPES = {UPPER: 'upper', LOWER: 'lower', FULL: 'full'}

# Which of the 8 keypoint slots (0-based) each landmark triple of list_landmarks.txt fills, by clothes_type.
# Upper garments' third pair is the hem, not the waistline.
SLOTS = {
    UPPER: (0, 1, 2, 3, 6, 7),
    LOWER: (4, 5, 6, 7),
    FULL: (0, 1, 2, 3, 4, 5, 6, 7),
}

# Uniform: OpenPifPaf sorts the keypoint confidences before weighting them, so any non-uniform weight would
# land on whichever slots happen to be most or least confident, not on particular landmarks.  A garment's score
# is the mean confidence over its own type's slots (garment.GarmentAnnotation.score), the same for every type.
SCORE_WEIGHTS = [1.0] * 8


def type_score(keypoint_scores, clothes_type):
    """Mean keypoint confidence over the slots of ``clothes_type``: 0.8 everywhere scores 0.8 for every type."""
    return float(np.mean(np.asarray(keypoint_scores, dtype=np.float64)[list(SLOTS[clothes_type])]))


def _type_slot_means():
    """(8 slots, 3 types): a type's column averages its own slots, so scores @ it gives every type_score."""
    means = np.zeros((len(KEYPOINTS), len(SLOTS)))
    for column, slots in enumerate(SLOTS.values()):
        means[list(slots), column] = 1.0 / len(slots)
    return means


TYPE_SLOT_MEANS = _type_slot_means()


def best_type_scores(keypoint_scores):
    """The highest ``type_score`` of each row of ``keypoint_scores`` (n x 8) over the three types: the most a
    garment can score whatever type its category gives it."""
    return np.max(np.asarray(keypoint_scores, dtype=np.float64) @ TYPE_SLOT_MEANS, axis=1)


# FLD's variation_type column (pose / zoom difficulty).
VARIATION_TYPES = {1: 'normal pose', 2: 'medium pose', 3: 'large pose', 4: 'medium zoom-in', 5: 'large zoom-in'}

# DeepFashion visibility (0 visible, 1 occluded, 2 truncated) -> COCO visibility (2, 1, 0).
DEEPFASHION_TO_COCO_VISIBILITY = {0: 2, 1: 1, 2: 0}
COCO_TO_DEEPFASHION_VISIBILITY = {v: k for k, v in DEEPFASHION_TO_COCO_VISIBILITY.items()}

# The 50 categories of Anno/list_category_cloth.txt in file order; the label in list_category_img.txt
# is the 1-based position here, and it is used as the COCO category_id.
CATEGORIES = [
    ('Anorak', UPPER), ('Blazer', UPPER), ('Blouse', UPPER), ('Bomber', UPPER), ('Button-Down', UPPER),
    ('Cardigan', UPPER), ('Flannel', UPPER), ('Halter', UPPER), ('Henley', UPPER), ('Hoodie', UPPER),
    ('Jacket', UPPER), ('Jersey', UPPER), ('Parka', UPPER), ('Peacoat', UPPER), ('Poncho', UPPER),
    ('Sweater', UPPER), ('Tank', UPPER), ('Tee', UPPER), ('Top', UPPER), ('Turtleneck', UPPER),
    ('Capris', LOWER), ('Chinos', LOWER), ('Culottes', LOWER), ('Cutoffs', LOWER), ('Gauchos', LOWER),
    ('Jeans', LOWER), ('Jeggings', LOWER), ('Jodhpurs', LOWER), ('Joggers', LOWER), ('Leggings', LOWER),
    ('Sarong', LOWER), ('Shorts', LOWER), ('Skirt', LOWER), ('Sweatpants', LOWER), ('Sweatshorts', LOWER),
    ('Trunks', LOWER),
    ('Caftan', FULL), ('Cape', FULL), ('Coat', FULL), ('Coverup', FULL), ('Dress', FULL), ('Jumpsuit', FULL),
    ('Kaftan', FULL), ('Kimono', FULL), ('Nightdress', FULL), ('Onesie', FULL), ('Robe', FULL),
    ('Romper', FULL), ('Shirtdress', FULL), ('Sundress', FULL),
]
CATEGORY_NAMES = [name for name, _ in CATEGORIES]
CATEGORY_IDS = list(range(1, len(CATEGORIES) + 1))


def category_type(category_id):
    """Clothes type (1 upper, 2 lower, 3 full) of a 1-based category id."""
    return CATEGORIES[category_id - 1][1]


def clothes_type_of_slots(present):
    """The clothes type whose landmark slots best match (Jaccard) the present ones, a boolean mask over the 8
    slots; ties go to the lower type number; None when no slot is present."""
    present = set(np.flatnonzero(present).tolist())
    if not present:
        return None
    return max(SLOTS, key=lambda t: (len(present & set(SLOTS[t])) / len(present | set(SLOTS[t])), -t))


def annotation_clothes_type(ann):
    """``clothes_type`` of a COCO annotation; for json from elsewhere without one, from its labelled slots."""
    if ann.get('clothes_type'):
        return ann['clothes_type']
    return clothes_type_of_slots([v > 0 for v in ann['keypoints'][2::3]]) or FULL


def flip_indices():
    """Index permutation that a horizontal flip applies to the 8 keypoint slots."""
    return [KEYPOINTS.index(HFLIP[name]) for name in KEYPOINTS]


def canonical_pose_in_box(x, y, w, h, clothes_type=FULL):
    """The canonical garment fitted into the box (x, y, w, h): an (8, 3) array, visibility 2 on the
    type's slots and 0 elsewhere."""
    pose = CANONICAL_POSE.copy()
    xs, ys = pose[:, 0], pose[:, 1]
    pose[:, 0] = x + (xs - xs.min()) / (xs.max() - xs.min()) * w
    pose[:, 1] = y + (ys - ys.min()) / (ys.max() - ys.min()) * h
    present = np.zeros(len(KEYPOINTS), dtype=bool)
    present[list(SLOTS[clothes_type])] = True
    pose[~present] = 0.0
    return pose


def draw_skeletons(output_dir):
    """Draw skeleton A and B on the canonical pose (PNG files for the README)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    os.makedirs(output_dir, exist_ok=True)
    paths = []
    for name, skeleton in SKELETONS.items():
        fig, ax = plt.subplots(figsize=(3.2, 4.0), dpi=100)
        xy = CANONICAL_POSE[:, :2]
        for a, b in skeleton:
            extra = (a, b) not in SKELETON_A
            ax.plot(xy[[a - 1, b - 1], 0], xy[[a - 1, b - 1], 1],
                    color='tab:red' if extra else 'tab:blue', linewidth=2.5 if extra else 2.0)
        ax.scatter(xy[:, 0], xy[:, 1], s=40, color='black', zorder=3)
        for (px, py), label in zip(xy, KEYPOINT_LABELS):
            ax.annotate(label, (px, py), textcoords='offset points', fontsize=7,
                        xytext=(-40 if px < 0 else 4, -10))
        ax.set_title('skeleton {}{}'.format(name, ' (red: collar-waistline)' if name == 'B' else ''), fontsize=8)
        ax.set_xlim(-0.65, 0.65)
        ax.set_ylim(1.15, -0.15)
        ax.set_aspect('equal')
        ax.axis('off')
        path = os.path.join(output_dir, 'skeleton_{}.png'.format(name))
        fig.savefig(path, bbox_inches='tight')
        plt.close(fig)
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=draw_skeletons.__doc__)
    parser.add_argument('--output-dir', default='docs')
    args = parser.parse_args()
    for path in draw_skeletons(args.output_dir):
        print(path)


if __name__ == '__main__':
    main()
