"""Plane geometry of the DeepFashion2 generator: tubes and curves to build outlines, tests on polygons
(simple, point inside, distance to the boundary), clipping to the image, areas and contour simplification.

Points are (x, y) with y down, as in the image."""
import math

import numpy as np


def point(x, y):
    return np.array([x, y], dtype=float)


def unit_vector(angle):
    """Direction at ``angle`` radians from straight down, turning towards +x: (sin, cos)."""
    return point(math.sin(angle), math.cos(angle))


def perp(d):
    """d turned a quarter: (-dy, dx)."""
    return point(-d[1], d[0])


def lerp(a, b, t):
    return np.asarray(a, dtype=float) + (np.asarray(b, dtype=float) - np.asarray(a, dtype=float)) * t


def bezier(p0, p1, p2, n):
    """n points strictly between p0 and p2 on the quadratic Bezier curve with control point p1."""
    t = np.linspace(0.0, 1.0, n + 2)[1:-1, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2


def tube_edges(axis, half_widths, side):
    """The two edges of a tube (sleeve, leg, arm) along a polyline: (outer, inner), each (n, 2).  ``side``
    -1 or +1 is the figure's side the tube hangs on; outer is the edge away from the figure's centre line.
    Corners are mitred (the offset is divided by the cosine of half the turn, at most doubled)."""
    axis = np.asarray(axis, dtype=float)
    directions = np.diff(axis, axis=0)
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    normals = np.array([-side * perp(d) for d in directions])  # outward normal of each segment
    vertex_normals = np.empty_like(axis)
    vertex_normals[0], vertex_normals[-1] = normals[0], normals[-1]
    for k in range(1, len(axis) - 1):
        mean = normals[k - 1] + normals[k]
        mean /= np.linalg.norm(mean)
        vertex_normals[k] = mean / max(0.5, float(np.dot(mean, normals[k])))
    offsets = vertex_normals * np.asarray(half_widths, dtype=float)[:, None]
    return axis + offsets, axis - offsets


def tube_polygon(axis, half_widths, side=1):
    outer, inner = tube_edges(axis, half_widths, side)
    return np.concatenate([outer, inner[::-1]])


def ellipse(cx, cy, rx, ry, n=16):
    angles = np.linspace(0.0, 2.0 * math.pi, n + 1)[:-1]
    return np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], axis=1)


def line_intersection(p, d, q, e):
    """Parameter t of p + t d where it meets the line q + s e (None if parallel)."""
    denominator = d[0] * e[1] - d[1] * e[0]
    if abs(denominator) < 1e-12:
        return None
    w = q - p
    return (w[0] * e[1] - w[1] * e[0]) / denominator


def inner_band(polyline, width, toward):
    """A band of ``width`` along a polyline on the side of the point ``toward`` (waistbands, neck trims)."""
    polyline = np.asarray(polyline, dtype=float)
    directions = np.gradient(polyline, axis=0)
    normals = np.stack([-directions[:, 1], directions[:, 0]], axis=1)
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    if np.dot(np.asarray(toward) - polyline.mean(axis=0), normals.mean(axis=0)) < 0:
        normals = -normals
    return np.concatenate([polyline, (polyline + width * normals)[::-1]])


def polygon_area(polygon):
    """Area by the shoelace formula (positive)."""
    x, y = np.asarray(polygon, dtype=float).T
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def clip_to_rect(polygon, x0, y0, x1, y1):
    """Sutherland-Hodgman clipping of a polygon to the rectangle [x0, x1] x [y0, y1] ((0, 2) if nothing)."""
    pts = [tuple(p) for p in np.asarray(polygon, dtype=float)]
    for axis, limit, keep_below in ((0, x0, False), (0, x1, True), (1, y0, False), (1, y1, True)):
        if not pts:
            break
        inside = [(p[axis] <= limit) if keep_below else (p[axis] >= limit) for p in pts]
        result = []
        for k, p in enumerate(pts):
            q, q_inside = pts[k - 1], inside[k - 1]
            if inside[k] != q_inside:
                t = (limit - q[axis]) / (p[axis] - q[axis])
                result.append((q[0] + t * (p[0] - q[0]), q[1] + t * (p[1] - q[1])))
            if inside[k]:
                result.append(p)
        pts = result
    return np.array(pts, dtype=float).reshape(-1, 2)


