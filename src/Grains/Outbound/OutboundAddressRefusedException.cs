namespace Webhooks.Outbound;

/// <summary>A delivery's destination resolved to an address that the outbound policy refuses; the request was never
/// sent. Final for the delivery: trying again would be refused again.</summary>
public sealed class OutboundAddressRefusedException(string message) : Exception(message);
