"""lianfang.assess."""

__all__: list[str] = []
