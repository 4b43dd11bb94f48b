"""socsec: open data packages of China's social security statistics."""

__version__ = "0.1.0"
