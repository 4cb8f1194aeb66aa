using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.Streams;
using Webhooks.Conditions;
using Webhooks.DeadLetters;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints;
using Webhooks.Endpoints.Queue;
using Webhooks.Endpoints.Sending;
using Webhooks.Endpoints.Watching;
using Webhooks.Diagnostics;
using Webhooks.Events;
using Webhooks.Outbound;
using Webhooks.Placement;
using Webhooks.Postgres;
using Webhooks.Streaming;
using Webhooks.Templates;

namespace Webhooks.Hosting;

public static class WebhooksSiloBuilderExtensions
{
    /// <summary>Adds the webhook grains, their services, storage and the event streams to a silo.
    /// Clustering is the host's choice.</summary>
    public static ISiloBuilder AddWebhooks(this ISiloBuilder silo, IConfiguration configuration)
    {
        var services = silo.Services;
        AddValidatedOptions<StorageOptions>(services, configuration, StorageOptions.Section)
            .Validate(o => o.Provider is StorageOptions.Memory or StorageOptions.Postgres,
                $"Storage:Provider must be '{StorageOptions.Memory}' or '{StorageOptions.Postgres}'")
            .Validate(o => !o.IsPostgres || StorageOptions.PostgresConnectionString(configuration) is not null,
                $"Storage:Provider=postgres needs ConnectionStrings:{StorageOptions.ConnectionStringName}, or Storage:ConnectionStringFile naming a readable file that holds it");
        AddValidatedOptions<EventQueueOptions>(services, configuration, EventQueueOptions.Section)
            .Validate(o => o.PublishWait > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero, "Streams:PublishWait and Streams:PollInterval must be positive")
            .Validate(o => o.VisibilityTimeout >= TimeSpan.FromSeconds(1) && o.IdleReadInterval > TimeSpan.Zero, "Streams:VisibilityTimeout must be at least 1 s and Streams:IdleReadInterval positive")
            .Validate(o => o.AllTypesLease >= TimeSpan.FromMilliseconds(100) && o.AllTypesLease <= TimeSpan.FromMinutes(10), "Streams:AllTypesLease must be from 100 ms to 10 minutes");
        AddValidatedOptions<DeliveryOptions>(services, configuration, DeliveryOptions.Section)
            .Validate(o => o.EnqueueWait > TimeSpan.Zero && o.RetryDelays.All(d => d >= TimeSpan.Zero), "Delivery:EnqueueWait must be positive and Delivery:RetryDelays not negative")
            .Validate(o => o.RecoveryInterval >= TimeSpan.FromSeconds(1) && o.Retention > TimeSpan.Zero && o.RetentionInterval > TimeSpan.Zero,
                "Delivery:RecoveryInterval must be at least 1 s, Delivery:Retention and Delivery:RetentionInterval positive")
            .Validate(o => OutboundAddressPolicy.TryParseAll(o.AllowedNetworks.Concat(o.DeniedNetworks), out _),
                "Delivery:AllowedNetworks and Delivery:DeniedNetworks must hold CIDR ranges such as 10.0.0.0/8");
        AddValidatedOptions<ConditionOptions>(services, configuration, ConditionOptions.Section)
            .Validate(o => o.Timeout > TimeSpan.Zero, "Conditions:Timeout must be positive");
        AddValidatedOptions<TemplateLimits>(services, configuration, TemplateLimits.Section);
        AddValidatedOptions<PoisonEventOptions>(services, configuration, PoisonEventOptions.Section)
            .Validate(o => o.After >= TimeSpan.Zero, "PoisonEvents:After must not be negative");
        AddValidatedOptions<RebalancingOptions>(services, configuration, RebalancingOptions.Section)
            .Validate(o => o.CheckInterval >= TimeSpan.FromSeconds(1), "Rebalancing:CheckInterval must be at least 1 s");

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new DeliveryClock(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TemplateCompiler>();
        services.AddSingleton<DeliverySender>();
        services.AddOptions<ServiceListenerOptions>();
        services.AddSingleton(OutboundAddressPolicy.Create);
        services.AddSingleton<OutboundConnector>();
        services.AddSingleton<EndpointValidator>();
        services.AddSingleton<CertificateDirectory>();
        services.AddSingleton<WebhooksMetrics>();
        services.AddSingleton<SiloDeliveryLoad>();
        services.AddSingleton<EndpointStateFeed>();
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section));
        services.AddHttpClient();
        services.ConfigureHttpClientDefaults(http => http.RemoveAllLoggers());
        services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>, DeliveryHttpClients>();
        services.AddHealthChecks().AddCheck<SiloMembershipHealthCheck>("cluster", tags: [HealthTags.Ready]);

        if (StorageOptions.PostgresConnectionString(configuration) is { } connectionString)
        {
            silo.AddWebhooksPostgres(configuration, connectionString);
        }
        else
        {
            silo.AddMemoryGrainStorage(StorageNames.Definitions);
            silo.AddMemoryGrainStorage(StorageNames.PubSub);
            services.TryAddSingleton<IDeliveryStore, InMemoryDeliveryStore>();
            services.TryAddSingleton<IDeliveryLog, MemoryDeliveryLog>();
            services.TryAddSingleton<IEndpointQueueMode, MemoryQueueMode>();
            services.TryAddSingleton<IEventQueueBackend, MemoryEventQueueBackend>();
        }

        silo.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        silo.AddPlacementDirector<RendezvousPlacement, RendezvousPlacementDirector>();
        // Grains register here in every mode; only durable mode moves them (AddWebhooksPostgres).
        services.AddSingleton<RendezvousRebalancer>();
        silo.AddPersistentStreams(EventStreams.Provider, EventQueueAdapterFactory.Create, stream =>
        {
            stream.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedOnly);
            stream.ConfigurePartitionBalancing((services, _) => ActivatorUtilities.CreateInstance<EvenQueueBalancer>(services));
            stream.ConfigureBackoffProvider((_, _) => new StreamRetryBackoff());
            stream.ConfigurePullingAgent(agent => agent.Configure<IOptions<EventQueueOptions>>((o, queues) =>
            {
                o.GetQueueMsgsTimerPeriod = queues.Value.PollInterval;
                // A subscriber that cannot take an event yet (its endpoint is full) is retried until it can:
                // giving up would drop the event for that webhook. Subscribers skip events they already handled.
                o.MaxEventDeliveryTime = TimeSpan.FromDays(365);
            }));
        });

        return silo;
    }

    /// <summary>Lets deliveries reach loopback addresses (the service's own ports stay refused): for a service that
    /// nobody off this host can call, such as the loopback default with no API keys, whose receivers are local.</summary>
    /// <param name="when">Decides at start-up, from the built services, whether it applies.</param>
    public static ISiloBuilder AllowLoopbackDestinations(this ISiloBuilder silo, Func<IServiceProvider, bool>? when = null)
    {
        silo.Services.AddOptions<DeliveryOptions>().PostConfigure<IServiceProvider>((o, services) =>
        {
            if (when?.Invoke(services) ?? true)
            {
                o.AllowedNetworks.AddRange(SpecialNetworks.Loopback);
            }
        });
        return silo;
    }

    private static OptionsBuilder<T> AddValidatedOptions<T>(IServiceCollection services, IConfiguration configuration, string section)
        where T : class =>
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
}
