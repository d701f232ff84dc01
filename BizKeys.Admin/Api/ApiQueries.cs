using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Usage;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace BizKeys.Admin.Api;

/// <summary>The query of <c>GET /api/v1/keys</c>; checked by <see cref="KeyListQueryValidator"/> before Core is asked.</summary>
public sealed record KeyListQuery(
    [property: FromQuery(Name = "page")] int? Page, [property: FromQuery(Name = "pageSize")] int? PageSize,
    [property: FromQuery(Name = "search")] string? Search, [property: FromQuery(Name = "status")] string? Status)
{
    public const int DefaultPageSize = 25;

    public int Size => PageSize ?? DefaultPageSize;

    public ApiKeyStatus? WantedStatus => Status is null ? null : Enum.Parse<ApiKeyStatus>(Status, ignoreCase: true);

    public KeyQuery For(Guid accountId) => new(accountId) { Search = Search, Status = WantedStatus, Page = (Page ?? 1) - 1, PageSize = Size };
}

public sealed class KeyListQueryValidator : AbstractValidator<KeyListQuery>
{
    public static KeyListQueryValidator Instance { get; } = new();

    public KeyListQueryValidator()
    {
        RuleFor(q => q.Status).Must(s => s is null || Enum.GetNames<ApiKeyStatus>().Contains(s, StringComparer.OrdinalIgnoreCase))
            .OverridePropertyName("status").WithMessage("Use Active, Expired or Revoked.");
        RuleFor(q => q).Must(q => q.Size is >= 1 and <= KeyQuery.MaxPageSize && q.Page is null or >= 1 && (long)(q.Page ?? 1) * q.Size <= int.MaxValue)
            .OverridePropertyName("pageSize").WithMessage($"Pages start at 1 and hold 1 to {KeyQuery.MaxPageSize} keys.");
    }
}

/// <summary>The query of <c>GET /api/v1/keys/{key}/usage</c>. The dates' range is Core's rule (<see cref="UsageWindow"/>).</summary>
public sealed record UsageQuery(
    [property: FromQuery(Name = "from")] DateTime? From, [property: FromQuery(Name = "to")] DateTime? To,
    [property: FromQuery(Name = "granularity")] string? Granularity)
{
    public Granularity Grain => Granularity?.ToLowerInvariant() == "day" ? Core.Usage.Granularity.Day : Core.Usage.Granularity.Hour;
}

public sealed class UsageQueryValidator : AbstractValidator<UsageQuery>
{
    public static UsageQueryValidator Instance { get; } = new();

    public UsageQueryValidator() =>
        RuleFor(q => q.Granularity).Must(g => g is null || g.Equals("hour", StringComparison.OrdinalIgnoreCase) || g.Equals("day", StringComparison.OrdinalIgnoreCase))
            .OverridePropertyName("granularity").WithMessage("Use hour or day.");
}
