using BizKeys.Core.ApiKeys;

namespace BizKeys.Admin.Components.Pages.ApiKeys;

/// <summary>
/// What the keys grid is narrowed to; <see cref="All"/> (empty) means no filter on that column. Revoked keys are left
/// out until <see cref="ShowRevoked"/> (or the Revoked status) asks for them: an owner looks at the keys that work.
/// </summary>
public sealed record KeyFilter(string Search, string Status, string Environment, string Hygiene = KeyFilter.All, bool ShowRevoked = false)
{
    public const string All = "";

    public static KeyFilter None { get; } = new("", All, All);

    /// <summary>Anything that can leave the grid empty while keys exist (showing revoked ones only adds).</summary>
    public bool IsFiltered => !string.IsNullOrWhiteSpace(Search) || Status != All || Environment != All || Hygiene != All;

    public KeyQuery ApplyTo(KeyQuery query)
    {
        var status = Enum.TryParse<ApiKeyStatus>(Status, out var s) ? s : (ApiKeyStatus?)null;
        return query with
        {
            Search = Search,
            Status = status,
            Environment = Environment == All ? null : Environment,
            HideRevoked = !ShowRevoked && status != ApiKeyStatus.Revoked,
            Hygiene = Enum.TryParse<HygieneFlags>(Hygiene, out var flag) && flag != HygieneFlags.None ? flag : null,
        };
    }

    /// <summary>The warnings a key can carry, as the filter offers them.</summary>
    public static IReadOnlyList<(HygieneFlags Flag, string Label)> Warnings { get; } =
    [
        (HygieneFlags.ExpiresSoon, $"Expires within {KeyHygiene.ExpiresSoonWithin.TotalDays:0} days"),
        (HygieneFlags.Unused, $"Not used for {KeyHygiene.UnusedFor.TotalDays:0} days"),
        (HygieneFlags.RotationOverdue, $"Not rotated for {KeyHygiene.RotateEvery.TotalDays:0} days"),
        (HygieneFlags.NoExpiry, "Never expires"),
    ];
}
