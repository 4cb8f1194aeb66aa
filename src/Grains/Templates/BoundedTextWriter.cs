namespace Webhooks.Templates;

/// <summary>Collects a render's output and stops it as soon as the output passes the budget's length, instead of
/// measuring the finished string.</summary>
/// <remarks>A <see cref="StringWriter"/> so that the asynchronous writes Fluid makes complete at once, on this thread
/// (TextWriter's own WriteAsync would hop to the thread pool: a grain blocked on the render would wait for ever, and
/// the allocation count is per thread).</remarks>
internal sealed class BoundedTextWriter(RenderBudget budget, string what) : StringWriter(System.Globalization.CultureInfo.InvariantCulture)
{
    public override void Write(char value)
    {
        Grow(1);
        base.Write(value);
    }

    public override void Write(string? value)
    {
        if (value is { Length: > 0 })
        {
            Grow(value.Length);
            base.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Grow(count);
        base.Write(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Grow(buffer.Length);
        base.Write(buffer);
    }

    public override void Write(System.Text.StringBuilder? value)
    {
        if (value is { Length: > 0 })
        {
            Grow(value.Length);
            base.Write(value);
        }
    }

    private void Grow(int count)
    {
        budget.CheckLength((long)GetStringBuilder().Length + count, what);
        budget.CheckAllocation();
    }
}
