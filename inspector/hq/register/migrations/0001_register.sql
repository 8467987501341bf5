-- 0001: the register of imported audits and their certificates, HQ's station registry, and the
-- index of HQ's content-addressed file store. Plain SQL; applied by `inspector hq db upgrade`
-- in one transaction together with its row in schema_version.
--
-- Signed records are kept exactly as signed (records.payload is the canonical JSON text whose
-- UTF-8 bytes the signature covers); nothing here is ever re-serialised from a model. Times are
-- the product's UTC text (YYYY-MM-DDTHH:MM:SSZ), which orders as time.
--
-- Room for what comes next (HQ's certification decision, reviewers, the certificate status
-- list): new tables in later numbered files, keyed by audits.id and certificates.id.

CREATE TABLE files (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    kind text NOT NULL CHECK (kind IN ('bundle', 'certificate', 'evidence')),
    size bigint NOT NULL CHECK (size >= 0),
    added text NOT NULL
);

CREATE TABLE stations (
    code text PRIMARY KEY,
    name_en text NOT NULL,
    name_hi text NOT NULL DEFAULT '',
    district text NOT NULL DEFAULT '',
    zone text NOT NULL DEFAULT '',
    circle text NOT NULL DEFAULT '',
    address text NOT NULL DEFAULT '',
    cctns_code text NOT NULL DEFAULT ''
);
CREATE INDEX stations_zone ON stations (zone, code);

CREATE TABLE checklists (
    hash text PRIMARY KEY,
    id text NOT NULL,
    version text NOT NULL,
    items jsonb NOT NULL
);

CREATE TABLE audits (
    id text PRIMARY KEY,
    seal text NOT NULL UNIQUE,
    station text NOT NULL,
    station_name text NOT NULL,
    type text NOT NULL,
    auditor text NOT NULL,
    auditor_kid text NOT NULL,
    checklist text NOT NULL,
    checklist_hash text NOT NULL,
    opened text NOT NULL,
    closed text NOT NULL,
    score integer,
    majors integer NOT NULL,
    minors integer NOT NULL,
    decision text NOT NULL,
    records integer NOT NULL,
    findings_root text NOT NULL,
    bundle text NOT NULL,
    bundle_sha256 text NOT NULL REFERENCES files (sha256),
    imported text NOT NULL,
    trust text NOT NULL,
    warnings jsonb NOT NULL DEFAULT '[]',
    head text,
    updated text,
    history jsonb NOT NULL DEFAULT '[]',
    answered integer,
    na integer
);
CREATE INDEX audits_closed ON audits (closed DESC, id DESC);
CREATE INDEX audits_station ON audits (station, closed DESC, id DESC);

-- Every record of every registered chain, in order; a bundle that extends the chain adds rows.
CREATE TABLE records (
    audit_id text NOT NULL REFERENCES audits (id),
    seq integer NOT NULL CHECK (seq >= 1),
    type text NOT NULL,
    kid text NOT NULL,
    payload text NOT NULL,
    sig text NOT NULL,
    digest text NOT NULL,
    PRIMARY KEY (audit_id, seq)
);

-- Derived from records (rebuildable): the latest finding of each item that did not conform.
CREATE TABLE findings (
    audit_id text NOT NULL REFERENCES audits (id),
    item text NOT NULL,
    status text NOT NULL,
    due text,
    state text,
    PRIMARY KEY (audit_id, item)
);
CREATE INDEX findings_item ON findings (item, status);

CREATE TABLE evidence (
    audit_id text NOT NULL REFERENCES audits (id),
    sha256 text NOT NULL REFERENCES files (sha256),
    PRIMARY KEY (audit_id, sha256)
);

CREATE TABLE certificates (
    id text PRIMARY KEY,
    station text NOT NULL,
    station_name text NOT NULL,
    audit_id text NOT NULL REFERENCES audits (id),
    auditor text NOT NULL,
    result text NOT NULL,
    score integer NOT NULL,
    issued_at text NOT NULL,
    expires_at text NOT NULL,
    surveillance_due jsonb NOT NULL,
    member text NOT NULL,
    record_sha256 text NOT NULL REFERENCES files (sha256)
);
CREATE INDEX certificates_issued ON certificates (issued_at DESC, id DESC);
CREATE INDEX certificates_station ON certificates (station, issued_at DESC);
CREATE INDEX certificates_audit ON certificates (audit_id);
