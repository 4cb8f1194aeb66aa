using Microsoft.Extensions.Configuration;

namespace Webhooks.Hosting;

/// <summary>Where state lives (configuration section "Storage"; the connection string is
/// "ConnectionStrings:Postgres").</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string Memory = "memory";
    public const string Postgres = "postgres";
    public const string ConnectionStringName = "Postgres";

    /// <summary>The ADO.NET provider invariant for PostgreSQL (Orleans defaults to SQL Server).</summary>
    public const string Invariant = "Npgsql";

    /// <summary>"memory" (the embedded default: nothing survives a restart) or "postgres".</summary>
    public string Provider { get; set; } = Memory;

    /// <summary>Create or upgrade the database schema at start-up (postgres only). Off, the schema must be
    /// applied beforehand with --migrate.</summary>
    public bool ApplySchemaOnStart { get; set; } = true;

    public bool IsPostgres => Provider == Postgres;

    /// <summary>The PostgreSQL connection string when the configuration selects durable mode; null for the embedded
    /// default. (Durable mode without a connection string fails start-up validation, naming the setting.)</summary>
    public static string? PostgresConnectionString(IConfiguration configuration)
    {
        var storage = configuration.GetSection(Section).Get<StorageOptions>() ?? new StorageOptions();
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        return storage.IsPostgres && !string.IsNullOrWhiteSpace(connectionString) ? connectionString : null;
    }
}
