using Webhooks.Templates.Jinja.Filters;
using Webhooks.Templates.Jinja.Nodes;

namespace Webhooks.Templates.Jinja.Syntax;

/// <summary>What follows a primary expression: <c>.name</c>, <c>[key]</c> and slices, calls with positional and
/// keyword arguments, <c>| filters</c> and <c>is tests</c>.</summary>
internal sealed partial class JinjaParser
{
    // Each link of a chain (x.a.b, x | f | g) is one more level: see Grow. The levels are given back by the caller
    // that started the expression (ParseUnary restores its starting depth).
    private Expression ParsePostfix(Expression node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("[") || Current.IsOperator("("))
            {
                Grow();
            }

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
            if (Current.IsOperator("|") || Current.IsName("is") || Current.IsOperator("("))
            {
                Grow();
            }

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
