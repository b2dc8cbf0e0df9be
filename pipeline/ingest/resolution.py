"""A page's resolution: the TT 05/2025 minimum, and a guess for files that carry none."""

from __future__ import annotations

from pipeline.core.model import SourcePage

# TT 05/2025: administrative documents are scanned at 200 dpi or more.
MIN_DPI = 200
A4_LONG_INCHES = 297 / 25.4
COMMON_DPI = (150, 200, 240, 300, 400, 600)


def estimate_dpi(width: int, height: int) -> float:
    """The dpi of an A4 page this many pixels long, snapped to a usual scanner setting."""
    guess = max(width, height) / A4_LONG_INCHES
    for common in COMMON_DPI:
        if abs(guess - common) / common < 0.06:
            return float(common)
    return round(guess)


def add_resolution_warnings(page: SourcePage) -> None:
    if page.dpi_assumed:
        page.warnings.append(
            f"no resolution in the file; assumed {page.dpi[0]:.0f} dpi from an A4 page size"
        )
    if min(page.dpi) < MIN_DPI - 0.5:
        page.warnings.append(
            f"resolution {min(page.dpi):.0f} dpi is below the TT 05/2025 minimum of {MIN_DPI} dpi"
        )
