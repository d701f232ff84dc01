using System.Globalization;

namespace BizKeys.Core.ApiKeys;

/// <summary>Readable before/after summaries of key settings for the audit log. Secrets never reach here.</summary>
internal static class KeyAuditSummary
{
    public static Dictionary<string, string> Fields(ApiKey key) => new()
    {
        ["Name"] = key.Name,
        ["Environment"] = key.Environment,
        ["Permissions"] = key.Permissions.Count == 0 ? "none" : string.Join(", ", key.Permissions),
        ["Expires"] = key.ExpiresAt?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "never",
        ["IP allowlist"] = key.IpAllowlist.Count == 0 ? "any" : string.Join(", ", key.IpAllowlist),
        ["Rate limit"] = key.RateLimitPerMinute is { } limit ? $"{limit}/min" : "none",
    };

    public static string Describe(ApiKey key) => string.Join("; ", Fields(key).Select(f => $"{f.Key}: {f.Value}"));

    public static string Diff(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        var changes = after.Where(f => before[f.Key] != f.Value).Select(f => $"{f.Key}: {before[f.Key]} → {f.Value}").ToList();
        return changes.Count == 0 ? "No changes" : string.Join("; ", changes);
    }
}