def points_in_polygon(points, polygon):
    """Even-odd rule for many points at once: bool array, one per point."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    polygon = np.asarray(polygon, dtype=float)
    x, y = points[:, 0:1], points[:, 1:2]
    xa, ya = polygon[:, 0][None, :], polygon[:, 1][None, :]
    xb, yb = np.roll(polygon[:, 0], -1)[None, :], np.roll(polygon[:, 1], -1)[None, :]
    crosses = (ya > y) != (yb > y)
    with np.errstate(divide='ignore', invalid='ignore'):
        x_cross = xa + (y - ya) * (xb - xa) / (yb - ya)
    return (np.count_nonzero(crosses & (x < x_cross), axis=1) % 2) == 1


def distance_to_boundary(points, polygon):
    """Distance of each point to the polygon's outline."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    a = np.asarray(polygon, dtype=float)
    b = np.roll(a, -1, axis=0)
    ab = b - a
    length2 = np.maximum((ab ** 2).sum(axis=1), 1e-12)
    t = np.clip(((points[:, None, :] - a[None]) * ab[None]).sum(axis=2) / length2[None], 0.0, 1.0)
    nearest = a[None] + t[:, :, None] * ab[None]
    return np.sqrt(((points[:, None, :] - nearest) ** 2).sum(axis=2)).min(axis=1)


def is_simple(polygon):
    """True when no two non-neighbouring edges of the closed polygon touch or cross."""
    a = np.asarray(polygon, dtype=float)
    n = len(a)
    b = np.roll(a, -1, axis=0)
    i, j = np.triu_indices(n, k=2)
    keep = ~((i == 0) & (j == n - 1))
    i, j = i[keep], j[keep]

    def orient(p, q, r):
        return np.sign((q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1]) - (q[:, 1] - p[:, 1]) * (r[:, 0] - p[:, 0]))

    o1, o2 = orient(a[i], b[i], a[j]), orient(a[i], b[i], b[j])
    o3, o4 = orient(a[j], b[j], a[i]), orient(a[j], b[j], b[i])
    if np.any((o1 * o2 < 0) & (o3 * o4 < 0)):
        return False
    lengths = np.linalg.norm(b - a, axis=1)
    return bool(np.all(lengths > 1e-9))


def simplify(points, epsilon):
    """Ramer-Douglas-Peucker on an open polyline: the points kept, first and last always."""
    points = np.asarray(points, dtype=float)
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last <= first + 1:
            continue
        a, b = points[first], points[last]
        ab = b - a
        segment = points[first + 1:last]
        norm = math.hypot(*ab)
        if norm < 1e-12:
            distances = np.linalg.norm(segment - a, axis=1)
        else:
            distances = np.abs(ab[0] * (segment[:, 1] - a[1]) - ab[1] * (segment[:, 0] - a[0])) / norm
        k = int(np.argmax(distances))
        if distances[k] > epsilon:
            index = first + 1 + k
            keep[index] = True
            stack += [(first, index), (index, last)]
    return points[keep]


def simplify_ring(ring, epsilon):
    """RDP on a closed ring (given without repeating the first point): split at the two farthest points."""
    ring = np.asarray(ring, dtype=float)
    if len(ring) < 4:
        return ring
    start = int(np.argmax(np.linalg.norm(ring - ring[0], axis=1)))
    far = int(np.argmax(np.linalg.norm(ring - ring[start], axis=1)))
    ring = np.roll(ring, -start, axis=0)
    far = (far - start) % len(ring)
    first = simplify(ring[:far + 1], epsilon)
    second = simplify(np.concatenate([ring[far:], ring[:1]]), epsilon)
    return np.concatenate([first[:-1], second[:-1]])
