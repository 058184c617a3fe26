"""Tables for sharing: API tokens, versioned agreements, the audit log, latest values (migration 2).

Kept free of imports so that :mod:`lianfang.store.schema` can register it without cycles.
"""

__all__ = ["SHARING_SQL"]

SHARING_SQL = """
-- API tokens: only the SHA-256 digest of the secret is stored (lianfang.credentials.token_digest).
CREATE TABLE api_tokens (
    id VARCHAR PRIMARY KEY,
    agency VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('viewer', 'analyst', 'duty', 'admin')),
    name VARCHAR NOT NULL,
    digest VARCHAR NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

-- Agreements are immutable versions; the current terms are the highest version of an id.
CREATE TABLE agreements (
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    owner VARCHAR NOT NULL,
    grantee VARCHAR NOT NULL,
    stations VARCHAR[],
    river VARCHAR,
    station_kind VARCHAR CHECK (station_kind IN ('water', 'air', 'source')),
    params VARCHAR[],
    resolution VARCHAR NOT NULL CHECK (resolution IN ('rtd', 'min', 'hour', 'day')),
    delay_us BIGINT NOT NULL CHECK (delay_us >= 0),
    valid_from TIMESTAMPTZ NOT NULL,
    until TIMESTAMPTZ,
    purpose VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by VARCHAR NOT NULL,
    revoked_at TIMESTAMPTZ,
    PRIMARY KEY (id, version)
);

-- One row per read of another agency's data under one agreement version.
CREATE TABLE audit_log (
    read_at TIMESTAMPTZ NOT NULL,
    reader VARCHAR NOT NULL,
    token_id VARCHAR NOT NULL,
    reader_name VARCHAR NOT NULL,
    owner VARCHAR NOT NULL,
    agreement_id INTEGER NOT NULL,
    agreement_version INTEGER NOT NULL,
    via VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    n_values BIGINT NOT NULL
);

-- The newest row of every series, kept by the writer in the same transaction as each merge, so
-- "latest of every station" reads a few thousand rows instead of aggregating the whole table.
CREATE TABLE latest_observations (
    mn VARCHAR NOT NULL,
    param VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    time TIMESTAMPTZ NOT NULL,
    value DOUBLE,
    flag VARCHAR NOT NULL,
    PRIMARY KEY (mn, param, kind)
);
INSERT INTO latest_observations
SELECT mn, param, kind, max(time), arg_max(value, time), arg_max(flag, time)
FROM observations GROUP BY mn, param, kind;
"""
