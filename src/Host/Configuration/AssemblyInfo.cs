using System.Runtime.CompilerServices;

// The HOCON syntax tree and parser are internal; the tests drive them directly.
[assembly: InternalsVisibleTo("V2V.Host.Tests")]
