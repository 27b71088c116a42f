using System.Globalization;
using System.Text;
using System.Text.Json;
using V2V.Host.Configuration.Hocon;

namespace V2V.Host.Configuration;

/// <summary>Writes a resolved tree as indented JSON; numbers stay numbers, everything else keeps its text.</summary>
internal static class ConfigJsonWriter
{
    /// <param name="skipTopLevel">A top-level key left out of the JSON, or null to write every key.</param>
    public static string Write(HoconObject root, string? skipTopLevel = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var key in root.Keys)
            {
                if (key != skipTopLevel)
                {
                    root.TryGet(key, out var child);
                    writer.WritePropertyName(key);
                    WriteNode(writer, child);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteNode(Utf8JsonWriter writer, HoconNode node)
    {
        switch (node)
        {
            case HoconObject obj:
                writer.WriteStartObject();
                foreach (var key in obj.Keys)
                {
                    obj.TryGet(key, out var child);
                    writer.WritePropertyName(key);
                    WriteNode(writer, child);
                }

                writer.WriteEndObject();
                break;
            case HoconArray array:
                writer.WriteStartArray();
                foreach (var item in array.Items)
                {
                    WriteNode(writer, item);
                }

                writer.WriteEndArray();
                break;
            case HoconScalar { Kind: ScalarKind.Number } number:
                writer.WriteNumberValue(double.Parse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture));
                break;
            case HoconScalar { Kind: ScalarKind.Boolean } boolean:
                writer.WriteBooleanValue(boolean.Text == "true");
                break;
            case HoconScalar { Kind: ScalarKind.Null }:
                writer.WriteNullValue();
                break;
            case HoconScalar text:
                writer.WriteStringValue(text.Text);
                break;
            default:
                throw new InvalidOperationException($"unresolved node {node.GetType().Name} in a resolved config");
        }
    }
}
