namespace BizKeys.Core;

/// <summary>One page of a longer list: its items, how many there are in all, and where this page sits.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int TotalCount, int PageIndex, int PageSize);
