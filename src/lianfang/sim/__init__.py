"""lianfang.sim."""

__all__: list[str] = []
