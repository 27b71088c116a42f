using System.Text;
using System.Text.Json;
using V2V.Clearing;
using V2V.Host.Clear;
using V2V.Host.Tests.Configuration;
using V2V.Market.Orders;

namespace V2V.Host.Tests.Clear;

/// <summary>`v2v clear`: certified and uncertified books, --strict, and every bad input as one line with exit 2.</summary>
public sealed class ClearCommandTests
{
    private const string Issue17Book =
        """{"buyers":[{"id":"b","price":0.2435866513848305,"quantity":5.5}],"sellers":[{"id":"s1","price":0.24313161313533788,"quantity":5.499997049570084},{"id":"s2","price":0.24175695687532428,"quantity":5.4999993443489075}]}""";

    private const string SmallBook =
        """{"buyers":[{"id":"b1","price":0.26,"quantity":2},{"id":"b2","price":0.22,"quantity":4}],"sellers":[{"id":"s1","price":0.14,"quantity":2},{"id":"s2","price":0.18,"quantity":4}]}""";

    [Fact]
    public void Clear_Issue17Book_WritesAFiniteCertifiedCertificate()
    {
        using var temp = new TempFolder();
        var input = temp.Write("book.json", Issue17Book);

        var (code, output, error) = V2vCli.Run("clear", "--input", input, "--strict");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        var certificate = JsonDocument.Parse(output).RootElement.GetProperty("certificate");
        Assert.True(certificate.GetProperty("certified").GetBoolean());
        Assert.Equal("interior-point", certificate.GetProperty("method").GetString());
        Assert.InRange(certificate.GetProperty("relativeGap").GetDouble(), 0, 1e-9);
    }

    // Step 84 of the study-grid scan's learning-only-under-nash N = 30 seed 2 run: two sellers offering barely more
    // than the 1e-6 kWh minimum trade, whose continuous optimum splits them below it (relative gap 1.5e-6 there).
    private const string ScanMinimumTradeBook =
        """{"buyers": [{"id": "ev-000336", "price": 0.1309475037455559, "quantity": 0.6392155539492154}, {"id": "ev-000341", "price": 0.27992199540138246, "quantity": 5.454610422253609}, {"id": "ev-000347", "price": 0.12952530443668367, "quantity": 4.039244706347678}, {"id": "ev-000352", "price": 0.27999999314546586, "quantity": 5.499220758676529}, {"id": "ev-000355", "price": 0.27999999314546586, "quantity": 5.496666669845581}, {"id": "ev-000360", "price": 0.09574748992919924, "quantity": 5.49889375269413}, {"id": "ev-000362", "price": 0.18470952406525615, "quantity": 5.2833022326231}, {"id": "ev-000363", "price": 0.14126191370189192, "quantity": 5.4697312116622925}, {"id": "ev-000364", "price": 0.06672963529825211, "quantity": 5.499898865818977}, {"id": "ev-000365", "price": 0.11629819557070734, "quantity": 5.498409882187843}, {"id": "ev-000366", "price": 0.14889742091298105, "quantity": 5.46950189769268}, {"id": "ev-000368", "price": 0.27998356282711034, "quantity": 5.415289223194122}, {"id": "ev-000369", "price": 0.07540123790502548, "quantity": 5.499860838055611}, {"id": "ev-000370", "price": 0.07657099157571794, "quantity": 5.499914929270744}, {"id": "ev-000371", "price": 0.07112126678228378, "quantity": 5.4999808222055435}], "sellers": [{"id": "ev-000354", "price": 0.26324734032154085, "quantity": 1.4488617007354088e-06}, {"id": "ev-000361", "price": 0.2793113592267037, "quantity": 1.8456396815313455e-06}]}""";

    [Fact]
    public void Clear_ScanBookWithSellersAtTheMinimumTrade_CertifiesByBranchingAndPrintsTheMethodPlainly()
    {
        using var temp = new TempFolder();
        var input = temp.Write("book.json", ScanMinimumTradeBook);

        var (code, output, error) = V2vCli.Run("clear", "--input", input, "--strict");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("\"method\": \"interior-point+min-trade-branch\"", output, StringComparison.Ordinal);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.InRange(result.GetProperty("certificate").GetProperty("relativeGap").GetDouble(), 0, 1e-9);
        foreach (var trade in result.GetProperty("trades").EnumerateArray())
        {
            Assert.True(trade.GetProperty("quantity").GetDouble() >= 1e-6);
        }
    }

