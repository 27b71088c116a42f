using FsCheck;
using FsCheck.Fluent;
using V2V.Host.Configuration;
using Config = V2V.Host.Configuration.Config;

namespace V2V.Host.Tests.Configuration;

public sealed class HoconParserTests
{
    private static Config Parse(string text) => ConfigLoader.Parse(text, "t.conf", _ => null);

    private static ConfigException ParseError(string text) => Assert.Throws<ConfigException>(() => Parse(text));

    [Fact]
    public void Parse_ObjectsArraysAndScalars_ReadsEveryType()
    {
        var c = Parse("""
            a { b = 1.5, s = "x y", u = hello, t = true, f = false, n = null }
            list = [1, 2e3, -0.5]
            names = [nash, "double-auction"]
            """);
        Assert.Equal(1.5, c.GetDouble("a.b"));
        Assert.Equal("x y", c.GetString("a.s"));
        Assert.Equal("hello", c.GetString("a.u"));
        Assert.True(c.GetBool("a.t"));
        Assert.False(c.GetBool("a.f"));
        Assert.False(c.HasPath("a.n"));
        Assert.True(c.HasPath("a.b"));
        Assert.Equal([1.0, 2000.0, -0.5], c.GetDoubleList("list"));
        Assert.Equal(["nash", "double-auction"], c.GetStringList("names"));
    }

    [Fact]
    public void Parse_SeparatorsEqualsColonAndNoneBeforeBrace_AreEquivalent()
    {
        var c = Parse("a = { x = 1 }\nb : { x = 2 }\nc { x = 3 }\nd: 4");
        Assert.Equal(1, c.GetInt("a.x"));
        Assert.Equal(2, c.GetInt("b.x"));
        Assert.Equal(3, c.GetInt("c.x"));
        Assert.Equal(4, c.GetInt("d"));
    }

    [Fact]
    public void Parse_DottedKeys_BuildNestedObjectsAndMergeWithBlocks()
    {
        var c = Parse("v2v.vehicle.battery-kwh = 75\nv2v.vehicle { power-cap-kw = 11 }\n\"a.b\".c = 1");
        Assert.Equal(75, c.GetDouble("v2v.vehicle.battery-kwh"));
        Assert.Equal(11, c.GetDouble("v2v.vehicle.power-cap-kw"));
        Assert.Equal(1, c.GetInt("\"a.b\".c"));
        Assert.Equal(["v2v", "a.b"], c.Keys);
    }

    [Fact]
    public void Parse_RepeatedKey_MergesObjectsAndLaterValuesWin()
    {
        var c = Parse("a { x = 1, y = 2 }\na { y = 3, z = 4 }\nb = 1\nb = 2\nc = { x = 1 }\nc = 5\nd = 5\nd { x = 1 }");
        Assert.Equal(1, c.GetInt("a.x"));
        Assert.Equal(3, c.GetInt("a.y"));
        Assert.Equal(4, c.GetInt("a.z"));
        Assert.Equal(2, c.GetInt("b"));
        Assert.Equal(5, c.GetInt("c"));
        Assert.Equal(1, c.GetInt("d.x"));
    }

    [Fact]
    public void Parse_NullBetweenObjects_StopsTheMerge()
    {
        var c = Parse("a { x = 1 }\na = null\na { y = 2 }");
        Assert.False(c.HasPath("a.x"));
        Assert.Equal(2, c.GetInt("a.y"));
    }

    [Fact]
    public void Parse_CommentsAndTrailingCommas_AreIgnored()
    {
        var c = Parse("""
            # hash comment
            a = 1 // slash comment
            b = [1, 2, 3,]  # trailing comma in a list
            o { x = 1, y = 2, }
            url = "http://x" // a // inside quotes is text
            """);
        Assert.Equal(1, c.GetInt("a"));
        Assert.Equal([1, 2, 3], c.GetIntList("b"));
        Assert.Equal(2, c.GetInt("o.y"));
        Assert.Equal("http://x", c.GetString("url"));
    }

    [Fact]
    public void Parse_BracedRootAndNewlineSeparatedLists_AreAccepted()
    {
        var c = Parse("{\n  a = [\n    1\n    2\n  ]\n}\n");
        Assert.Equal([1, 2], c.GetIntList("a"));
    }

    [Fact]
    public void Parse_QuotedStringEscapesAndTripleQuotes_AreDecoded()
    {
        var c = Parse("a = \"tab\\tq\\\"u\\u0041\"\nb = \"\"\"line1\nline2 \"quoted\" \"\"\"");
        Assert.Equal("tab\tq\"uA", c.GetString("a"));
        Assert.Equal("line1\nline2 \"quoted\" ", c.GetString("b"));
    }

    [Fact]
    public void Parse_UnquotedWordsOnOneLine_ConcatenateWithTheirSpaces()
    {
        var c = Parse("a = hello   big world   \nb = 10 kWh\nc = 30m");
        Assert.Equal("hello   big world", c.GetString("a"));
        Assert.Equal("10 kWh", c.GetString("b"));
        Assert.Equal("30m", c.GetString("c"));
    }

