"""OGC SensorThings API 1.1 (Part 1: Sensing, read) over lianfang's store, at ``/sta/v1.1``.

See ``docs/sensorthings.md`` for what is served and how lianfang's stations, parameters and values
map onto STA entities.
"""

from lianfang.api.sensorthings.router import STA_PREFIX, create_sta_router

__all__ = ["STA_PREFIX", "create_sta_router"]
