"""Ground truth that the generator returns: garments, image records, the data set."""
import dataclasses
from typing import List, Optional, Tuple


@dataclasses.dataclass
class Garment:
    """Ground truth of one drawn garment.

    landmarks: 8 entries in slot order, (x, y, DeepFashion visibility) or None where the clothes type has no
    such landmark; truncated landmarks are (0, 0, 2) as written.  bbox: (x1, y1, x2, y2) clipped to the image.
    category_id is None for the FLD benchmark; drawn_category_id is the category whose shape was drawn.
    """
    clothes_type: int
    category_id: Optional[int]
    drawn_category_id: int
    landmarks: List[Optional[Tuple[int, int, int]]]
    bbox: Tuple[int, int, int, int]
    attribute_ids: Tuple[int, ...]
    texture: str


@dataclasses.dataclass
class ImageRecord:
    """One image and the garment its list-file rows annotate (``garments[annotated]``)."""
    image_name: str
    width: int
    height: int
    split: str
    clothes_type: int
    category_id: Optional[int]
    variation_type: Optional[int]
    landmarks: List[Optional[Tuple[int, int, int]]]
    bbox: Tuple[int, int, int, int]
    attribute_ids: Tuple[int, ...]
    garments: List[Garment]
    annotated: int


@dataclasses.dataclass
class GeneratedDataset:
    root: str
    benchmark: str
    seed: int
    multi_garment: bool
    images: List[ImageRecord]
    coco_files: dict  #: split -> path of the multi-garment COCO json (empty unless multi_garment)
    style: str = 'default'  #: drawing style (Options.style)

    def split(self, name):
        return [record for record in self.images if record.split == name]