    [Fact]
    public void Parse_NumberSpellings_KeepTheirValues()
    {
        var c = Parse("a = 1e5\nb = 1e-6\nc = -3\nd = 0.001\ne = \"42\"\nf = 1.2.3");
        Assert.Equal(100000, c.GetInt("a"));
        Assert.Equal(1e-6, c.GetDouble("b"));
        Assert.Equal(-3, c.GetInt("c"));
        Assert.Equal(0.001, c.GetDouble("d"));
        Assert.Equal(42, c.GetInt("e")); // a quoted number converts, as HOCON does
        Assert.Equal("1.2.3", c.GetString("f"));
    }

    [Fact]
    public void Parse_KeyCalledInclude_IsAnOrdinaryKey()
    {
        var c = Parse("include = 3\nincluded = 4");
        Assert.Equal(3, c.GetInt("include"));
        Assert.Equal(4, c.GetInt("included"));
    }

    [Theory]
    [InlineData("a = 1\nb = {\n  c = 2\n", 4, 1, "b", "expected '}' before end of input")]
    [InlineData("a {\n  b = 1 2 ]\n}", 2, 11, "a.b", "expected ',' or a new line after the value, got ']'")]
    [InlineData("a {\n  b = \"open\n}", 2, 12, "a.b", "the string opened at 2:7 is not closed on its line")]
    [InlineData("x = 1\ny\n", 2, 2, "y", "expected '=', ':' or '{' after the key, got a new line")]
    [InlineData("list = [1, 2\n", 2, 1, "list", "expected ']' before end of input")]
    [InlineData("a.b = ${c\n", 1, 10, "a.b", "expected '}' to close the substitution, got a new line")]
    [InlineData("a = [1, 2 }", 1, 11, "a[1]", "expected ',' or ']' in the list, got '}'")]
    [InlineData("a = \"bad \\q\"", 1, 12, "a", "unknown escape '\\q' in a string")]
    [InlineData("a += [1]", 1, 3, "a", "'+=' is not supported; write the whole list")]
    [InlineData("a = ,", 1, 5, "a", "expected a value, got ','")]
    public void Parse_SyntaxError_NamesFileLineColumnAndKey(string text, int line, int column, string key, string detail)
    {
        var e = ParseError(text);
        Assert.Equal(new SourcePosition("t.conf", line, column), e.Position);
        Assert.Equal(key, e.KeyPath);
        Assert.Equal(detail, e.Detail);
        Assert.Equal($"t.conf:{line}:{column}: {key}: {detail}", e.Message);
    }

    [Fact]
    public void Parse_RootList_IsRejected()
    {
        var e = ParseError("[1, 2]");
        Assert.Equal("t.conf:1:1: the root of a config must be an object, not a list", e.Message);
    }

    [Fact]
    public void Getters_WrongType_NameKeyAndValuePosition()
    {
        var c = Parse("v2v {\n  vehicle {\n    battery-kwh = big\n    flag = maybe\n    n = 1.5\n  }\n}");
        var e = Assert.Throws<ConfigException>(() => c.GetDouble("v2v.vehicle.battery-kwh"));
        Assert.Equal("t.conf:3:19: v2v.vehicle.battery-kwh: expected a number, got big", e.Message);
        e = Assert.Throws<ConfigException>(() => c.GetBool("v2v.vehicle.flag"));
        Assert.Equal(new SourcePosition("t.conf", 4, 12), e.Position);
        e = Assert.Throws<ConfigException>(() => c.GetConfig("v2v.vehicle").GetInt("n"));
        Assert.Equal("t.conf:5:9: v2v.vehicle.n: expected a whole number, got 1.5", e.Message);
    }

    [Fact]
    public void Getters_MissingKey_PointAtTheNearestParent()
    {
        var c = Parse("a {\n  b { x = 1 }\n}");
        var e = Assert.Throws<ConfigException>(() => c.GetConfig("a").GetDouble("b.y"));
        Assert.Equal("t.conf:2:5: a.b.y: is missing (no value at this key)", e.Message);
    }

    [Fact]
    public void Getters_BadListItem_NameTheItem()
    {
        var c = Parse("a = [1,\n  x]");
        var e = Assert.Throws<ConfigException>(() => c.GetDoubleList("a"));
        Assert.Equal("t.conf:2:3: a[1]: expected a number, got x", e.Message);
    }

    [Fact]
    public void Parse_ArbitraryIntegersAndWords_RoundTrip()
    {
        Prop.ForAll<int, NonEmptyString>((n, word) =>
        {
            string text = new string(word.Get.Where(char.IsAsciiLetter).ToArray());
            if (text.Length == 0 || text is "true" or "false" or "null" or "include" or "yes" or "no" or "on" or "off")
            {
                return true;
            }

            var c = Parse($"k.n = {n}\nk.w = {text}\nk.q = \"{text}\"");
            return c.GetInt("k.n") == n && c.GetString("k.w") == text && c.GetString("k.q") == text;
        }).QuickCheckThrowOnFailure();
    }
}
