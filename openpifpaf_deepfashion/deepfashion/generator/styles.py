"""Drawing styles: the default one and a second, differently drawn one (lines, palettes, textures, clutter)."""
import dataclasses
from typing import Tuple


@dataclasses.dataclass(frozen=True)
class DrawingStyle:
    aspect: Tuple[float, float]  #: short side / long side, range
    landscape: float  #: share of landscape images
    outline_widths: Tuple[int, ...]  #: garment outline width in pixels, one drawn per garment (0: no outline)
    ink_outlines: bool  #: outlines in ink (near black or a deep shade) rather than a shade that suits the backdrop
    palettes: Tuple[str, ...]  #: palette families (palette.FAMILIES), one drawn per image
    patterns: str  #: 'grid' (straight stripes, dot rows, checkerboards) or 'loose' (waves, scatter, tartan)
    clutter: Tuple[int, int]  #: number of shapes on a 'clutter' background
    clutter_contrast: float  #: largest channel offset of a clutter shape from the background colour
    distractor_rate: float  #: share of images with one to three non-garment objects behind the figures
    occluders: Tuple[str, ...]  #: occluder kinds (objects.OCCLUDERS)
    shading: bool  #: light falling across each garment, and heathered solid fabrics
    blur_rate: float  #: share of images slightly blurred


DRAWING_STYLES = {
    'default': DrawingStyle(aspect=(0.72, 1.0), landscape=0.25, outline_widths=(1,), ink_outlines=False,
                            palettes=('any',), patterns='grid', clutter=(3, 7), clutter_contrast=40.0,
                            distractor_rate=0.0, occluders=('bag', 'arm'), shading=False, blur_rate=0.0),
    'second': DrawingStyle(aspect=(0.45, 0.8), landscape=0.55, outline_widths=(0, 0, 2, 3), ink_outlines=True,
                           palettes=('pastel', 'earth', 'neon', 'mono', 'any'), patterns='loose', clutter=(8, 18),
                           clutter_contrast=255.0, distractor_rate=0.6,
                           occluders=('hand', 'handbag', 'phone', 'scarf'), shading=True, blur_rate=0.4),
}
