"""Migration 3: series numbers on every observation, the latest-values snapshot, the compaction
ledger. Kept free of imports so that :mod:`lianfang.store.schema` can register it without cycles.

``observations`` is rebuilt with a ``sid`` column (numbers given in key order to the series a
store already holds), kept in arrival (time) order; :mod:`lianfang.store.compaction` re-orders
cold months later. The snapshot of latest values starts invalid, so the next open rebuilds it.
"""

__all__ = ["SERIES_SQL"]

SERIES_SQL = """
-- (mn, param, kind) -> sid: numbers never change; new series get max + 1 (lianfang.store.series).
CREATE TABLE series (
    sid INTEGER PRIMARY KEY,
    mn VARCHAR NOT NULL,
    param VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    UNIQUE (mn, param, kind)
);
INSERT INTO series
SELECT (row_number() OVER (ORDER BY mn, param, kind))::INTEGER, mn, param, kind
FROM (SELECT DISTINCT mn, param, kind FROM observations);

CREATE TABLE observations_v3 (
    mn VARCHAR NOT NULL,
    param VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    time TIMESTAMPTZ NOT NULL,
    value DOUBLE,
    flag VARCHAR NOT NULL,
    qn VARCHAR,
    received_at TIMESTAMPTZ NOT NULL,
    sid INTEGER NOT NULL
);
INSERT INTO observations_v3
SELECT o.mn, o.param, o.kind, o.time, o.value, o.flag, o.qn, o.received_at, s.sid
FROM observations AS o JOIN series AS s USING (mn, param, kind)
ORDER BY o.time, s.sid;
DROP TABLE observations;
ALTER TABLE observations_v3 RENAME TO observations;

-- Saved at close (lianfang.store.latest); valid only while latest_state.clean is true.
DROP TABLE latest_observations;
CREATE TABLE latest_observations (
    sid INTEGER NOT NULL,
    time TIMESTAMPTZ NOT NULL,
    value DOUBLE,
    flag VARCHAR NOT NULL
);
CREATE TABLE latest_state (clean BOOLEAN NOT NULL);
INSERT INTO latest_state VALUES (false);

-- One row per month whose rows were re-ordered by (sid, time), with its row count then.
CREATE TABLE observation_compactions (
    month TIMESTAMPTZ PRIMARY KEY,
    rows BIGINT NOT NULL,
    compacted_at TIMESTAMPTZ NOT NULL
);
"""
