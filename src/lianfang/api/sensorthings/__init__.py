"""lianfang.api.sensorthings."""

__all__: list[str] = []
