"""Clean-up for OCR: an upright, level, evenly lit grey page for Tesseract.

The PDF keeps the original pixels; this image only feeds recognition, and
``Prepared.to_source`` maps its pixels back onto the scan. Coordinates are
continuous, pixel (i, j) covering [i, i+1) × [j, j+1), so OCR box edges map
exactly. All decisions are taken on a ~150 dpi copy; the full-resolution page
only goes through a few cheap whole-image operations and one final warp.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.cleanup import geometry as geo
from pipeline.cleanup import layout, noise, rules, seal, tone
from pipeline.core.model import Prepared

A4_SHORT_INCHES = 210 / 25.4
MAX_SHORT_INCHES = 297 / 25.4  # A3
MIN_SKEW = 0.1  # degrees; below this a rotation only blurs and Tesseract copes with the tilt
UPSCALE_BELOW = 0.0  # share of target_dpi under which a page is enlarged: 0 = never (measured)
DOWNSCALE_ABOVE = 1.25  # share of target_dpi over which a page is reduced to target_dpi
THUMBNAIL_PX = 400  # short side of the copy a photographed sheet's corners are found on
# A phone's lens, demosaicing and JPEG soften strokes over a pixel or two of the camera's
# (the rectified sheet keeps that scale): an unsharp mask gives back the small marks
# that tell the tones apart (hỏi from sắc: tổ/tố, phổ/phố). Measured on the phone
# corpus, word errors fall by about half; on scans it does harm (clean 0.62 → 0.77 %).
PHOTO_SHARPEN_SIGMA_PX = 1.5
PHOTO_SHARPEN_AMOUNT = 1.5
# The share of the page's height kept with its coloured ink (``Prepared.header_ink``):
# the header OCR looks for blanks in (35 %) and room for the handwriting above its last line.
HEADER_SHARE = 0.4


@dataclass(frozen=True)
class _Sheet:
    """The paper being read: its pixels → source pixels, its size and resolution."""

    to_source: np.ndarray
    size: geo.Size
    dpi: tuple[float, float]
    photographed: bool = False


@dataclass(frozen=True)
class _Findings:
    """What the small copy says about the page."""

    sheet: _Sheet
    turns: int  # clockwise quarter turns
    skew: float  # degrees counter-clockwise, after the turn
    streaks: list[rules.Streak]  # in the small copy's pixels
    faded: bool


def prepare_for_ocr(
    image: np.ndarray, dpi: tuple[float, float], *, target_dpi: int = 300
) -> Prepared:
    """Turn, deskew, flatten and clean one page for Tesseract.

    ``image`` is uint8 grey (H, W) or RGB (H, W, 3) in stored orientation and
    ``dpi`` its (x, y) resolution. The result's ``to_source`` maps its pixels
    to ``image`` pixels.
    """
    _check(image)
    dpi, dpi_known = _effective_dpi(dpi, image.shape[:2])
    steps: list[str] = []
    grey = image
    removed = False
    if image.ndim == 3:
        grey, removed = tone.remove_coloured_ink(image)
        if removed:
            steps.append("seal/signature colour removed")
    bilevel = tone.is_bilevel(grey)

    found = _examine(grey, dpi, dpi_known, bilevel)
    if found.sheet.photographed:
        steps.append("perspective corrected")
    if found.turns:
        steps.append(f"rotated {90 * found.turns}")
    if found.skew:
        steps.append(f"deskewed {found.skew:+.1f}°")

    grey = _clean(grey, dpi, bilevel, found.streaks, steps)

    out_dpi = _output_dpi(max(found.sheet.dpi), target_dpi)
    if not found.sheet.photographed and not np.allclose(found.sheet.dpi, out_dpi, rtol=1e-6):
        # (a PDF page's placement gives 199.99999999999997 for 200: that is no resampling)
        steps.append(f"resampled to {out_dpi:.0f} dpi")
    to_source, size = _output_geometry(found.sheet, out_dpi, found.turns, found.skew)
    prepared = _resample(grey, to_source, size)
    if found.sheet.photographed:
        prepared = sharpened(prepared, PHOTO_SHARPEN_SIGMA_PX, PHOTO_SHARPEN_AMOUNT)
        steps.append("sharpened")
    if found.faded and not bilevel:
        prepared = tone.sauvola(prepared, out_dpi)
        steps.append("faded ink binarised")
    if bilevel or found.faded:
        # A seal in black (a photocopy) or kept by the binarisation hides the signer.
        prepared, seals = seal.remove(prepared, out_dpi)
        if seals:
            steps.append("seal rings removed")
    header_ink = None
    if removed:
        header = (size[0], max(1, round(size[1] * HEADER_SHARE)))
        header_ink = _resample(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), to_source, header)
    return Prepared(prepared, to_source, 90 * found.turns, found.skew, steps, header_ink)


def _examine(grey: np.ndarray, dpi: tuple[float, float], dpi_known: bool, bilevel: bool) -> _Findings:
    """Sheet, turn, skew, streaks and fading, all from a ~150 dpi copy of the page."""
    small, small_to_src, small_dpi = _analysis_copy(grey, dpi)
    sheet = _Sheet(np.eye(3), (grey.shape[1], grey.shape[0]), dpi)
    photo = None if bilevel else _photographed_sheet(small, small_to_src, small_dpi, dpi if dpi_known else None)
    if photo is not None:
        sheet, small = photo
    flat = tone.flattened(small, small_dpi)
    mask = tone.text_mask(flat)
    streaks = rules.find(mask, small_dpi)
    turns, skew = _orientation(rules.text_only(mask, streaks), small, small_dpi)
    # A photo's streaks are in the rectified sheet's pixels, not the source's: and a
    # phone draws none. A scan's are scaled to the source here.
    to_erase = [] if photo else rules.to_erase(streaks, small_to_src[0, 0], small_to_src[1, 1], small_dpi)
    return _Findings(sheet, turns, skew, to_erase, tone.is_faded(flat, mask))


def _clean(
    grey: np.ndarray, dpi: tuple[float, float], bilevel: bool, streaks: list[rules.Streak], steps: list[str]
) -> np.ndarray:
    """The full-resolution page, still in source coordinates: lit evenly, denoised, unstreaked."""
    if not bilevel:
        grey, evened = tone.flatten(grey, min(dpi))
        if evened:
            steps.append("illumination flattened")
    grey, denoised = noise.clean(grey)
    if denoised:
        steps.append("salt-and-pepper noise removed")
    if streaks:
        grey = rules.erase(grey, streaks)
        steps.append("streaks removed")
    return grey


def sharpened(grey: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    """Unsharp mask: the image plus ``amount`` times its difference from a blur."""
    soft = cv2.GaussianBlur(grey, (0, 0), sigma)
    return cv2.addWeighted(grey, 1 + amount, soft, -amount, 0)


def _check(image: np.ndarray) -> None:
    if image.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels, got {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"expected (H, W) grey or (H, W, 3) RGB, got shape {image.shape}")
    if min(image.shape[:2]) < 8:
        raise ValueError(f"image too small to be a page: {image.shape}")


def _effective_dpi(dpi: tuple[float, float], shape: tuple[int, ...]) -> tuple[tuple[float, float], bool]:
    """The resolution to work with, and whether it is the stated one.

    Phone photos say 72 dpi (or nothing); taken at face value a 4000 px photo
    would be a sheet over a metre wide. Anything that would make the image
    wider than A3 is taken to be an A4-sized view instead.
    """
    h, w = shape
    stated = [float(d) if d and d > 0 else 0.0 for d in dpi]
    if all(d > 0 and min(h, w) / d <= MAX_SHORT_INCHES for d in stated):
        return (stated[0], stated[1]), True
    guess = min(h, w) / A4_SHORT_INCHES
    return (guess, guess), False


def _analysis_copy(grey: np.ndarray, dpi: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, float]:
    """A square-pixel copy at ~ANALYSIS_DPI, its map to the source, and its dpi."""
    steps = [max(1, round(d / layout.ANALYSIS_DPI)) for d in dpi]
    small, to_source = geo.shrink(grey, *steps)
    dx, dy = dpi[0] / steps[0], dpi[1] / steps[1]
    if abs(dx - dy) <= 0.01 * max(dx, dy):
        return small, to_source, min(dx, dy)
    # Unequal resolutions (fax, some scanners): make the pixels square.
    d = min(dx, dy)
    size = _size(small.shape[1], small.shape[0], d / dx, d / dy)
    square = cv2.resize(small, size, interpolation=cv2.INTER_AREA)
    return square, to_source @ geo.scale(size[0] / small.shape[1], size[1] / small.shape[0]), d


def _photographed_sheet(
    small: np.ndarray, small_to_src: np.ndarray, small_dpi: float, dpi: tuple[float, float] | None
) -> tuple[_Sheet, np.ndarray] | None:
    """For a photo of a sheet on a darker surface: the rectified sheet and its analysis copy.

    The sheet keeps the source's scale, so its resolution is the source's
    when that is known; otherwise the sheet is taken to be A4.
    """
    f = max(1, min(small.shape) // THUMBNAIL_PX)  # corners need only a few hundred pixels
    thumb, thumb_to_small = geo.shrink(small, f, f)
    quad = geo.find_page(thumb)
    if quad is None:
        return None
    corners = geo.apply(small_to_src @ thumb_to_small, quad)
    width, height = geo.page_size(corners)
    to_source = geo.rect_to_quad((width, height), corners)
    size = _size(width, height, 1.0)
    sheet_dpi = (dpi[0] * dpi[1]) ** 0.5 if dpi else min(width, height) / A4_SHORT_INCHES
    copy_size = _size(size[0], size[1], small_dpi / sheet_dpi)
    copy_to_small = (
        np.linalg.inv(small_to_src) @ to_source @ geo.scale(copy_size[0] / size[0], copy_size[1] / size[1])
    )
    sheet = _Sheet(to_source, size, (sheet_dpi, sheet_dpi), photographed=True)
    return sheet, geo.warp(small, copy_to_small, copy_size)


def _size(width: float, height: float, fx: float, fy: float | None = None) -> geo.Size:
    """Pixel size of an image scaled by (fx, fy), never degenerate."""
    return max(8, round(width * fx)), max(8, round(height * (fx if fy is None else fy)))


def _orientation(mask: np.ndarray, small: np.ndarray, dpi: float) -> tuple[int, float]:
    """Clockwise quarter turns and skew (degrees counter-clockwise) of the text in ``mask``.

    When the image evidence is weak (a line or two of text, a form that is
    mostly rules) Tesseract's OSD is asked; when it cannot tell either, a
    page is not turned upside down on weak evidence, as most pages are upright.
    """
    found = layout.analyse(mask, dpi)
    turns, skew = found.quarter_turns, found.skew
    if not found.sure:
        asked = layout.tesseract_osd(small, dpi)
        if asked is None and not found.sure_way_up:
            turns %= 2
        elif asked is not None and asked != turns:
            if (asked - turns) % 2:
                skew = layout.skew_after_turn(mask, asked)
            turns = asked
    return turns % 4, (round(float(skew), 2) if abs(skew) >= MIN_SKEW else 0.0)


def _output_dpi(dpi: float, target: float) -> float:
    """Reduce very fine scans to ``target``; enlarge coarse ones only when configured."""
    if dpi > DOWNSCALE_ABOVE * target or dpi < UPSCALE_BELOW * target:
        return float(target)
    return dpi


def _output_geometry(
    sheet: _Sheet, out_dpi: float, turns: int, skew: float
) -> tuple[np.ndarray, geo.Size]:
    """Map from the prepared image to the source, and the prepared image's size."""
    w, h = sheet.size
    size = _size(w, h, out_dpi / sheet.dpi[0], out_dpi / sheet.dpi[1])
    to_sheet = geo.scale(size[0] / w, size[1] / h) if size != (w, h) else np.eye(3)
    turned, size = geo.turn(size, turns)
    level = np.eye(3)
    if skew:
        level, size = geo.rotate_about_centre(size, skew)
    return sheet.to_source @ to_sheet @ turned @ level, size


def _resample(grey: np.ndarray, to_source: np.ndarray, size: geo.Size) -> np.ndarray:
    """The prepared image: cheapest exact operation for the mapping."""
    h, w = grey.shape
    m = to_source
    if np.allclose(m, np.eye(3)) and size == (w, h):
        return grey.copy()  # never the caller's own array
    for turns in (1, 2, 3):
        turned, turned_size = geo.turn((w, h), turns)
        if turned_size == size and np.allclose(m, turned):
            code = (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE)[turns - 1]
            return cv2.rotate(grey, code)
    if np.allclose(m, np.diag([w / size[0], h / size[1], 1.0])):
        shrink = size[0] < w
        return cv2.resize(grey, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    # Shrinking a lot in one bilinear warp drops strokes: average down first.
    linear = np.sqrt(abs(np.linalg.det(m[:2, :2])))
    if linear > 1.5:
        reduced_size = _size(w, h, 1 / linear)
        grey = cv2.resize(grey, reduced_size, interpolation=cv2.INTER_AREA)
        m = np.diag([reduced_size[0] / w, reduced_size[1] / h, 1.0]) @ m
    return geo.warp(grey, m, size)
