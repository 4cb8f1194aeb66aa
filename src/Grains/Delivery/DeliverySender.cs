using System.Net.Http.Headers;
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
        using var request = new HttpRequestMessage(new HttpMethod(delivery.HttpMethod), delivery.Url)
        {
            Content = new ByteArrayContent(body),
        };

        if (MediaTypeHeaderValue.TryParse(delivery.ContentType, out var contentType))
        {
            request.Content.Headers.ContentType = contentType;
        }

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

    // Reading the (bounded) body lets the connection go back to the pool.
    private async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[Math.Min(_maxResponseBytes, 8192) + 1];
        var total = 0;
        int read;
        while (total <= _maxResponseBytes && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
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
