using System.Globalization;
using System.Numerics;
using System.Text;
using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Templates.Jinja.Syntax;

/// <summary>Splits a template into tokens as Jinja2's default lexer does: <c>{{ }}</c>, <c>{% %}</c> and
/// <c>{# #}</c> with <c>-</c> whitespace control, <c>{% raw %}</c>, newlines normalised to <c>\n</c> and one
/// trailing newline dropped (Jinja2's <c>keep_trailing_newline=False</c>).</summary>
internal sealed class JinjaLexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];

    private readonly string _source;
    private readonly List<Token> _tokens = [];
    private int _position;
    private int _line = 1;
    private bool _stripNext;

    private JinjaLexer(string source) => _source = Normalize(source);

    public static List<Token> Tokenize(string source)
    {
        var lexer = new JinjaLexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    private static string Normalize(string source)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private void Run()
    {
        while (_position < _source.Length)
        {
            var start = FindTagStart(_position);
            var data = _source[_position..(start < 0 ? _source.Length : start)];
            if (start < 0)
            {
                AddData(data, stripEnd: false);
                _position = _source.Length;
                break;
            }

            var kind = _source[start + 1];
            var stripBefore = start + 2 < _source.Length && _source[start + 2] == '-';
            AddData(data, stripBefore);
            _position = start + 2 + (start + 2 < _source.Length && _source[start + 2] is '-' or '+' ? 1 : 0);
            switch (kind)
            {
                case '#':
                    SkipComment();
                    break;
                case '{':
                    _tokens.Add(new Token(TokenKind.VariableBegin, "{{", null, _line));
                    TokenizeTag("}}", TokenKind.VariableEnd);
                    break;
                default:
                    if (!TryRaw())
                    {
                        _tokens.Add(new Token(TokenKind.BlockBegin, "{%", null, _line));
                        TokenizeTag("%}", TokenKind.BlockEnd);
                    }

                    break;
            }
        }

        _tokens.Add(new Token(TokenKind.End, "", null, _line));
    }

    private int FindTagStart(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    private void AddData(string data, bool stripEnd)
    {
        if (_stripNext)
        {
            data = data.TrimStart(PyStrings.PythonWhitespace);
            _stripNext = false;
        }

        if (stripEnd)
        {
            data = data.TrimEnd(PyStrings.PythonWhitespace);
        }

        if (data.Length > 0)
        {
            _tokens.Add(new Token(TokenKind.Data, data, null, _line));
        }

        _line += Lines(data);
    }

    private static int Lines(string text) => text.AsSpan().Count('\n');

    private void SkipComment()
    {
        var end = _source.IndexOf("#}", _position, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new JinjaSyntaxException("Missing end of comment tag", _line);
        }

        _line += Lines(_source[_position..end]);
        _stripNext = end > _position && _source[end - 1] == '-';
        _position = end + 2;
    }

    /// <summary>Handles <c>{% raw %}…{% endraw %}</c>: everything between is text.</summary>
    private bool TryRaw()
    {
        var i = SkipSpaces(_position);
        if (!At(i, "raw"))
        {
            return false;
        }

        var afterName = SkipSpaces(i + 3);
        var stripInside = At(afterName, "-%}");
        if (!stripInside && !At(afterName, "%}") && !At(afterName, "+%}"))
        {
            return false;
        }

        var contentStart = afterName + (stripInside || At(afterName, "+%}") ? 3 : 2);
        for (var search = contentStart; ; search++)
        {
            var begin = _source.IndexOf("{%", search, StringComparison.Ordinal);
            if (begin < 0)
            {
                throw new JinjaSyntaxException("Missing end of raw directive", _line);
            }

            var j = begin + 2;
            var stripContentEnd = j < _source.Length && _source[j] == '-';
            j = SkipSpaces(j + (j < _source.Length && _source[j] is '-' or '+' ? 1 : 0));
            if (!At(j, "endraw"))
            {
                search = begin;
                continue;
            }

            j = SkipSpaces(j + 6);
            var stripAfter = At(j, "-%}");
            if (!stripAfter && !At(j, "%}"))
            {
                throw new JinjaSyntaxException("Missing end of raw directive", _line);
            }

            var content = _source[contentStart..begin];
            if (stripInside)
            {
                content = content.TrimStart(PyStrings.PythonWhitespace);
            }

            if (stripContentEnd)
            {
                content = content.TrimEnd(PyStrings.PythonWhitespace);
            }

            if (content.Length > 0)
            {
                _tokens.Add(new Token(TokenKind.Data, content, null, _line));
            }

            _line += Lines(_source[_position..(j + 2 + (stripAfter ? 1 : 0))]);
            _position = j + (stripAfter ? 3 : 2);
            _stripNext = stripAfter;
            return true;
        }
    }

    private int SkipSpaces(int i)
    {
        while (i < _source.Length && char.IsWhiteSpace(_source[i]))
        {
            i++;
        }

        return i;
    }

    private bool At(int i, string text) => string.CompareOrdinal(_source, i, text, 0, text.Length) == 0;

    private void TokenizeTag(string end, TokenKind endKind)
    {
        var depth = 0;
        while (true)
        {
            while (_position < _source.Length && char.IsWhiteSpace(_source[_position]))
            {
                _line += _source[_position] == '\n' ? 1 : 0;
                _position++;
            }

            if (_position >= _source.Length)
            {
                throw new JinjaSyntaxException($"unexpected end of template, expected '{end}'", _line);
            }

            if (depth == 0 && (At(_position, end) || ((At(_position, "-") || At(_position, "+")) && At(_position + 1, end))))
            {
                _stripNext = _source[_position] == '-';
                _position += _source[_position] == end[0] ? end.Length : end.Length + 1;
                _tokens.Add(new Token(endKind, end, null, _line));
                return;
            }

            var c = _source[_position];
            if (char.IsAsciiDigit(c))
            {
                ReadNumber();
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = _position;
                while (_position < _source.Length && (char.IsLetterOrDigit(_source[_position]) || _source[_position] == '_'))
                {
                    _position++;
                }

                _tokens.Add(new Token(TokenKind.Name, _source[start.._position], null, _line));
            }
            else if (c is '\'' or '"')
            {
                ReadString(c);
            }
            else
            {
                var op = Operators.FirstOrDefault(o => At(_position, o))
                    ?? throw new JinjaSyntaxException($"unexpected char '{c}' at {_position}", _line);
                depth += op is "(" or "[" or "{" ? 1 : op is ")" or "]" or "}" ? -1 : 0;
                if (depth < 0)
                {
                    throw new JinjaSyntaxException($"unexpected '{op}'", _line);
                }

                _position += op.Length;
                _tokens.Add(new Token(TokenKind.Operator, op, null, _line));
            }
        }
    }

    private void ReadNumber()
    {
        var start = _position;
        if (_source[_position] == '0' && _position + 1 < _source.Length && char.ToLowerInvariant(_source[_position + 1]) is 'x' or 'o' or 'b')
        {
            var radix = char.ToLowerInvariant(_source[_position + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            _position += 2;
            while (_position < _source.Length && (char.IsAsciiHexDigit(_source[_position]) || _source[_position] == '_'))
            {
                _position++;
            }

            var text = _source[start.._position];
            object prefixed;
            try
            {
                if (!PyStrings.TryParseInt(text, radix, out prefixed))
                {
                    throw new JinjaSyntaxException($"invalid number '{text}'", _line);
                }
            }
            catch (TemplateLimitException ex)
            {
                throw new JinjaSyntaxException(ex.Message, _line);
            }

            _tokens.Add(new Token(TokenKind.Integer, text, prefixed, _line));
            return;
        }

        SkipDigits();
        var isFloat = false;
        // A fraction needs digits after the point ("1." is 1 then "."); "x.0.1" stays an attribute path.
        var previousIsDot = start > 0 && _source[start - 1] == '.';
        if (!previousIsDot && _position + 1 < _source.Length && _source[_position] == '.' && char.IsAsciiDigit(_source[_position + 1]))
        {
            _position++;
            SkipDigits();
            isFloat = true;
        }

        if (!previousIsDot && _position < _source.Length && char.ToLowerInvariant(_source[_position]) == 'e')
        {
            var e = _position + 1;
            if (e < _source.Length && _source[e] is '+' or '-')
            {
                e++;
            }

            if (e < _source.Length && char.IsAsciiDigit(_source[e]))
            {
                _position = e;
                SkipDigits();
                isFloat = true;
            }
        }

        if (!isFloat && _source[start] == '0')
        {
            // As in Jinja2 (and Python), "007" is not an integer: the zeros are one token and the 7 the next.
            _position = start + 1;
            while (_position < _source.Length && (_source[_position] == '0' || (_source[_position] == '_' && _position + 1 < _source.Length && _source[_position + 1] == '0')))
            {
                _position++;
            }
        }

        var number = _source[start.._position].Replace("_", "", StringComparison.Ordinal);
        if (number.Length > PyNumber.MaxIntDigits)
        {
            throw new JinjaSyntaxException($"a number literal longer than {PyNumber.MaxIntDigits} digits", _line);
        }

        if (isFloat)
        {
            _tokens.Add(new Token(TokenKind.Float, number, double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture), _line));
        }
        else
        {
            _tokens.Add(new Token(TokenKind.Integer, number, PyNumber.Int(BigInteger.Parse(number, CultureInfo.InvariantCulture)), _line));
        }
    }

    private void SkipDigits()
    {
        while (_position < _source.Length && (char.IsAsciiDigit(_source[_position]) || (_source[_position] == '_' && _position + 1 < _source.Length && char.IsAsciiDigit(_source[_position + 1]))))
        {
            _position++;
        }
    }

    /// <summary>A string literal, its escapes read as Python's <c>unicode_escape</c> reads them.</summary>
    private void ReadString(char quote)
    {
        var line = _line;
        var builder = new StringBuilder();
        var i = _position + 1;
        for (; i < _source.Length && _source[i] != quote; i++)
        {
            var c = _source[i];
            if (c != '\\' || i + 1 >= _source.Length)
            {
                _line += c == '\n' ? 1 : 0;
                builder.Append(c);
                continue;
            }

            var next = _source[++i];
            switch (next)
            {
                case '\n': break;
                case '\\': builder.Append('\\'); break;
                case '\'': builder.Append('\''); break;
                case '"': builder.Append('"'); break;
                case 'a': builder.Append('\a'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'v': builder.Append('\v'); break;
                case 'x': i = AppendHex(builder, i, 2); break;
                case 'u': i = AppendHex(builder, i, 4); break;
                case 'U': i = AppendHex(builder, i, 8); break;
                case >= '0' and <= '7':
                    var octal = next - '0';
                    for (var k = 0; k < 2 && i + 1 < _source.Length && _source[i + 1] is >= '0' and <= '7'; k++)
                    {
                        octal = (octal * 8) + (_source[++i] - '0');
                    }

                    builder.Append((char)octal);
                    break;
                default:
                    builder.Append('\\').Append(next);
                    break;
            }
        }

        if (i >= _source.Length)
        {
            throw new JinjaSyntaxException("unexpected end of string", line);
        }

        _tokens.Add(new Token(TokenKind.String, _source[_position..(i + 1)], builder.ToString(), line));
        _position = i + 1;
    }

    private int AppendHex(StringBuilder builder, int i, int digits)
    {
        if (i + digits >= _source.Length || !int.TryParse(_source.AsSpan(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            || code < 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF && digits == 8))
        {
            throw new JinjaSyntaxException("invalid escape in string literal", _line);
        }

        builder.Append(code <= 0xFFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code));
        return i + digits;
    }
}
