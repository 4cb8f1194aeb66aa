using Acornima;
using Webhooks.Errors;

namespace Webhooks.Conditions;

/// <summary>Checks a condition's syntax and wraps it in the function the evaluator calls.</summary>
/// <remarks>A condition is either one expression (<c>data.status.value === 'active'</c>) or a function body
/// that returns a value. Either form is parsed on its own first, so that no text can close the wrapping
/// function early, and errors point at the user's own line and column.</remarks>
public static class ConditionSource
{
    public const string FunctionName = "__webhookCondition";

    // The evaluator passes the event context positionally in this order.
    public static readonly string[] Parameters =
        ["event", "object_type", "model", "timestamp", "username", "request_id", "data", "snapshots", "changes", "object_id", "event_id"];

    private static readonly string Prefix = $"function {FunctionName}({string.Join(", ", Parameters)}) {{\n";

    /// <summary>Returns the wrapped script, or throws <see cref="InvalidFieldException"/> on <paramref name="field"/>.</summary>
    public static string Wrap(string condition, string field, int maxLength)
    {
        if (condition.Length > maxLength)
        {
            throw new InvalidFieldException(field, $"must be at most {maxLength} characters");
        }

        try
        {
            return WrapParsed(condition, field);
        }
        catch (Exception ex) when (ex is not InvalidFieldException)
        {
            // The parser's own limits (nesting deeper than it recurses) rather than a syntax error.
            throw new InvalidFieldException(field, $"cannot be parsed: {ex.Message}");
        }
    }

    private static string WrapParsed(string condition, string field)
    {

        var parser = new Parser(new ParserOptions { EcmaVersion = EcmaVersion.Latest });
        ParseErrorException expressionError;
        try
        {
            parser.ParseExpression(condition);
            return $"{Prefix}return (\n{condition}\n);\n}}";
        }
        catch (ParseErrorException e)
        {
            expressionError = e;
        }

        var body = $"{Prefix}{condition}\n}}";
        try
        {
            var script = parser.ParseScript(body, strict: true);
            if (script.Body.Count == 1)
            {
                return body;
            }
        }
        catch (ParseErrorException statementError) when (expressionError.LineNumber == 1 && expressionError.Column == 0)
        {
            // The text does not even start like an expression, so it was meant as statements.
            var lines = condition.Split('\n').Length;
            var line = statementError.LineNumber - 1;
            throw line > lines
                ? Invalid(field, statementError.Error?.Description ?? statementError.Message, lines, condition.Split('\n')[^1].Length, "at the end")
                : Invalid(field, statementError.Error?.Description ?? statementError.Message, line, statementError.Column, null);
        }
        catch (ParseErrorException)
        {
            // Reported as an expression error below.
        }

        throw Invalid(field, expressionError.Error?.Description ?? expressionError.Message, expressionError.LineNumber, expressionError.Column, null);
    }

    private static InvalidFieldException Invalid(string field, string description, int line, int column, string? where) =>
        new(field, $"JavaScript syntax error at line {line}, column {column + 1}{(where is null ? "" : $" ({where})")}: {description}");
}
