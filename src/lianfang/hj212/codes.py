"""Code tables of HJ 212-2017 (and the HJ/T 212-2005 differences the codec needs).

Names are the standard's, in English; ``[…]`` gives units where the table defines them.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ANSWER_CNS",
    "COMMANDS",
    "DATA_FLAGS",
    "EXE_RTN",
    "HISTORY_CNS",
    "LEGACY_CODES",
    "QN_RTN",
    "QN_RTN_CRC_WRONG",
    "SYSTEMS",
    "UPLOAD_CNS",
]

#: HJ 212-2017 §6.6.1 Table 5, system codes ST (ranges 10–29 quality, 30–49 sources, 50–69
#: process, 91–99 interaction; A0–Z9 reserved). ST is kept as an opaque string: 3-character
#: and unlisted values occur in the field.
SYSTEMS: Final[dict[str, str]] = {
    "21": "surface-water quality",
    "22": "ambient air quality",
    "23": "acoustic environment quality",
    "24": "groundwater quality",
    "25": "soil quality",
    "26": "sea-water quality",
    "27": "volatile organic compounds",
    "31": "atmospheric pollution source",
    "32": "surface-water-body pollution source",
    "33": "groundwater pollution source",
    "34": "marine pollution source",
    "35": "soil pollution source",
    "36": "noise source",
    "37": "vibration source",
    "38": "radioactive source",
    "39": "construction-site dust",
    "41": "electromagnetic source",
    "51": "flue-gas emission process",
    "52": "waste-water emission process",
    "91": "system interaction",
}

#: HJ 212-2017 §6.6.5 Table 9, command codes CN (2005-only alarm commands are not listed).
COMMANDS: Final[dict[str, str]] = {
    "1000": "set timeout and retries",
    "1011": "get / upload logger time",
    "1012": "set logger time",
    "1013": "time calibration request (notification)",
    "1061": "get / upload real-time data interval",
    "1062": "set real-time data interval",
    "1063": "get / upload minute data interval",
    "1064": "set minute data interval",
    "1072": "set access password",
    "2011": "start real-time data / upload real-time data",
    "2012": "stop real-time data",
    "2021": "start / upload equipment running state",
    "2022": "stop equipment running state",
    "2031": "get / upload daily history data",
    "2041": "get / upload daily equipment running time",
    "2051": "get / upload minute data",
    "2061": "get / upload hourly data",
    "2081": "upload logger restart time",
    "3011": "zero / span calibration",
    "3012": "immediate sampling",
    "3013": "start cleaning / blowback",
    "3014": "comparison sampling",
    "3015": "over-limit sample retention",
    "3016": "set sampling period",
    "3017": "get / upload sampling period",
    "3018": "get / upload sample-out time",
    "3019": "get / upload instrument id",
    "3020": "get / upload site information",
    "3021": "set site parameters",
    "9011": "request answer",
    "9012": "execution result",
    "9013": "notification answer",
    "9014": "data answer",
}

#: Uploads that carry monitoring data under a DataTime (logger → platform).
UPLOAD_CNS: Final = frozenset({"2011", "2021", "2031", "2041", "2051", "2061"})
#: History requests the platform sends with BeginTime/EndTime [HJ 212-2017 C.20–C.22].
HISTORY_CNS: Final = frozenset({"2031", "2051", "2061"})
#: Interaction answers; never answered themselves (no answer loops).
ANSWER_CNS: Final = frozenset({"9011", "9012", "9013", "9014"})

#: HJ 212-2017 §6.6.3 Table 7, request answer QnRtn.
QN_RTN: Final[dict[int, str]] = {
    1: "ready to execute",
    2: "request rejected",
    3: "PW wrong",
    4: "MN wrong",
    5: "ST wrong",
    6: "Flag wrong",
    7: "QN wrong",
    8: "CN wrong",
    9: "CRC wrong",
    100: "unknown error",
}
QN_RTN_CRC_WRONG: Final = 9

#: HJ 212-2017 §6.6.2 Table 6, execution result ExeRtn.
EXE_RTN: Final[dict[int, str]] = {
    1: "success",
    2: "failed, reason unknown",
    3: "request condition error",
    4: "communication timeout",
    5: "system busy",
    6: "system fault",
    100: "no data",
}

#: HJ 212-2017 §6.6.4 Table 8, data flags (``xxxxxx-Flag``); the table is extensible.
DATA_FLAGS: Final[dict[str, str]] = {
    "N": "instrument normal",
    "F": "instrument stopped",
    "M": "maintenance",
    "S": "manually set value",
    "D": "instrument fault",
    "C": "calibration",
    "T": "above the measuring upper limit",
    "B": "instrument–logger communication failure",
}

#: HJ/T 212-2005 Appendix B codes → HJ 212-2017 codes, as listed in HJ 212-2017 Tables B.1/B.2
#: ("原代码" column) for the parameters lianfang assesses. Old loggers still send the left side.
LEGACY_CODES: Final[dict[str, str]] = {
    "001": "w01001",  # pH
    "010": "w01017",  # BOD5 [mg/L]
    "011": "w01018",  # COD [mg/L]
    "015": "w01020",  # TOC [mg/L]
    "020": "w20111",  # total mercury [µg/L]
    "022": "w20115",  # total cadmium [µg/L]
    "023": "w20116",  # total chromium [mg/L]
    "024": "w20117",  # hexavalent chromium [µg/L]
    "026": "w20119",  # total arsenic [µg/L]
    "027": "w20120",  # total lead [µg/L]
    "028": "w20121",  # total nickel [mg/L]
    "029": "w20122",  # total copper [mg/L]
    "030": "w20123",  # total zinc [mg/L]
    "031": "w20124",  # total manganese [mg/L]
    "032": "w20125",  # total iron [mg/L]
    "035": "w20128",  # total selenium [µg/L]
    "060": "w21003",  # ammonia nitrogen [mg/L]
    "063": "w21006",  # nitrite [mg/L]
    "064": "w21007",  # nitrate [mg/L]
    "065": "w21001",  # total nitrogen [mg/L]
    "070": "w21016",  # cyanide [mg/L]
    "071": "w21019",  # sulfide [mg/L]
    "072": "w21017",  # fluoride [mg/L]
    "080": "w22001",  # petroleum [mg/L]
    "101": "w21011",  # total phosphorus [mg/L]
    "110": "w23002",  # volatile phenol [mg/L]
    "550": "w02003",  # fecal coliform [count/L]
    "B01": "w00000",  # waste-water flow [L/s]
    "B02": "a00000",  # flue-gas flow
    "01": "a34013",  # smoke dust
    "02": "a21026",  # SO2
    "03": "a21002",  # NOx
    "04": "a21005",  # CO
    "S01": "a19001",  # O2
}
