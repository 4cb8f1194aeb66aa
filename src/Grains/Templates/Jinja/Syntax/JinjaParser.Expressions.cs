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
        var expression = ParseOr();
        while (Current.IsName("if"))
        {
            _index++;
            var test = ParseOr();
            Expression? otherwise = null;
            if (Current.IsName("else"))
            {
                _index++;
                otherwise = ParseConditional();
            }

            expression = new Conditional(test, expression, otherwise);
        }

        return expression;
    }

    private Expression ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            _index++;
            left = new Or(left, ParseAnd());
        }

        return left;
    }

    private Expression ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            _index++;
            left = new And(left, ParseNot());
        }

        return left;
    }

    private Expression ParseNot()
    {
        if (Current.IsName("not"))
        {
            _index++;
            Enter();
            try
            {
                return new Not(ParseNot());
            }
            finally
            {
                _depth--;
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
        var left = ParseConcatenation();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var op = Next().Text;
            left = new Binary(op, left, ParseConcatenation());
        }

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
        var left = ParsePower();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var op = Next().Text;
            left = new Binary(op, left, ParsePower());
        }

        return left;
    }

    private Expression ParsePower()
    {
        var left = ParseUnary(withFilter: true);
        while (Current.IsOperator("**"))
        {
            _index++;
            left = new Binary("**", left, ParseUnary(withFilter: true));
        }

        return left;
    }

    private Expression ParseUnary(bool withFilter)
    {
        Enter();
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
            _depth--;
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
                var text = (string)token.Value!;
                while (Current.Kind == TokenKind.String)
                {
                    text += (string)Next().Value!;
                }

                return new Constant(text);
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

    private Expression ParsePostfix(Expression node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("["))
            {
                node = ParseSubscript(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new Call(node, ParseCallArguments());
            }
            else
            {
                return node;
            }
        }
    }

    private Expression ParseFilterExpression(Expression node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                _index++;
                var (name, filter, arguments) = ParseFilterName();
                node = new FilterApplication(node, name, filter, arguments);
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new Call(node, ParseCallArguments());
            }
            else
            {
                return node;
            }
        }
    }

    private (string Name, FilterFunction Filter, ArgumentList Arguments) ParseFilterName()
    {
        var token = Current;
        Expect(TokenKind.Name);
        if (!JinjaFilters.TryGet(token.Text, out var filter))
        {
            throw new JinjaSyntaxException($"No filter named '{token.Text}'", token.Line);
        }

        var arguments = Current.IsOperator("(") ? ParseCallArguments() : ArgumentList.Empty;
        return (token.Text, filter, arguments);
    }

    private TestApplication ParseTest(Expression node)
    {
        _index++;
        var negated = false;
        if (Current.IsName("not"))
        {
            _index++;
            negated = true;
        }

        var token = Current;
        Expect(TokenKind.Name);
        var name = token.Text switch { "none" or "None" => "none", "true" or "True" => "true", "false" or "False" => "false", _ => token.Text };
        if (!JinjaTests.TryGet(name, out var test))
        {
            throw new JinjaSyntaxException($"No test named '{token.Text}'", token.Line);
        }

        ArgumentList arguments;
        if (Current.IsOperator("("))
        {
            arguments = ParseCallArguments();
        }
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float || Current.IsOperator("[") || Current.IsOperator("{"))
            && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            if (Current.IsName("is"))
            {
                throw Error("You cannot chain multiple tests with is");
            }

            arguments = new ArgumentList([ParsePostfix(ParsePrimary())], []);
        }
        else
        {
            arguments = ArgumentList.Empty;
        }

        return new TestApplication(node, test, arguments, negated);
    }

    private Expression ParseSubscript(Expression node)
    {
        var token = Next();
        if (token.Text == ".")
        {
            var attribute = Next();
            return attribute.Kind switch
            {
                TokenKind.Name => new Nodes.Attribute(node, attribute.Text),
                TokenKind.Integer => new Item(node, new Constant(attribute.Value)),
                _ => throw new JinjaSyntaxException("expected name or number", attribute.Line),
            };
        }

        var keys = new List<Expression>();
        while (!Current.IsOperator("]"))
        {
            if (keys.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
                if (Current.IsOperator("]"))
                {
                    break;
                }
            }

            keys.Add(ParseSubscribed(node, out var slice));
            if (slice)
            {
                Expect(TokenKind.Operator, "]");
                return keys[^1];
            }
        }

        Expect(TokenKind.Operator, "]");
        return keys.Count switch
        {
            0 => throw Error("expected a subscript"),
            1 => new Item(node, keys[0]),
            _ => new Item(node, new TupleLiteral([.. keys])),
        };
    }

    /// <summary>One subscript: an expression, or a slice (which is applied to <paramref name="target"/> at once).</summary>
    private Expression ParseSubscribed(Expression target, out bool slice)
    {
        Expression? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!Current.IsOperator(":"))
            {
                slice = false;
                return start;
            }
        }

        slice = true;
        _index++;
        Expression? stop = null, step = null;
        if (!Current.IsOperator("]") && !Current.IsOperator(":") && !Current.IsOperator(","))
        {
            stop = ParseExpression();
        }

        if (Current.IsOperator(":"))
        {
            _index++;
            if (!Current.IsOperator("]") && !Current.IsOperator(","))
            {
                step = ParseExpression();
            }
        }

        return new SliceItem(target, start, stop, step);
    }

    private ArgumentList ParseCallArguments()
    {
        Expect(TokenKind.Operator, "(");
        var positional = new List<Expression>();
        var named = new List<(string, Expression)>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (Current.IsOperator("*") || Current.IsOperator("**"))
            {
                throw Error("*args and **kwargs are not supported in webhook templates");
            }

            if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                var name = Next().Text;
                _index++;
                named.Add((name, ParseExpression()));
            }
            else
            {
                if (named.Count > 0)
                {
                    throw Error("positional argument follows keyword argument");
                }

                positional.Add(ParseExpression());
            }
        }

        Expect(TokenKind.Operator, ")");
        return new ArgumentList([.. positional], [.. named]);
    }
}
