namespace BizKeys.Core.Usage;

/// <summary>Usage is counted per key and per clock hour (UTC); a day is its 24 hours.</summary>
public static class UsageHours
{
    /// <summary>The start of the hour <paramref name="utc"/> falls in.</summary>
    public static DateTime Of(DateTime utc) => new(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc);
}
