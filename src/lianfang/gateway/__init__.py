"""lianfang.gateway."""

__all__: list[str] = []
