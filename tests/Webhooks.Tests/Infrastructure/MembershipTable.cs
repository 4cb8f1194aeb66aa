using Npgsql;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Reads the Orleans membership table the silos share in PostgreSQL: which silo (by its silo port on
/// 127.0.0.1) is in which <c>Orleans.Runtime.SiloStatus</c>. The latest generation of each port wins (a port is
/// never reused within one test).</summary>
public sealed class MembershipTable(string connectionString, string clusterId)
{
    public const int Active = 3;
    public const int Dead = 6;

    /// <summary>Silo port → status.</summary>
    public async Task<IReadOnlyDictionary<int, int>> ReadAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT Port, Status FROM OrleansMembershipTable WHERE DeploymentId = @cluster ORDER BY Generation", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        var statuses = new Dictionary<int, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            statuses[reader.GetInt32(0)] = reader.GetInt32(1);
        }

        return statuses;
    }

    /// <summary>True when every silo in <paramref name="active"/> is Active and every one in <paramref name="dead"/>
    /// is Dead.</summary>
    public async Task<bool> IsAsync(IEnumerable<SiloProcess> active, IEnumerable<SiloProcess> dead)
    {
        var statuses = await ReadAsync();
        return active.All(s => statuses.GetValueOrDefault(s.SiloPort) == Active)
            && dead.All(s => statuses.GetValueOrDefault(s.SiloPort) == Dead);
    }

    public async Task<string> DescribeAsync() =>
        string.Join(", ", (await ReadAsync()).Select(p => $"{p.Key}: {StatusName(p.Value)}"));

    private static string StatusName(int status) => status switch
    {
        1 => "Created",
        2 => "Joining",
        Active => "Active",
        4 => "ShuttingDown",
        5 => "Stopping",
        Dead => "Dead",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
