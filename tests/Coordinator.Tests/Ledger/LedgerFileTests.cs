using System.Text.Json;
using V2V.Coordinator.Ledger;

namespace V2V.Coordinator.Tests.Ledger;

public sealed class LedgerFileTests
{
    private static readonly string[] Good =
    [
        LedgerJson.Serialize(new RunStarted(0, 1, "nash", "truthful", 2, 16, 75, 1)),
        LedgerJson.Serialize(new AgentArrived(0, "ev-000000", 0.4, 0.6, 8)),
        LedgerJson.Serialize(new StepClosed(0, 1, 0, 0, 0, null)),
    ];

    [Fact]
    public void Parse_LastLineWithoutItsNewline_TornNotCorrupt()
    {
        var file = LedgerFile.Parse([.. Good, "{\"kind\":\"arrival\",\"agent\":\"ev-0"], lastLineComplete: false, bytes: 300);

        Assert.Equal(4, file.TornLine);
        Assert.Empty(file.Corrupt);
        Assert.Equal([1, 2, 3], file.Entries.Select(e => e.Line));
        Assert.Equal(4, file.Lines);
    }

    [Fact]
    public void Parse_WholeLastLineWithoutItsNewline_StillTorn()
    {
        // Its text parses, but the writer never finished the line: the step it belongs to is open.
        var file = LedgerFile.Parse(Good, lastLineComplete: false, bytes: 200);

        Assert.Equal(3, file.TornLine);
        Assert.Equal(2, file.Entries.Count);
    }

    [Fact]
    public void Parse_BrokenLineInTheMiddle_CorruptAtItsLineAndTheRestRead()
    {
        var file = LedgerFile.Parse([Good[0], "{\"kind\":\"arrival\",\"agent\":\"ev-0", Good[1], Good[2]], lastLineComplete: true, bytes: 300);

        Assert.Null(file.TornLine);
        Assert.Equal(["line 2: not valid JSON (the line ends early)"], file.Corrupt);
        Assert.Equal([1, 3, 4], file.Entries.Select(e => e.Line));
    }

    [Fact]
    public void TryParse_UnknownExtraField_Accepted()
    {
        Assert.True(LedgerFile.TryParse(Good[2].Replace("\"late\"", "\"certified\":false,\"late\"", StringComparison.Ordinal), out var entry, out _));
        Assert.Equal(new StepClosed(0, 1, 0, 0, 0, null), entry);
    }

    [Theory]
    [InlineData("{\"kind\":\"departure\",\"agent\":\"a\",\"reason\":\"x\",\"reported\":\"yes\",\"soc\":null,\"cashAud\":null,\"step\":1}", "departure entry: \"reported\" is a string \"yes\", expected true or false")]
    [InlineData("{\"kind\":\"departure\",\"agent\":null,\"reason\":\"x\",\"reported\":false,\"soc\":null,\"cashAud\":null,\"step\":1}", "departure entry: \"agent\" is null null, expected a string")]
    [InlineData("{\"kind\":\"trade\",\"trade\":1.5,\"buyer\":\"b\",\"seller\":\"s\",\"price\":0.2,\"quantity\":1,\"step\":0}", "trade entry: \"trade\" is a number 1.5, expected a whole number")]
    [InlineData("{\"kind\":\"step\",\"parked\":1,\"active\":0,\"matched\":0,\"late\":0,\"step\":0}", "step entry without \"relativeGap\"")]
    [InlineData("\"run\"", "a string, not an entry object")]
    [InlineData("{\"kind\":3}", "no \"kind\" field")]
    public void TryParse_WrongField_NamesItInPlainWords(string line, string expected)
    {
        Assert.False(LedgerFile.TryParse(line, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Theory]
    [InlineData("{\n  \"a\": 1,\n", true, "not valid JSON at line 3 (the file ends early)")]
    [InlineData("{\n  \"a\": 1,\n  \"b\": }", true, "not valid JSON at line 3, column 8")]
    [InlineData("{\"a\": tru", false, "not valid JSON (the line ends early)")]
    [InlineData("{\"a\" 1}", false, "not valid JSON at column 6")]
    [InlineData("  \n", true, "empty")]
    public void JsonProblem_Describe_SaysWhereOrThatItEndsEarly(string text, bool multiline, string expected)
    {
        var e = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
        Assert.Equal(expected, JsonProblem.Describe(e, text, multiline));
    }
}
