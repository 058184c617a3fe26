"""Assessments over stored data and the monthly report: the service layer between the store and
:mod:`lianfang.assess`.

The store (:class:`~lianfang.store.base.Store`) gives observation tables; :mod:`lianfang.assess` is pure
arithmetic over arrays. This package queries the one, shapes the results for the other, and counts what
it leaves out on the way (flagged values, impossible values, periods without enough data):

* :mod:`.scope` — which stations and days an assessment covers (``--station``/``--river``/
  ``--jurisdiction``, ``--from``/``--to``/``--year``/``--month``);
* :mod:`.reading` — observations to the engine's frames and cubes, with exclusions counted;
* :mod:`.air_service`, :mod:`.water_service` — the assessments;
* :mod:`.records` — results as the rows and objects the CLI prints;
* :mod:`.monthly`, :mod:`.report_html`, :mod:`.report_files` — the monthly report.

It imports only ``store.base``, ``assess``, ``model`` and ``errors`` (an import-linter contract).
"""

__all__: list[str] = []
