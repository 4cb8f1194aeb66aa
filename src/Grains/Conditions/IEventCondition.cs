using Webhooks.Rules;

namespace Webhooks.Conditions;

/// <summary>A webhook's condition, compiled for one activation: JavaScript (<see cref="ConditionEvaluator"/>) or a
/// NetBox condition set (<see cref="NetBox.NetBoxConditionSet"/>).</summary>
public interface IEventCondition : IDisposable
{
    /// <summary>Whether the event matches; throws <see cref="ConditionException"/> when it cannot be evaluated (the
    /// event then delivers nothing and counts as a condition error).</summary>
    bool Evaluate(EventContext context);
}
