using System.Diagnostics;
using System.Text.Json;
using V2V.Coordinator.Clearing;
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
        usage: v2v clear --input FILE [--mechanism nash|double-auction|greedy-average] [--output FILE]

        Reads one order book, or a JSON array of them:
          {"epsilon": 0.001, "buyers": [{"id": "b1", "price": 0.25, "quantity": 3.0}], "sellers": [...]}
        (epsilon optional, default v2v.clearing.epsilon; prices AUD/kWh, quantities kWh) and writes, per book:
        mechanism, trades (buyer, seller, price, quantity), utilities (id -> AUD on the bids), volume,
        objective (sum of log(epsilon + u) over participants with a feasible partner), certificate (Nash:
        primal and dual objective, duality gap) and solveMicroseconds. An array in gives an array out.
        Nothing is written unless every book is valid; bad input exits 2 naming the book, field and problem.
        """;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("input", "FILE", "the order book JSON file (required; - for standard input)"),
        new("mechanism", "NAME", "nash (default: v2v.clearing.mechanism), double-auction or greedy-average"),
        new("output", "FILE", "write the result here instead of standard output"),
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

        string json;
        try
        {
            json = input == "-" ? Console.In.ReadToEnd() : File.ReadAllText(input);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--input: cannot read '{input}': {e.Message}");
        }

        IReadOnlyList<OrderBook> books;
        bool isArray;
        try
        {
            (books, isArray) = BookFile.Parse(json, clearing.EpsilonAud);
        }
        catch (BookFileException e)
        {
            error.WriteLine($"v2v clear: {input}: {e.Message}");
            return 2;
        }

        var mechanism = ClearingMechanisms.Create(clearing.Mechanism, clearing);
        var text = Render(books, isArray, mechanism);
        if (args.Get("output") is { } path)
        {
            AtomicFile.WriteText(path, text);
            error.WriteLine($"v2v clear: {books.Count} book(s) cleared with {mechanism.Name}, written to {path}");
        }
        else
        {
            output.Write(text);
        }

        return 0;
    }

    private static string Render(IReadOnlyList<OrderBook> books, bool isArray, IClearingMechanism mechanism)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            if (isArray)
            {
                w.WriteStartArray();
            }

            // One untimed clear first, so solveMicroseconds measures the solver and not the JIT compiler.
            if (books.Count > 0)
            {
                mechanism.Clear(books[0]);
            }

            foreach (var book in books)
            {
                var watch = Stopwatch.StartNew();
                var result = mechanism.Clear(book);
                var micros = watch.Elapsed.TotalMicroseconds;
                WriteResult(w, mechanism.Name, book, result, micros);
            }

            if (isArray)
            {
                w.WriteEndArray();
            }
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

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
