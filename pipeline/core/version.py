"""sohoa's version, as installed (the record and every PDF name it)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sohoa")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
