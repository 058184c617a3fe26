"""lianfang.hj212."""

__all__: list[str] = []
