namespace BizKeys.Core.Data;

/// <summary>The database cannot be used as it is; the message names the file and what to do.</summary>
public sealed class DatabaseUnusableException(string path, string problem, Exception? inner = null)
    : Exception($"BizKeys cannot use the database {path}: {problem}", inner)
{
    public string Path { get; } = path;
}
