using Microsoft.Extensions.Logging.Console;

namespace Webhooks.Gateway.Hosting;

/// <summary>Console logs an operator can read and a collector can parse: one line per entry with its UTC time, JSON
/// with Logging:Console:FormatterName=json, and no line per refused request unless asked for.</summary>
public static class GatewayLogging
{
    private const string Options = "Logging:Console:FormatterOptions:";

    public static WebApplicationBuilder AddWebhooksLogging(this WebApplicationBuilder builder)
    {
        // Defaults only: whatever is configured under Logging:Console:FormatterOptions wins.
        var configured = builder.Configuration;
        // Without a formatter name the console logger copies its obsolete settings over the simple formatter's.
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName ??= ConsoleFormatterNames.Simple);
        builder.Services.PostConfigure<SimpleConsoleFormatterOptions>(o =>
        {
            Default(o, configured, "yyyy-MM-ddTHH:mm:ss.fffZ ");
            if (configured[Options + nameof(o.SingleLine)] is null)
            {
                o.SingleLine = true;
            }
        });
        builder.Services.PostConfigure<JsonConsoleFormatterOptions>(o => Default(o, configured, "yyyy-MM-ddTHH:mm:ss.fffZ"));
        // grpc-dotnet logs every non-OK status at Information, with its exception; the interceptor logs the
        // caller's mistakes in one line at Debug, and anything unexpected as an error.
        builder.Logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Warning);
        return builder;
    }

    private static void Default(ConsoleFormatterOptions o, ConfigurationManager configured, string timestamp)
    {
        if (configured[Options + nameof(o.TimestampFormat)] is null)
        {
            o.TimestampFormat = timestamp;
        }

        if (configured[Options + nameof(o.UseUtcTimestamp)] is null)
        {
            o.UseUtcTimestamp = true;
        }
    }
}
