namespace Webhooks.Conditions;

/// <summary>A condition asked a built-in for more than its limits allow. Not a JavaScript error: a script cannot
/// catch it and carry on.</summary>
internal sealed class ConditionLimitException(string message) : Exception(message);
