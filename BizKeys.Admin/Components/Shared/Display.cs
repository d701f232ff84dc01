using System.Globalization;
using BizKeys.Core.ApiKeys;
using MudBlazor;

namespace BizKeys.Admin.Components.Shared;

/// <summary>How times, statuses and choices read on the pages. Times are UTC, said so where it matters.</summary>
public static class Display
{
    private static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-GB");

    public static string Date(DateTime? value, string none = "Never") =>
        value is { } v ? v.ToString("d MMM yyyy", Culture) : none;

    public static string DateTime(DateTime? value, string none = "Never") =>
        value is { } v ? v.ToString("d MMM yyyy, HH:mm 'UTC'", Culture) : none;

    public static string Relative(DateTime? value, DateTime now, string none = "Never")
    {
        if (value is not { } v)
            return none;
        var ago = now - v;
        return ago.TotalMinutes switch
        {
            < 1 => "Just now",
            < 60 => $"{(int)ago.TotalMinutes} min ago",
            < 60 * 24 => $"{(int)ago.TotalHours} h ago",
            < 60 * 24 * 30 => $"{(int)ago.TotalDays} days ago",
            _ => Date(v),
        };
    }

    public static string Grace(int minutes) => minutes switch
    {
        0 => "Immediately",
        _ when minutes % (60 * 24) == 0 && minutes > 60 * 24 => Plural(minutes / (60 * 24), "day"),
        _ when minutes % 60 == 0 => Plural(minutes / 60, "hour"),
        _ => Plural(minutes, "minute"),
    };

    public static Color StatusColor(ApiKeyStatus status) => status switch
    {
        ApiKeyStatus.Active => Color.Success,
        ApiKeyStatus.Expired => Color.Warning,
        _ => Color.Default,
    };

    public static string Reason(BizKeys.Core.Verification.FailureReason reason) => reason switch
    {
        BizKeys.Core.Verification.FailureReason.Malformed => "Malformed or mistyped secret",
        BizKeys.Core.Verification.FailureReason.WrongSecret => "Wrong secret",
        BizKeys.Core.Verification.FailureReason.Expired => "Key expired",
        BizKeys.Core.Verification.FailureReason.Revoked => "Key revoked",
        BizKeys.Core.Verification.FailureReason.IpNotAllowed => "IP address not allowed",
        BizKeys.Core.Verification.FailureReason.RateLimited => "Rate limited",
        BizKeys.Core.Verification.FailureReason.MissingPermission => "Missing permission",
        BizKeys.Core.Verification.FailureReason.UnknownKey => "Unknown key",
        _ => reason.ToString(),
    };

    public static string Mask(string hint) => KeyFormat.SecretPrefix + "••••••••" + hint;

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
