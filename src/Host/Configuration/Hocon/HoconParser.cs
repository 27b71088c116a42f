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

    private readonly string text;
    private readonly string source;
    private readonly IncludeHandler? include;
    private readonly List<string> path;
    private int pos;
    private int line = 1;
    private int column = 1;

    private HoconParser(string text, string source, IncludeHandler? include, IReadOnlyList<string> keyPrefix)
    {
        this.text = text;
        this.source = source;
        this.include = include;
        this.path = [.. keyPrefix];
    }

    public static bool IsForbidden(char c) => Forbidden.Contains(c, StringComparison.Ordinal);

    /// <param name="keyPrefix">Where the document sits (non-empty for an include inside an object); for errors only.</param>
    public static HoconObject ParseDocument(string text, string source, IncludeHandler? include, IReadOnlyList<string>? keyPrefix = null) =>
        new HoconParser(text, source, include, keyPrefix ?? []).Document();

    private bool AtEnd => this.pos >= this.text.Length;

    private char Peek => this.pos < this.text.Length ? this.text[this.pos] : '\0';

    private SourcePosition Here => new(this.source, this.line, this.column);

    private char PeekAt(int offset) => this.pos + offset < this.text.Length ? this.text[this.pos + offset] : '\0';

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

            string key = TryInclude(obj) ? HoconPath.Format(this.path) : Field(obj);
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
        int depth = this.path.Count;
        this.path.AddRange(key);
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
            return HoconPath.Format(this.path);
        }
        finally
        {
            this.path.RemoveRange(depth, this.path.Count - depth);
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
                int start = this.pos;
                while (!AtEnd && IsTokenChar(Peek) && Peek != '.' && !StartsComment())
                {
                    Advance();
                }

                segment = this.text[start..this.pos];
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
            int spaceStart = this.pos;
            SkipInlineSpace();
            string space = this.text[spaceStart..this.pos];
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
                return new HoconConcatenation(at, pieces, HoconPath.Format(this.path));
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
            var mark = (this.pos, this.line, this.column);
            if (ScanNumber() && (AtEnd || !IsTokenChar(Peek) || StartsComment()))
            {
                return new HoconScalar(at, ScalarKind.Number, this.text[mark.pos..this.pos], quoted: false);
            }

            (this.pos, this.line, this.column) = mark;
        }

        int start = this.pos;
        while (!AtEnd && IsTokenChar(Peek) && !StartsComment())
        {
            Advance();
        }

        string token = this.text[start..this.pos];
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
        int start = this.pos;
        while (char.IsAsciiDigit(Peek))
        {
            Advance();
        }

        return this.pos > start;
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
        return new HoconSubstitution(at, path, optional, HoconPath.Format(this.path));
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

            this.path.Add($"[{array.Items.Count}]");
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
                this.path.RemoveAt(this.path.Count - 1);
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
                case 'u' when this.pos + 4 <= this.text.Length
                    && int.TryParse(this.text.AsSpan(this.pos, 4), System.Globalization.NumberStyles.HexNumber, null, out int code):
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

        int begin = this.pos;
        int end = this.text.IndexOf("\"\"\"", this.pos, StringComparison.Ordinal);
        if (end < 0)
        {
            throw Fail($"the \"\"\" string opened at {start.Line}:{start.Column} is never closed");
        }

        while (this.pos < end + 3)
        {
            Advance();
        }

        return this.text[begin..end];
    }

    private bool TryInclude(HoconObject obj)
    {
        const string Keyword = "include";
        if (!this.text.AsSpan(this.pos).StartsWith(Keyword, StringComparison.Ordinal) || PeekAt(Keyword.Length) is not (' ' or '\t'))
        {
            return false;
        }

        var mark = (this.pos, this.line, this.column);
        var at = Here;
        for (int i = 0; i < Keyword.Length; i++)
        {
            Advance();
        }

        SkipInlineSpace();
        string? wrapper = null;
        foreach (var candidate in new[] { "required(", "file(" })
        {
            if (this.text.AsSpan(this.pos).StartsWith(candidate, StringComparison.Ordinal))
            {
                wrapper = candidate;
            }
        }

        if (Peek != '"' && wrapper is null)
        {
            (this.pos, this.line, this.column) = mark; // a key that happens to be called "include"
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

        if (this.include is null)
        {
            throw new ConfigException(at, HoconPath.Format(this.path), "include is not allowed here");
        }

        obj.MergeFrom(this.include(name, at, this.path));
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
        if (this.text[this.pos] == '\n')
        {
            this.line++;
            this.column = 1;
        }
        else
        {
            this.column++;
        }

        this.pos++;
    }

    private string Describe() => AtEnd ? "end of input" : Peek switch
    {
        '\n' => "a new line",
        '\r' => "a carriage return",
        char c => $"'{c}'",
    };

    private ConfigException Fail(string detail) => new(Here, HoconPath.Format(this.path), detail);
}
