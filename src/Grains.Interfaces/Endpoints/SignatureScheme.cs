namespace Webhooks.Endpoints;

/// <summary>How requests to an endpoint are signed.</summary>
public enum SignatureScheme
{
    /// <summary>NetBox's X-Hook-Signature: the hex HMAC-SHA512 of the body.</summary>
    NetBox = 0,

    /// <summary>Standard Webhooks (standardwebhooks.com): webhook-id, webhook-timestamp and webhook-signature
    /// ("v1," and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"), with "whsec_" secrets.</summary>
    StandardWebhooks = 1,
}
