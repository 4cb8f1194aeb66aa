using Webhooks.Templates.Jinja.Filters;
using Webhooks.Templates.Jinja.Nodes;

namespace Webhooks.Templates.Jinja.Syntax;

/// <summary>Parses a template's tokens into statements, following Jinja2's grammar: <c>if</c>/<c>elif</c>/<c>else</c>,
/// <c>for</c> (with <c>else</c>, an <c>if</c> filter and unpacking), <c>set</c> (with namespaces and blocks),
/// <c>with</c> and <c>filter</c>. Filters and tests are resolved here, so an unknown name is refused when the template
/// is stored rather than when an event arrives.</summary>
internal sealed partial class JinjaParser
{
    private static readonly HashSet<string> UnsupportedTags = new(StringComparer.Ordinal)
    {
        "macro", "call", "block", "extends", "include", "import", "from", "autoescape", "do", "break", "continue",
    };

    private readonly List<Token> _tokens;
    private readonly int _maxNesting;
    private int _index;
    private int _depth;
    private int _expressionDepth;

    private JinjaParser(List<Token> tokens, int maxNesting) => (_tokens, _maxNesting) = (tokens, maxNesting);

    public static Statement[] Parse(string source, int maxNesting)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source), maxNesting);
        var body = parser.ParseBody([]);
        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.Error($"unexpected {parser.Current.Describe()}");
        }

        return body;
    }

    private Token Current => _tokens[_index];

    private Token Peek(int ahead = 1) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Next() => _tokens[_index++];

    private JinjaSyntaxException Error(string message) => new(message, Current.Line);

    private void Expect(TokenKind kind, string? text = null)
    {
        if (Current.Kind != kind || (text is not null && Current.Text != text))
        {
            var wanted = text is not null ? $"'{text}'" : kind switch
            {
                TokenKind.BlockEnd => "end of statement block",
                TokenKind.VariableEnd => "end of print statement",
                TokenKind.Name => "a name",
                _ => kind.ToString(),
            };
            throw Error($"expected {wanted}, got {Current.Describe()}");
        }

        _index++;
    }

    /// <summary>Counts one more level of an expression's tree: a nested operand, or one more link of a chain such as
    /// <c>a + b + c</c> or <c>x | f | g</c> (evaluating a chain recurses once per link). Deep trees are refused here,
    /// where Jinja2 itself gives up (RecursionError), rather than when rendering would run out of stack.</summary>
    private void Grow()
    {
        if (++_expressionDepth > 4 * _maxNesting)
        {
            throw Error($"an expression nests or chains more than {4 * _maxNesting} levels deep (4 × Templates:MaxRecursion)");
        }
    }

    private void Enter()
    {
        if (++_depth > _maxNesting)
        {
            throw Error($"the template nests more than {_maxNesting} levels deep (Templates:MaxRecursion)");
        }
    }

    /// <summary>Statements up to a block tag named in <paramref name="endTags"/> (left as the current token, after
    /// its <c>{%</c>), or to the end of the template when there are none.</summary>
    private Statement[] ParseBody(string[] endTags)
    {
        var body = new List<Statement>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.End:
                    if (endTags.Length > 0)
                    {
                        throw Error($"Unexpected end of template. Jinja was looking for the following tags: {string.Join(" or ", endTags.Select(t => $"'{t}'"))}");
                    }

                    return [.. body];
                case TokenKind.Data:
                    _index++;
                    body.Add(new TextOutput(token.Text));
                    break;
                case TokenKind.VariableBegin:
                    _index++;
                    var start = _index;
                    var value = ParseTuple(withConditional: true);
                    Expect(TokenKind.VariableEnd);
                    body.Add(new ValueOutput(value, _index - start));
                    break;
                case TokenKind.BlockBegin:
                    _index++;
                    if (Current.Kind == TokenKind.Name && endTags.Contains(Current.Text))
                    {
                        return [.. body];
                    }

                    body.Add(ParseStatement());
                    break;
                default:
                    throw Error($"unexpected {token.Describe()}");
            }
        }
    }

    private Statement ParseStatement()
    {
        var tag = Current;
        if (tag.Kind != TokenKind.Name)
        {
            throw Error("tag name expected");
        }

        Enter();
        try
        {
            _index++;
            return tag.Text switch
            {
                "if" => ParseIf(),
                "for" => ParseFor(),
                "set" => ParseSet(),
                "with" => ParseWith(),
                "filter" => ParseFilterBlock(),
                _ when UnsupportedTags.Contains(tag.Text) => throw new JinjaSyntaxException($"the '{tag.Text}' tag is not supported in webhook templates", tag.Line),
                _ when tag.Text.StartsWith("end", StringComparison.Ordinal) || tag.Text is "else" or "elif" =>
                    throw new JinjaSyntaxException($"Encountered unknown tag '{tag.Text}'. Jinja was not looking for this tag here", tag.Line),
                _ => throw new JinjaSyntaxException($"Encountered unknown tag '{tag.Text}'", tag.Line),
            };
        }
        finally
        {
            _depth--;
        }
    }

    private IfStatement ParseIf()
    {
        var branches = new List<(Expression, Statement[], int)>();
        Statement[] otherwise = [];
        var start = _index;
        var test = ParseTuple(withConditional: false);
        while (true)
        {
            var cost = _index - start;
            Expect(TokenKind.BlockEnd);
            var body = ParseBody(["elif", "else", "endif"]);
            branches.Add((test, body, cost));
            var tag = Next().Text;
            if (tag == "elif")
            {
                start = _index;
                test = ParseTuple(withConditional: false);
                continue;
            }

            if (tag == "else")
            {
                Expect(TokenKind.BlockEnd);
                otherwise = ParseBody(["endif"]);
                _index++;
            }

            Expect(TokenKind.BlockEnd);
            return new IfStatement([.. branches], otherwise);
        }
    }

    private ForStatement ParseFor()
    {
        var start = _index;
        var target = ParseAssignTarget(allowNamespace: false, endName: "in");
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withConditional: false, endName: "recursive");
        Expression? filter = null;
        if (Current.IsName("if"))
        {
            _index++;
            filter = ParseExpression();
        }

        if (Current.IsName("recursive"))
        {
            throw Error("recursive loops are not supported in webhook templates");
        }

        var cost = _index - start;
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endfor", "else"]);
        Statement[] otherwise = [];
        if (Next().Text == "else")
        {
            Expect(TokenKind.BlockEnd);
            otherwise = ParseBody(["endfor"]);
            _index++;
        }

        Expect(TokenKind.BlockEnd);
        return new ForStatement(target, iterable, filter, body, otherwise, cost);
    }

    private Statement ParseSet()
    {
        var start = _index;
        var target = ParseAssignTarget(allowNamespace: true);
        if (Current.IsOperator("="))
        {
            _index++;
            var value = ParseTuple(withConditional: true);
            var cost = _index - start;
            Expect(TokenKind.BlockEnd);
            return new SetStatement(target, value, cost);
        }

        if (target is not NameTarget)
        {
            throw Error("expected '='");
        }

        var name = _tokens[_index - 1].Text;
        var filters = new List<(string, FilterFunction, ArgumentList)>();
        while (Current.IsOperator("|"))
        {
            _index++;
            filters.Add(ParseFilterName());
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endset"]);
        _index++;
        Expect(TokenKind.BlockEnd);
        return filters.Count == 0 ? new SetBlockStatement(name, body) : new FilteredSetBlockStatement(name, body, [.. filters]);
    }

    private WithStatement ParseWith()
    {
        var assignments = new List<(AssignTarget, Expression)>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            var target = ParseAssignTarget(allowNamespace: false);
            Expect(TokenKind.Operator, "=");
            assignments.Add((target, ParseExpression()));
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endwith"]);
        _index++;
        Expect(TokenKind.BlockEnd);
        return new WithStatement([.. assignments], body);
    }

    private FilterBlockStatement ParseFilterBlock()
    {
        var filters = new List<(string, FilterFunction, ArgumentList)> { ParseFilterName() };
        while (Current.IsOperator("|"))
        {
            _index++;
            filters.Add(ParseFilterName());
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endfilter"]);
        _index++;
        Expect(TokenKind.BlockEnd);
        return new FilterBlockStatement(body, [.. filters]);
    }

    private AssignTarget ParseAssignTarget(bool allowNamespace, string? endName = null)
    {
        if (allowNamespace && Current.Kind == TokenKind.Name && Peek().IsOperator("."))
        {
            var name = Next().Text;
            _index++;
            var attribute = Current;
            Expect(TokenKind.Name);
            return new NamespaceTarget(name, attribute.Text);
        }

        var targets = new List<AssignTarget>();
        var isTuple = false;
        while (true)
        {
            targets.Add(ParseTargetItem());
            if (!Current.IsOperator(","))
            {
                break;
            }

            _index++;
            isTuple = true;
            if ((endName is not null && Current.IsName(endName)) || Current.IsOperator("=") || Current.IsOperator(")") || Current.Kind == TokenKind.BlockEnd)
            {
                break;
            }
        }

        return isTuple ? new TupleTarget([.. targets]) : targets[0];
    }

    /// <summary>One name, or a parenthesized list of targets (<c>for a, (b, c) in …</c>).</summary>
    private AssignTarget ParseTargetItem()
    {
        if (Current.IsOperator("("))
        {
            _index++;
            Enter();
            try
            {
                var inner = ParseAssignTarget(allowNamespace: false);
                Expect(TokenKind.Operator, ")");
                return inner;
            }
            finally
            {
                _depth--;
            }
        }

        var name = Current;
        Expect(TokenKind.Name);
        if (name.Text is "true" or "false" or "none" or "True" or "False" or "None")
        {
            throw new JinjaSyntaxException($"Can't assign to {name.Text}", name.Line);
        }

        return new NameTarget(name.Text);
    }
}
