"""Homographies for the clean-up stage, and finding a photographed page.

Coordinates are continuous, with pixel (i, j) covering [i, i+1) × [j, j+1):
box edges from OCR map exactly under scaling, which is what the text layer
needs. OpenCV samples at pixel centres, so ``opencv_map`` shifts by half a
pixel on both sides before a matrix is handed to a warp.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

Size = tuple[int, int]  # (width, height)


def scale(sx: float, sy: float | None = None) -> np.ndarray:
    """Maps a point of an image scaled by (sx, sy) back to the unscaled one."""
    return np.diag([1.0 / sx, 1.0 / (sx if sy is None else sy), 1.0])


def turn(size: Size, quarter_turns_cw: int) -> tuple[np.ndarray, Size]:
    """Maps the image turned clockwise by 90° × n back to the unturned one.

    ``size`` is the unturned image's size; the turned size is returned too.
    """
    w, h = size
    n = quarter_turns_cw % 4
    if n == 0:
        return np.eye(3), (w, h)
    if n == 1:  # turned (x', y') came from (y', h - x')
        return np.array([[0.0, 1, 0], [-1, 0, h], [0, 0, 1]]), (h, w)
    if n == 2:
        return np.array([[-1.0, 0, w], [0, -1, h], [0, 0, 1]]), (w, h)
    return np.array([[0.0, -1, w], [1, 0, 0], [0, 0, 1]]), (h, w)


def rotate_about_centre(size: Size, degrees_ccw: float) -> tuple[np.ndarray, Size]:
    """Maps an image that undoes a counter-clockwise tilt back to the tilted one.

    The output canvas grows to hold the whole tilted page, so no corner is cut.
    """
    w, h = size
    a = math.radians(degrees_ccw)
    c, s = math.cos(a), math.sin(a)
    out_w = int(math.ceil(abs(w * c) + abs(h * s) - 1e-6))
    out_h = int(math.ceil(abs(w * s) + abs(h * c) - 1e-6))
    # y points down, so a counter-clockwise turn on screen is [[c, s], [-s, c]].
    to_centre = np.array([[1.0, 0, -out_w / 2], [0, 1, -out_h / 2], [0, 0, 1]])
    rot = np.array([[c, s, 0.0], [-s, c, 0], [0, 0, 1]])
    from_centre = np.array([[1.0, 0, w / 2], [0, 1, h / 2], [0, 0, 1]])
    return from_centre @ rot @ to_centre, (out_w, out_h)


def opencv_map(h: np.ndarray) -> np.ndarray:
    """The same mapping for OpenCV, which puts pixel centres on integers."""
    half = np.array([[1.0, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    unhalf = np.array([[1.0, 0, -0.5], [0, 1, -0.5], [0, 0, 1]])
    return unhalf @ h @ half


def warp(image: np.ndarray, to_image: np.ndarray, size: Size, fill: int = 255) -> np.ndarray:
    """Resample ``image`` onto a ``size`` canvas; ``to_image`` maps canvas → image."""
    m = opencv_map(to_image)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    if np.allclose(m[2], [0, 0, 1], atol=1e-12):
        return cv2.warpAffine(image, m[:2], size, flags=flags, borderValue=fill)
    return cv2.warpPerspective(image, m, size, flags=flags, borderValue=fill)


def shrink(image: np.ndarray, step_x: int, step_y: int) -> tuple[np.ndarray, np.ndarray]:
    """Average ``step`` × ``step`` blocks; returns the image and its map back.

    Trailing rows/columns that do not fill a block are dropped, which keeps
    the factor an exact integer: OpenCV's fast path, and an exact mapping.
    """
    h, w = image.shape[:2]
    out_w, out_h = max(1, w // step_x), max(1, h // step_y)
    if (step_x, step_y) == (1, 1):
        return image, np.eye(3)
    crop = image[: out_h * step_y, : out_w * step_x]
    small = cv2.resize(crop, (out_w, out_h), interpolation=cv2.INTER_AREA)
    return small, np.diag([float(step_x), float(step_y), 1.0])


def apply(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map (N, 2) points through a homography."""
    p = np.c_[points, np.ones(len(points))] @ h.T
    return p[:, :2] / p[:, 2:3]


