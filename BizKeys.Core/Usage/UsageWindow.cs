using FluentValidation;
using FluentValidation.Results;

namespace BizKeys.Core.Usage;

/// <summary>The period a usage question covers: defaults, and dates refused before any arithmetic can overflow.</summary>
public static class UsageWindow
{
    public static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// By default the last 24 hours (by hour) or 30 days (by day), the current hour or day included. Dates before
    /// 2000 or more than a day ahead, and periods longer than <see cref="UsageService.MaxDays"/> days, are refused.
    /// </summary>
    /// <exception cref="ValidationException">A date outside the range, or <paramref name="from"/> not before <paramref name="to"/>.</exception>
    public static (DateTime From, DateTime To) Resolve(DateTime? from, DateTime? to, Granularity granularity, DateTime nowUtc)
    {
        var latest = nowUtc.AddDays(1);
        var requestedFrom = InRange(from, nameof(from), latest);
        var requestedTo = InRange(to, nameof(to), latest.AddDays(1));
        var hour = UsageHours.Of(nowUtc);
        var end = requestedTo ?? (granularity == Granularity.Hour ? hour.AddHours(1) : hour.Date.AddDays(1));
        var start = requestedFrom ?? (granularity == Granularity.Hour ? end.AddHours(-24) : end.AddDays(-30));
        if (start >= end)
            throw Invalid(nameof(from), "from must be before to.");
        if (end - start > TimeSpan.FromDays(UsageService.MaxDays))
            throw Invalid(nameof(to), $"Ask for at most {UsageService.MaxDays} days at a time.");
        return (start, end);
    }

    private static DateTime? InRange(DateTime? value, string field, DateTime latest)
    {
        if (value is null)
            return null;
        var utc = value.Value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value.Value, DateTimeKind.Utc) : value.Value.ToUniversalTime();
        if (utc < Earliest || utc > latest)
            throw Invalid(field, $"Use a date from {Earliest:yyyy-MM-dd} to {latest:yyyy-MM-dd} (UTC).");
        return utc;
    }

    private static ValidationException Invalid(string field, string message) => new([new ValidationFailure(field, message)]);
}
