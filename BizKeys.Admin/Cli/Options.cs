namespace BizKeys.Admin.Cli;

/// <summary>Parses <c>--name value</c> pairs, refusing unknown, repeated or value-less options.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _flags = new(StringComparer.OrdinalIgnoreCase);

    private Options()
    {
    }

    /// <param name="flags">Options that take no value, such as <c>--password-stdin</c>.</param>
    public static Options Parse(string[] args, IReadOnlyCollection<string> allowed, IReadOnlyCollection<string>? flags = null)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}'.");
            var name = arg[2..];
            if (flags?.Contains(name, StringComparer.OrdinalIgnoreCase) == true)
            {
                if (!options._flags.Add(name))
                    throw new UsageException($"option '--{name}' is given twice.");
                continue;
            }
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

    public bool Flag(string name) => _flags.Contains(name);
}
