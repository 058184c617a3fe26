"""lianfang (联防): cross-jurisdiction environmental monitoring, assessment, warning and sharing."""

__all__: list[str] = []
__version__ = "0.1.0"
