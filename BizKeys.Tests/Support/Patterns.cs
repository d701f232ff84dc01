using System.Text.RegularExpressions;
using BizKeys.Core.ApiKeys;

namespace BizKeys.Tests.Support;

/// <summary>The shapes tests look for, declared once: Core's own key and secret patterns, and the form token.</summary>
public static partial class Patterns
{
    [GeneratedRegex(KeyFormat.KeyPattern)]
    public static partial Regex Key();

    [GeneratedRegex(KeyFormat.SecretPattern)]
    public static partial Regex Secret();

    /// <summary>A secret anywhere in a text (markup, a log, a document).</summary>
    [GeneratedRegex("bks_[0-9A-Za-z]{46}")]
    public static partial Regex AnySecret();

    /// <summary>The antiforgery token of a server-rendered form.</summary>
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    public static partial Regex FormToken();

    /// <summary>The antiforgery token of the first form in <paramref name="html"/>, ready to post back.</summary>
    public static string FormTokenIn(string html) => System.Net.WebUtility.HtmlDecode(FormToken().Match(html).Groups[1].Value);
}
