using System.Text;

namespace V2V.Host.Configuration.Hocon;

/// <summary>Returns the top-level object of the file named by an <c>include</c> statement.</summary>
internal delegate HoconObject IncludeHandler(string name, SourcePosition at, IReadOnlyList<string> keyPath);

/// <summary>
/// Recursive-descent reader for our HOCON subset (docs/configuration.md): objects, arrays, dotted keys,
/// `=`/`:`/no separator before `{`, # and // comments, quoted/unquoted/triple-quoted strings, numbers,
/// booleans, null, trailing commas, include "file", ${path}/${?path} and same-line value concatenation.
/// Every error names the source, line, column and the key being parsed.
/// </summary>
internal sealed class HoconParser
{
    private const string Forbidden = "$\"{}[]:=,+#`^?!@*&\\";

    private readonly string _text;
    private readonly string _source;
    private readonly IncludeHandler? _include;
    private readonly List<string> _path;
    private int _pos;
    private int _line = 1;
    private int _column = 1;

    private HoconParser(string text, string source, IncludeHandler? include, IReadOnlyList<string> keyPrefix)
    {
        _text = text;
        _source = source;
        _include = include;
        _path = [.. keyPrefix];
    }

    public static bool IsForbidden(char c) => Forbidden.Contains(c, StringComparison.Ordinal);

    /// <param name="keyPrefix">Where the document sits (non-empty for an include inside an object); for errors only.</param>
    public static HoconObject ParseDocument(string text, string source, IncludeHandler? include, IReadOnlyList<string>? keyPrefix = null) =>
        new HoconParser(text, source, include, keyPrefix ?? []).Document();

    private bool AtEnd => _pos >= _text.Length;

    private char Peek => _pos < _text.Length ? _text[_pos] : '\0';

    private SourcePosition Here => new(_source, _line, _column);

