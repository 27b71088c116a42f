using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using V2V.Clearing;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Host.Output;
using V2V.Market.Orders;

namespace V2V.Host.Clear;

/// <summary>`v2v clear`: clears order books from a JSON file so anyone can check our clearing against theirs.</summary>
public sealed class ClearCommand : ICommand
{
    public string Name => "clear";

    public string Summary => "clear order books from a JSON file with nash, double-auction or greedy-average";

    public string Help => """
        usage: v2v clear --input FILE [--mechanism nash|double-auction|greedy-average] [--output FILE] [--strict]

        Reads one order book, or a JSON array of them:
          {"epsilon": 0.001, "buyers": [{"id": "b1", "price": 0.25, "quantity": 3.0}], "sellers": [...]}
        (epsilon optional, default v2v.clearing.epsilon; prices AUD/kWh, quantities kWh) and writes, per book:
        mechanism, trades (buyer, seller, price, quantity), utilities (id -> AUD on the bids), volume,
        objective (sum of log(epsilon + u) over participants with a feasible partner), certificate (Nash:
        primal and dual objective, duality gap, relative gap, iterations, certified, method) and
        solveMicroseconds. An array in gives an array out.
        Accepted values: epsilon 1e-9..1 AUD; each price 0 or 1e-6..1e3 AUD/kWh; each quantity 0 or
        1e-9..1e6 kWh. A book whose Nash solve would not fit in memory is refused.
        The Nash solver stops at v2v.clearing.solver-relative-gap, or when its budgets run out
        (v2v.clearing.solver-max-iterations, v2v.clearing.solver-time-budget seconds): such a book has
        "certified": false and a one-line warning on standard error; its certificate is still a true bound.
        Nothing is written unless every book is valid; bad input exits 2 naming the book, field and problem.
        With --strict, a book that is not certified makes the command exit 1 (the result is still written).
        """;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("input", "FILE", "the order book JSON file (required; - for standard input)"),
        new("mechanism", "NAME", "nash (default: v2v.clearing.mechanism), double-auction or greedy-average"),
        new("output", "FILE", "write the result here instead of standard output (replaced whole, never half-written)"),
        new("strict", null, "exit 1 if any book's Nash certificate did not reach the configured gap"),
        CommonOptions.Config,
        CommonOptions.Set,
        CommonOptions.Help,
    ];

    public int MaxPositional => 0;

    public int Execute(Arguments args, TextWriter output, TextWriter error)
    {
        var input = args.Get("input") ?? throw new UsageException("--input: required (the order book JSON file)");
        var config = MarketConfigBinder.Bind(CommonOptions.LoadConfig(args));
        var clearing = config.Clearing;
        if (args.Get("mechanism") is { } name)
        {
            if (!ClearingMechanisms.Names.Contains(name))
            {
                throw new UsageException($"--mechanism: unknown mechanism '{name}'; expected one of {string.Join(", ", ClearingMechanisms.Names)}");
            }

            clearing = clearing with { Mechanism = name };
        }

        // Checked before any solve, so a bad --output never costs a long clearing and never leaves anything behind.
        var outputPath = args.Get("output");
        if (outputPath is not null)
        {
            OutputTarget.Check(outputPath);
        }

        var json = ReadInput(input);
        IReadOnlyList<OrderBook> books;
        bool isArray;
        try
        {
            (books, isArray) = BookFile.Parse(json, clearing.EpsilonAud);
            if (clearing.Mechanism == ClearingMechanisms.NashName)
            {
                BookFile.CheckFits(books, NashBargaining.EstimatedBytes, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
            }
        }
        catch (BookFileException e)
        {
            error.WriteLine($"v2v clear: {input}: {e.Message}");
            return 2;
        }

        var mechanism = ClearingMechanisms.Create(clearing.Mechanism, clearing);
        var (text, uncertified) = Render(books, isArray, mechanism, clearing.SolverRelativeGap, error);
        if (outputPath is not null)
        {
            OutputTarget.Write(outputPath, text);
            error.WriteLine($"v2v clear: {books.Count} book(s) cleared with {mechanism.Name}, written to {outputPath}");
        }
        else
        {
            output.Write(text);
        }

        return uncertified > 0 && args.Has("strict") ? 1 : 0;
    }

    private static string ReadInput(string input)
    {
        if (input == "-")
        {
            return Console.In.ReadToEnd();
        }

        if (Directory.Exists(input))
        {
            throw new UsageException($"--input: '{input}' is a directory; expected an order book JSON file");
        }

        try
        {
            return File.ReadAllText(input);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--input: cannot read '{input}': {e.Message}");
        }
    }

    /// <summary>
    /// Clears every book once (a tiny warm-up book of our own first, so solveMicroseconds measures the solver and not
    /// the JIT compiler); warns on <paramref name="error"/>, one line each, about every book whose certificate did not
    /// reach the target; returns the JSON and how many books were not certified.
    /// </summary>
    public static (string Text, int Uncertified) Render(
        IReadOnlyList<OrderBook> books, bool isArray, IClearingMechanism mechanism, double targetGap, TextWriter error)
    {
        mechanism.Clear(WarmUpBook);
        var uncertified = 0;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (isArray)
            {
                w.WriteStartArray();
            }

            for (var index = 0; index < books.Count; index++)
            {
                var book = books[index];
                var watch = Stopwatch.StartNew();
                var result = mechanism.Clear(book);
                var micros = watch.Elapsed.TotalMicroseconds;
                if (result.Certificate is { Certified: false } c)
                {
                    uncertified++;
                    error.WriteLine(
                        $"v2v clear: warning: book {index}: not certified: relative gap {c.RelativeGap:E2} > {targetGap:E2} after {c.Iterations} iteration(s) ({ClearingMethodNames.Of(c.Method)})");
                }

                WriteResult(w, mechanism.Name, book, result, micros);
            }

            if (isArray)
            {
                w.WriteEndArray();
            }
        }

        return (System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine, uncertified);
    }

    private static readonly OrderBook WarmUpBook = new(
        [new Order("b1", 0.26, 2), new Order("b2", 0.22, 4)],
        [new Order("s1", 0.14, 2), new Order("s2", 0.18, 4)],
        1e-3);

    private static void WriteResult(Utf8JsonWriter w, string mechanism, OrderBook book, ClearingResult result, double micros)
    {
        w.WriteStartObject();
        w.WriteString("mechanism", mechanism);
        w.WriteStartArray("trades");
        var volume = 0.0;
        foreach (var t in result.Trades)
        {
            w.WriteStartObject();
            w.WriteString("buyer", t.BuyerId);
            w.WriteString("seller", t.SellerId);
            w.WriteNumber("price", t.PriceAudPerKwh);
            w.WriteNumber("quantity", t.EnergyKwh);
            w.WriteEndObject();
            volume += t.EnergyKwh;
        }

        w.WriteEndArray();
        w.WriteStartObject("utilities");
        foreach (var (id, utility) in BidUtilities.Of(book, result.Trades))
        {
            w.WriteNumber(id, utility);
        }

        w.WriteEndObject();
        w.WriteNumber("volume", volume);
        w.WriteNumber("objective", BidUtilities.NashObjective(book, result.Trades));
        if (result.Certificate is { } c)
        {
            w.WriteStartObject("certificate");
            w.WriteNumber("primalObjective", c.PrimalObjective);
            w.WriteNumber("dualObjective", c.DualObjective);
            w.WriteNumber("dualityGap", c.DualityGap);
            w.WriteNumber("relativeGap", c.RelativeGap);
            w.WriteNumber("iterations", c.Iterations);
            w.WriteBoolean("certified", c.Certified);
            w.WriteString("method", ClearingMethodNames.Of(c.Method));
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("certificate");
        }

        w.WriteNumber("solveMicroseconds", Math.Round(micros, 1));
        w.WriteEndObject();
    }
}
