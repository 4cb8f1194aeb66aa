using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Webhooks.Benchmarks.Workload;

namespace Webhooks.Benchmarks.Receiver;

/// <summary>The webhook receiver: a minimal Kestrel app (HTTP/1.1 on 127.0.0.1) that answers 204 to
/// POST /hook/{endpoint} and records when each request arrived. Run as <c>receiver --port N</c>.</summary>
/// <remarks>Requests to /slow/… (the isolation scenario's timing-out endpoint) are only counted and then held
/// without an answer until the sender gives up.
/// Control API for the harness: GET /stats (JSON counters), POST /reset, GET /arrivals (binary log).
/// The process ends when its standard input closes, so it never outlives the harness that started it.</remarks>
public static class ReceiverApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = 0;
        var verify = SignatureCheck.Sample;
        var watchStdin = true;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port":
                    port = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--verify":
                    verify = Enum.Parse<SignatureCheck>(args[++i], ignoreCase: true);
                    break;
                case "--no-stdin-watch":
                    watchStdin = false;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"receiver: unknown argument '{args[i]}'");
                    return 2;
            }
        }

        if (port <= 0)
        {
            await Console.Error.WriteLineAsync("receiver: --port is required");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = null;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
        });

        var state = new ReceiverState(verify);
        await using var app = builder.Build();
        app.Run(state.HandleAsync);
        await app.StartAsync();
        Console.WriteLine($"receiver listening on 127.0.0.1:{port}");

        if (watchStdin)
        {
            // EOF on stdin: the harness ended (even if it was killed), so end too.
            _ = Task.Run(async () =>
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[64];
                while (await stdin.ReadAsync(buffer) > 0)
                {
                }

                await app.StopAsync();
            });
        }

        await app.WaitForShutdownAsync();
        return 0;
    }

    public enum SignatureCheck
    {
        None,
        Sample,
        All,
    }

    private sealed class ReceiverState(SignatureCheck check)
    {
        private const int SampleEvery = 64;
        private readonly ConcurrentDictionary<int, byte[]> _secrets = new();
        private ArrivalLog _log = new();
        private long _requests;
        private long _malformed;
        private long _verified;
        private long _badSignatures;
        private long _badArrivals;

        public async Task HandleAsync(HttpContext context)
        {
            var request = context.Request;
            var path = request.Path.Value ?? "";
            if (path.StartsWith(BenchProtocol.HookPrefix, StringComparison.Ordinal))
            {
                await HookAsync(context, path);
                return;
            }

            if (path.StartsWith(BenchProtocol.SlowPrefix, StringComparison.Ordinal))
            {
                await SlowAsync(context);
                return;
            }

            switch (path)
            {
                case "/stats":
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{{\"arrivals\":{_log.Count},\"requests\":{Interlocked.Read(ref _requests)},\"malformed\":{Interlocked.Read(ref _malformed)},\"verified\":{Interlocked.Read(ref _verified)},\"badSignatures\":{Interlocked.Read(ref _badSignatures)},\"badArrivals\":{Interlocked.Read(ref _badArrivals)}}}"));
                    return;
                case "/reset" when HttpMethods.IsPost(request.Method):
                    Interlocked.Exchange(ref _log, new ArrivalLog());
                    Interlocked.Exchange(ref _requests, 0);
                    Interlocked.Exchange(ref _malformed, 0);
                    Interlocked.Exchange(ref _verified, 0);
                    Interlocked.Exchange(ref _badSignatures, 0);
                    Interlocked.Exchange(ref _badArrivals, 0);
                    context.Response.StatusCode = StatusCodes.Status204NoContent;
                    return;
                case "/arrivals":
                    context.Response.ContentType = "application/octet-stream";
                    await Volatile.Read(ref _log).WriteToAsync(context.Response.Body, context.RequestAborted);
                    return;
                default:
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
            }
        }

        private async Task HookAsync(HttpContext context, string path)
        {
            var request = context.Request;
            var number = Interlocked.Increment(ref _requests);
            var length = (int)(request.ContentLength ?? 0);
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
            try
            {
                var total = 0;
                int read;
                while ((read = await request.Body.ReadAsync(buffer.AsMemory(total))) > 0)
                {
                    total += read;
                    if (total == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, total).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                var arrived = Stopwatch.GetTimestamp();
                var body = buffer.AsSpan(0, total);
                var endpoint = int.TryParse(path.AsSpan(BenchProtocol.HookPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? e : -1;
                var webhook = int.TryParse(request.Headers[BenchProtocol.WebhookHeader].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : -1;
                if (!BenchProtocol.TryReadBody(body, out var id, out var sent) || endpoint < 0 || webhook < 0)
                {
                    Interlocked.Increment(ref _malformed);
                    id = -1;
                }

                if (endpoint >= 0 && (check == SignatureCheck.All || (check == SignatureCheck.Sample && number % SampleEvery == 0)))
                {
                    Verify(endpoint, body, request.Headers[BenchProtocol.SignatureHeader].ToString());
                }

                Volatile.Read(ref _log).Add(new Arrival { Event = id, Webhook = webhook, Endpoint = endpoint, SentTicks = sent, ArrivedTicks = arrived });
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }

        /// <summary>The timing-out endpoint: counts the request and answers only after
        /// <see cref="Isolation.SlowHold"/>, far beyond the endpoint's timeout. The wait is a timer, not a thread,
        /// so any number of held requests leave the other requests alone; it ends when the sender hangs up.</summary>
        private async Task SlowAsync(HttpContext context)
        {
            Interlocked.Increment(ref _badArrivals);
            try
            {
                await Task.Delay(Isolation.SlowHold, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The sender timed out and closed the connection: the expected end of a held request.
                return;
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }

        private void Verify(int endpoint, ReadOnlySpan<byte> body, string signature)
        {
            var key = _secrets.GetOrAdd(endpoint, BenchProtocol.EndpointSecretBytes);
            Span<byte> hash = stackalloc byte[HMACSHA512.HashSizeInBytes];
            HMACSHA512.HashData(key, body, hash);
            Span<char> hex = stackalloc char[hash.Length * 2];
            Convert.TryToHexStringLower(hash, hex, out _);
            Interlocked.Increment(ref _verified);
            if (!hex.SequenceEqual(signature))
            {
                Interlocked.Increment(ref _badSignatures);
            }
        }
    }
}
