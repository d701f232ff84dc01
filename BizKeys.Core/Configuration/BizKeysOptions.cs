using System.ComponentModel.DataAnnotations;

namespace BizKeys.Core.Configuration;

/// <summary>The <c>BizKeys</c> section of appsettings.json.</summary>
public sealed class BizKeysOptions
{
    public const string Section = "BizKeys";

    /// <summary>The permission catalogue keys may be granted from.</summary>
    public List<string> Permissions { get; set; } = [];

    /// <summary>Environment labels; the first is the default for new keys.</summary>
    public List<string> Environments { get; set; } = [];

    /// <summary>Grace periods offered when rotating, in minutes (0 = the old secret ends immediately).</summary>
    public List<int> RotationGraceMinutes { get; set; } = [];

    public BootstrapOptions Bootstrap { get; set; } = new();

    public VerificationOptions Verification { get; set; } = new();

    public UsageOptions Usage { get; set; } = new();

    public string DefaultEnvironment => Environments.Count > 0 ? Environments[0] : "";

    public int MaxGraceMinutes => RotationGraceMinutes.Count > 0 ? RotationGraceMinutes.Max() : 0;
}

/// <summary>An unattended first start: with an email and a password, the first owner and account are created at start-up.</summary>
public sealed class BootstrapOptions
{
    [Required]
    public string AccountName { get; set; } = "My Business";

    public string? OwnerEmail { get; set; }

    public string? OwnerPassword { get; set; }
}

public sealed class VerificationOptions
{
    /// <summary>How long a key stays in the in-process cache; changes on this instance drop it at once.</summary>
    public int CacheSeconds { get; set; } = 30;
}

public sealed class UsageOptions
{
    /// <summary>How often usage counters in memory are written to the database (and always on shutdown).</summary>
    public int FlushSeconds { get; set; } = 5;
}
