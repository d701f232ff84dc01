namespace BizKeys.Core.ApiKeys;

[Flags]
public enum HygieneFlags
{
    None = 0,
    ExpiresSoon = 1,
    Unused = 2,
    NoExpiry = 4,
    RotationOverdue = 8,
}

/// <summary>Warnings that help owners keep their keys tidy; only active keys get them.</summary>
public static class KeyHygiene
{
    public static readonly TimeSpan ExpiresSoonWithin = TimeSpan.FromDays(14);
    public static readonly TimeSpan UnusedFor = TimeSpan.FromDays(30);
    public static readonly TimeSpan RotateEvery = TimeSpan.FromDays(90);

    public static HygieneFlags Assess(ApiKeyView key, DateTime now)
    {
        if (key.Status != ApiKeyStatus.Active)
            return HygieneFlags.None;
        var flags = HygieneFlags.None;
        if (key.ExpiresAt is null)
            flags |= HygieneFlags.NoExpiry;
        else if (key.ExpiresAt - now <= ExpiresSoonWithin)
            flags |= HygieneFlags.ExpiresSoon;
        if (now - (key.LastUsedAt ?? key.CreatedAt) >= UnusedFor)
            flags |= HygieneFlags.Unused;
        if (now - (key.LastRotatedAt ?? key.CreatedAt) >= RotateEvery)
            flags |= HygieneFlags.RotationOverdue;
        return flags;
    }
}
