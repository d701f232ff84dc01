namespace BizKeys.Admin.Cli;

/// <summary>Parses <c>--name value</c> pairs, refusing unknown, repeated or value-less options.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    private Options()
    {
    }

    public static Options Parse(string[] args, IReadOnlyCollection<string> allowed)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}'.");
            var name = arg[2..];
            if (!allowed.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new UsageException($"unknown option '--{name}'.");
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"option '--{name}' needs a value.");
            if (!options._values.TryAdd(name, args[++i]))
                throw new UsageException($"option '--{name}' is given twice.");
        }
        return options;
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new UsageException($"option '--{name}' is required.");

    public string? Optional(string name) => _values.GetValueOrDefault(name);
}
