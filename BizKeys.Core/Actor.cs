using BizKeys.Core.ApiKeys;

namespace BizKeys.Core;

/// <summary>
/// Who performs an operation: a signed-in person (with their support flag), or the system itself (the CLI,
/// start-up). Recorded on keys and in the audit log; the services decide what it may do.
/// </summary>
public sealed record Actor(string Name)
{
    /// <summary>The longest IP address as text (IPv6 with an IPv4 tail): every column that stores an address.</summary>
    public const int IpMaxLength = 45;

    public Guid? UserId { get; init; }
    public bool IsSupport { get; init; }
    /// <summary>Operators at the machine (CLI, bootstrap): every account, every operation.</summary>
    public bool IsSystem { get; init; }
    public string? Ip { get; init; }
    /// <summary>Set when an API key acts through the HTTP API: it may only touch this account.</summary>
    public Guid? KeyAccountId { get; init; }
    /// <summary>The acting key's permissions and limits: it creates and acts on keys only within these.</summary>
    public KeyLimits? KeyLimits { get; init; }
    public IReadOnlySet<string>? KeyPermissions => KeyLimits?.Permissions;

    public static Actor CommandLine { get; } = new("cli") { IsSystem = true };

    public static Actor Startup { get; } = new("bootstrap") { IsSystem = true };

    public static Actor User(Guid userId, string email, bool isSupport, string? ip) =>
        new(email) { UserId = userId, IsSupport = isSupport, Ip = ip };

    public static Actor ApiKey(string key, Guid accountId, KeyLimits limits, string? ip) =>
        new($"key {key}") { KeyAccountId = accountId, KeyLimits = limits, Ip = ip };
}
