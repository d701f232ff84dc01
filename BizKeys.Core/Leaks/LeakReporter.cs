using System.Text.RegularExpressions;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Leaks;

/// <summary>What a leak report did: secrets found in the text, keys revoked now, and the reporter's own account's keys among them.</summary>
public sealed record LeakReport(int Found, int Revoked, IReadOnlyList<LeakedKey> YourKeys);

/// <summary>A key of the reporter's own account whose secret was in the text.</summary>
public sealed record LeakedKey(string Key, string Name, bool WasAlreadyRevoked);

public sealed record LeakNoticeView(long Id, string Key, string Name, DateTime ReportedAt);

/// <summary>
/// Report a leaked secret: every secret-shaped string with a valid checksum in the pasted text is looked up by its
/// digest (on an index) and its key revoked at once, audited as reported. Whoever holds a leaked secret may have it
/// revoked — signed in or not — and learns only counts, plus the names of their own account's keys.
/// </summary>
public sealed partial class LeakReporter(
    IDbContextFactory<BizKeysDbContext> dbFactory, AccountAccess access, ApiKeyService keys, TimeProvider time, ILogger<LeakReporter> logger)
{
    public const int MaxTextLength = 1024 * 1024;
    public const int MaxSecretsPerReport = 1000;

    /// <summary>A secret standing alone: not the middle of a longer run of letters and digits.</summary>
    [GeneratedRegex("(?<![0-9A-Za-z_])bks_[0-9A-Za-z]{46}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex SecretShape();

    /// <summary>The distinct secret-shaped strings of <paramref name="text"/> whose checksum is right (mistypes and made-up strings drop out).</summary>
    public static IReadOnlyList<string> FindSecrets(string text) =>
        [.. SecretShape().Matches(text).Select(m => m.Value).Where(s => KeyFormat.IsWellFormedSecret(s)).Distinct(StringComparer.Ordinal)];

    /// <param name="reporter">Who reported: a signed-in person, or an anonymous caller of the API (named by address).</param>
    /// <param name="reporterAccount">The account whose keys the answer may name (the reporter's own), if any.</param>
    public async Task<LeakReport> ReportAsync(string? text, Actor reporter, Guid? reporterAccount, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw Invalid("Paste the text that holds the secret: a log excerpt, a message or a file.");
        if (text.Length > MaxTextLength)
            throw Invalid($"Paste at most {MaxTextLength / 1024:N0} KB of text at a time.");
        var secrets = FindSecrets(text);
        if (secrets.Count > MaxSecretsPerReport)
            throw Invalid($"That text holds more than {MaxSecretsPerReport:N0} secrets; report it in parts.");
        if (reporterAccount is { } own)
            await access.RequireAsync(reporter, own, AccountNeed.Read, ct);

        var revoked = 0;
        var yours = new List<LeakedKey>();
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var secret in secrets)
        {
            foreach (var (id, account) in await MatchesAsync(KeyFormat.Digest(secret), now, ct))
            {
                // Another account's owners learn that a report revoked their key, not who reported it or from where.
                var (key, accountId, revokedNow) = await keys.RevokeLeakedAsync(id, account == reporterAccount ? reporter : Someone, ct);
                if (revokedNow)
                {
                    revoked++;
                    LogRevoked(key.Key);
                }
                if (accountId == reporterAccount)
                    yours.Add(new LeakedKey(key.Key, key.Name, !revokedNow));
            }
        }
        if (reporter.IsSupport)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.SupportLog.Add(Support.SupportLogEntry.Create(reporter, Support.SupportActions.LeakReported,
                $"{secrets.Count:N0} secrets found, {revoked:N0} keys revoked", accountId: null, time.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync(ct);
        }
        return new LeakReport(secrets.Count, revoked, yours);
    }

    /// <summary>
    /// The keys a secret with this digest opens now. Both digests are indexed. A previous secret counts only while its
    /// grace period runs: one that no longer works is no leak, and must not let whoever still holds it revoke the key
    /// that replaced it.
    /// </summary>
    private async Task<List<(Guid Id, Guid AccountId)>> MatchesAsync(byte[] digest, DateTime now, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var matches = await db.ApiKeys.AsNoTracking()
            .Where(k => k.SecretHash == digest || (k.PreviousSecretHash == digest && k.PreviousSecretExpiresAt > now))
            .Select(k => new { k.Id, k.AccountId }).ToListAsync(ct);
        return [.. matches.Select(m => (m.Id, m.AccountId))];
    }

    /// <summary>The account's keys revoked as leaked that no owner has acknowledged yet.</summary>
    public async Task<IReadOnlyList<LeakNoticeView>> NoticesAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.LeakNotices.AsNoTracking().Where(n => n.AccountId == accountId && n.AcknowledgedAt == null)
            .OrderByDescending(n => n.ReportedAt).Take(50)
            .Select(n => new LeakNoticeView(n.Id, n.Key, n.KeyName, n.ReportedAt)).ToListAsync(ct);
    }

    /// <summary>An owner has seen these notices: they leave the page (they stay in the audit log). Notices that arrived since stay.</summary>
    public async Task AcknowledgeAsync(Guid accountId, IReadOnlyCollection<long> seen, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageKeys, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var ids = seen.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var notice in await db.LeakNotices.Where(n => n.AccountId == accountId && n.AcknowledgedAt == null && ids.Contains(n.Id)).ToListAsync(ct))
            notice.Acknowledge(actor, now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>How a report from outside the key's account is recorded in it.</summary>
    public static readonly Actor Someone = new("leak report");

    private static ValidationException Invalid(string message) => new([new ValidationFailure("text", message)]);

    [LoggerMessage(LogLevel.Warning, "API key {Key} revoked: its secret was reported as leaked")]
    private partial void LogRevoked(string key);
}
