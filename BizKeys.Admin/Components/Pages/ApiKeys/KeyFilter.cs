using BizKeys.Core.ApiKeys;

namespace BizKeys.Admin.Components.Pages.ApiKeys;

/// <summary>What the keys grid is narrowed to; <see cref="All"/> (empty) means no filter on that column.</summary>
public sealed record KeyFilter(string Search, string Status, string Environment)
{
    public const string All = "";

    public static KeyFilter None { get; } = new("", All, All);

    public bool IsFiltered => !string.IsNullOrWhiteSpace(Search) || Status != All || Environment != All;

    public KeyQuery ApplyTo(KeyQuery query) => query with
    {
        Search = Search,
        Status = Enum.TryParse<ApiKeyStatus>(Status, out var status) ? status : null,
        Environment = Environment == All ? null : Environment,
    };
}
