"""Options of the generator and the constants of rendering (attributes, textures, fabrics, variations)."""
import dataclasses
from typing import Optional, Tuple

from .. import constants

UPPER, LOWER, FULL = constants.UPPER, constants.LOWER, constants.FULL
SPLITS = ('train', 'val', 'test')

# Made-up attributes in list_attr_cloth.txt; DeepFashion's types: 1 texture, 2 fabric, 3 shape, 4 part, 5 style.
ATTRIBUTES = [
    ('striped', 1), ('horizontal stripe', 1), ('vertical stripe', 1), ('polka dot', 1), ('dotted print', 1),
    ('checked', 1), ('gingham check', 1), ('solid colour', 1),
    ('cotton', 2), ('denim', 2), ('knit', 2), ('linen', 2), ('faux leather', 2), ('chiffon', 2),
    ('a-line', 3), ('fitted', 3), ('loose fit', 3), ('maxi', 3), ('mini', 3), ('cropped', 3),
    ('long sleeve', 4), ('short sleeve', 4), ('sleeveless', 4), ('v-neck', 4), ('crew neck', 4), ('wide leg', 4),
    ('skinny leg', 4),
    ('casual', 5), ('smart casual', 5), ('sporty', 5),
]
ATTRIBUTE_IDS = {name: i for i, (name, _) in enumerate(ATTRIBUTES, start=1)}

TEXTURES = ('solid', 'stripes', 'dots', 'checks')
FABRICS = ('Cotton', 'Denim', 'Knit', 'Linen', 'Faux_Leather', 'Chiffon')
STYLES = ('casual', 'smart casual', 'sporty')
TEXTURE_WORDS = {
    ('solid', 0): 'Classic', ('solid', 1): 'Basic',
    ('stripes', 0): 'Horizontal-Striped', ('stripes', 1): 'Pinstriped',
    ('dots', 0): 'Polka_Dot', ('dots', 1): 'Dotted',
    ('checks', 0): 'Gingham', ('checks', 1): 'Plaid',
}
BACKGROUNDS = ('plain', 'gradient', 'noise', 'clutter')
DRAWING_STYLE_NAMES = ('default', 'second')  # styles.DRAWING_STYLES

# FLD variation_type: maximum rotation (degrees) and zoom range of the drawn garment.
VARIATION_WEIGHTS = {'fld': (0.45, 0.2, 0.1, 0.15, 0.1), 'category': (0.6, 0.2, 0.05, 0.1, 0.05)}
VARIATION_ROTATION = {1: 5.0, 2: 14.0, 3: 26.0, 4: 6.0, 5: 6.0}
VARIATION_ZOOM = {1: (1.0, 1.0), 2: (1.0, 1.0), 3: (1.0, 1.0), 4: (1.15, 1.35), 5: (1.35, 1.6)}
DEFAULT_TYPE_WEIGHTS = {UPPER: 0.45, LOWER: 0.3, FULL: 0.25}
MIN_PATTERN_PIXELS = 4.0  # narrowest stripe / check, in pixels


@dataclasses.dataclass(frozen=True)
class Options:
    """Rendering options of :func:`generate` (passed as keyword arguments)."""
    min_size: int = 200  #: long image side, smallest
    max_size: int = 320  #: long image side, largest
    types: Tuple[int, ...] = (UPPER, LOWER, FULL)  #: clothes types to draw
    type_weights: Optional[Tuple[float, ...]] = None  #: relative frequency of ``types``
    occlusion_rate: float = 0.2  #: fraction of images with an occluder (bag, arm, hand...) over a landmark
    truncation_rate: float = 0.15  #: fraction of garments pushed partly out of the image (besides zoom-ins)
    backgrounds: Tuple[str, ...] = BACKGROUNDS
    textures: Tuple[str, ...] = TEXTURES
    split_fractions: Tuple[float, float, float] = (0.7, 0.15, 0.15)
    jpeg_quality: int = 90
    style: str = 'default'  #: drawing style: 'default' or 'second' (other lines, palettes, patterns, clutter)

    def __post_init__(self):
        if not 16 <= self.min_size <= self.max_size:
            raise ValueError('need 16 <= min_size <= max_size')
        if not self.types or any(t not in constants.CLOTHES_TYPES for t in self.types):
            raise ValueError('types must be a non-empty subset of (1, 2, 3)')
        if self.type_weights is not None and len(self.type_weights) != len(self.types):
            raise ValueError('type_weights needs one weight per type')
        if not set(self.backgrounds) <= set(BACKGROUNDS) or not self.backgrounds:
            raise ValueError('backgrounds must be a non-empty subset of {}'.format(BACKGROUNDS))
        if not set(self.textures) <= set(TEXTURES) or not self.textures:
            raise ValueError('textures must be a non-empty subset of {}'.format(TEXTURES))
        if self.style not in DRAWING_STYLE_NAMES:
            raise ValueError('style must be one of {}'.format(DRAWING_STYLE_NAMES))
