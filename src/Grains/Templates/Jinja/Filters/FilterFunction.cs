using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Filters;

/// <summary>A filter: <c>value | name(arguments)</c>.</summary>
internal delegate object? FilterFunction(RenderState state, object? value, Arguments arguments);

/// <summary>A test: <c>value is name(arguments)</c>.</summary>
internal delegate bool TestFunction(RenderState state, object? value, Arguments arguments);
