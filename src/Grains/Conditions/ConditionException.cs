namespace Webhooks.Conditions;

/// <summary>A condition threw, ran past a sandbox limit or could not be evaluated for one event.</summary>
public sealed class ConditionException(string message, Exception? inner = null) : Exception(message, inner);
