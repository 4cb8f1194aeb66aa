using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Webhooks.Catalog;
using Webhooks.Conditions;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Rules;
using Webhooks.Templates;

namespace Webhooks.Config;

/// <summary>Exports and imports the whole configuration by asking each endpoint and webhook grain; it holds no state,
/// so any silo runs it.</summary>
[StatelessWorker]
internal sealed class ConfigGrain(EndpointValidator endpointValidator, TemplateCompiler templates, IOptions<ConditionOptions> conditions)
    : Grain, IConfigGrain
{
    private const int PageSize = 500;

    public async Task<ConfigDocument> ExportAsync(bool includeSecrets, CancellationToken cancellationToken)
    {
        var endpoints = await ReadEndpointsAsync(includeSecrets, cancellationToken);
        var webhooks = await ReadWebhooksAsync(cancellationToken);
        return new ConfigDocument
        {
            Endpoints = [.. endpoints.Select(p => new ConfigEndpoint { Id = p.Key, Definition = p.Value })],
            Webhooks = [.. webhooks.Select(p => new ConfigWebhook { Id = p.Key, Definition = p.Value })],
        };
    }

    public async Task<ImmutableArray<ConfigChange>> ImportAsync(ConfigDocument document, bool dryRun, bool prune, CancellationToken cancellationToken)
    {
        var plan = ConfigImportPlan.Build(
            document,
            await ReadEndpointsAsync(includeSecrets: true, cancellationToken),
            await ReadWebhooksAsync(cancellationToken),
            prune,
            endpointValidator.Normalize,
            d => WebhookValidator.Normalize(d, templates, conditions.Value));
        if (dryRun)
        {
            return plan.Changes();
        }

        // Checked whole; from here on a caller that goes away does not stop the import half-way.
        var generated = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var step in plan.Endpoints)
        {
            var grain = GrainFactory.GetGrain<IEndpointGrain>(step.Id);
            var info = step.Action switch
            {
                ConfigAction.Create => await grain.CreateAsync(step.Definition, CancellationToken.None),
                ConfigAction.Update => await grain.UpdateAsync(step.Definition, step.Fields, CancellationToken.None),
                _ => null,
            };
            if (info?.GeneratedSecret is { } secret)
            {
                generated[step.Id] = secret;
            }
        }

        foreach (var step in plan.Webhooks)
        {
            var grain = GrainFactory.GetGrain<IWebhookGrain>(step.Id);
            _ = step.Action switch
            {
                ConfigAction.Create => await grain.CreateAsync(step.Definition, CancellationToken.None),
                ConfigAction.Update => await grain.UpdateAsync(step.Definition, step.Fields, CancellationToken.None),
                _ => null,
            };
        }

        foreach (var id in plan.DeletedWebhooks)
        {
            await GrainFactory.GetGrain<IWebhookGrain>(id).DeleteAsync(CancellationToken.None);
        }

        foreach (var id in plan.DeletedEndpoints)
        {
            await GrainFactory.GetGrain<IEndpointGrain>(id).DeleteAsync(force: false, CancellationToken.None);
        }

        return [.. plan.Changes().Select(c => c.Kind == ConfigImportPlan.EndpointKind && generated.TryGetValue(c.Id, out var secret) ? c with { GeneratedSecret = secret } : c)];
    }

    private async Task<SortedDictionary<string, EndpointDefinition>> ReadEndpointsAsync(bool includeSecrets, CancellationToken cancellationToken)
    {
        var result = new SortedDictionary<string, EndpointDefinition>(StringComparer.Ordinal);
        foreach (var id in await IdsAsync(ICatalogGrain.Endpoints, cancellationToken))
        {
            try
            {
                result[id] = await GrainFactory.GetGrain<IEndpointGrain>(id).ExportAsync(includeSecrets, cancellationToken);
            }
            catch (ResourceNotFoundException)
            {
                // Deleted between listing and reading.
            }
        }

        return result;
    }

    private async Task<SortedDictionary<string, WebhookDefinition>> ReadWebhooksAsync(CancellationToken cancellationToken)
    {
        var result = new SortedDictionary<string, WebhookDefinition>(StringComparer.Ordinal);
        foreach (var id in await IdsAsync(ICatalogGrain.Webhooks, cancellationToken))
        {
            try
            {
                var definition = (await GrainFactory.GetGrain<IWebhookGrain>(id).GetAsync(cancellationToken)).Definition;
                result[id] = definition with { TemplateLanguage = TemplateLanguages.ForStored(definition.TemplateLanguage) };
            }
            catch (ResourceNotFoundException)
            {
                // Deleted between listing and reading.
            }
        }

        return result;
    }

    private async Task<List<string>> IdsAsync(string kind, CancellationToken cancellationToken)
    {
        var catalog = GrainFactory.GetGrain<ICatalogGrain>(kind);
        var ids = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await catalog.ListAsync(PageSize, after, cancellationToken);
            ids.AddRange(page.Ids);
            if (!page.HasMore || page.Ids.IsEmpty)
            {
                return ids;
            }

            after = page.Ids[^1];
        }
    }
}
