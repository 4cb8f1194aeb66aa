-- Orleans ADO.NET clustering (Microsoft.Orleans.Clustering.AdoNet 10.x) on PostgreSQL.
--
-- The contract, as the provider uses it: it loads every row of OrleansQuery ("SELECT QueryKey, QueryText FROM
-- OrleansQuery") and fails at start-up unless all required keys are there; it binds parameters by name (@Name) and
-- reads result columns by name, so those names, not the table layout, are what Orleans depends on. Identifiers are
-- unquoted, so PostgreSQL folds them to lower case and Npgsql matches result columns case-insensitively.
-- Date/time parameters arrive as DbType.DateTime with Kind=Utc, which Npgsql sends as timestamptz.
-- Membership uses one version row per cluster (DeploymentId = ClusterId) as the table's ETag: every membership
-- change must move it forward in the same transaction, and must fail (return false) if it moved meanwhile.
--
-- Idempotent: safe to run again; PostgresSchema applies it once and records it in webhooks_schema_migrations.

-- Shared by the clustering, persistence and reminder providers (later scripts add their keys).
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId text        NOT NULL,
    Version      integer     NOT NULL DEFAULT 0,
    Timestamp    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId text        NOT NULL,
    Address      text        NOT NULL,
    Port         integer     NOT NULL,
    Generation   integer     NOT NULL,
    SiloName     text        NOT NULL,
    HostName     text        NOT NULL,
    -- Orleans.Runtime.SiloStatus: 1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead.
    Status       integer     NOT NULL,
    ProxyPort    integer     NOT NULL,
    -- "silo,yyyy-MM-dd HH:mm:ss.fff GMT" votes joined by '|', written and parsed by Orleans only.
    SuspectTimes text        NULL,
    StartTime    timestamptz NOT NULL,
    IAmAliveTime timestamptz NOT NULL,
    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    -- Deleting a cluster's version row (DeleteMembershipTableEntriesKey) takes its silos with it.
    CONSTRAINT FK_OrleansMembershipTable_Version FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId) ON DELETE CASCADE
);

-- Inserts a silo's row only while the table version is still the one the silo read, and moves the version on.
-- The version row is locked first, so concurrent membership writers of one cluster are serialized.
CREATE OR REPLACE FUNCTION orleans_insert_membership(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_silo_name      text,
    p_host_name      text,
    p_status         integer,
    p_proxy_port     integer,
    p_start_time     timestamptz,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM 1 FROM OrleansMembershipVersionTable
    WHERE DeploymentId = p_deployment_id AND Version = p_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
         p_start_time, p_i_am_alive)
    ON CONFLICT ON CONSTRAINT PK_OrleansMembershipTable DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id;
    RETURN true;
END
$$;

-- Same rule as orleans_insert_membership, for a row that must already exist.
CREATE OR REPLACE FUNCTION orleans_update_membership(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_status         integer,
    p_suspect_times  text,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM 1 FROM OrleansMembershipVersionTable
    WHERE DeploymentId = p_deployment_id AND Version = p_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE OrleansMembershipTable
    SET Status = p_status, SuspectTimes = p_suspect_times, IAmAliveTime = p_i_am_alive
    WHERE DeploymentId = p_deployment_id AND Address = p_address AND Port = p_port AND Generation = p_generation;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id;
    RETURN true;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Called by every silo at start; returns one boolean column: true if this call created the version row.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
    ON CONFLICT ON CONSTRAINT PK_OrleansMembershipVersionTable DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created) AS Inserted;
$q$),

-- One boolean column: false when the table version moved on or the row already exists.
('InsertMembershipKey', $q$
SELECT orleans_insert_membership(
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
    @StartTime, @IAmAliveTime, @Version) AS Inserted;
$q$),

-- One boolean column: false when the table version moved on or the row does not exist.
('UpdateMembershipKey', $q$
SELECT orleans_update_membership(
    @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version) AS Updated;
$q$),

-- The heartbeat: deliberately outside the version protocol (Orleans ignores the result).
('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
$q$),

-- Always at least one row (the version row) so Orleans learns the table version even when the silo has no row:
-- it treats a row whose StartTime is NULL as "version only".
('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$),

('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- Clients (and silos' gateway lists) use this; @Status is SiloStatus.Active.
('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$),

-- Removes the whole cluster (tests and tooling); the foreign key cascades to the silo rows.
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),

-- Required by the provider, used only when CleanupDefunctSiloEntryKey is missing: dead silos not heard from
-- since @IAmAliveTime. Dead rows carry no liveness information, so the table version is left alone.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = 6 AND IAmAliveTime < @IAmAliveTime;
$q$),

-- Optional (Orleans 10.4+), preferred when present: Orleans reads the table, picks dead rows older than the cut-off
-- and deletes each one only if it is still exactly what it read. Orleans re-serializes SuspectTimes, which turns a
-- stored '' into NULL, hence the COALESCE.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
  AND Status = 6
  AND StartTime = @StartTime
  AND IAmAliveTime = @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
