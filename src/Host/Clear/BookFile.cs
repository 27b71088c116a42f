using System.Text.Json;
using V2V.Clearing;
using V2V.Market.Orders;

namespace V2V.Host.Clear;

/// <summary>
/// Reads the `v2v clear` input: one book object or an array of them, each
/// {"epsilon"?: number, "buyers": [{"id","price","quantity"}...], "sellers": [...]}.
/// Every problem is reported as a <see cref="BookFileException"/> naming the book index, the field and the problem.
/// </summary>
public static class BookFile
{
    public static (IReadOnlyList<OrderBook> Books, bool IsArray) Parse(string json, double defaultEpsilonAud)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new BookFileException($"malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {FirstSentence(e.Message)}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                return ([ReadBook(root, 0, defaultEpsilonAud)], false);
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new BookFileException($"top level: expected a book object or an array of books, got {Describe(root)}");
            }

            var books = new List<OrderBook>();
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    throw new BookFileException($"book {index}: expected an object, got {Describe(element)}");
                }

                books.Add(ReadBook(element, index++, defaultEpsilonAud));
            }

            return (books, true);
        }
    }

    /// <summary>
    /// Refuses, before any book is cleared, the first book whose solve would need more than the available memory
    /// (<paramref name="estimatedBytes"/> of its bid and ask counts).
    /// </summary>
    public static void CheckFits(IReadOnlyList<OrderBook> books, Func<int, int, double> estimatedBytes, long availableBytes)
    {
        for (var index = 0; index < books.Count; index++)
        {
            int bids = books[index].Bids.Count, asks = books[index].Asks.Count;
            var needed = estimatedBytes(bids, asks);
            if (needed > availableBytes)
            {
                throw new BookFileException(
                    $"book {index}: {bids} buyers x {asks} sellers need about {needed / 1e9:F1} GB for the Nash solver, {availableBytes / 1e9:F1} GB is available; split the book or use --mechanism double-auction");
            }
        }
    }

    private static OrderBook ReadBook(JsonElement book, int index, double defaultEpsilonAud)
    {
        foreach (var property in book.EnumerateObject())
        {
            if (property.Name is not ("epsilon" or "buyers" or "sellers"))
            {
                throw new BookFileException($"book {index}: unknown field '{property.Name}' (expected epsilon, buyers, sellers)");
            }
        }

        var epsilon = defaultEpsilonAud;
        if (book.TryGetProperty("epsilon", out var e))
        {
            epsilon = Number(e, index, "epsilon");
            if (!(epsilon >= ClearingLimits.MinEpsilonAud && epsilon <= ClearingLimits.MaxEpsilonAud))
            {
                throw new BookFileException(
                    $"book {index}: epsilon: must be within {Format(ClearingLimits.MinEpsilonAud)}..{Format(ClearingLimits.MaxEpsilonAud)} AUD, got {Format(epsilon)}");
            }
        }

        var bids = ReadOrders(book, index, "buyers");
        var asks = ReadOrders(book, index, "sellers");
        try
        {
            return new OrderBook(bids, asks, epsilon);
        }
        catch (OrderBookException ex)
        {
            throw new BookFileException($"book {index}: {ex.Message}");
        }
    }

    private static List<Order> ReadOrders(JsonElement book, int index, string side)
    {
        if (!book.TryGetProperty(side, out var list))
        {
            throw new BookFileException($"book {index}: {side}: missing (use [] for none)");
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new BookFileException($"book {index}: {side}: expected an array, got {Describe(list)}");
        }

        var orders = new List<Order>();
        var i = 0;
        foreach (var o in list.EnumerateArray())
        {
            var at = $"{side}[{i}]";
            if (o.ValueKind != JsonValueKind.Object)
            {
                throw new BookFileException($"book {index}: {at}: expected an object, got {Describe(o)}");
            }

            foreach (var property in o.EnumerateObject())
            {
                if (property.Name is not ("id" or "price" or "quantity"))
                {
                    throw new BookFileException($"book {index}: {at}: unknown field '{property.Name}' (expected id, price, quantity)");
                }
            }

            if (!o.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(id.GetString()))
            {
                throw new BookFileException($"book {index}: {at}.id: missing or not a non-empty string");
            }

            var price = Required(o, index, at, "price");
            var quantity = Required(o, index, at, "quantity");
            if (!ClearingLimits.InRange(price, ClearingLimits.MinPositivePriceAudPerKwh, ClearingLimits.MaxPriceAudPerKwh))
            {
                throw new BookFileException(
                    $"book {index}: {at}.price: must be 0 or within {Format(ClearingLimits.MinPositivePriceAudPerKwh)}..{Format(ClearingLimits.MaxPriceAudPerKwh)} AUD/kWh, got {Format(price)}");
            }

            if (!ClearingLimits.InRange(quantity, ClearingLimits.MinPositiveQuantityKwh, ClearingLimits.MaxQuantityKwh))
            {
                throw new BookFileException(
                    $"book {index}: {at}.quantity: must be 0 or within {Format(ClearingLimits.MinPositiveQuantityKwh)}..{Format(ClearingLimits.MaxQuantityKwh)} kWh, got {Format(quantity)}");
            }

            orders.Add(new Order(id.GetString()!, price, quantity));
            i++;
        }

        return orders;
    }

    private static double Required(JsonElement order, int index, string at, string field)
    {
        if (!order.TryGetProperty(field, out var value))
        {
            throw new BookFileException($"book {index}: {at}.{field}: missing");
        }

        return Number(value, index, $"{at}.{field}");
    }

    private static double Number(JsonElement value, int index, string field)
    {
        // JSON has no NaN or infinity literal; a string such as "NaN" is caught here as not a number.
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            throw new BookFileException($"book {index}: {field}: expected a finite number, got {Describe(value)}");
        }

        return d;
    }

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{e.GetString()}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {e.GetRawText()}",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static string Format(double d) => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

/// <summary>A `v2v clear` input problem; the message names the book index, the field and the problem.</summary>
public sealed class BookFileException(string message) : Exception(message);