def find_page(grey: np.ndarray) -> np.ndarray | None:
    """The corners of a sheet photographed on a darker surface, or None.

    ``grey`` is a small image (a few hundred pixels a side). Returns the four
    corners (top-left, top-right, bottom-right, bottom-left; continuous
    coordinates) only when the border of the photo is clearly darker than the
    paper and the bright region is a plausible quadrilateral.
    """
    h, w = grey.shape
    rim = max(2, min(h, w) // 40)
    border = np.concatenate(
        [grey[:rim].ravel(), grey[-rim:].ravel(), grey[:, :rim].ravel(), grey[:, -rim:].ravel()]
    )
    paper = float(np.percentile(grey, 90))
    # A flatbed scan has a white (or paper-coloured) border almost all round.
    if np.median(border) > 0.75 * paper or paper < 60:
        return None
    blurred = cv2.GaussianBlur(grey, (5, 5), 0)
    level, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if level > 0.9 * paper:
        return None
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    quad = _quadrilateral(bright)
    if quad is None:
        # Light patches of the surface (a wood grain's highlights) joined to the sheet make
        # the bright region no quadrilateral: opened wider, the sheet stands alone.
        k = max(3, round(SURFACE_SPECKS * min(h, w)))
        quad = _quadrilateral(cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((k, k), np.uint8)))
    if quad is None:
        return None
    return _widen_doubtful_sides(blurred, _order_corners(quad + 0.5), paper)


# Bright patches of the surface narrower than this share of the photo's short side are
# opened away from the sheet when the bright region is no quadrilateral with them.
SURFACE_SPECKS = 0.05


def _quadrilateral(bright: np.ndarray) -> np.ndarray | None:
    """Four corners of the largest bright region, when it is a plausible sheet."""
    h, w = bright.shape
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    area = cv2.contourArea(hull)
    if not 0.2 * h * w < area < 0.97 * h * w:
        return None
    quad = _four_corners(hull)
    if quad is None or cv2.contourArea(quad.astype(np.float32)) < 0.9 * area:
        return None
    return quad


# A side of the sheet is its edge only when the photo steps down across it by at least this
# share of the paper's brightness; a gentler step is light falling off over the paper itself.
EDGE_MIN_STEP = 0.15


def _widen_doubtful_sides(grey: np.ndarray, quad: np.ndarray, paper: float) -> np.ndarray:
    """The sheet, with every side whose edge is in doubt moved out to the photo's frame.

    Light falling off on one side can make the paper there as dark as the table: the bright
    region then ends inside the paper, and cutting there would cut the text. Never cut ink:
    where the step across a side is too gentle to be the paper's edge, keep the whole frame.
    """
    h, w = grey.shape
    out = quad.copy()
    reach = max(3.0, 0.02 * min(h, w))
    for k in range(4):
        p, q = quad[k], quad[(k + 1) % 4]
        d = (q - p) / max(1e-9, float(np.linalg.norm(q - p)))
        normal = np.array([d[1], -d[0]])  # outward: the corners run clockwise on screen
        points = p + np.linspace(0.15, 0.85, 15)[:, None] * (q - p)
        inside, outside = points - reach * normal, points + reach * normal
        if not ((outside >= 0) & (outside <= [w - 1, h - 1])).all():
            continue  # the side lies on the frame already
        step = float(np.median(_sample(grey, inside)) - np.median(_sample(grey, outside)))
        if step >= EDGE_MIN_STEP * paper:
            continue
        # Out to the frame: along the outward normal's main axis.
        axis = int(abs(normal[1]) > abs(normal[0]))  # 0: a left/right side, 1: top/bottom
        edge = 0.0 if normal[axis] < 0 else float((w, h)[axis])
        out[k, axis] = edge
        out[(k + 1) % 4, axis] = edge
    return out


def _sample(grey: np.ndarray, points: np.ndarray) -> np.ndarray:
    h, w = grey.shape
    xs = np.clip(np.round(points[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.round(points[:, 1]).astype(int), 0, h - 1)
    return grey[ys, xs].astype(np.float64)


def _four_corners(hull: np.ndarray) -> np.ndarray | None:
    """Simplify a convex hull to four corners by widening the tolerance."""
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float64)
        if len(approx) < 4:
            return None
    return None


def _order_corners(q: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    s = q.sum(axis=1)
    d = q[:, 0] - q[:, 1]
    return np.array([q[s.argmin()], q[d.argmax()], q[s.argmax()], q[d.argmin()]])


def page_size(quad: np.ndarray) -> tuple[float, float]:
    """Width and height of the rectified sheet: the mean of opposite edges."""
    tl, tr, br, bl = quad
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    return float(width), float(height)


def rect_to_quad(size: tuple[float, float], quad: np.ndarray) -> np.ndarray:
    """Homography taking the rectified sheet's rectangle onto the photo's corners."""
    w, h = size
    rect = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.getPerspectiveTransform(rect, quad.astype(np.float32)).astype(np.float64)
