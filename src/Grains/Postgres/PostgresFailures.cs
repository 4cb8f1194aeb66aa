using System.Net.Sockets;
using Npgsql;
using Webhooks.Errors;

namespace Webhooks.Postgres;

/// <summary>Tells "the database is unreachable or went away" (the caller may retry: UNAVAILABLE) from bugs.</summary>
internal static class PostgresFailures
{
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        // 57P01 admin_shutdown and friends: the server is stopping under us.
        PostgresException { SqlState: ['5', '7', 'P', ..] } => true,
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => true,
        SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>The exception callers see: <see cref="StoreUnavailableException"/> (its message only, since
    /// driver exceptions do not cross grain calls) for availability problems, the original otherwise.</summary>
    public static Exception Translate(Exception exception, string what) =>
        IsUnavailable(exception)
            ? new StoreUnavailableException($"the database is unavailable ({what}: {exception.Message}); retry")
            : exception;
}
