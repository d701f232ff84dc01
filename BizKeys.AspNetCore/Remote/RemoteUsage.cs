using BizKeys.Core.ApiKeys;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;

namespace BizKeys.AspNetCore.Remote;

/// <summary>Usage counted in a service, to and from its report: the same counts, by name on the wire.</summary>
public static class RemoteUsage
{
    /// <summary>
    /// The most a report may count for one key and hour: far beyond what one service sends in a few seconds, far below
    /// what any sum of reports could overflow.
    /// </summary>
    public const long MaxCount = 100_000_000;

    /// <summary>Sampled rows kept per key from one report (failed attempts, recent requests), as a service samples them.</summary>
    public const int MaxSamplesPerKey = 20;

    public static RemoteUsageReport ToReport(UsageBatch batch) => new(
        [.. batch.Buckets.Select(b => new RemoteBucket(b.KeyId, b.Hour, b.Success,
            FailureReasons.Counted.Where(r => b.Failures[(int)r] > 0).ToDictionary(r => r.ToString(), r => b.Failures[(int)r])))],
        [.. batch.LastUses.Select(u => new RemoteLastUse(u.KeyId, u.At, u.Ip))],
        [.. batch.Failures.Select(f => new RemoteFailure(f.KeyId, f.At, f.Reason.ToString(), f.Ip))],
        [.. batch.Requests.Select(r => new RemoteRequest(r.KeyId, r.At, r.Reason?.ToString(), r.Ip, r.Permission, r.Secret.ToString()))],
        [.. batch.PreviousSecretUses.Select(u => new RemotePreviousUse(u.KeyId, u.Count, u.First, u.At))]);

    /// <summary>
    /// Keeps what names a key <paramref name="visible"/> holds, with sane values and no more samples per key than a
    /// service keeps; the rest is left out and counted.
    /// </summary>
    /// <exception cref="ArgumentException">A value no service would send (a count out of range, an unknown reason, a time far off).</exception>
    public static (UsageBatch Batch, int Ignored) ToBatch(RemoteUsageReport report, ISet<Guid> visible, ISet<string> permissions, DateTime now)
    {
        var buckets = report.Buckets ?? [];
        var lastUses = report.LastUses ?? [];
        var failures = report.Failures ?? [];
        var requests = report.Requests ?? [];
        var previousUses = report.PreviousSecretUses ?? [];
        if (new[] { buckets.Length, lastUses.Length, failures.Length, requests.Length, previousUses.Length }.Any(n => n > RemoteUsageReport.MaxRows))
            throw new ArgumentException($"A report carries at most {RemoteUsageReport.MaxRows} rows of each kind.");
        var ignored = 0;
        bool Keep(Guid id, DateTime at)
        {
            if (at > now.AddMinutes(1) || at < now.AddDays(-2))
                throw new ArgumentException($"A time in the report ({at:O}) is not within the last two days.");
            if (visible.Contains(id))
                return true;
            ignored++;
            return false;
        }
        var samples = new Dictionary<(Guid, bool), int>();
        bool Sampled(Guid id, bool failure)
        {
            var seen = samples.GetValueOrDefault((id, failure)) + 1;
            samples[(id, failure)] = seen;
            return seen <= MaxSamplesPerKey;
        }
        var counted = new List<(Guid, DateTime, long, long[])>();
        foreach (var b in buckets)
        {
            var hour = Utc(b.Hour);
            if (b.Success is < 0 or > MaxCount || hour != UsageHours.Of(hour))
                throw new ArgumentException($"A bucket's count must be 0 to {MaxCount}, and its hour the start of a clock hour.");
            var byReason = new long[Enum.GetValues<FailureReason>().Length];
            foreach (var (name, count) in b.Failures ?? [])
            {
                if (Reason(name) is not { } reason || reason == FailureReason.UnknownKey || count is < 0 or > MaxCount)
                    throw new ArgumentException($"\"{name}\" is not a failure reason counted against a key, or its count is not 0 to {MaxCount}.");
                byReason[(int)reason] = count;
            }
            if (Keep(b.KeyId, hour))
                counted.Add((b.KeyId, hour, b.Success, byReason));
        }
        var used = lastUses.Where(u => Keep(u.KeyId, u.At)).Select(u => (u.KeyId, Utc(u.At), Address(u.Ip))).ToList();
        var failed = new List<KeyFailure>();
        foreach (var f in failures)
        {
            var reason = Reason(f.Reason) ?? throw new ArgumentException($"\"{f.Reason}\" is not a failure reason.");
            if (Keep(f.KeyId, f.At) && Sampled(f.KeyId, failure: true))
                failed.Add(new KeyFailure { KeyId = f.KeyId, At = Utc(f.At), Reason = reason, Ip = Address(f.Ip) });
        }
        var recent = new List<KeyRequest>();
        foreach (var r in requests)
        {
            FailureReason? reason = r.Reason is null ? null : Reason(r.Reason) ?? throw new ArgumentException($"\"{r.Reason}\" is not a failure reason.");
            if (r.Secret is null || !IsName(r.Secret) || !Enum.TryParse<SecretMatch>(r.Secret, out var secret) || !Enum.IsDefined(secret))
                throw new ArgumentException($"\"{r.Secret}\" is not which secret a request presented (Current, Previous or None).");
            if (Keep(r.KeyId, r.At) && Sampled(r.KeyId, failure: false))
            {
                recent.Add(new KeyRequest
                {
                    KeyId = r.KeyId, At = Utc(r.At), Reason = reason, Ip = Address(r.Ip), Secret = secret,
                    Permission = r.Permission is not null && permissions.Contains(r.Permission) ? r.Permission : null, // only a permission BizKeys knows
                });
            }
        }
        var previous = new List<(Guid, long, DateTime, DateTime)>();
        foreach (var u in previousUses)
        {
            if (u.Count is < 0 or > MaxCount || u.First > u.At)
                throw new ArgumentException($"A use of a previous secret must count 0 to {MaxCount}, its first use no later than its last.");
            if (Keep(u.KeyId, u.First) && Keep(u.KeyId, u.At))
                previous.Add((u.KeyId, u.Count, Utc(u.First), Utc(u.At)));
        }
        return (new UsageBatch(counted, used, failed) { Requests = recent, PreviousSecretUses = previous }, ignored);
    }

    private static DateTime Utc(DateTime at) => at.Kind == DateTimeKind.Utc ? at : DateTime.SpecifyKind(at.ToUniversalTime(), DateTimeKind.Utc);

    /// <summary>A reason by its name only (no numbers, no combinations).</summary>
    private static FailureReason? Reason(string? name) =>
        name is not null && IsName(name) && Enum.TryParse<FailureReason>(name, out var reason) && Enum.IsDefined(reason) ? reason : null;

    private static bool IsName(string text) => text.Length > 0 && text.All(char.IsAsciiLetter);

    /// <summary>An address as text, or null for anything that is not one.</summary>
    private static string? Address(string? ip) =>
        ip is not null && !ip.Contains('%') && System.Net.IPAddress.TryParse(ip, out var parsed) ? parsed.ToString() : null;
}
