namespace BizKeys.AspNetCore;

/// <summary><c>BizKeys:Verification</c>: how keys are verified, in BizKeys and in every service using this package.</summary>
public sealed class VerificationOptions
{
    /// <summary>
    /// How a service using this package finds keys: <c>Database</c> (it reads BizKeys' database) or <c>Remote</c>
    /// (it asks BizKeys at <see cref="Url"/> with a key holding <c>keys:verify</c>). BizKeys itself reads its database.
    /// </summary>
    public VerificationMode Mode { get; set; } = VerificationMode.Database;

    /// <summary>Remote mode: BizKeys' address, such as https://keys.internal.example.</summary>
    public string? Url { get; set; }

    /// <summary>Remote mode: the service's own key, holding <c>keys:verify</c>.</summary>
    public string? Key { get; set; }

    /// <summary>Remote mode: that key's secret.</summary>
    public string? Secret { get; set; }

    /// <summary>How long a key stays in the in-process cache; changes on this instance drop it at once.</summary>
    public int CacheSeconds { get; set; } = 30;

    /// <summary>
    /// Failed authentications one client address may make in a minute before its API requests get 429 without any
    /// look-up (IPv6 counted per /64). 0 turns the limit off.
    /// </summary>
    public int FailedAttemptsPerAddressPerMinute { get; set; } = 60;

    /// <summary>Accounts whose <c>keys:verify</c> keys may verify pairs of every account (the platform's own services).</summary>
    public List<string> PlatformAccounts { get; set; } = [];
}

public enum VerificationMode
{
    Database,
    Remote,
}

/// <summary><c>BizKeys:Usage</c>: how verifications are counted.</summary>
public sealed class UsageOptions
{
    /// <summary>How often usage counters in memory are written to the database (and always on shutdown).</summary>
    public int FlushSeconds { get; set; } = 5;

    /// <summary>
    /// Failed attempts stored with their details, per key, reason and minute; the rest are only counted in the
    /// hourly buckets, so a flood cannot grow the database without bound.
    /// </summary>
    public int FailureSamplesPerMinute { get; set; } = 5;
}

