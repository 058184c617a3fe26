"""lianfang.iotools."""

__all__: list[str] = []
