"""Figures: a person with the garments they wear (or one garment laid flat), and where a figure goes in the
image (scale, rotation, a horizontal squash and a keystone for a little perspective, the crop)."""
import dataclasses
import math
from typing import List, Optional

import numpy as np

from .. import constants
from .body import Body, sample_body, skin_parts
from .bottoms import bottom_shape
from .garment import VIEWS, GarmentShape, Infeasible
from .plan import FigurePlan
from .tops import top_shape

BUILD_ATTEMPTS = 60
FALLBACK_ARMS = {20: 1.0, 40: 1.25}  # from this attempt on: both arms at this angle (radians)
#: A person's crops: (weight, vertical window in body units: None means the extent's top or bottom).
CROPS = {'full': 0.5, 'upper': 0.2, 'middle': 0.2, 'lower': 0.1}


@dataclasses.dataclass
class Warp:
    """Body units -> image pixels: x squashed (more towards one end: the keystone), rotated, scaled, moved."""
    centre: np.ndarray
    scale: float
    angle: float
    squash: float
    keystone: float
    height: float
    offset: np.ndarray

    def __call__(self, points):
        q = np.asarray(points, dtype=float).reshape(-1, 2) - self.centre
        x = q[:, 0] * self.squash * (1.0 + self.keystone * q[:, 1] / self.height)
        y = q[:, 1]
        c, s = math.cos(self.angle), math.sin(self.angle)
        return np.stack([c * x - s * y, s * x + c * y], axis=1) * self.scale + self.offset

    @property
    def unit(self):
        """Pixels per body unit (geometric mean of the two axes)."""
        return self.scale * math.sqrt(self.squash)


@dataclasses.dataclass
class Figure:
    plan: FigurePlan
    body: Body
    shapes: List[GarmentShape]  #: one per planned garment, drawing order
    skin: list  #: (polygon, role) of the person drawn behind the garments; [] when laid flat
    warp: Optional[Warp] = None

    def extent(self):
        points = [p for shape in self.shapes for p in shape.polygons] + [p for p, _ in self.skin]
        points = np.concatenate(points)
        return (*points.min(axis=0), *points.max(axis=0))


def build_shape(rng, body, category_id, viewpoint, layer=0):
    """The garment of a category on a body (layer 1: worn over another garment, so a little larger)."""
    view = VIEWS[viewpoint]
    if category_id in constants.BOTTOMS:
        return bottom_shape(rng, body, category_id, view).check()
    return top_shape(rng, body, category_id, view, layer).check()


def build_figure(rng, plan):
    """The body and every garment of a figure; a pose that does not fit a garment is drawn again (after a
    while with the arms raised further: FALLBACK_ARMS)."""
    arms = None
    for attempt in range(BUILD_ATTEMPTS):
        body = sample_body(rng, plan.worn)
        arms = FALLBACK_ARMS.get(attempt, arms)
        if arms is not None:
            body = dataclasses.replace(body, arm_angles=(arms, arms), elbow_bends=(0.1, 0.1))
        try:
            shapes = [build_shape(rng, body, g.category_id, plan.viewpoint,
                                  int(g.category_id in constants.OUTWEAR and k > 0))
                      for k, g in enumerate(plan.garments)]
        except Infeasible:
            continue
        return Figure(plan, body, shapes, skin_parts(body, plan.viewpoint == 3) if plan.worn else [])
    raise RuntimeError('no pose fits the garments {}'.format([g.category_id for g in plan.garments]))


def regions(n_figures, width, height, rng, worn):
    """One region per figure, side by side (or one above the other for flat garments in a tall image),
    overlapping so that the figure drawn later may hide part of the earlier one."""
    if n_figures == 1:
        return [(0.0, 0.0, float(width), float(height))]
    vertical = not worn and height > width
    length = height if vertical else width
    split = length * rng.uniform(0.42, 0.58)
    overlap = length * rng.uniform(0.03, 0.15)
    first, second = (0.0, split + overlap), (split - overlap, float(length))
    if vertical:
        return [(0.0, first[0], float(width), first[1]), (0.0, second[0], float(width), second[1])]
    return [(first[0], 0.0, first[1], float(height)), (second[0], 0.0, second[1], float(height))]


def crop_window(rng, figure, kind):
    """Vertical range of the figure (body units) that fills its region."""
    x0, y0, x1, y1 = figure.extent()
    if kind == 'upper':
        return y0, rng.uniform(1.1, 1.45)
    if kind == 'middle':
        return rng.uniform(-0.25, 0.1), rng.uniform(1.3, 1.75)
    if kind == 'lower':
        return rng.uniform(0.3, 0.55), y1
    return y0 - 0.03, y1 + 0.03


def place(rng, figure, region, crop='full'):
    """Set figure.warp: the crop window fills the region (a full figure 60-98 % of it, a crop a little
    more than all of it), turned, squashed and moved at random within the slack."""
    x0, _, x1, _ = figure.extent()
    wy0, wy1 = crop_window(rng, figure, crop)
    rx0, ry0, rx1, ry1 = region
    worn = figure.plan.worn
    fill = rng.uniform(0.6, 0.98) if crop == 'full' else rng.uniform(0.95, 1.12)
    if not worn:
        fill = rng.uniform(0.55, 0.95)
    scale = fill * min((ry1 - ry0) / (wy1 - wy0), (rx1 - rx0) / (x1 - x0))
    angle = rng.uniform(-0.5, 0.5) if not worn else rng.uniform(-0.12, 0.12)
    squash = rng.uniform(0.8, 1.0) if not worn else rng.uniform(0.85, 1.0)
    size = np.array([(x1 - x0) * squash, wy1 - wy0]) * scale
    slack = np.maximum((np.array([rx1 - rx0, ry1 - ry0]) - size) / 2.0, 0.0)
    offset = np.array([(rx0 + rx1) / 2.0, (ry0 + ry1) / 2.0]) + rng.uniform(-1.0, 1.0, size=2) * slack
    figure.warp = Warp(centre=np.array([(x0 + x1) / 2.0, (wy0 + wy1) / 2.0]), scale=scale, angle=angle,
                       squash=squash, keystone=rng.uniform(-0.12, 0.12), height=max(wy1 - wy0, 0.5),
                       offset=offset)
    return figure


def landmarks_inside(figure, width, height):
    """Per garment: how many of its landmarks fall inside the image."""
    counts = []
    for shape in figure.shapes:
        points = np.round(figure.warp(shape.landmarks))
        inside = (points[:, 0] >= 0) & (points[:, 0] <= width - 1) & (points[:, 1] >= 0) & (points[:, 1] <= height - 1)
        counts.append(int(inside.sum()))
    return counts


def place_figures(rng, figures, width, height, min_inside=3):
    """Place every figure in its region; a crop that leaves no garment of a figure with ``min_inside``
    landmarks in the image is replaced by the full figure."""
    kinds, weights = list(CROPS), np.array(list(CROPS.values()))
    for figure, region in zip(figures, regions(len(figures), width, height, rng, figures[0].plan.worn)):
        crop = str(rng.choice(kinds, p=weights / weights.sum())) if figure.plan.worn else 'full'
        for attempt in range(4):
            place(rng, figure, region, crop if attempt == 0 else 'full')
            if max(landmarks_inside(figure, width, height)) >= min_inside:
                break
    return figures
