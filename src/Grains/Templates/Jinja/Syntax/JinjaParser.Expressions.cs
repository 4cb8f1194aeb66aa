using Webhooks.Templates.Jinja.Filters;
using Webhooks.Templates.Jinja.Nodes;

namespace Webhooks.Templates.Jinja.Syntax;

/// <summary>Expressions, with Jinja2's precedence (lowest first): inline if, or, and, not, comparisons and in,
/// + and -, ~, * / // %, **, unary - and +, then access, calls, filters and tests.</summary>
internal sealed partial class JinjaParser
{
    private static readonly HashSet<string> ComparisonOperators = new(StringComparer.Ordinal) { "==", "!=", "<", "<=", ">", ">=" };

    private Expression ParseExpression(bool withConditional = true) => withConditional ? ParseConditional() : ParseOr();

    /// <summary>Comma-separated expressions: one gives itself, several (or a trailing comma) a tuple.</summary>
    private Expression ParseTuple(bool withConditional, string? endName = null, bool explicitParentheses = false)
    {
        var items = new List<Expression>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            if (Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || Current.IsOperator(")") || (endName is not null && Current.IsName(endName)))
            {
                break;
            }

            items.Add(ParseExpression(withConditional));
            if (Current.IsOperator(","))
            {
                isTuple = true;
            }
            else
            {
                break;
            }
        }

        if (!isTuple)
        {
            if (items.Count > 0)
            {
                return items[0];
            }

            if (!explicitParentheses)
            {
                throw Error($"Expected an expression, got {Current.Describe()}");
            }
        }

        return new TupleLiteral([.. items]);
    }

    private Expression ParseConditional()
    {
        var start = _expressionDepth;
        try
        {
            return ParseConditionalChain();
        }
        finally
        {
            _expressionDepth = start;
        }
    }

    private Expression ParseConditionalChain()
    {
        var expression = ParseOr();
        while (Current.IsName("if"))
        {
            Grow();
            _index++;
            var test = ParseOr();
            Expression? otherwise = null;
            if (Current.IsName("else"))
            {
                _index++;
                Grow();
                otherwise = ParseConditionalChain();
            }

            expression = new Conditional(test, expression, otherwise);
        }

        return expression;
    }

    private Expression ParseOr()
    {
        var start = _expressionDepth;
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            _index++;
            Grow();
            left = new Or(left, ParseAnd());
        }

        _expressionDepth = start;
        return left;
    }

    private Expression ParseAnd()
    {
        var start = _expressionDepth;
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            _index++;
            Grow();
            left = new And(left, ParseNot());
        }

        _expressionDepth = start;
        return left;
    }

    private Expression ParseNot()
    {
        if (Current.IsName("not"))
        {
            _index++;
            Grow();
            try
            {
                return new Not(ParseNot());
            }
            finally
            {
                _expressionDepth--;
            }
        }

        return ParseComparison();
    }

    private Expression ParseComparison()
    {
        var first = ParseAdditive();
        var rest = new List<(string, Expression)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && ComparisonOperators.Contains(Current.Text))
            {
                var op = Next().Text;
                rest.Add((op, ParseAdditive()));
            }
            else if (Current.IsName("in"))
            {
                _index++;
                rest.Add(("in", ParseAdditive()));
            }
            else if (Current.IsName("not") && Peek().IsName("in"))
            {
                _index += 2;
                rest.Add(("notin", ParseAdditive()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new Comparison(first, [.. rest]);
    }

    private Expression ParseAdditive()
    {
        var start = _expressionDepth;
        var left = ParseConcatenation();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var op = Next().Text;
            Grow();
            left = new Binary(op, left, ParseConcatenation());
        }

        _expressionDepth = start;
        return left;
    }

    private Expression ParseConcatenation()
    {
        var parts = new List<Expression> { ParseMultiplicative() };
        while (Current.IsOperator("~"))
        {
            _index++;
            parts.Add(ParseMultiplicative());
        }

        return parts.Count == 1 ? parts[0] : new Concatenation([.. parts]);
    }

    private Expression ParseMultiplicative()
    {
        var start = _expressionDepth;
        var left = ParsePower();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var op = Next().Text;
            Grow();
            left = new Binary(op, left, ParsePower());
        }

        _expressionDepth = start;
        return left;
    }

    private Expression ParsePower()
    {
        var start = _expressionDepth;
        var left = ParseUnary(withFilter: true);
        while (Current.IsOperator("**"))
        {
            _index++;
            Grow();
            left = new Binary("**", left, ParseUnary(withFilter: true));
        }

        _expressionDepth = start;
        return left;
    }

    private Expression ParseUnary(bool withFilter)
    {
        var start = _expressionDepth;
        Grow();
        try
        {
            Expression node;
            if (Current.IsOperator("-") || Current.IsOperator("+"))
            {
                var op = Next().Text;
                node = new Unary(op, ParseUnary(withFilter: false));
            }
            else
            {
                node = ParsePrimary();
            }

            node = ParsePostfix(node);
            return withFilter ? ParseFilterExpression(node) : node;
        }
        finally
        {
            _expressionDepth = start;
        }
    }

    private Expression ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Name:
                return token.Text switch
                {
                    "true" or "True" => new Constant(true),
                    "false" or "False" => new Constant(false),
                    "none" or "None" => new Constant(null),
                    _ => new NameLookup(token.Text),
                };
            case TokenKind.String:
                if (Current.Kind != TokenKind.String)
                {
                    return new Constant(token.Value);
                }

                var text = new System.Text.StringBuilder((string)token.Value!);
                while (Current.Kind == TokenKind.String)
                {
                    text.Append((string)Next().Value!);
                }

                return new Constant(text.ToString());
            case TokenKind.Integer or TokenKind.Float:
                return new Constant(token.Value);
            case TokenKind.Operator when token.Text == "(":
                var inner = ParseTuple(withConditional: true, explicitParentheses: true);
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                var items = new List<Expression>();
                while (!Current.IsOperator("]"))
                {
                    if (items.Count > 0)
                    {
                        Expect(TokenKind.Operator, ",");
                        if (Current.IsOperator("]"))
                        {
                            break;
                        }
                    }

                    items.Add(ParseExpression());
                }

                Expect(TokenKind.Operator, "]");
                return new ListLiteral([.. items]);
            case TokenKind.Operator when token.Text == "{":
                var pairs = new List<(Expression, Expression)>();
                while (!Current.IsOperator("}"))
                {
                    if (pairs.Count > 0)
                    {
                        Expect(TokenKind.Operator, ",");
                        if (Current.IsOperator("}"))
                        {
                            break;
                        }
                    }

                    var key = ParseExpression();
                    Expect(TokenKind.Operator, ":");
                    pairs.Add((key, ParseExpression()));
                }

                Expect(TokenKind.Operator, "}");
                return new DictLiteral([.. pairs]);
            default:
                _index--;
                throw Error($"unexpected {token.Describe()}");
        }
    }
}
