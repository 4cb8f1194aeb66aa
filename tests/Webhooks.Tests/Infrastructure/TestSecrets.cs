namespace Webhooks.Tests.Infrastructure;

/// <summary>The Secrets:Key test silos on PostgreSQL seal their definitions with (a fixed one: tests restart clusters
/// on the same database).</summary>
public static class TestSecrets
{
    public const string Key = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
}
