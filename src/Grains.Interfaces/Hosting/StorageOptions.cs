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

    /// <summary>A file holding the PostgreSQL connection string, read when ConnectionStrings:Postgres is not set:
    /// keeps the password out of command lines and environments (a mounted secret, a file only the service can read).</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>The PostgreSQL connection string when the configuration selects durable mode; null for the embedded
    /// default. (Durable mode without a connection string fails start-up validation, naming the settings.)</summary>
    public static string? PostgresConnectionString(IConfiguration configuration)
    {
        var storage = configuration.GetSection(Section).Get<StorageOptions>() ?? new StorageOptions();
        if (!storage.IsPostgres)
        {
            return null;
        }

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString) && !string.IsNullOrWhiteSpace(storage.ConnectionStringFile) && File.Exists(storage.ConnectionStringFile))
        {
            connectionString = File.ReadAllText(storage.ConnectionStringFile).Trim();
        }

        return string.IsNullOrWhiteSpace(connectionString) ? null : connectionString;
    }
}
