using BizKeys.Core.ApiKeys;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;

namespace BizKeys.AspNetCore.Remote;

/// <summary>Usage counted in a service, to and from its report: the same counts, by name on the wire.</summary>
public static class RemoteUsage
{
    public static RemoteUsageReport ToReport(UsageBatch batch) => new(
        [.. batch.Buckets.Select(b => new RemoteBucket(b.KeyId, b.Hour, b.Success,
            FailureReasons.Counted.Where(r => b.Failures[(int)r] > 0).ToDictionary(r => r.ToString(), r => b.Failures[(int)r])))],
        [.. batch.LastUses.Select(u => new RemoteLastUse(u.KeyId, u.At, u.Ip))],
        [.. batch.Failures.Select(f => new RemoteFailure(f.KeyId, f.At, f.Reason.ToString(), f.Ip))],
        [.. batch.Requests.Select(r => new RemoteRequest(r.KeyId, r.At, r.Reason?.ToString(), r.Ip, r.Permission, r.Secret.ToString()))],
        [.. batch.PreviousSecretUses.Select(u => new RemotePreviousUse(u.KeyId, u.Count, u.First, u.At))]);

    /// <summary>Keeps what names a key <paramref name="visible"/> holds, with sane values; the rest is left out and counted.</summary>
    /// <exception cref="ArgumentException">A value no service would send (a negative count, an unknown reason).</exception>
    public static (UsageBatch Batch, int Ignored) ToBatch(RemoteUsageReport report, ISet<Guid> visible, DateTime now)
    {
        if (report.Buckets.Length > RemoteUsageReport.MaxRows || report.LastUses.Length > RemoteUsageReport.MaxRows
            || report.Failures.Length > RemoteUsageReport.MaxRows || report.Requests.Length > RemoteUsageReport.MaxRows
            || report.PreviousSecretUses.Length > RemoteUsageReport.MaxRows)
            throw new ArgumentException($"A report carries at most {RemoteUsageReport.MaxRows} rows of each kind.");
        var ignored = 0;
        bool Keep(Guid id, DateTime at)
        {
            if (at > now.AddMinutes(5) || at < now.AddDays(-2))
                throw new ArgumentException($"A time in the report ({at:O}) is not within the last two days.");
            if (visible.Contains(id))
                return true;
            ignored++;
            return false;
        }
        var buckets = new List<(Guid, DateTime, long, long[])>();
        foreach (var b in report.Buckets)
        {
            if (b.Success < 0 || b.Hour != UsageHours.Of(DateTime.SpecifyKind(b.Hour, DateTimeKind.Utc)))
                throw new ArgumentException("A bucket's count is negative or its hour is not the start of a clock hour.");
            var failures = new long[Enum.GetValues<FailureReason>().Length];
            foreach (var (name, count) in b.Failures)
            {
                if (!Enum.TryParse<FailureReason>(name, out var reason) || reason == FailureReason.UnknownKey || count < 0)
                    throw new ArgumentException($"\"{name}\" is not a failure reason counted against a key, or its count is negative.");
                failures[(int)reason] = count;
            }
            if (Keep(b.KeyId, b.Hour))
                buckets.Add((b.KeyId, DateTime.SpecifyKind(b.Hour, DateTimeKind.Utc), b.Success, failures));
        }
        var lastUses = report.LastUses.Where(u => Keep(u.KeyId, u.At)).Select(u => (u.KeyId, Utc(u.At), Address(u.Ip))).ToList();
        var failed = report.Failures.Where(f => Keep(f.KeyId, f.At)).Select(f => new KeyFailure
        {
            KeyId = f.KeyId, At = Utc(f.At), Reason = Reason(f.Reason), Ip = Address(f.Ip),
        }).ToList();
        var requests = report.Requests.Where(r => Keep(r.KeyId, r.At)).Select(r => new KeyRequest
        {
            KeyId = r.KeyId, At = Utc(r.At), Reason = r.Reason is null ? null : Reason(r.Reason), Ip = Address(r.Ip),
            Permission = r.Permission is { Length: > KeyRequest.PermissionMaxLength } ? r.Permission[..KeyRequest.PermissionMaxLength] : r.Permission,
            Secret = Enum.TryParse<SecretMatch>(r.Secret, out var secret) && secret != SecretMatch.None ? secret : SecretMatch.Current,
        }).ToList();
        var previous = report.PreviousSecretUses.Where(u => u.Count >= 0 && Keep(u.KeyId, u.At)).Select(u => (u.KeyId, u.Count, Utc(u.First), Utc(u.At))).ToList();
        return (new UsageBatch(buckets, lastUses, failed) { Requests = requests, PreviousSecretUses = previous }, ignored);
    }

    private static DateTime Utc(DateTime at) => at.Kind == DateTimeKind.Utc ? at : DateTime.SpecifyKind(at.ToUniversalTime(), DateTimeKind.Utc);

    private static FailureReason Reason(string name) =>
        Enum.TryParse<FailureReason>(name, out var reason) ? reason : throw new ArgumentException($"\"{name}\" is not a failure reason.");

    /// <summary>An address as text, or null for anything that is not one.</summary>
    private static string? Address(string? ip) =>
        ip is not null && !ip.Contains('%') && System.Net.IPAddress.TryParse(ip, out var parsed) ? parsed.ToString() : null;
}
