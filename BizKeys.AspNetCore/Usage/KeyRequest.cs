using BizKeys.Core.ApiKeys;
using BizKeys.Core.Verification;

namespace BizKeys.Core.Usage;

/// <summary>
/// One of a key's recent verifications, passed or failed, as its page and <c>GET /api/v1/keys/{key}/requests</c> show
/// them. Sampled like failures (the first few per key, outcome and minute) and trimmed to the newest
/// <see cref="KeptPerKey"/> per key, so a flood neither writes per request nor grows the table.
/// </summary>
public sealed class KeyRequest
{
    public const int KeptPerKey = 100;
    public const int PermissionMaxLength = 64;

    public long Id { get; set; }
    public Guid KeyId { get; set; }
    public DateTime At { get; set; }
    /// <summary>Null when the request passed.</summary>
    public FailureReason? Reason { get; set; }
    public string? Ip { get; set; }
    /// <summary>The permission the route asked for (none for routes any valid key may call).</summary>
    public string? Permission { get; set; }
    /// <summary>Which secret matched: the current one, or the previous one during a rotation's grace period.</summary>
    public SecretMatch Secret { get; set; }
}
