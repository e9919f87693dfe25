"""The person under the garments: body proportions and pose in body units, and the skin parts drawn behind.

Body frame: the base of the neck at (0, 0), y down, x towards the image's right; one body unit is about the
distance from the neck to the crotch.  Side -1 is the image's left: the side of landmark 2 (tops) and 1
(bottoms) in a frontal DeepFashion2 view.  Garments of one person share the body (sleeves follow its arms,
trouser legs its legs); a garment laid flat is built on a body with wider arms that is not drawn.
"""
import dataclasses
import math
from typing import Tuple

import numpy as np

from .geometry import ellipse, point, tube_polygon, unit_vector

SIDES = (-1, 1)


@dataclasses.dataclass(frozen=True)
class Body:
    neck_hw: float
    shoulder_hw: float
    shoulder_y: float
    chest_hw: float
    armpit_y: float
    waist_hw: float
    waist_y: float
    hip_hw: float
    hip_y: float
    crotch_y: float
    knee_y: float
    ankle_y: float
    arm_angles: Tuple[float, float]  #: radians from straight down, outwards, per side (-1, +1)
    elbow_bends: Tuple[float, float]  #: forearm turn at the elbow, radians (positive: further out)
    upper_arm: float
    forearm: float
    leg_angles: Tuple[float, float]  #: thigh angle outwards from straight down, per side
    knee_bends: Tuple[float, float]
    head_r: float

    def index(self, side):
        return 0 if side < 0 else 1

    def half_width(self, y):
        """Half width of the torso at height y (chest, waist, hip; straight below the hip)."""
        return float(np.interp(y, [self.armpit_y, self.waist_y, self.hip_y], [self.chest_hw, self.waist_hw,
                                                                              self.hip_hw]))

    def arm_joint(self, side):
        return point(side * (self.shoulder_hw - 0.07), self.shoulder_y + 0.08)

    def arm_axis(self, side):
        """Shoulder joint, elbow, wrist."""
        i = self.index(side)
        joint = self.arm_joint(side)
        upper = unit_vector(side * self.arm_angles[i])
        fore = unit_vector(side * (self.arm_angles[i] + self.elbow_bends[i]))
        elbow = joint + self.upper_arm * upper
        return np.array([joint, elbow, elbow + self.forearm * fore])

    def hip_joint(self, side):
        return point(side * 0.11, self.crotch_y - 0.1)

    def leg_axis(self, side, top=None):
        """Hip joint (or ``top``), knee, ankle; the thigh turns outwards by the leg angle."""
        i = self.index(side)
        start = self.hip_joint(side)
        thigh = unit_vector(side * self.leg_angles[i])
        shin = unit_vector(side * (self.leg_angles[i] - self.knee_bends[i]))
        knee = start + (self.knee_y - start[1]) / thigh[1] * thigh
        ankle = knee + (self.ankle_y - self.knee_y) / shin[1] * shin
        return np.array([start if top is None else top, knee, ankle])


def sample_body(rng, worn):
    """Proportions and a pose.  Worn: arms down to half raised; laid flat: sleeves spread for display."""
    if worn:
        arms = rng.uniform(0.3, 1.15, size=2)
        bends = rng.uniform(-0.35, 0.45, size=2)
        legs = rng.uniform(0.02, 0.22, size=2)
    else:
        arms = np.full(2, rng.uniform(0.55, 1.3)) + rng.uniform(-0.08, 0.08, size=2)
        bends = rng.uniform(-0.15, 0.2, size=2)
        legs = np.full(2, rng.uniform(0.04, 0.16))
    shoulder_hw = rng.uniform(0.3, 0.37)
    waist_y = rng.uniform(0.58, 0.66)
    return Body(
        neck_hw=rng.uniform(0.065, 0.085), shoulder_hw=shoulder_hw, shoulder_y=rng.uniform(0.04, 0.08),
        chest_hw=shoulder_hw - rng.uniform(0.04, 0.08), armpit_y=rng.uniform(0.24, 0.3),
        waist_hw=rng.uniform(0.18, 0.24), waist_y=waist_y, hip_hw=rng.uniform(0.25, 0.31),
        hip_y=waist_y + rng.uniform(0.25, 0.32), crotch_y=rng.uniform(1.0, 1.06), knee_y=rng.uniform(1.5, 1.6),
        ankle_y=rng.uniform(2.0, 2.1), arm_angles=tuple(arms), elbow_bends=tuple(bends),
        upper_arm=rng.uniform(0.42, 0.48), forearm=rng.uniform(0.38, 0.44), leg_angles=tuple(legs),
        knee_bends=tuple(rng.uniform(0.0, 0.12, size=2) * (1 if worn else 0)), head_r=rng.uniform(0.15, 0.18))


def skin_parts(body, back=False):
    """(polygon, role) of the body drawn behind the garments: 'skin' (head, neck, torso, arms, hands, legs),
    'hair' (a cap seen from the front, the whole head from behind) and 'shoe'."""
    parts = []
    for side in SIDES:
        axis = body.arm_axis(side)
        direction = (axis[2] - axis[1]) / np.linalg.norm(axis[2] - axis[1])
        parts.append((tube_polygon(axis, [0.065, 0.05, 0.04], side), 'skin'))
        hand = axis[2] + 0.06 * direction
        parts.append((ellipse(hand[0], hand[1], 0.045, 0.045, 10), 'skin'))
        leg = body.leg_axis(side)
        parts.append((tube_polygon(leg, [0.12, 0.075, 0.05], side), 'skin'))
        foot = leg[2] + point(side * 0.03, 0.03)
        parts.append((ellipse(foot[0], foot[1], 0.08, 0.045, 12), 'shoe'))
    torso = [point(-body.shoulder_hw + 0.04, body.shoulder_y), point(body.shoulder_hw - 0.04, body.shoulder_y)]
    torso += [point(body.half_width(y), y) for y in (body.armpit_y, body.waist_y, body.hip_y)]
    torso += [point(0.1, body.crotch_y), point(-0.1, body.crotch_y)]
    torso += [point(-body.half_width(y), y) for y in (body.hip_y, body.waist_y, body.armpit_y)]
    parts.append((np.array(torso), 'skin'))
    parts.append((np.array([[-body.neck_hw, 0.06], [-body.neck_hw * 0.9, -0.16], [body.neck_hw * 0.9, -0.16],
                            [body.neck_hw, 0.06]]), 'skin'))
    head_y = -0.16 - body.head_r * 1.05
    parts.append((ellipse(0.0, head_y, body.head_r * 0.82, body.head_r * 1.05, 18), 'skin'))
    angles = np.linspace(math.pi * 1.05, math.pi * 1.95, 9)
    hair = [point(0.0, head_y) + point(math.cos(a) * body.head_r * 0.9, math.sin(a) * body.head_r * 1.15)
            for a in angles]
    if back:
        parts.append((ellipse(0.0, head_y, body.head_r * 0.86, body.head_r * 1.1, 18), 'hair'))
    else:
        parts.append((np.array(hair + [point(body.head_r * 0.8, head_y), point(-body.head_r * 0.8, head_y)]),
                      'hair'))
    return parts


def body_extent(body):
    """(x0, y0, x1, y1) of the whole person in body units."""
    points = np.concatenate([polygon for polygon, _ in skin_parts(body)])
    return (*points.min(axis=0), *points.max(axis=0))
