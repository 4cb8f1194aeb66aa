namespace Webhooks.Rules;

/// <summary>The body a webhook sends when it has no body template.</summary>
[GenerateSerializer, Alias("webhooks.PayloadFormat")]
public enum PayloadFormat
{
    /// <summary>NetBox's: the JSON of the whole event context.</summary>
    NetBox = 0,

    /// <summary>DATAGERRY's: event_time, operation (CREATE, UPDATE, DELETE), object_before, object_after, changes.</summary>
    Datagerry = 1,
}
