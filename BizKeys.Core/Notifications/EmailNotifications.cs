using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.Audit;
using BizKeys.Core.Data;
using BizKeys.Core.Mail;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Notifications;

public sealed record EmailSettingsView(bool ToOwners, IReadOnlyList<string> ExtraRecipients, IReadOnlyList<string> MutedEvents,
    IReadOnlyList<string> OwnerEmails, string Destination, IReadOnlyList<string> OptedOut);

public sealed class EmailSettingsRequest
{
    public Guid AccountId { get; set; }
    public bool ToOwners { get; set; } = true;
    public List<string> ExtraRecipients { get; set; } = [];
    public List<string> MutedEvents { get; set; } = [];
}

/// <summary>An account's email notifications (Settings > Notifications): who gets them and about what. Owners change them; members see them.</summary>
public sealed class EmailNotifications(
    IDbContextFactory<BizKeysDbContext> dbFactory, AccountAccess access, MailSender sender, EmailUnsubscribe unsubscribe, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<EmailSettingsView> GetAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await db.EmailSettings.AsNoTracking().SingleOrDefaultAsync(s => s.AccountId == accountId, ct) ?? new EmailSettings { AccountId = accountId };
        var owners = (await OwnerEmails(db, [accountId]).ToListAsync(ct)).Select(o => o.Email).Order(StringComparer.OrdinalIgnoreCase).ToList();
        return new EmailSettingsView(settings.ToOwners, settings.ExtraRecipients, settings.MutedEvents, owners, sender.Destination, settings.OptedOut);
    }

    public async Task<EmailSettingsView> SaveAsync(EmailSettingsRequest request, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, request.AccountId, AccountNeed.ManageSettings, ct);
        var extra = Validate(request);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await db.EmailSettings.SingleOrDefaultAsync(s => s.AccountId == request.AccountId, ct);
        if (settings is null)
            db.EmailSettings.Add(settings = new EmailSettings { AccountId = request.AccountId });
        settings.ToOwners = request.ToOwners;
        settings.ExtraRecipients = extra;
        settings.MutedEvents = [.. request.MutedEvents.Distinct().Order(StringComparer.Ordinal)];
        // An address an owner lists again is theirs to mail again.
        settings.OptedOut = [.. settings.OptedOut.Where(o => !extra.Contains(o, StringComparer.OrdinalIgnoreCase))];
        settings.UpdatedAt = Now;
        settings.UpdatedBy = Text.Truncate(actor.Name, ApiKeys.ApiKey.ActorMaxLength);
        db.AuditEntries.Add(AuditEntry.Create(request.AccountId, actor, AuditActions.EmailSettingsChanged, "Email notifications", Describe(settings), Now));
        await db.SaveChangesAsync(ct);
        return await GetAsync(request.AccountId, actor, ct);
    }

    /// <summary>The "stop these emails" link: nobody of the account is emailed about this event any more.</summary>
    public async Task MuteAsync(Guid accountId, string type, Actor actor, CancellationToken ct = default)
    {
        var current = await GetAsync(accountId, actor, ct);
        if (!NotificationEvents.IsSubscribable(type))
            throw Invalid("Event", "That link names no event BizKeys sends.");
        await SaveAsync(new EmailSettingsRequest
        {
            AccountId = accountId, ToOwners = current.ToOwners, ExtraRecipients = [.. current.ExtraRecipients], MutedEvents = [.. current.MutedEvents, type],
        }, actor, ct);
    }

    /// <summary>
    /// The recipient's own "stop all of these emails" (a signed link from a mail, no sign-in): the address leaves the
    /// extra addresses and gets none of the account's notification mails, even as an owner, until an owner lists it again.
    /// </summary>
    /// <returns>The account's name and the address, or null when the link is not one BizKeys made.</returns>
    public async Task<(string Account, string Address)?> StopForAsync(string? token, bool confirm, CancellationToken ct = default)
    {
        if (!unsubscribe.TryRead(token, out var accountId, out var address))
            return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var name = await db.Accounts.Where(a => a.Id == accountId).Select(a => a.Name).SingleOrDefaultAsync(ct);
        if (name is null)
            return null;
        if (!confirm)
            return (name, address);
        var settings = await db.EmailSettings.SingleOrDefaultAsync(s => s.AccountId == accountId, ct);
        if (settings is null)
            db.EmailSettings.Add(settings = new EmailSettings { AccountId = accountId, UpdatedAt = Now, UpdatedBy = "recipient" });
        if (settings.OptedOut.Contains(address, StringComparer.OrdinalIgnoreCase))
            return (name, address);
        settings.ExtraRecipients = [.. settings.ExtraRecipients.Where(e => !string.Equals(e, address, StringComparison.OrdinalIgnoreCase))];
        settings.OptedOut = [.. settings.OptedOut, address];
        db.AuditEntries.Add(AuditEntry.Create(accountId, new Actor(address), AuditActions.EmailSettingsChanged, "Email notifications",
            $"{address} asked for no more notification emails (the link in an email)", Now));
        await db.SaveChangesAsync(ct);
        return (name, address);
    }

    /// <summary>The account's last mails, newest first: what went to whom, and what is still being tried.</summary>
    public async Task<IReadOnlyList<OutgoingMailView>> RecentAsync(Guid accountId, Actor actor, int count = 20, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.OutgoingMails.AsNoTracking().Where(m => m.AccountId == accountId).OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Take(count).Select(m => new OutgoingMailView(m.Id, m.Kind, m.To, m.Subject, m.Status, m.Attempts, m.CreatedAt, m.LastAttemptAt, m.LastError))
            .ToListAsync(ct);
    }

    internal static IQueryable<OwnerAddress> OwnerEmails(BizKeysDbContext db, IReadOnlyCollection<Guid> accounts) =>
        db.Memberships.Where(m => accounts.Contains(m.AccountId) && m.Role == AccountRole.Owner)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new OwnerAddress { AccountId = m.AccountId, Email = u.Email! });

    internal sealed class OwnerAddress
    {
        public Guid AccountId { get; init; }
        public string Email { get; init; } = "";
    }

    private static List<string> Validate(EmailSettingsRequest request)
    {
        var extra = request.ExtraRecipients.Select(e => e.Trim()).Where(e => e.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (extra.Count > EmailSettings.MaxExtraRecipients)
            throw Invalid(nameof(request.ExtraRecipients), $"List at most {EmailSettings.MaxExtraRecipients} extra addresses; a team list or alias can stand for more people.");
        foreach (var address in extra)
        {
            if (!MailAddresses.IsPlain(address))
                throw Invalid(nameof(request.ExtraRecipients), $"“{Text.Truncate(address, 80)}” is not an email address.");
        }
        var unknown = request.MutedEvents.FirstOrDefault(e => !NotificationEvents.IsSubscribable(e));
        if (unknown is not null)
            throw Invalid(nameof(request.MutedEvents), $"There is no event called {Text.Truncate(unknown, 64)}.");
        return extra;
    }

    private static string Describe(EmailSettings settings)
    {
        var who = new List<string>();
        if (settings.ToOwners)
            who.Add("the owners");
        who.AddRange(settings.ExtraRecipients);
        var to = who.Count == 0 ? "nobody" : string.Join(", ", who);
        var muted = settings.MutedEvents.Count == 0 ? "every event" : "every event but " + string.Join(", ", settings.MutedEvents);
        return $"Email to {to} about {muted}";
    }

    private static ValidationException Invalid(string property, string message) => new([new ValidationFailure(property, message)]);
}
