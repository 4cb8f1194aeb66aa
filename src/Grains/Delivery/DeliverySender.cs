using System.Buffers;
using System.Text;
using Microsoft.Extensions.Options;
using Webhooks.Deliveries;
using Webhooks.Endpoints;

namespace Webhooks.Delivery;

/// <summary>Sends one attempt of one delivery and reports what happened; never throws for the network.</summary>
public sealed class DeliverySender(IHttpClientFactory clients, IOptions<DeliveryOptions> options, TimeProvider time)
{
    public const string UserAgent = "Webhooks/1.0";
    public const string DeliveryHeader = "X-Hook-Delivery";
    public const string AttemptHeader = "X-Hook-Attempt";

    private readonly int _maxResponseBytes = options.Value.MaxResponseBodyBytes;

    public async Task<DeliveryAttempt> SendAsync(EndpointDefinition endpoint, DeliveryRecord delivery, int attempt, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        // HttpMethod.Parse returns the shared instances for the standard methods.
        using var request = new HttpRequestMessage(HttpMethod.Parse(delivery.HttpMethod), delivery.Url)
        {
            Content = new ByteArrayContent(body),
        };

        // Validated when the webhook was saved; parsing it again per request only allocates.
        request.Content.Headers.TryAddWithoutValidation("Content-Type", delivery.ContentType);

        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        // The endpoint's static headers first; the webhook's rendered headers override them by name.
        foreach (var header in endpoint.Headers)
        {
            SetHeader(request, header);
        }

        foreach (var header in delivery.Headers)
        {
            SetHeader(request, header);
        }

        request.Headers.TryAddWithoutValidation(DeliveryHeader, delivery.Id);
        request.Headers.TryAddWithoutValidation(AttemptHeader, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(endpoint.Secret))
        {
            request.Headers.TryAddWithoutValidation(PayloadSigner.HeaderName, PayloadSigner.Sign(endpoint.Secret, body));
        }

        var client = clients.CreateClient(DeliveryHttpClients.NameFor(endpoint));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(endpoint.Timeout);
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            await DrainAsync(response, timeout.Token);
            return new DeliveryAttempt { Time = startedAt, Duration = time.GetElapsedTime(started), StatusCode = (int)response.StatusCode };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"timed out after {endpoint.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return Failed(ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or UriFormatException)
        {
            return Failed(ex.Message);
        }

        DeliveryAttempt Failed(string error) =>
            new() { Time = startedAt, Duration = time.GetElapsedTime(started), Error = error };
    }

    // Reading the (bounded) body lets the connection go back to the pool. Most receivers answer 204 or an
    // empty 200: nothing to read, and no buffer per request (it was the largest allocation per delivery).
    private async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength == 0)
        {
            return;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(_maxResponseBytes, 8192) + 1);
        try
        {
            var total = 0;
            int read;
            while (total <= _maxResponseBytes && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void SetHeader(HttpRequestMessage request, HttpHeader header)
    {
        if (header.Name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
        {
            request.Content!.Headers.Remove(header.Name);
            request.Content.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }
        else
        {
            request.Headers.Remove(header.Name);
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }
    }
}
