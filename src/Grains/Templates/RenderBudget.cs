using Fluid;

namespace Webhooks.Templates;

/// <summary>What one render may produce and allocate, checked as values grow (after every filter, capture, assignment
/// and write) rather than once the output is complete: a template that doubles a string in a loop stops at the first
/// doubling past the limit, not after it has used the machine's memory.</summary>
/// <remarks>Allocation is measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/>: a render runs synchronously
/// on one thread.</remarks>
internal sealed class RenderBudget
{
    private const string Key = "webhooks.render-budget";

    private readonly long _allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();

    public RenderBudget(int maxChars, long maxBytes) => (MaxChars, MaxBytes) = (maxChars, maxBytes);

    /// <summary>Longest string (and output) a render may produce.</summary>
    public int MaxChars { get; }

    /// <summary>Bytes a render may allocate in all.</summary>
    public long MaxBytes { get; }

    public long Allocated => GC.GetAllocatedBytesForCurrentThread() - _allocatedAtStart;

    public void AttachTo(TemplateContext context) => context.AmbientValues[Key] = this;

    public static RenderBudget? Of(TemplateContext context) =>
        context.AmbientValues.TryGetValue(Key, out var budget) ? budget as RenderBudget : null;

    /// <summary>Throws when the render has allocated more than it may.</summary>
    public void CheckAllocation()
    {
        if (Allocated > MaxBytes)
        {
            throw new TemplateLimitException($"the template allocated more than {MaxBytes / (1024 * 1024)} MiB (Templates:MaxRenderBytes)");
        }
    }

    /// <summary>Throws when a string of <paramref name="length"/> characters is longer than a render may make, or
    /// when it would not fit in what is left to allocate.</summary>
    public void CheckLength(long length, string what)
    {
        if (length > MaxChars)
        {
            throw new TemplateLimitException($"{what} would be {length} characters; the limit is {MaxChars} (Templates:MaxOutputLength)");
        }

        CheckBytes(2 * length, what);
    }

    /// <summary>Throws when allocating <paramref name="bytes"/> more would take the render past its allocation limit.</summary>
    public void CheckBytes(long bytes, string what)
    {
        if (Allocated + bytes > MaxBytes)
        {
            throw new TemplateLimitException($"{what} would take the template past {MaxBytes / (1024 * 1024)} MiB (Templates:MaxRenderBytes)");
        }
    }
}
