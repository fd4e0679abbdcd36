"""IVO: identity vigilance for French healthcare facilities (RNIV, INS, IVO3 audit)."""

__version__ = "0.1.0"
APP_NAME = "IVO"
