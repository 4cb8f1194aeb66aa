namespace Webhooks.Gateway.Auth;

/// <summary>What a key may do, and the authorization policies the API's methods name.</summary>
public static class ApiRoles
{
    /// <summary>Publish and PublishBatch only.</summary>
    public const string Publisher = "publisher";

    /// <summary>Every read: definitions, state, the delivery log.</summary>
    public const string Reader = "reader";

    /// <summary>Everything.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Publisher, Reader, Admin];

    /// <summary>Policy of the methods that publish events: publishers and admins.</summary>
    public const string PublishPolicy = "publish";

    /// <summary>Policy of the methods that read: readers and admins.</summary>
    public const string ReadPolicy = "read";

    /// <summary>Policy of the methods that change anything or send: admins.</summary>
    public const string AdminPolicy = "admin";
}
