using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Webhooks.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1 that records every request. It can stall (hold requests until
/// resumed) and answer with a scripted status per request.</summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private TaskCompletionSource _gate = Open();
    private int _stalled;

    private TestReceiver(WebApplication app) => _app = app;

    /// <summary>Base URL, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string Url { get; private set; } = "";

    /// <summary>Chooses the status for each request (after it is recorded); 204 by default.</summary>
    public Func<ReceivedRequest, int> Respond { get; set; } = _ => 204;

    /// <summary>When set, scripts the whole response (status, headers, body) instead of <see cref="Respond"/>.</summary>
    public Func<ReceivedRequest, ScriptedResponse>? Reply { get; set; }

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>Requests currently held by <see cref="Stall"/>.</summary>
    public int StalledCount => Volatile.Read(ref _stalled);

    /// <summary>Starts on a free loopback port; over HTTPS with <paramref name="certificate"/> when given, and then
    /// only for clients that present a certificate <paramref name="clientAuthority"/> issued, when given.</summary>
    public static async Task<TestReceiver> StartAsync(
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null,
        System.Security.Cryptography.X509Certificates.X509Certificate2? clientAuthority = null,
        Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            if (certificate is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    if (clientAuthority is not null)
                    {
                        https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (presented, _, _) => IssuedBy(presented, clientAuthority);
                    }
                });
            }
        }));
        var app = builder.Build();
        var receiver = new TestReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = app.Urls.Single().TrimEnd('/');
        return receiver;
    }

    private static bool IssuedBy(System.Security.Cryptography.X509Certificates.X509Certificate2 presented, System.Security.Cryptography.X509Certificates.X509Certificate2 authority)
    {
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    /// <summary>Holds every request (already recorded) until <see cref="Resume"/>.</summary>
    public void Stall() => Interlocked.Exchange(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Resume() => Volatile.Read(ref _gate).TrySetResult();

    public IReadOnlyList<ReceivedRequest> For(string path) => [.. _requests.Where(r => r.Path == path)];

    public Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(string path, int count, TimeSpan? timeout = null) =>
        Poll.ForAsync(() => Task.FromResult(For(path)), r => r.Count >= count, $"{count} requests arrived at {path}", timeout);

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var request = new ReceivedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(),
            DateTimeOffset.UtcNow)
        {
            Protocol = context.Request.Protocol,
        };
        _requests.Enqueue(request);

        var gate = Volatile.Read(ref _gate).Task;
        if (!gate.IsCompleted)
        {
            Interlocked.Increment(ref _stalled);
            try
            {
                await gate.WaitAsync(context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref _stalled);
            }
        }

        if (Reply is { } reply)
        {
            var response = reply(request);
            if (response.Delay is { } delay)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            if (response.Reset)
            {
                context.Abort();
                return;
            }

            context.Response.StatusCode = response.Status;
            foreach (var (name, value) in response.Headers ?? [])
            {
                context.Response.Headers[name] = value;
            }

            if (response.Body is { Length: > 0 } text)
            {
                await context.Response.WriteAsync(text);
            }

            return;
        }

        context.Response.StatusCode = Respond(request);
    }

    private static TaskCompletionSource Open()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    public async ValueTask DisposeAsync()
    {
        Resume();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
