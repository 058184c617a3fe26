"""lianfang.share."""

__all__: list[str] = []
