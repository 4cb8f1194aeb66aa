namespace Webhooks.Postgres;

/// <summary>One embedded schema script, applied once and in name order.</summary>
/// <param name="Name">The file name, e.g. <c>001_orleans_clustering.sql</c>; recorded once applied.</param>
/// <param name="Sql">The script text.</param>
/// <param name="Checksum">SHA-256 of the text (hex): an applied script must never change.</param>
public sealed record PostgresSchemaScript(string Name, string Sql, string Checksum);