    private char PeekAt(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    private HoconObject Document()
    {
        SkipSpace(newlines: true);
        if (Peek == '[')
        {
            throw Fail("the root of a config must be an object, not a list");
        }

        HoconObject root;
        if (Peek == '{')
        {
            root = Object();
            SkipSpace(newlines: true);
            if (!AtEnd)
            {
                throw Fail($"expected end of input after the root object, got {Describe()}");
            }
        }
        else
        {
            root = new HoconObject(Here);
            Fields(root, braced: false);
        }

        return root;
    }

    private HoconObject Object()
    {
        var obj = new HoconObject(Here);
        Advance();
        Fields(obj, braced: true);
        return obj;
    }

    private void Fields(HoconObject obj, bool braced)
    {
        while (true)
        {
            SkipSpace(newlines: true);
            if (AtEnd)
            {
                if (braced)
                {
                    throw Fail("expected '}' before end of input");
                }

                return;
            }

            if (braced && Peek == '}')
            {
                Advance();
                return;
            }

            string key = TryInclude(obj) ? HoconPath.Format(_path) : Field(obj);
            SkipSpace(newlines: false);
            if (Peek == ',')
            {
                Advance();
            }
            else if (!AtEnd && Peek != '\n' && !(braced && Peek == '}'))
            {
                throw new ConfigException(Here, key, $"expected ',' or a new line after the value, got {Describe()}");
            }
        }
    }

    /// <returns>The full key path of the field, for errors about what follows it.</returns>
    private string Field(HoconObject obj)
    {
        var at = Here;
        var key = Key();
        int depth = _path.Count;
        _path.AddRange(key);
        try
        {
            SkipSpace(newlines: false);
            HoconNode value;
            if (Peek == '{')
            {
                value = Object();
            }
            else if (Peek is '=' or ':')
            {
                Advance();
                SkipSpace(newlines: true);
                value = Value();
            }
            else if (Peek == '+' && PeekAt(1) == '=')
            {
                throw Fail("'+=' is not supported; write the whole list");
            }
            else
            {
                throw Fail($"expected '=', ':' or '{{' after the key, got {Describe()}");
            }

            // a.b.c = v is a = { b = { c = v } }, merged like any other object.
            for (int i = key.Count - 1; i >= 1; i--)
            {
                var wrapper = new HoconObject(at);
                wrapper.Merge(key[i], value);
                value = wrapper;
            }

            obj.Merge(key[0], value);
            return HoconPath.Format(_path);
        }
        finally
        {
            _path.RemoveRange(depth, _path.Count - depth);
        }
    }

    private List<string> Key()
    {
        var segments = new List<string>();
        while (true)
        {
            string segment;
            if (Peek == '"')
            {
                segment = Quoted();
            }
            else
            {
                int start = _pos;
                while (!AtEnd && IsTokenChar(Peek) && Peek != '.' && !StartsComment())
                {
                    Advance();
                }

                segment = _text[start.._pos];
                if (segment.Length == 0)
                {
                    throw Fail($"expected a key, got {Describe()}");
                }
            }

            segments.Add(segment);
            if (Peek != '.')
            {
                return segments;
            }

            Advance();
        }
    }

    private HoconNode Value()
    {
        var at = Here;
        if (Peek == '{')
        {
            return Object();
        }

        if (Peek == '[')
        {
            return Array();
        }

        var pieces = new List<HoconNode> { Piece() };
        while (true)
        {
            int spaceStart = _pos;
            SkipInlineSpace();
            string space = _text[spaceStart.._pos];
            if (Peek is '{' or '[')
            {
                throw Fail("an object or list cannot be joined to a value on the same line");
            }

            if (AtEnd || !StartsPiece())
            {
                break;
            }

            if (space.Length > 0)
            {
                pieces.Add(new HoconScalar(at, ScalarKind.String, space, quoted: true));
            }

            pieces.Add(Piece());
        }

        if (pieces.Count == 1)
        {
            return pieces[0];
        }

        var text = new StringBuilder();
        foreach (var piece in pieces)
        {
            if (piece is not HoconScalar scalar)
            {
                return new HoconConcatenation(at, pieces, HoconPath.Format(_path));
            }

            text.Append(scalar.Text);
        }

        return new HoconScalar(at, ScalarKind.String, text.ToString(), quoted: true);
    }

    private bool StartsPiece() =>
        Peek == '"' || (Peek == '$' && PeekAt(1) == '{') || (IsTokenChar(Peek) && !StartsComment());

    private HoconNode Piece()
    {
        var at = Here;
        if (Peek == '"')
        {
            return new HoconScalar(at, ScalarKind.String, Quoted(), quoted: true);
        }

        if (Peek == '$' && PeekAt(1) == '{')
        {
            return Substitution();
        }

        if (Peek == '-' || char.IsAsciiDigit(Peek))
        {
            var mark = (_pos, _line, _column);
            if (ScanNumber() && (AtEnd || !IsTokenChar(Peek) || StartsComment()))
            {
                return new HoconScalar(at, ScalarKind.Number, _text[mark._pos.._pos], quoted: false);
            }

            (_pos, _line, _column) = mark;
        }

        int start = _pos;
        while (!AtEnd && IsTokenChar(Peek) && !StartsComment())
        {
            Advance();
        }

        string token = _text[start.._pos];
        return token switch
        {
            "" => throw Fail($"expected a value, got {Describe()}"),
            "true" or "false" => new HoconScalar(at, ScalarKind.Boolean, token, quoted: false),
            "null" => new HoconScalar(at, ScalarKind.Null, token, quoted: false),
            _ => new HoconScalar(at, ScalarKind.String, token, quoted: false),
        };
    }

    // JSON number: -?digits(.digits)?([eE][+-]?digits)?
    private bool ScanNumber()
    {
        if (Peek == '-')
        {
            Advance();
        }

        if (!SkipDigits())
        {
            return false;
        }

        if (Peek == '.' && char.IsAsciiDigit(PeekAt(1)))
        {
            Advance();
            SkipDigits();
        }

        if (Peek is 'e' or 'E')
        {
            int sign = PeekAt(1) is '+' or '-' ? 1 : 0;
            if (char.IsAsciiDigit(PeekAt(1 + sign)))
            {
                for (int i = 0; i <= sign; i++)
                {
                    Advance();
                }

                SkipDigits();
            }
        }

        return true;
    }

    private bool SkipDigits()
    {
        int start = _pos;
        while (char.IsAsciiDigit(Peek))
        {
            Advance();
        }

        return _pos > start;
    }

    private HoconSubstitution Substitution()
    {
        var at = Here;
        Advance();
        Advance();
        bool optional = Peek == '?';
        if (optional)
        {
            Advance();
        }

        var path = Key();
        if (Peek != '}')
        {
            throw Fail($"expected '}}' to close the substitution, got {Describe()}");
        }

        Advance();
        return new HoconSubstitution(at, path, optional, HoconPath.Format(_path));
    }

    private HoconArray Array()
    {
        var array = new HoconArray(Here);
        Advance();
        while (true)
        {
            SkipSpace(newlines: true);
            if (AtEnd)
            {
                throw Fail("expected ']' before end of input");
            }

            if (Peek == ']')
            {
                Advance();
                return array;
            }

            _path.Add($"[{array.Items.Count}]");
            try
            {
                array.Items.Add(Value());
                SkipSpace(newlines: false);
                if (Peek == ',')
                {
                    Advance();
                }
                else if (!AtEnd && Peek != '\n' && Peek != ']')
                {
                    throw Fail($"expected ',' or ']' in the list, got {Describe()}");
                }
            }
            finally
            {
                _path.RemoveAt(_path.Count - 1);
            }
        }
    }

    private string Quoted()
    {
        var start = Here;
        if (PeekAt(1) == '"' && PeekAt(2) == '"')
        {
            return TripleQuoted(start);
        }

        Advance();
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek == '\n')
            {
                throw Fail($"the string opened at {start.Line}:{start.Column} is not closed on its line");
            }

            char c = Peek;
            Advance();
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            char e = Peek;
            Advance();
            switch (e)
            {
                case '"' or '\\' or '/': sb.Append(e); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u' when _pos + 4 <= _text.Length
                    && int.TryParse(_text.AsSpan(_pos, 4), System.Globalization.NumberStyles.HexNumber, null, out int code):
                    sb.Append((char)code);
                    for (int i = 0; i < 4; i++)
                    {
                        Advance();
                    }

                    break;
                default: throw Fail($"unknown escape '\\{e}' in a string");
            }
        }
    }

    private string TripleQuoted(SourcePosition start)
    {
        for (int i = 0; i < 3; i++)
        {
            Advance();
        }

        int begin = _pos;
        int end = _text.IndexOf("\"\"\"", _pos, StringComparison.Ordinal);
        if (end < 0)
        {
            throw Fail($"the \"\"\" string opened at {start.Line}:{start.Column} is never closed");
        }

        while (_pos < end + 3)
        {
            Advance();
        }

        return _text[begin..end];
    }

    private bool TryInclude(HoconObject obj)
    {
        const string Keyword = "include";
        if (!_text.AsSpan(_pos).StartsWith(Keyword, StringComparison.Ordinal) || PeekAt(Keyword.Length) is not (' ' or '\t'))
        {
            return false;
        }

        var mark = (_pos, _line, _column);
        var at = Here;
        for (int i = 0; i < Keyword.Length; i++)
        {
            Advance();
        }

        SkipInlineSpace();
        string? wrapper = null;
        foreach (var candidate in new[] { "required(", "file(" })
        {
            if (_text.AsSpan(_pos).StartsWith(candidate, StringComparison.Ordinal))
            {
                wrapper = candidate;
            }
        }

        if (Peek != '"' && wrapper is null)
        {
            (_pos, _line, _column) = mark; // a key that happens to be called "include"
            return false;
        }

        for (int i = 0; i < (wrapper?.Length ?? 0); i++)
        {
            Advance();
        }

        if (Peek != '"')
        {
            throw Fail($"expected a quoted file name after include, got {Describe()}");
        }

        string name = Quoted();
        if (wrapper is not null)
        {
            if (Peek != ')')
            {
                throw Fail($"expected ')' after the include file name, got {Describe()}");
            }

            Advance();
        }

        if (_include is null)
        {
            throw new ConfigException(at, HoconPath.Format(_path), "include is not allowed here");
        }

        obj.MergeFrom(_include(name, at, _path));
        return true;
    }

    private void SkipSpace(bool newlines)
    {
        while (!AtEnd)
        {
            char c = Peek;
            if (c == '\n' && !newlines)
            {
                return;
            }

            if (c == '#' || StartsComment())
            {
                while (!AtEnd && Peek != '\n')
                {
                    Advance();
                }
            }
            else if (c == '\n' || IsSpace(c))
            {
                Advance();
            }
            else
            {
                return;
            }
        }
    }

    private void SkipInlineSpace()
    {
        while (!AtEnd && IsSpace(Peek))
        {
            Advance();
        }
    }

    private bool StartsComment() => Peek == '/' && PeekAt(1) == '/';

    private static bool IsSpace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private static bool IsTokenChar(char c) => c != '\0' && c != '\n' && !IsSpace(c) && !IsForbidden(c);

    private void Advance()
    {
        if (_text[_pos] == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        _pos++;
    }

    private string Describe() => AtEnd ? "end of input" : Peek switch
    {
        '\n' => "a new line",
        '\r' => "a carriage return",
        char c => $"'{c}'",
    };

    private ConfigException Fail(string detail) => new(Here, HoconPath.Format(_path), detail);
}
