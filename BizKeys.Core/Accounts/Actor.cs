namespace BizKeys.Core;

/// <summary>Who performs a change, as recorded on keys and (later) in the audit log.</summary>
public sealed record Actor(string Name)
{
    public static Actor CommandLine { get; } = new("cli");
}
