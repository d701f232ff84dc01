using System.Globalization;
using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Audit;

public sealed record AuditView(DateTime At, string Actor, string? Ip, string Action, string? Target, string Summary);

public sealed record AuditQuery(Guid AccountId)
{
    public string? Action { get; init; }
    /// <summary>Matches the actor, the target or the summary.</summary>
    public string? Search { get; init; }
    public string? Target { get; init; }
    public DateTime? From { get; init; }
    public DateTime? To { get; init; }
    public int Page { get; init; }
    public int PageSize { get; init; } = 50;
}

/// <summary>Reads an account's audit trail for the people allowed to see it, and records events outside key changes.</summary>
public sealed class AuditLog(IDbContextFactory<BizKeysDbContext> dbFactory, AccountAccess access, TimeProvider time)
{
    public const int MaxExportRows = 100_000;

    public async Task RecordAsync(Guid? accountId, Actor actor, string action, string? target, string summary, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, action, target, summary, time.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// A failed sign-in, recorded in the person's last account. Only what a person needs, not every guess: the first
    /// failure of a window, and the lockout when it comes.
    /// </summary>
    public Task RecordFailedSignInAsync(Guid userId, Guid? lastAccountId, string email, string? ip, int failures, bool locked, CancellationToken ct = default) =>
        RecordAsync(lastAccountId, new Actor(email) { UserId = userId, Ip = ip }, locked ? AuditActions.SignInLockedOut : AuditActions.SignInFailed, email,
            locked ? $"Sign-in locked after {failures} failed attempts" : "Wrong email or password", ct);

    public async Task<PagedResult<AuditView>> QueryAsync(AuditQuery query, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, query.AccountId, AccountNeed.Read, ct);
        var pageSize = Math.Clamp(query.PageSize, 1, 200);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entries = Filter(db, query);
        var total = await entries.CountAsync(ct);
        var rows = await entries.OrderByDescending(a => a.At).ThenByDescending(a => a.Id)
            .Skip(Math.Max(query.Page, 0) * pageSize).Take(pageSize)
            .Select(a => new AuditView(a.At, a.Actor, a.Ip, a.Action, a.Target, a.Summary)).ToListAsync(ct);
        return new PagedResult<AuditView>(rows, total, query.Page, pageSize);
    }

    /// <summary>Writes the matching entries, newest first, as CSV (RFC 4180, spreadsheet formulas neutralised).</summary>
    public async Task ExportCsvAsync(AuditQuery query, Actor actor, TextWriter output, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, query.AccountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await output.WriteLineAsync("time_utc,actor,ip,action,target,summary");
        var rows = Filter(db, query).OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(MaxExportRows).AsAsyncEnumerable();
        await foreach (var a in rows.WithCancellation(ct))
        {
            await output.WriteLineAsync(string.Join(',',
                a.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), Csv.Cell(a.Actor), Csv.Cell(a.Ip), Csv.Cell(a.Action), Csv.Cell(a.Target), Csv.Cell(a.Summary)));
        }
    }

    private static IQueryable<AuditEntry> Filter(BizKeysDbContext db, AuditQuery query)
    {
        var entries = db.AuditEntries.AsNoTracking().Where(a => a.AccountId == query.AccountId);
        if (!string.IsNullOrEmpty(query.Action))
            entries = entries.Where(a => a.Action == query.Action);
        if (!string.IsNullOrEmpty(query.Target))
            entries = entries.Where(a => a.Target == query.Target);
        if (query.From is { } from)
            entries = entries.Where(a => a.At >= from);
        if (query.To is { } to)
            entries = entries.Where(a => a.At < to);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim();
            entries = entries.Where(a => a.Actor.Contains(term) || (a.Target != null && a.Target.Contains(term)) || a.Summary.Contains(term));
        }
        return entries;
    }
}
