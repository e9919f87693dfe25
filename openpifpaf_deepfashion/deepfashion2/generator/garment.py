"""A garment's geometry in body units: its landmarks, what it hides of itself, its fabric and lining polygons
and its drawn details (built by :mod:`.tops` and :mod:`.bottoms`)."""
import dataclasses
from typing import List, Tuple

import numpy as np

from .. import constants
from .geometry import is_simple

VIEWS = {1: 'flat', 2: 'front', 3: 'back'}  # DeepFashion2 viewpoint -> how a garment is built


class Infeasible(Exception):
    """The garment cannot be built on this body and pose (e.g. a short sleeve on an arm held to the side):
    the person is drawn again with another pose."""


@dataclasses.dataclass
class GarmentShape:
    """One garment, in body units (see :mod:`.body`).

    landmarks: (n, 2), DeepFashion2's order for the category; every landmark is a vertex of the outline or
    of a drawn line (neckline, front edge), or (``hidden``) lies behind the garment itself or the wearer:
    the back of the neckline behind the neck in a frontal view, the front neckline and open front in a back
    view.  fabric: polygons filled with the garment's fabric; lining: polygons in a lining shade (the
    inside of the garment seen through the neck or an open front when laid flat).  The garment is the union
    of fabric and lining.  details: (kind, points) drawn over it (see the DeepFashion generator's
    ``render.draw_detail``)."""
    category_id: int
    landmarks: np.ndarray
    hidden: np.ndarray
    fabric: List[np.ndarray]
    lining: List[np.ndarray] = dataclasses.field(default_factory=list)
    details: List[Tuple[str, np.ndarray]] = dataclasses.field(default_factory=list)

    @property
    def polygons(self):
        return self.fabric + self.lining

    def check(self):
        """Raise Infeasible unless the shape is well formed: the category's landmark count, simple polygons."""
        n = constants.N_LANDMARKS[self.category_id]
        if self.landmarks.shape != (n, 2) or self.hidden.shape != (n,):
            raise ValueError('category {}: {} landmarks expected, built {}'.format(
                self.category_id, n, self.landmarks.shape))
        if not np.all(np.isfinite(self.landmarks)):
            raise Infeasible('landmark not finite')
        for polygon in self.polygons:
            if len(polygon) < 3 or not is_simple(polygon):
                raise Infeasible('self-intersecting outline')
        return self
