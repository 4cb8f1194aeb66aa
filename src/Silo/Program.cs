using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using Webhooks.Gateway.Auth;
using Webhooks.Gateway.Hosting;
using Webhooks.Hosting;
using Webhooks.Outbound;
using Webhooks.Secrets;
using Webhooks.Postgres;
using Webhooks.Silo;

// "--migrate" applies the PostgreSQL schema and exits; "--probe-readiness" asks a running silo whether it is ready;
// "new-key" prints a new API key, "new-secrets-key" a new Secrets:Key. They are commands, not configuration keys.
if (args is [NewKeyCommand.Name, .. var keyArgs])
{
    Environment.ExitCode = NewKeyCommand.Run(keyArgs, Console.Out, Console.Error);
    return;
}

if (args is [NewSecretsKeyCommand.Name])
{
    Environment.ExitCode = NewSecretsKeyCommand.Run(Console.Out);
    return;
}

var migrateOnly = args.Contains("--migrate", StringComparer.Ordinal);
var builder = WebApplication.CreateBuilder(args.Where(a => a is not "--migrate" and not ReadinessProbe.Switch).ToArray());
if (args.Contains(ReadinessProbe.Switch, StringComparer.Ordinal))
{
    Environment.ExitCode = await ReadinessProbe.RunAsync(builder.Configuration);
    return;
}

builder.Services.AddOptions<SiloClusterOptions>().BindConfiguration(SiloClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
var cluster = builder.Configuration.GetSection(SiloClusterOptions.Section).Get<SiloClusterOptions>() ?? new SiloClusterOptions();
var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
var connectionString = StorageOptions.PostgresConnectionString(builder.Configuration);
var postgres = connectionString is not null;
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownDeadline.GracefulPart(cluster.ShutdownTimeout));
builder.Services.AddHostedService<ShutdownDeadline>();
if (storage.IsPostgres && !postgres)
{
    Console.Error.WriteLine("Webhooks cannot start: Storage:Provider=postgres needs ConnectionStrings:Postgres, or Storage:ConnectionStringFile naming a readable file that holds it.");
    Environment.ExitCode = 2;
    return;
}

// Checked before anything starts: the storage that needs the key is built while the host starts, where a failure
// would be a stack trace rather than one line.
var secrets = builder.Configuration.GetSection(SecretsOptions.Section).Get<SecretsOptions>() ?? new SecretsOptions();
if (!migrateOnly && secrets.Problems(required: postgres).ToList() is { Count: > 0 } secretsProblems)
{
    Console.Error.WriteLine($"Webhooks cannot start: invalid configuration: {string.Join("; ", secretsProblems)}");
    Environment.ExitCode = 2;
    return;
}

try
{
    if (postgres && (migrateOnly || storage.ApplySchemaOnStart))
    {
        var applied = await PostgresSchema.ApplyAsync(connectionString!);
        Console.WriteLine(applied.Count == 0 ? "Database schema is up to date." : $"Applied database scripts: {string.Join(", ", applied)}");
        if (migrateOnly)
        {
            return;
        }
    }
    else if (migrateOnly)
    {
        Console.Error.WriteLine("--migrate needs Storage:Provider=postgres and ConnectionStrings:Postgres (or Storage:ConnectionStringFile).");
        Environment.ExitCode = 2;
        return;
    }

    var gatewayListeners = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
    builder.UseOrleans(silo =>
    {
        if (postgres)
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = StorageOptions.Invariant;
                o.ConnectionString = connectionString;
            });
            silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedIP), cluster.SiloPort, cluster.GatewayPort);
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        }

        // How fast a silo that stopped answering is declared dead (ProbeTimeout, NumMissedProbesLimit,
        // NumVotesForDeathDeclaration, …): docs/operations.md, Failure timings.
        silo.Services.AddOptions<Orleans.Configuration.ClusterMembershipOptions>().BindConfiguration(SiloClusterOptions.MembershipSection);
        silo.AddWebhooks(builder.Configuration);
        if (gatewayListeners.Dashboard)
        {
            silo.AddDashboard();
        }
        // No delivery may call this service's own API.
        silo.Services.Configure<ServiceListenerOptions>(o =>
        {
            o.AddUrl(gatewayListeners.GrpcUrl);
            o.AddUrl(gatewayListeners.HttpUrl);
        });
        // The loopback default (no API keys, so nobody off this host may call) delivers to local receivers too.
        silo.AllowLoopbackDestinations(services => services.IsLoopbackDefault());
    });
    builder.AddWebhooksGateway();

    var app = builder.Build();
    app.MapWebhooksGateway();

    app.Lifetime.ApplicationStarted.Register(() =>
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Webhooks.Silo");
        var gateway = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        StartupLog.Listening(logger, gateway.GrpcUrl, gateway.HttpUrl, cluster.ClusterId);
        if (app.Services.IsLoopbackDefault())
        {
            StartupLog.LoopbackDestinations(logger);
        }

        if (postgres)
        {
            StartupLog.Durable(logger, app.Services.GetRequiredService<IOptions<Webhooks.Endpoints.DeliveryOptions>>().Value.Retention.TotalDays);
        }
        else
        {
            StartupLog.NotDurable(logger);
        }
    });

    await app.RunAsync();
}
catch (Exception ex) when (StartupProblem.Describe(ex, connectionString) is { } problem)
{
    Console.Error.WriteLine($"Webhooks cannot start: {problem}");
    Environment.ExitCode = 2;
}
