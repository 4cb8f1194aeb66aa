using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Webhooks.Gateway.Hosting;

/// <summary>Turns what stops a host from starting (the database missing or refusing it, a port taken, invalid
/// settings) into one line an operator can act on, instead of a stack trace.</summary>
public static class StartupProblem
{
    /// <returns>The problem, or null when the exception is not one of those (a bug: let it crash loudly).</returns>
    public static string? Describe(Exception exception, string? connectionString)
    {
        foreach (var ex in Flatten(exception))
        {
            switch (ex)
            {
                case OptionsValidationException invalid:
                    return $"invalid configuration: {string.Join("; ", invalid.Failures)}";
                case PostgresException postgres:
                    return Describe(postgres, Database(connectionString));
                case NpgsqlException { InnerException: SocketException socket }:
                    return $"cannot reach PostgreSQL at {Database(connectionString)}: {socket.Message}";
                case NpgsqlException { InnerException: TimeoutException }:
                    return $"PostgreSQL at {Database(connectionString)} did not answer in time";
                case SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } inUse:
                    return $"a listening port is already in use ({inUse.Message}): set Gateway:GrpcUrl, Gateway:HttpUrl, Orleans:SiloPort and Orleans:GatewayPort to free ones";
                case IOException { InnerException: SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } } io:
                    return $"a listening port is already in use ({io.Message}): set Gateway:GrpcUrl, Gateway:HttpUrl, Orleans:SiloPort and Orleans:GatewayPort to free ones";
            }
        }

        return null;
    }

    private static string Describe(PostgresException postgres, string where) => postgres.SqlState switch
    {
        PostgresErrorCodes.InvalidPassword => $"PostgreSQL at {where} refused the password ({postgres.SqlState}): check ConnectionStrings:Postgres",
        PostgresErrorCodes.InvalidAuthorizationSpecification => $"PostgreSQL at {where} does not let this role in ({postgres.SqlState}: {postgres.MessageText}): create the role or allow it in pg_hba.conf",
        PostgresErrorCodes.InvalidCatalogName => $"PostgreSQL at {where}: {postgres.MessageText} ({postgres.SqlState}): create it owned by the role (createdb -O <role> <database>)",
        PostgresErrorCodes.InsufficientPrivilege => $"PostgreSQL at {where}: the role may not create the schema ({postgres.SqlState}: {postgres.MessageText}): make it the database's owner or GRANT CREATE ON SCHEMA public",
        PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections => $"PostgreSQL at {where} cannot take a connection now ({postgres.SqlState}: {postgres.MessageText})",
        _ => $"PostgreSQL at {where} failed: {postgres.SqlState}: {postgres.MessageText}",
    };

    /// <summary>Where the connection string points, without its password.</summary>
    private static string Database(string? connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}, database '{builder.Database}' as '{builder.Username}'";
        }
        catch (ArgumentException)
        {
            return "(an unreadable connection string)";
        }
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        yield return exception;
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : exception.InnerException is { } one ? [one] : [];
        foreach (var child in inner)
        {
            foreach (var nested in Flatten(child))
            {
                yield return nested;
            }
        }
    }
}
