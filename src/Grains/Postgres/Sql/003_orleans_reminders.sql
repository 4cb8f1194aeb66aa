-- Orleans ADO.NET reminders (Microsoft.Orleans.Reminders.AdoNet 10.x) on PostgreSQL.
--
-- The contract, as the provider uses it: it loads every row of OrleansQuery and requires ReadReminderRowsKey,
-- ReadReminderRowKey, ReadRangeRows1Key, ReadRangeRows2Key, UpsertReminderRowKey, DeleteReminderRowKey and
-- DeleteReminderRowsKey. Parameters: @ServiceId, @GrainId (GrainId.ToString(), e.g. "type/key"), @ReminderName,
-- @StartTime (timestamptz, UTC), @Period (milliseconds, int or bigint), @GrainHash, @BeginHash, @EndHash (the
-- uint ring hashes cast to int, so compared as signed) and @Version (the ETag as int). Rows are read by column name:
-- GrainId, ReminderName, StartTime, Period, Version.
--
-- Ring ranges are (BeginHash, EndHash]. Orleans picks ReadRangeRows1Key when BeginHash < EndHash as signed ints
-- (the range does not wrap in signed order) and ReadRangeRows2Key otherwise, including BeginHash = EndHash, which
-- is the whole ring.
--
-- Idempotent: safe to run again; PostgresSchema applies it once and records it in webhooks_schema_migrations.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    text        NOT NULL,
    GrainId      text        NOT NULL,
    ReminderName text        NOT NULL,
    StartTime    timestamptz NOT NULL,
    Period       bigint      NOT NULL,
    GrainHash    integer     NOT NULL,
    Version      integer     NOT NULL,
    CONSTRAINT PK_OrleansRemindersTable PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Each silo's reminder service reads the rows of its ring range when it starts and whenever the ring changes.
CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_Hash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

('ReadReminderRowsKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
$q$),

-- Zero or one row.
('ReadReminderRowKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
$q$),

('ReadRangeRows1Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
$q$),

('ReadRangeRows2Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
$q$),

-- Registering again replaces the schedule; exactly one row with column Version, the new ETag.
('UpsertReminderRowKey', $q$
INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 1)
ON CONFLICT ON CONSTRAINT PK_OrleansRemindersTable DO UPDATE
SET StartTime = EXCLUDED.StartTime,
    Period = EXCLUDED.Period,
    GrainHash = EXCLUDED.GrainHash,
    Version = CASE WHEN r.Version = 2147483647 THEN 1 ELSE r.Version + 1 END
RETURNING Version;
$q$),

-- One boolean column: true only if the row existed with exactly this ETag.
('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM deleted) AS Deleted;
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
