using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.Hosting;
using Webhooks.Rules;

namespace Webhooks.DeadLetters;

/// <summary>Keeps a webhook's dead letters in grain storage (sealed at rest like the definitions). Poison events
/// are rare, so the list is written whole on each change; its bounds keep that write small.</summary>
[GrainType("webhook-dead-letters")]
internal sealed partial class DeadLetterGrain(
    [PersistentState("dead-letters", StorageNames.Definitions)] IPersistentState<DeadLetterGrainState> state,
    IOptions<PoisonEventOptions> options,
    ILogger<DeadLetterGrain> logger) : Grain, IDeadLetterGrain
{
    // A reply stays well under gRPC's and HTTP/2's usual message limits, whatever the events hold.
    private const long MaxPageBytes = 4 << 20;

    private readonly PoisonEventOptions _options = options.Value;

    private ImmutableList<DeadLetter> Items => state.State.Items;

    public async Task<int> AddAsync(DeadLetter deadLetter)
    {
        var items = Items.RemoveAll(d => d.Event.EventId == deadLetter.Event.EventId).Add(deadLetter);
        var bytes = items.Sum(Size);
        while (items.Count > 1 && (items.Count > _options.Capacity || bytes > _options.MaxBytes))
        {
            var dropped = items[0];
            bytes -= Size(dropped);
            items = items.RemoveAt(0);
            LogDropped(logger, this.GetPrimaryKeyString(), dropped.Event.EventId, _options.Capacity, _options.MaxBytes);
        }

        state.State.Items = items;
        await state.WriteStateAsync();
        return items.Count;
    }

    public Task<DeadLetterPage> ListAsync(int pageSize, string after)
    {
        var start = after.Length == 0 ? 0 : Items.FindIndex(d => d.Event.EventId == after) + 1;
        var page = ImmutableArray.CreateBuilder<DeadLetter>();
        long bytes = 0;
        for (var i = start; i < Items.Count && page.Count < pageSize && (page.Count == 0 || bytes + Size(Items[i]) <= MaxPageBytes); i++)
        {
            page.Add(Items[i]);
            bytes += Size(Items[i]);
        }

        var items = page.DrainToImmutable();
        var more = start + items.Length < Items.Count;
        return Task.FromResult(new DeadLetterPage { Items = items, NextAfter = more ? items[^1].Event.EventId : "" });
    }

    public Task<ImmutableArray<DeadLetter>> GetAsync(ImmutableArray<string> eventIds)
    {
        var wanted = eventIds.IsDefaultOrEmpty ? null : eventIds.ToHashSet(StringComparer.Ordinal);
        return Task.FromResult(Items
            .Where(d => wanted is null || wanted.Contains(d.Event.EventId))
            .OrderBy(d => d.Event.AcceptedAt)
            .ToImmutableArray());
    }

    public async Task<int> RemoveAsync(ImmutableArray<string> eventIds)
    {
        var wanted = eventIds.IsDefaultOrEmpty ? null : eventIds.ToHashSet(StringComparer.Ordinal);
        var items = wanted is null ? [] : Items.RemoveAll(d => wanted.Contains(d.Event.EventId));
        if (items.Count != Items.Count)
        {
            state.State.Items = items;
            if (items.IsEmpty)
            {
                await state.ClearStateAsync();
            }
            else
            {
                await state.WriteStateAsync();
            }
        }

        return items.Count;
    }

    /// <summary>About what the dead letter takes in storage: the event's JSON and text fields, as UTF-8.</summary>
    private static long Size(DeadLetter d)
    {
        var e = d.Event;
        return 256L + Bytes(e.EventId) + Bytes(e.ObjectType) + Bytes(e.Event) + Bytes(e.ObjectId) + Bytes(e.Username)
            + Bytes(e.RequestId) + Bytes(e.Data) + Bytes(e.Prechange) + Bytes(e.Postchange) + Bytes(d.Error);
    }

    private static int Bytes(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Webhook {WebhookId}: dead letter {EventId} dropped, over PoisonEvents:Capacity ({Capacity}) or PoisonEvents:MaxBytes ({MaxBytes})")]
    private static partial void LogDropped(ILogger logger, string webhookId, string eventId, int capacity, long maxBytes);
}
