using System.Runtime.InteropServices;

namespace Webhooks.Benchmarks.Receiver;

/// <summary>One request that reached the receiver.</summary>
/// <remarks>Timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks: CLOCK_MONOTONIC on Linux, the same
/// clock in every process of the machine, so a publisher's tick and the receiver's tick can be subtracted.</remarks>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct Arrival
{
    /// <summary>The event's bench index (data.bench_id), or -1 when the body had none.</summary>
    public int Event;
    /// <summary>The webhook index (header X-Bench-W), or -1.</summary>
    public int Webhook;
    /// <summary>The endpoint index (the URL path), or -1.</summary>
    public int Endpoint;
    public int Reserved;
    /// <summary>When the publisher sent the event (data.bench_t).</summary>
    public long SentTicks;
    /// <summary>When the request was read here; 0 while the slot is still being written.</summary>
    public long ArrivedTicks;
}

/// <summary>Append-only, lock-free log of arrivals: a writer claims a slot with one interlocked increment.</summary>
public sealed class ArrivalLog
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private const int MaxChunks = 1 << 14; // 1 G arrivals

    private readonly Arrival[]?[] _chunks = new Arrival[MaxChunks][];
    private long _count;

    public long Count => Volatile.Read(ref _count);

    public void Add(in Arrival arrival)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        var chunkIndex = (int)(index >> ChunkBits);
        if (chunkIndex >= MaxChunks)
        {
            return;
        }

        var chunk = Volatile.Read(ref _chunks[chunkIndex]);
        if (chunk is null)
        {
            var fresh = new Arrival[ChunkSize];
            chunk = Interlocked.CompareExchange(ref _chunks[chunkIndex], fresh, null) ?? fresh;
        }

        ref var slot = ref chunk[index & (ChunkSize - 1)];
        slot.Event = arrival.Event;
        slot.Webhook = arrival.Webhook;
        slot.Endpoint = arrival.Endpoint;
        slot.SentTicks = arrival.SentTicks;
        Volatile.Write(ref slot.ArrivedTicks, arrival.ArrivedTicks);
    }

    /// <summary>Writes the completed slots (count first) in the wire format <see cref="ReadFrom"/> reads.</summary>
    public async Task WriteToAsync(Stream stream, CancellationToken cancellationToken)
    {
        var count = Math.Min(Count, (long)MaxChunks * ChunkSize);
        var header = new byte[8];
        BitConverter.TryWriteBytes(header, count);
        await stream.WriteAsync(header, cancellationToken);
        for (long start = 0; start < count; start += ChunkSize)
        {
            var length = (int)Math.Min(ChunkSize, count - start);
            var chunk = Volatile.Read(ref _chunks[start >> ChunkBits]) ?? new Arrival[ChunkSize];
            var bytes = MemoryMarshal.AsBytes(chunk.AsSpan(0, length)).ToArray();
            await stream.WriteAsync(bytes, cancellationToken);
        }
    }

    public static async Task<Arrival[]> ReadFrom(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        await stream.ReadExactlyAsync(header, cancellationToken);
        var count = BitConverter.ToInt64(header);
        var result = new Arrival[count];
        var bytes = new byte[Math.Min(count, ChunkSize) * Marshal.SizeOf<Arrival>()];
        var read = 0L;
        while (read < count)
        {
            var length = (int)Math.Min(ChunkSize, count - read);
            var span = bytes.AsMemory(0, length * Marshal.SizeOf<Arrival>());
            await stream.ReadExactlyAsync(span, cancellationToken);
            MemoryMarshal.Cast<byte, Arrival>(span.Span).CopyTo(result.AsSpan((int)read, length));
            read += length;
        }

        return result;
    }
}
