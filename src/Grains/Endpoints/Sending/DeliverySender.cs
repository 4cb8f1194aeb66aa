using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using Webhooks.Deliveries;
using Webhooks.Diagnostics;
using Webhooks.Endpoints;
using Webhooks.Outbound;

namespace Webhooks.Endpoints.Sending;

/// <summary>Sends one attempt of one delivery and reports what happened; never throws for the network.</summary>
public sealed class DeliverySender(IHttpClientFactory clients, IOptions<DeliveryOptions> options, DeliveryClock clock)
{
    private readonly TimeProvider time = clock.Time;

    public const string UserAgent = "Webhooks/1.0";
    public const string DeliveryHeader = "X-Hook-Delivery";
    public const string AttemptHeader = "X-Hook-Attempt";

    private readonly int _maxResponseBytes = options.Value.MaxResponseBodyBytes;

    public async Task<DeliveryAttempt> SendAsync(EndpointDefinition endpoint, DeliveryRecord delivery, int attempt, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        using var activity = WebhooksTracing.StartAttempt(delivery, attempt);
        var request = Request(endpoint, delivery, attempt, body, activity, time.GetUtcNow());
        var sentHeaders = SentHeaders(request, endpoint);
        var client = clients.CreateClient(DeliveryHttpClients.NameFor(endpoint));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(endpoint.Timeout);
        var startedAt = time.GetUtcNow();
        // How long the request took is physics, measured on the machine's clock; the delivery clock (which tests
        // move by hand) only decides when attempts are made.
        var started = Stopwatch.GetTimestamp();
        try
        {
            HttpResponseMessage sent;
            try
            {
                sent = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ResponseEnded)
            {
                // The connection closed before a byte of the response came: a pooled connection the receiver had
                // already closed (HTTP/1.0 servers close after every reply, others when idle for a moment), so the
                // request never reached it. Once more at once, on another connection, as the same attempt.
                request.Dispose();
                request = Request(endpoint, delivery, attempt, body, activity, time.GetUtcNow());
                sent = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }

            using var response = sent;
            var responseBody = await ReadBodyAsync(response, timeout.Token);
            return Ended(new DeliveryAttempt
            {
                Time = startedAt,
                Duration = Stopwatch.GetElapsedTime(started),
                StatusCode = (int)response.StatusCode,
                ResponseHeaders = ResponseHeaders(response),
                ResponseBody = responseBody,
                RetryAfter = RetryAfter(response),
            });
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"timed out after {endpoint.Timeout.TotalSeconds:0.###} s") with { TimedOut = true };
        }
        catch (HttpRequestException ex) when (ex.InnerException is OutboundAddressRefusedException refused)
        {
            return Failed(refused.Message) with { Refused = true };
        }
        catch (HttpRequestException ex)
        {
            return Failed(ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or UriFormatException)
        {
            return Failed(ex.Message);
        }

        finally
        {
            request.Dispose();
        }

        DeliveryAttempt Failed(string error) =>
            Ended(new DeliveryAttempt { Time = startedAt, Duration = Stopwatch.GetElapsedTime(started), Error = error });

        DeliveryAttempt Ended(DeliveryAttempt outcome)
        {
            WebhooksTracing.Ended(activity, outcome);
            return outcome with { RequestHeaders = sentHeaders };
        }
    }

    private static HttpRequestMessage Request(EndpointDefinition endpoint, DeliveryRecord delivery, int attempt, byte[] body, Activity? activity, DateTimeOffset now)
    {
        // HttpMethod.Parse returns the shared instances for the standard methods.
        var request = new HttpRequestMessage(HttpMethod.Parse(delivery.HttpMethod), delivery.Url)
        {
            Content = new ByteArrayContent(body),
        };
        if (request.RequestUri!.Scheme == Uri.UriSchemeHttps)
        {
            // Over TLS the receiver chooses by ALPN: HTTP/2 where it offers it (an HTTP/2-only server works), else
            // HTTP/1.1. Cleartext stays HTTP/1.1: HTTP/2 there needs prior knowledge that receivers do not advertise.
            request.Version = System.Net.HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }

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
        Sign(request, endpoint, delivery.Id, body, now);

        if (activity is not null)
        {
            request.Headers.Remove(WebhooksTracing.TraceParentHeader);
            request.Headers.TryAddWithoutValidation(WebhooksTracing.TraceParentHeader, activity.Id);
        }

        return request;
    }

    private static void Sign(HttpRequestMessage request, EndpointDefinition endpoint, string deliveryId, byte[] body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(endpoint.Secret))
        {
            return;
        }

        var previous = endpoint.PreviousSecretUntil > now ? endpoint.PreviousSecret : null;
        if (endpoint.SignatureScheme == SignatureScheme.StandardWebhooks)
        {
            // The delivery id is the message id: the same across retries, so receivers can drop a repeat.
            request.Headers.TryAddWithoutValidation(StandardWebhooksSigner.IdHeader, deliveryId);
            request.Headers.TryAddWithoutValidation(StandardWebhooksSigner.TimestampHeader, StandardWebhooksSigner.Timestamp(now));
            request.Headers.TryAddWithoutValidation(StandardWebhooksSigner.SignatureHeader, StandardWebhooksSigner.Sign(deliveryId, now, body, endpoint.Secret, previous));
        }
        else
        {
            request.Headers.TryAddWithoutValidation(PayloadSigner.HeaderName, PayloadSigner.Sign(endpoint.Secret, body));
        }
    }

    // Reading the (bounded) body lets the connection go back to the pool, and the start of it is kept with the
    // attempt. Most receivers answer 204 or an empty 200: nothing to read, and no buffer per request.
    private async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength == 0 || _maxResponseBytes == 0)
        {
            return "";
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(_maxResponseBytes);
        try
        {
            var total = 0;
            int read;
            while (total < _maxResponseBytes && (read = await stream.ReadAsync(buffer.AsMemory(total, _maxResponseBytes - total), cancellationToken)) > 0)
            {
                total += read;
            }

            return total == 0 ? "" : Encoding.UTF8.GetString(buffer, 0, total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The request's headers as they go out, the endpoint's own values masked: they are its secrets.</summary>
    private static ImmutableArray<HttpHeader> SentHeaders(HttpRequestMessage request, EndpointDefinition endpoint)
    {
        var headers = ImmutableArray.CreateBuilder<HttpHeader>();
        foreach (var (name, values) in request.Headers.NonValidated.Concat(request.Content!.Headers.NonValidated))
        {
            var value = values.ToString();
            foreach (var secret in endpoint.Headers)
            {
                if (string.Equals(secret.Name, name, StringComparison.OrdinalIgnoreCase) && secret.Value == value)
                {
                    value = EndpointSecrets.Masked;
                    break;
                }
            }

            headers.Add(new HttpHeader { Name = name, Value = value });
        }

        return headers.DrainToImmutable();
    }

    private static ImmutableArray<HttpHeader> ResponseHeaders(HttpResponseMessage response)
    {
        var headers = ImmutableArray.CreateBuilder<HttpHeader>();
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            headers.Add(new HttpHeader { Name = name, Value = values.ToString() });
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            headers.Add(new HttpHeader { Name = name, Value = values.ToString() });
        }

        return headers.DrainToImmutable();
    }

    /// <summary>Retry-After as seconds or as an HTTP date, relative to now; null when absent or unreadable.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

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
