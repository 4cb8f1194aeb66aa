namespace Webhooks.Hosting;

/// <summary>Where state lives (configuration section "Storage").</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string Memory = "memory";
    public const string Postgres = "postgres";

    /// <summary>"memory" (the embedded default: nothing survives a restart) or "postgres" (durable).</summary>
    public string Provider { get; set; } = Memory;
}
