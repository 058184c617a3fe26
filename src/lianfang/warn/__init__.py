"""lianfang.warn."""

__all__: list[str] = []
