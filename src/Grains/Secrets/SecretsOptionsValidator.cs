using Microsoft.Extensions.Options;

namespace Webhooks.Secrets;

/// <summary>Names every problem with the Secrets settings at start-up; a key is required on PostgreSQL.</summary>
internal sealed class SecretsOptionsValidator(bool required) : IValidateOptions<SecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretsOptions options) =>
        options.Problems(required).ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