    [Fact]
    public void Clear_OneIterationBudget_MarksTheBookUncertifiedWarnsOnceAndFailsOnlyWithStrict()
    {
        using var temp = new TempFolder();
        // 15 x 15 pairs, more than the log-barrier fallback takes on (200), so one interior point iteration is all.
        var large = LargeBook(15);
        var input = temp.Write("book.json", $"[{large},{large}]");
        string[] args = ["clear", "--input", input, "--set", "v2v.clearing.solver-max-iterations=1"];

        var (code, output, error) = V2vCli.Run(args);
        var strict = V2vCli.Run([.. args, "--strict"]);

        Assert.Equal(0, code);
        Assert.Equal(1, strict.Code);
        foreach (var book in JsonDocument.Parse(output).RootElement.EnumerateArray())
        {
            var certificate = book.GetProperty("certificate");
            Assert.False(certificate.GetProperty("certified").GetBoolean());
            Assert.Equal(1, certificate.GetProperty("iterations").GetInt32());
            Assert.True(double.IsFinite(certificate.GetProperty("dualityGap").GetDouble()));
        }

        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("v2v clear: warning: book 0: not certified: relative gap", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("v2v clear: warning: book 1: not certified", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"epsilon":1e308,"buyers":[],"sellers":[]}""", "book 0: epsilon: must be within 1E-09..1 AUD, got 1E+308")]
    [InlineData("""{"buyers":[{"id":"b","price":0.3,"quantity":1e300}],"sellers":[{"id":"s","price":0.1,"quantity":1e-300}]}""", "book 0: buyers[0].quantity: must be 0 or within 1E-09..1000000 kWh, got 1E+300")]
    [InlineData("""{"buyers":[{"id":"b","price":0.3,"quantity":1}],"sellers":[{"id":"s","price":1e-300,"quantity":1}]}""", "book 0: sellers[0].price: must be 0 or within 1E-06..1000 AUD/kWh, got 1E-300")]
    [InlineData("""{"buyers":[{"id":"b","price":1e300,"quantity":1}],"sellers":[]}""", "book 0: buyers[0].price: must be 0 or within 1E-06..1000 AUD/kWh, got 1E+300")]
    public void Clear_ValueOutOfRange_OneLineNamingTheFieldExitTwo(string book, string expected)
    {
        using var temp = new TempFolder();
        var input = temp.Write("book.json", book);

        var (code, output, error) = V2vCli.Run("clear", "--input", input);

        AssertBadInput(code, output, error, expected);
    }

    [Fact]
    public void Clear_FiftyMegabyteBook_RefusedBeforeSolvingWithTheMemoryItNeeds()
    {
        using var temp = new TempFolder();
        var json = new StringBuilder(60_000_000);
        json.Append("{\"buyers\":[");
        const int PerSide = 600_000;
        for (var i = 0; i < PerSide; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("{\"id\":\"b").Append(i).Append("\",\"price\":0.25,\"quantity\":5.5}");
        }

        json.Append("],\"sellers\":[");
        for (var i = 0; i < PerSide; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("{\"id\":\"s").Append(i).Append("\",\"price\":0.15,\"quantity\":5.5}");
        }

        json.Append("]}");
        var input = temp.Write("big.json", json.ToString());
        Assert.True(new FileInfo(input).Length > 50_000_000);

        var (code, output, error) = V2vCli.Run("clear", "--input", input);

        AssertBadInput(code, output, error, $"book 0: {PerSide} buyers x {PerSide} sellers need about");
        Assert.Contains("GB is available", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_InputIsADirectory_SaysSo()
    {
        using var temp = new TempFolder();

        var (code, output, error) = V2vCli.Run("clear", "--input", temp.Path);

        AssertBadInput(code, output, error, $"--input: '{temp.Path}' is a directory");
    }

    [Fact]
    public void Clear_OutputIsADirectory_SaysSoAndLeavesItAlone()
    {
        using var temp = new TempFolder();
        var input = temp.Write("book.json", SmallBook);
        var folder = Path.Combine(temp.Path, "out");
        Directory.CreateDirectory(folder);

        var (code, output, error) = V2vCli.Run("clear", "--input", input, "--output", folder);

        AssertBadInput(code, output, error, $"--output: '{folder}' is a directory");
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void Clear_OutputEmpty_SaysSo()
    {
        using var temp = new TempFolder();
        var input = temp.Write("book.json", SmallBook);

        var (code, output, error) = V2vCli.Run("clear", "--input", input, "--output", "");

        AssertBadInput(code, output, error, "--output: empty path");
    }

    [Fact]
    public void Clear_OutputInAFolderNobodyCanWrite_SaysSoAndWritesNothing()
    {
        // /proc refuses new entries even to root, unlike a chmod'ed folder.
        using var temp = new TempFolder();
        var input = temp.Write("book.json", SmallBook);

        var (code, output, error) = V2vCli.Run("clear", "--input", input, "--output", "/proc/v2v-clear-test/out.json");

        AssertBadInput(code, output, error, "--output: cannot write to '/proc/v2v-clear-test'");
        Assert.False(Directory.Exists("/proc/v2v-clear-test"));
    }

    [Fact]
    public void Clear_OutputDevNull_WritesThroughTheDeviceWithoutReplacingIt()
    {
        using var temp = new TempFolder();
        var input = temp.Write("book.json", SmallBook);

        var (code, _, error) = V2vCli.Run("clear", "--input", input, "--output", "/dev/null");

        Assert.Equal(0, code);
        Assert.Contains("written to /dev/null", error, StringComparison.Ordinal);
        Assert.Equal("", File.ReadAllText("/dev/null"));
    }

    [Fact]
    public void Clear_BadInputWithAnExistingOutput_LeavesTheOutputAsItWas()
    {
        using var temp = new TempFolder();
        var input = temp.Write("book.json", """{"epsilon":1e308,"buyers":[],"sellers":[]}""");
        var previous = temp.Write("out.json", "previous");

        var (code, _, _) = V2vCli.Run("clear", "--input", input, "--output", previous);

        Assert.Equal(2, code);
        Assert.Equal("previous", File.ReadAllText(previous));
    }

    [Fact]
    public void Render_TwoBooks_ClearsEachExactlyOnce()
    {
        var counting = new CountingMechanism();
        OrderBook first = new([new Order("b", 0.3, 1)], [new Order("s", 0.1, 1)], 1e-3);
        OrderBook second = new([new Order("b", 0.3, 2)], [new Order("s", 0.1, 2)], 1e-3);

        ClearCommand.Render([first, second], isArray: true, counting, 1e-9, TextWriter.Null);

        Assert.Equal(1, counting.Count(first));
        Assert.Equal(1, counting.Count(second));
    }

    // Every bid above every ask, prices and quantities all distinct.
    private static string LargeBook(int perSide)
    {
        var bids = Enumerable.Range(0, perSide).Select(i => FormattableString.Invariant($"{{\"id\":\"b{i}\",\"price\":{0.25 + (0.001 * i)},\"quantity\":{1 + (0.1 * i)}}}"));
        var asks = Enumerable.Range(0, perSide).Select(i => FormattableString.Invariant($"{{\"id\":\"s{i}\",\"price\":{0.15 + (0.001 * i)},\"quantity\":{1.05 + (0.1 * i)}}}"));
        return $"{{\"buyers\":[{string.Join(",", bids)}],\"sellers\":[{string.Join(",", asks)}]}}";
    }

    private static void AssertBadInput(int code, string output, string error, string expected)
    {
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    private sealed class CountingMechanism : IClearingMechanism
    {
        private readonly List<OrderBook> seen = [];

        public string Name => "counting";

        public ClearingResult Clear(OrderBook book)
        {
            seen.Add(book);
            return new ClearingResult([], null);
        }

        public int Count(OrderBook book) => seen.Count(b => ReferenceEquals(b, book));
    }
}
