using System.Globalization;
using System.Text;
using Akka.Configuration;
using V2V.Host.Configuration.Hocon;
using AkkaConfig = Akka.Configuration.Config;

namespace V2V.Host.Configuration;

/// <summary>
/// The <c>akka</c> section of our configuration stack, handed to Akka.NET. Our parser reads and resolves the whole
/// stack (reference.conf, then --config, then --set), so an <c>akka.*</c> setting is written, included, substituted
/// and overridden exactly like a <c>v2v.*</c> one, and its errors name file, line, column and key. The resolved
/// <c>akka</c> subtree is then rendered as HOCON text and parsed by Akka's own <see cref="ConfigurationFactory"/>.
/// Akka's parser is not used on the user's files: it reports no line or column, accepts malformed input silently
/// (a stray '}', an unclosed string) or loops forever (an unclosed list), and has no <c>${ENV}</c>, <c>${?X}</c> nor
/// file-relative includes (docs/configuration.md). The rendered text is always well formed, so none of that arises.
/// Akka trims white space from every string it reads and takes the string "null" for null; rendering cannot change that.
/// </summary>
internal static class AkkaSection
{
    public const string Root = "akka";

    // Akka reads these four with its own rules; checking them here puts a position on a value Akka would reject at start.
    private static readonly string[] LogLevels = ["DEBUG", "INFO", "WARNING", "ERROR", "OFF"];
    private static readonly string[] AkkaBooleans = ["on", "off", "true", "false"];
    private static readonly string[] DeadLetterWords = ["on", "off", "true", "false", "yes", "no"];

    /// <summary>The resolved <c>akka</c> subtree of <paramref name="root"/> as Akka's Config; empty when there is none.</summary>
    public static AkkaConfig Build(HoconObject root) =>
        root.TryGet(Root, out var akka) && akka is HoconObject
            ? ConfigurationFactory.ParseString(Render(root))
            : ConfigurationFactory.Empty;

    /// <summary>The top-level <c>akka</c> key of <paramref name="root"/> as HOCON text: keys and strings quoted, no substitutions.</summary>
    public static string Render(HoconObject root)
    {
        var text = new StringBuilder();
        if (root.TryGet(Root, out var akka))
        {
            AppendKey(text, Root);
            text.Append(" = ");
            AppendNode(text, akka, indent: 0);
            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Checks the akka keys reference.conf sets, with Akka's own rules, where they were written.</summary>
    public static void Check(Config root)
    {
        foreach (string path in (string[])["akka.loglevel", "akka.stdout-loglevel"])
        {
            if (root.HasPath(path) && !LogLevels.Contains(root.GetString(path).ToUpperInvariant(), StringComparer.Ordinal))
            {
                throw root.Error(path, $"expected one of {string.Join('|', LogLevels)}, got \"{root.GetString(path)}\"");
            }
        }

        const string serialize = "akka.actor.serialize-messages";
        if (root.HasPath(serialize) && !AkkaBooleans.Contains(root.GetString(serialize), StringComparer.Ordinal))
        {
            throw root.Error(serialize, $"expected on|off|true|false (Akka reads no other spelling), got \"{root.GetString(serialize)}\"");
        }

        const string deadLetters = "akka.log-dead-letters";
        if (root.HasPath(deadLetters))
        {
            string value = root.GetString(deadLetters);
            if (!DeadLetterWords.Contains(value, StringComparer.Ordinal)
                && !(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                throw root.Error(deadLetters, $"expected on|off or how many dead letters to log (a whole number >= 0), got \"{value}\"");
            }
        }
    }

    private static void AppendNode(StringBuilder text, HoconNode node, int indent)
    {
        switch (node)
        {
            case HoconObject obj:
                text.Append("{\n");
                foreach (var key in obj.Keys)
                {
                    obj.TryGet(key, out var child);
                    text.Append(' ', 2 * (indent + 1));
                    AppendKey(text, key);
                    text.Append(" = ");
                    AppendNode(text, child, indent + 1);
                    text.Append('\n');
                }

                text.Append(' ', 2 * indent).Append('}');
                break;
            case HoconArray array:
                text.Append('[');
                for (int i = 0; i < array.Items.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    AppendNode(text, array.Items[i], indent + 1);
                }

                text.Append(']');
                break;
            case HoconScalar { Kind: ScalarKind.Null }:
                text.Append("null");
                break;
            case HoconScalar { Kind: ScalarKind.Number or ScalarKind.Boolean } plain:
                text.Append(plain.Text);
                break;
            case HoconScalar scalar:
                AppendQuoted(text, scalar.Text);
                break;
            default:
                throw new InvalidOperationException($"unresolved node {node.GetType().Name} in a resolved config");
        }
    }

    // Every key is quoted, so a key holding dots or commas (a serialization binding's type name) stays one key.
    private static void AppendKey(StringBuilder text, string key) => AppendQuoted(text, key);

    // The escapes Akka's tokenizer reads: \" \\ \b \f \n \r \t and \uXXXX for other control characters.
    private static void AppendQuoted(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (char c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\b' => text.Append("\\b"),
                '\f' => text.Append("\\f"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                < ' ' => text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => text.Append(c),
            };
        }

        text.Append('"');
    }
}
