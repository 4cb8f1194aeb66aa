using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints;
using Webhooks.Endpoints.Queue;
using Webhooks.Hosting;
using Webhooks.Placement;
using Webhooks.Secrets;
using Webhooks.Streaming;

namespace Webhooks.Postgres;

public static class PostgresSiloBuilderExtensions
{
    /// <summary>Everything on PostgreSQL: cluster-visible definitions, stream subscriptions and reminders through the
    /// Orleans ADO.NET providers; the event queues and the delivery log (with each endpoint's durable queue) in our
    /// own tables. Clustering is the host's (it also needs it before the silo exists).</summary>
    public static ISiloBuilder AddWebhooksPostgres(this ISiloBuilder silo, IConfiguration configuration, string connectionString)
    {
        var services = silo.Services;
        services.AddSingleton(_ => new PostgresDatabase(connectionString));
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("database", tags: [HealthTags.Ready]);
        if (configuration.GetSection(EventQueueOptions.Section)[nameof(EventQueueOptions.PublishLinger)] is null)
        {
            services.Configure<EventQueueOptions>(o => o.PublishLinger = TimeSpan.FromMilliseconds(10));
        }

        services.AddSingleton<PostgresQueueSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresQueueSignals>());
        services.TryAddSingleton<PostgresEventQueue>();
        services.TryAddSingleton<IEventQueueBackend>(sp => sp.GetRequiredService<PostgresEventQueue>());
        services.TryAddSingleton<PostgresDeliveryStore>();
        services.TryAddSingleton<IDeliveryStore>(sp => sp.GetRequiredService<PostgresDeliveryStore>());
        services.TryAddSingleton<IDeliveryLog>(sp => sp.GetRequiredService<PostgresDeliveryStore>());
        services.TryAddSingleton<IEndpointQueueMode, DurableQueueMode>();
        services.AddSingleton<PostgresDeliveryRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresDeliveryRetention>());
        // An endpoint's queue is in the database, so it can move: a silo that joins gets its share of them.
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RendezvousRebalancer>());

        // Endpoints with unfinished deliveries keep a reminder at Delivery:RecoveryInterval.
        var recovery = configuration.GetSection(DeliveryOptions.Section).Get<DeliveryOptions>()?.RecoveryInterval ?? TimeSpan.FromMinutes(1);
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = recovery < o.MinimumReminderPeriod ? recovery : o.MinimumReminderPeriod);

        // Orleans' binary format, driven by [Id]/[Alias], instead of the ADO.NET default (Newtonsoft JSON with
        // CLR type names, which drops values equal to the CLR default: a disabled webhook would come back
        // enabled). Providers pick up a serializer keyed by their own name.
        // Sealed with Secrets:Key (AES-GCM): a copy of the database holds no endpoint secret in the clear.
        services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecretsOptions>>(new SecretsOptionsValidator(required: true));
        services.AddKeyedSingleton<IGrainStorageSerializer>(StorageNames.Definitions, (sp, _) => new SealedGrainStorageSerializer(
            ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(sp), sp.GetRequiredService<IOptions<SecretsOptions>>()));
        silo.AddAdoNetGrainStorage(StorageNames.Definitions, o =>
        {
            o.Invariant = StorageOptions.Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(StorageNames.PubSub, o =>
        {
            o.Invariant = StorageOptions.Invariant;
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = StorageOptions.Invariant;
            o.ConnectionString = connectionString;
        });
        return silo;
    }
}
