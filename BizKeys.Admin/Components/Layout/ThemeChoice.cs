namespace BizKeys.Admin.Components.Layout;

/// <summary>
/// Light or dark, as the person chose it with the app bar's toggle or as their system last said, kept in a cookie so
/// that every page — sign-in and setup included — is drawn in it from the first byte (no white flash).
/// </summary>
public sealed record ThemeChoice(bool Dark, bool Chosen)
{
    public const string CookieName = "BizKeys.Theme";

    /// <summary>The cookie's values: <c>dark</c>/<c>light</c> (chosen), <c>system-dark</c>/<c>system-light</c> (followed).</summary>
    public static ThemeChoice From(string? cookie) => cookie switch
    {
        "dark" => new(true, true),
        "light" => new(false, true),
        "system-dark" => new(true, false),
        _ => new(false, false),
    };

    public string CookieValue => (Chosen ? "" : "system-") + (Dark ? "dark" : "light");
}
