"""Options of the DeepFashion2 generator and the thresholds behind the annos fields it derives."""
import dataclasses
from typing import Tuple

from ...deepfashion.generator.options import BACKGROUNDS, DRAWING_STYLE_NAMES

SPLITS = ('train', 'validation', 'test')

# Garments that are left out (not drawn, not labelled): fewer labelled landmarks or visible pixels than this.
MIN_LABELLED_LANDMARKS = 3
MIN_VISIBLE_PIXELS = 40

# annos levels 1-3 (DeepFashion2 gives the meaning, not the thresholds; these are this generator's):
#   scale: the garment's area inside the image over the image's area;
#   occlusion: the share of that area hidden by garments in front, other people and occluders;
#   zoom_in: the share of the garment's whole area that lies outside the image.
SCALE_LEVELS = (0.08, 0.25)
OCCLUSION_LEVELS = (0.1, 0.35)
ZOOM_LEVELS = (0.03, 0.25)

SEGMENTATION_TOLERANCE = 0.5  #: pixels: how far the simplified segmentation outline may stray from the mask's


def level(value, thresholds):
    """1, 2 or 3: how many thresholds value reaches, plus one."""
    return 1 + sum(value >= t for t in thresholds)


@dataclasses.dataclass(frozen=True)
class Options:
    """Rendering options of :func:`generate` (passed as keyword arguments)."""
    min_size: int = 200  #: long image side, smallest
    max_size: int = 400  #: long image side, largest
    style: str = 'default'  #: drawing style of the DeepFashion generator: 'default' or 'second'
    occlusion_rate: float = 0.3  #: share of images with an occluder (bag, arm, hand...) over a landmark
    flat_rate: float = 0.45  #: share of shop images that show garments laid flat (viewpoint 1)
    two_people_rate: float = 0.4  #: share of user images with two people
    back_view_rate: float = 0.15  #: share of people seen from behind (viewpoint 3)
    split_fractions: Tuple[float, float, float] = (0.7, 0.15, 0.15)  #: train, validation, test
    backgrounds: Tuple[str, ...] = BACKGROUNDS
    jpeg_quality: int = 90

    def __post_init__(self):
        if not 64 <= self.min_size <= self.max_size:
            raise ValueError('need 64 <= min_size <= max_size')
        if self.style not in DRAWING_STYLE_NAMES:
            raise ValueError('style must be one of {}'.format(DRAWING_STYLE_NAMES))
        if not set(self.backgrounds) <= set(BACKGROUNDS) or not self.backgrounds:
            raise ValueError('backgrounds must be a non-empty subset of {}'.format(BACKGROUNDS))
        if len(self.split_fractions) != 3 or min(self.split_fractions) < 0 or sum(self.split_fractions) <= 0:
            raise ValueError('split_fractions: three non-negative numbers, not all zero')
        for name in ('occlusion_rate', 'flat_rate', 'two_people_rate', 'back_view_rate'):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError('{} must lie in [0, 1]'.format(name))
