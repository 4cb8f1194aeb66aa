-- Orleans ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet 10.x) on PostgreSQL.
--
-- The contract, as the provider uses it: at start it loads WriteToStorageKey, ReadFromStorageKey, ClearStorageKey
-- (required) and DeleteStorageKey (only needed with DeleteStateOnClear=true) from OrleansQuery. Every call binds
-- @ServiceId, @GrainTypeString (the state name of [PersistentState("name", ...)], not the grain class), @GrainIdN0,
-- @GrainIdN1 (bigint halves of a Guid key, or 0 and the integer key, or 0 and 0 for string keys),
-- @GrainIdExtensionString (the key extension, or the whole string key; NULL when there is none), @GrainIdHash and
-- @GrainTypeHash (int); writes add @PayloadBinary (bytea, the serialized state) and @GrainStateVersion (int, NULL
-- when the grain holds no ETag). The storage provider's own name is never passed: all providers pointing at this
-- database share one table, keyed by state name and grain key.
--
-- ETag semantics (Orleans compares the returned version with the ETag it sent):
--   * write without a version inserts version 1, and is a conflict if a row already exists;
--   * write or clear with a version succeeds only if the row holds exactly that version, and moves it on;
--   * a conflict is reported by returning NULL in the single result row. The row must always be there: a write
--     that returned no row at all, from a grain holding no ETag, would be taken for a success.
-- Clearing keeps the row with a NULL payload and a new version, so a later write needs that version, and a new
-- activation reads "no state" with an ETag.
--
-- Idempotent: safe to run again; PostgresSchema applies it once and records it in webhooks_schema_migrations.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);

-- Maps the nullable key extension to a non-null value without collisions (NULL -> '', 'x' -> '#x'), so that the
-- whole grain key can be a primary key and every lookup is a plain index equality.
CREATE OR REPLACE FUNCTION orleans_storage_extension_key(p_extension text)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$ SELECT COALESCE('#' || p_extension, '') $$;

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    ServiceId              text        NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainIdExtensionString text        NULL,
    GrainIdExtensionKey    text        NOT NULL GENERATED ALWAYS AS (orleans_storage_extension_key(GrainIdExtensionString)) STORED,
    -- NULL after a clear: the grain has no state, but the row keeps its version.
    PayloadBinary          bytea       NULL,
    Version                integer     NOT NULL,
    ModifiedOn             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT PK_OrleansStorage PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionKey)
);

-- Versions are Orleans ETags parsed as int; a busy grain may outlive 2^31 writes, so wrap instead of failing.
CREATE OR REPLACE FUNCTION orleans_storage_next_version(p_version integer)
RETURNS integer
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$ SELECT CASE WHEN p_version = 2147483647 THEN 1 ELSE p_version + 1 END $$;

CREATE OR REPLACE FUNCTION orleans_write_to_storage(
    p_service_id   text,
    p_grain_type   text,
    p_grain_id_n0  bigint,
    p_grain_id_n1  bigint,
    p_extension    text,
    p_version      integer,
    p_payload      bytea)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    new_version integer;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO OrleansStorage
            (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, PayloadBinary, Version)
        VALUES
            (p_service_id, p_grain_type, p_grain_id_n0, p_grain_id_n1, p_extension, p_payload, 1)
        ON CONFLICT ON CONSTRAINT PK_OrleansStorage DO NOTHING
        RETURNING Version INTO new_version;
        RETURN new_version;
    END IF;

    UPDATE OrleansStorage
    SET PayloadBinary = p_payload, Version = orleans_storage_next_version(Version), ModifiedOn = now()
    WHERE ServiceId = p_service_id AND GrainTypeString = p_grain_type
      AND GrainIdN0 = p_grain_id_n0 AND GrainIdN1 = p_grain_id_n1
      AND GrainIdExtensionKey = orleans_storage_extension_key(p_extension)
      AND Version = p_version
    RETURNING Version INTO new_version;
    RETURN new_version;
END
$$;

CREATE OR REPLACE FUNCTION orleans_clear_storage(
    p_service_id   text,
    p_grain_type   text,
    p_grain_id_n0  bigint,
    p_grain_id_n1  bigint,
    p_extension    text,
    p_version      integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    new_version integer;
BEGIN
    -- Orleans reads first and skips the call when there is nothing to clear; without a version, clearing is a
    -- write of "no state" and follows the same insert-or-conflict rule.
    IF p_version IS NULL THEN
        INSERT INTO OrleansStorage
            (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, PayloadBinary, Version)
        VALUES
            (p_service_id, p_grain_type, p_grain_id_n0, p_grain_id_n1, p_extension, NULL, 1)
        ON CONFLICT ON CONSTRAINT PK_OrleansStorage DO NOTHING
        RETURNING Version INTO new_version;
        RETURN new_version;
    END IF;

    UPDATE OrleansStorage
    SET PayloadBinary = NULL, Version = orleans_storage_next_version(Version), ModifiedOn = now()
    WHERE ServiceId = p_service_id AND GrainTypeString = p_grain_type
      AND GrainIdN0 = p_grain_id_n0 AND GrainIdN1 = p_grain_id_n1
      AND GrainIdExtensionKey = orleans_storage_extension_key(p_extension)
      AND Version = p_version
    RETURNING Version INTO new_version;
    RETURN new_version;
END
$$;

-- For DeleteStateOnClear=true. Orleans forgets the ETag afterwards, but still requires a non-NULL result that
-- differs from the ETag it sent, so success returns the version the row would have had next.
CREATE OR REPLACE FUNCTION orleans_delete_storage(
    p_service_id   text,
    p_grain_type   text,
    p_grain_id_n0  bigint,
    p_grain_id_n1  bigint,
    p_extension    text,
    p_version      integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    deleted_version integer;
BEGIN
    IF p_version IS NULL THEN
        PERFORM 1 FROM OrleansStorage
        WHERE ServiceId = p_service_id AND GrainTypeString = p_grain_type
          AND GrainIdN0 = p_grain_id_n0 AND GrainIdN1 = p_grain_id_n1
          AND GrainIdExtensionKey = orleans_storage_extension_key(p_extension);
        RETURN CASE WHEN FOUND THEN NULL ELSE 0 END;
    END IF;

    DELETE FROM OrleansStorage
    WHERE ServiceId = p_service_id AND GrainTypeString = p_grain_type
      AND GrainIdN0 = p_grain_id_n0 AND GrainIdN1 = p_grain_id_n1
      AND GrainIdExtensionKey = orleans_storage_extension_key(p_extension)
      AND Version = p_version
    RETURNING Version INTO deleted_version;
    RETURN orleans_storage_next_version(deleted_version);
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Zero or one row; columns PayloadBinary (NULL = no state) and Version (the ETag).
('ReadFromStorageKey', $q$
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionKey = orleans_storage_extension_key(@GrainIdExtensionString);
$q$),

-- Exactly one row, column NewGrainStateVersion: the new ETag, or NULL on a conflict.
('WriteToStorageKey', $q$
SELECT orleans_write_to_storage(
    @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @GrainStateVersion,
    @PayloadBinary) AS NewGrainStateVersion;
$q$),

-- Exactly one row; Orleans reads the first column: the new ETag, or NULL on a conflict.
('ClearStorageKey', $q$
SELECT orleans_clear_storage(
    @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @GrainStateVersion)
    AS NewGrainStateVersion;
$q$),

-- Exactly one row; Orleans reads the first column: non-NULL on success, NULL on a conflict.
('DeleteStorageKey', $q$
SELECT orleans_delete_storage(
    @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @GrainStateVersion)
    AS NewGrainStateVersion;
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
