using BizKeys.Core;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Mail;
using BizKeys.Core.Notifications;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace BizKeys.Tests.Notifications;

/// <summary>Email notifications: each event mailed once to the account's chosen people, through a real SMTP server, a failing one and a restart.</summary>
public class EmailTests : IAsyncLifetime
{
    private readonly SmtpTestServer _smtp = SmtpTestServer.Start();
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(settings: _smtp.Settings());

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        _smtp.Dispose();
    }

    private EmailNotifications Emails => _db.Services.GetRequiredService<EmailNotifications>();

    /// <summary>What one round of every job does: scheduled events, mail queued for them, mail sent.</summary>
    private static async Task RunJobsAsync(IServiceProvider services)
    {
        await services.GetRequiredService<KeyEventScheduler>().RunOnceAsync();
        await services.GetRequiredService<NotificationMailer>().RunOnceAsync();
        await services.GetRequiredService<MailSender>().RunOnceAsync();
    }

    private Task RunJobsAsync() => RunJobsAsync(_db.Services);

    private async Task<List<OutgoingMail>> QueuedAsync()
    {
        await using var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        return await db.OutgoingMails.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    [Fact]
    public async Task Expiry_reminders_reach_the_owner_by_SMTP_at_30_7_and_1_days_once_each_even_across_a_restart()
    {
        var request = _db.NewKey("Yearly export");
        request.ExpiresAt = _db.Now.AddDays(40);
        var issued = await _db.Keys.CreateAsync(request, _db.Owner);

        var services = (IServiceProvider)_db.Services;
        var restarted = new List<ServiceProvider>();
        for (var day = 0; day < 39; day++)
        {
            await RunJobsAsync(services);
            if (day % 10 == 5)
            {
                // A restart: a new instance on the same database, nothing of the old one's memory.
                restarted.Add(_db.StartAnotherInstance());
                services = restarted[^1];
                await RunJobsAsync(services);
            }
            _db.Time.Advance(TimeSpan.FromDays(1));
        }
        await RunJobsAsync(services);

        var mails = _smtp.Messages.Where(m => m.Subject?.Contains("Yearly export") == true).OrderBy(m => m.Date).ToList();
        Assert.Equal(["Key “Yearly export” expires in 30 days", "Key “Yearly export” expires in 7 days", "Key “Yearly export” expires in 1 day"],
            mails.Select(m => m.Subject));
        Assert.All(mails, m => Assert.Equal(TestData.OwnerEmail, Assert.Single(m.To.Mailboxes).Address));
        Assert.All(mails, m => Assert.Equal("keys@bizkeys.test", m.From.Mailboxes.Single().Address));
        Assert.Equal(3, mails.Select(m => m.MessageId).Distinct().Count());
        Assert.All(mails, m => Assert.Contains($"https://keys.example.com/settings/api-keys/{issued.Key.Key}", m.TextBody));
        Assert.All(mails, m => Assert.Contains($"https://keys.example.com/settings/api-keys/{issued.Key.Key}", m.HtmlBody));
        Assert.All(mails, m => Assert.Contains("unsubscribe=key.expiring", m.TextBody));
        Assert.All(mails, m => Assert.DoesNotContain(issued.Secret, m.TextBody + m.HtmlBody));

        _db.Time.Advance(TimeSpan.FromHours(36)); // past the expiry: the "expired" mail, once
        await RunJobsAsync(services);
        await RunJobsAsync(services);
        Assert.Equal("Key “Yearly export” has expired", Assert.Single(_smtp.Messages.Where(m => m.Subject?.Contains("Yearly export") == true).OrderBy(m => m.Date).Skip(3)).Subject);
        foreach (var instance in restarted)
            await instance.DisposeAsync();
    }

    [Fact]
    public async Task A_revoke_a_rotation_and_a_leak_report_each_mail_the_owners_and_listed_addresses_once()
    {
        await Emails.SaveAsync(new EmailSettingsRequest { AccountId = _db.Account.Id, ExtraRecipients = ["oncall@example.com"] }, _db.Owner);
        var revoked = await _db.CreateKeyAsync("Old bot");
        var rotated = await _db.CreateKeyAsync("Production bot");
        var leaked = await _db.CreateKeyAsync("Public repo key");
        await _db.Keys.RevokeAsync(_db.Account.Id, revoked.Key.Key, _db.Owner);
        await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = rotated.Key.Key, GraceMinutes = 60 }, _db.Owner);
        await _db.Services.GetRequiredService<BizKeys.Core.Leaks.LeakReporter>().ReportAsync($"found {leaked.Key.Key}:{leaked.Secret}", new Actor("leak report"), reporterAccount: null);

        await RunJobsAsync();
        await RunJobsAsync();

        var mails = _smtp.Messages;
        Assert.Equal(6, mails.Count);
        foreach (var subject in new[] { "Key “Old bot” was revoked", "Key “Production bot” was rotated", "Key “Public repo key” was revoked: its secret was reported as leaked" })
        {
            var pair = mails.Where(m => m.Subject == subject).ToList();
            Assert.Equal(["oncall@example.com", TestData.OwnerEmail], pair.Select(m => m.To.Mailboxes.Single().Address).Order());
        }
        Assert.Contains("keeps working until", mails.First(m => m.Subject?.Contains("rotated") == true).TextBody ?? "");
        Assert.All(mails, m => Assert.NotNull(m.HtmlBody));
        Assert.All(mails, m => Assert.DoesNotContain("bks_", m.TextBody + m.HtmlBody));
        var log = await Emails.RecentAsync(_db.Account.Id, _db.Owner);
        Assert.Equal(6, log.Count);
        Assert.All(log, m => Assert.Equal((MailStatus.Sent, 1), (m.Status, m.Attempts)));
    }

    [Fact]
    public async Task A_muted_event_is_not_mailed_and_nobody_chosen_means_no_mail_but_webhooks_still_go_out()
    {
        await Emails.MuteAsync(_db.Account.Id, NotificationEvents.KeyRevoked, _db.Owner);
        var muted = await _db.CreateKeyAsync("Muted");
        await _db.Keys.RevokeAsync(_db.Account.Id, muted.Key.Key, _db.Owner);
        await RunJobsAsync();
        Assert.Empty(_smtp.Messages);
        Assert.Equal([NotificationEvents.KeyRevoked], (await Emails.GetAsync(_db.Account.Id, _db.Owner)).MutedEvents);

        await Emails.SaveAsync(new EmailSettingsRequest { AccountId = _db.Account.Id, ToOwners = false }, _db.Owner);
        var rotated = await _db.CreateKeyAsync("Rotated");
        await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = rotated.Key.Key, GraceMinutes = 0 }, _db.Owner);
        await RunJobsAsync();
        Assert.Empty(_smtp.Messages);
        Assert.Empty(await QueuedAsync());
        Assert.False((await Emails.GetAsync(_db.Account.Id, _db.Owner)).ToOwners);
    }

    [Fact]
    public async Task A_mail_server_that_is_down_gets_the_mail_once_it_is_back_within_the_day_and_a_day_of_failure_marks_it_failed()
    {
        _smtp.Stop();
        var first = await _db.CreateKeyAsync("First");
        await _db.Keys.RevokeAsync(_db.Account.Id, first.Key.Key, _db.Owner);
        await RunJobsAsync();
        var waiting = Assert.Single(await QueuedAsync());
        Assert.Equal((MailStatus.Pending, 1), (waiting.Status, waiting.Attempts));
        Assert.True(waiting.NextAttemptAt > _db.Now, "a failed mail waits before it is tried again");
        Assert.NotNull(waiting.LastError);

        using var back = SmtpTestServerOn(_smtp.Port);
        _db.Time.Advance(TimeSpan.FromMinutes(1));
        await RunJobsAsync();
        Assert.Equal("Key “First” was revoked", Assert.Single(back.Messages).Subject);
        Assert.Equal((MailStatus.Sent, 2), ((await QueuedAsync())[0].Status, (await QueuedAsync())[0].Attempts));
        back.Stop();

        var second = await _db.CreateKeyAsync("Second");
        await _db.Keys.RevokeAsync(_db.Account.Id, second.Key.Key, _db.Owner);
        for (var hour = 0; hour <= 25; hour++)
        {
            await RunJobsAsync();
            _db.Time.Advance(TimeSpan.FromHours(1));
        }
        var failed = (await QueuedAsync()).Single(m => m.Subject.Contains("Second"));
        Assert.Equal(MailStatus.Failed, failed.Status);
        Assert.InRange(failed.Attempts, 10, 30); // an hour apart at most, for a day
    }

    private static SmtpTestServer SmtpTestServerOn(int port) => (SmtpTestServer)typeof(SmtpTestServer)
        .GetConstructor(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance, [typeof(int)])!.Invoke([port]);

    [Fact]
    public async Task A_crash_between_handing_a_mail_over_and_recording_it_sends_the_same_message_id_again()
    {
        var crashing = new CrashAfterSending(new SmtpMailTransport(new BizKeys.Core.Configuration.SmtpOptions
        {
            Host = "127.0.0.1", Port = _smtp.Port, Security = BizKeys.Core.Configuration.SmtpSecurity.None,
        }));
        await using var instance = await TestDatabase.CreateAsync(s => s.AddSingleton<IMailTransport>(crashing), _smtp.Settings());
        var issued = await instance.CreateKeyAsync("Crashy");
        await instance.Keys.RevokeAsync(instance.Account.Id, issued.Key.Key, instance.Owner);
        await instance.Services.GetRequiredService<NotificationMailer>().RunOnceAsync();

        using var stopping = new CancellationTokenSource();
        crashing.OnSent = stopping.Cancel; // the instance stops abruptly the moment the server has the message
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => instance.Services.GetRequiredService<MailSender>().RunOnceAsync(stopping.Token));
        Assert.Single(_smtp.Messages); // handed over, never recorded
        crashing.OnSent = null;
        instance.Time.Advance(TimeSpan.FromMinutes(6)); // the stopped instance's claim runs out
        await using var restarted = instance.StartAnotherInstance();
        await restarted.GetRequiredService<MailSender>().RunOnceAsync();
        await restarted.GetRequiredService<MailSender>().RunOnceAsync();

        var mails = _smtp.Messages;
        Assert.Equal(2, mails.Count);
        Assert.Equal(mails[0].MessageId, mails[1].MessageId); // the receiver's mail system sees one message
    }

    /// <summary>Stops the instance right after the server took the message, before anything is recorded.</summary>
    private sealed class CrashAfterSending(IMailTransport inner) : IMailTransport
    {
        public Action? OnSent { get; set; }
        public string Description => inner.Description;

        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            await inner.SendAsync(message, CancellationToken.None);
            if (OnSent is { } stop)
            {
                stop();
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    [Fact]
    public async Task Without_a_mail_server_each_mail_is_an_eml_file_written_once()
    {
        await using var local = await TestDatabase.CreateAsync();
        var issued = await local.CreateKeyAsync("Local");
        await local.Keys.RevokeAsync(local.Account.Id, issued.Key.Key, local.Owner);
        await RunJobsAsync(local.Services);
        await RunJobsAsync(local.Services);

        var file = Assert.Single(Directory.GetFiles(Path.Combine(local.Directory, "data", "mail")));
        Assert.EndsWith(".eml", file);
        var message = await MimeMessage.LoadAsync(file);
        Assert.Equal("Key “Local” was revoked", message.Subject);
        Assert.Equal(TestData.OwnerEmail, message.To.Mailboxes.Single().Address);
        Assert.Contains("/settings/api-keys/" + issued.Key.Key, message.TextBody);
    }

    [Fact]
    public async Task Names_are_escaped_in_the_html_part()
    {
        var issued = await _db.CreateKeyAsync("<img src=x onerror=alert(1)>");
        await _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, _db.Owner);
        await RunJobsAsync();

        var mail = Assert.Single(_smtp.Messages);
        Assert.DoesNotContain("<img", mail.HtmlBody);
        Assert.Contains("&lt;img", mail.HtmlBody);
        Assert.Contains("<img src=x onerror=alert(1)>", mail.TextBody);
    }

    [Fact]
    public async Task Events_older_than_a_day_when_first_seen_are_not_mailed()
    {
        var issued = await _db.CreateKeyAsync("Stale");
        await _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, _db.Owner);
        _db.Time.Advance(TimeSpan.FromDays(2)); // BizKeys was stopped meanwhile, or upgraded from a version without email
        await RunJobsAsync();
        Assert.Empty(_smtp.Messages);
    }

    [Fact]
    public async Task Only_owners_change_email_settings_and_bad_addresses_are_refused_with_a_reason()
    {
        var member = await _db.AddUserAsync("member@example.com", "Member");
        await Assert.ThrowsAsync<AccessDeniedException>(() => Emails.SaveAsync(new EmailSettingsRequest { AccountId = _db.Account.Id, ToOwners = false }, member));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Emails.MuteAsync(_db.Account.Id, NotificationEvents.KeyRevoked, member));
        Assert.True((await Emails.GetAsync(_db.Account.Id, member)).ToOwners); // members read them

        foreach (var bad in new[] { "not-an-address", "a@b", "two@example.com, three@example.com", "Name <x@example.com>", "x@example.com\r\nBcc: y@example.com" })
        {
            var e = await Assert.ThrowsAsync<ValidationException>(() => Emails.SaveAsync(
                new EmailSettingsRequest { AccountId = _db.Account.Id, ExtraRecipients = [bad] }, _db.Owner));
            Assert.Contains("is not an email address", e.Errors.Single().ErrorMessage);
        }
        var tooMany = await Assert.ThrowsAsync<ValidationException>(() => Emails.SaveAsync(new EmailSettingsRequest
        {
            AccountId = _db.Account.Id, ExtraRecipients = [.. Enumerable.Range(0, 11).Select(i => $"person{i}@example.com")],
        }, _db.Owner));
        Assert.Contains("at most 10", tooMany.Errors.Single().ErrorMessage);
        await Assert.ThrowsAsync<ValidationException>(() => Emails.MuteAsync(_db.Account.Id, "key.nonsense", _db.Owner));
        var other = await _db.CreateAccountAsync("Other Co");
        await Assert.ThrowsAsync<AccountNotFoundException>(() => Emails.GetAsync(other.Id, _db.Owner));
    }

    [Fact]
    public async Task The_weekly_digest_lists_keys_unused_for_30_days_once_a_week()
    {
        var unused = await _db.CreateKeyAsync("Forgotten");
        var used = await _db.CreateKeyAsync("Busy");
        var revoked = await _db.CreateKeyAsync("Revoked");
        await _db.Keys.RevokeAsync(_db.Account.Id, revoked.Key.Key, _db.Owner);
        _db.Time.Advance(TimeSpan.FromDays(31));
        var verified = await _db.Services.GetRequiredService<BizKeys.Core.Verification.KeyVerifier>().VerifyAsync(used.Key.Key, used.Secret, null);
        _db.Services.GetRequiredService<BizKeys.Core.Usage.UsageRecorder>().Record(verified.Key, null, null);
        await _db.Services.GetRequiredService<BizKeys.Core.Usage.UsageFlusher>().FlushAsync();
        _smtp.Clear();

        await RunJobsAsync();
        await RunJobsAsync();
        var digest = Assert.Single(_smtp.Messages);
        Assert.Equal($"1 API key of {TestData.AccountName} unused for 30 days", digest.Subject);
        Assert.Contains($"Forgotten ({unused.Key.Key}) — never used", digest.TextBody);
        Assert.DoesNotContain("Busy", digest.TextBody);
        Assert.DoesNotContain("Revoked (", digest.TextBody);

        await using (var restarted = _db.StartAnotherInstance())
            await RunJobsAsync(restarted); // the same week, another instance: nothing more
        Assert.Single(_smtp.Messages);

        _db.Time.Advance(TimeSpan.FromDays(7));
        await RunJobsAsync();
        Assert.Equal(2, _smtp.Messages.Count);
    }

    [Fact]
    public async Task An_invitation_mails_a_link_to_answer_it_and_someone_of_another_account_joins_only_by_accepting()
    {
        var members = _db.Services.GetRequiredService<BizKeys.Core.Members.MemberService>();
        var ana = await _db.AddUserAsync("ana@example.com", "Owner", "Other Co");
        await members.InviteAsync(_db.Account.Id, new BizKeys.Core.Members.InviteRequest
        {
            Email = "ana@example.com", Password = "a first password", Role = BizKeys.Core.Accounts.AccountRole.Member,
        }, _db.Owner);
        await RunJobsAsync();

        var mail = Assert.Single(_smtp.Messages);
        Assert.Equal($"{TestData.OwnerEmail} invites you to {TestData.AccountName} on BizKeys", mail.Subject);
        Assert.Equal("ana@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Contains("https://keys.example.com/invitations", mail.TextBody);
        Assert.DoesNotContain("a first password", mail.TextBody + mail.HtmlBody);
        Assert.DoesNotContain("You are new to BizKeys", mail.TextBody); // she has a sign-in already
        Assert.DoesNotContain(await members.ListAsync(_db.Account.Id, _db.Owner), m => m.Email == "ana@example.com");

        var invitation = Assert.Single(await members.ForUserAsync(ana));
        await members.AnswerAsync(invitation.Id, accept: true, ana);
        Assert.Contains(await members.ListAsync(_db.Account.Id, _db.Owner), m => m.Email == "ana@example.com");
        Assert.Contains((await Emails.RecentAsync(_db.Account.Id, _db.Owner)), m => m.Kind == "invitation" && m.Status == MailStatus.Sent);
    }

    [Fact]
    public async Task Someone_new_is_told_how_to_get_in_with_the_invitation()
    {
        await _db.Services.GetRequiredService<BizKeys.Core.Members.MemberService>().InviteAsync(_db.Account.Id, new BizKeys.Core.Members.InviteRequest
        {
            Email = "new.person@example.com", Password = "a first password", Role = BizKeys.Core.Accounts.AccountRole.Owner,
        }, _db.Owner);
        await RunJobsAsync();
        var mail = Assert.Single(_smtp.Messages);
        Assert.Contains("as an owner", mail.TextBody);
        Assert.Contains("You are new to BizKeys", mail.TextBody);
        Assert.Contains("Forgot password?", mail.TextBody);
    }

    [Fact]
    public async Task A_listed_address_stops_the_mails_itself_with_the_link_or_one_click_and_an_owner_sees_it()
    {
        await Emails.SaveAsync(new EmailSettingsRequest { AccountId = _db.Account.Id, ExtraRecipients = ["team@example.com"] }, _db.Owner);
        var first = await _db.CreateKeyAsync("First");
        await _db.Keys.RevokeAsync(_db.Account.Id, first.Key.Key, _db.Owner);
        await RunJobsAsync();

        var mail = _smtp.Messages.Single(m => m.To.Mailboxes.Single().Address == "team@example.com");
        var oneClick = (mail.Headers[HeaderId.ListUnsubscribe] ?? "").Trim('<', '>');
        Assert.StartsWith("https://keys.example.com/notifications/unsubscribe/one-click?t=", oneClick);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        Assert.Contains("https://keys.example.com/notifications/unsubscribe?t=", mail.TextBody);
        var token = Uri.UnescapeDataString(oneClick[(oneClick.IndexOf("?t=", StringComparison.Ordinal) + 3)..]);

        Assert.Null(await Emails.StopForAsync(token[..^4] + "AAAA", confirm: true)); // a tampered link does nothing
        Assert.Equal((TestData.AccountName, "team@example.com"), await Emails.StopForAsync(token, confirm: true));
        var settings = await Emails.GetAsync(_db.Account.Id, _db.Owner);
        Assert.Empty(settings.ExtraRecipients);
        Assert.Equal(["team@example.com"], settings.OptedOut);

        _smtp.Clear();
        var second = await _db.CreateKeyAsync("Second");
        await _db.Keys.RevokeAsync(_db.Account.Id, second.Key.Key, _db.Owner);
        await RunJobsAsync();
        Assert.Equal([TestData.OwnerEmail], _smtp.Messages.Select(m => m.To.Mailboxes.Single().Address));
    }

    [Fact]
    public async Task A_flood_of_changes_mails_one_address_at_most_20_times_an_hour()
    {
        for (var i = 0; i < 15; i++)
        {
            var issued = await _db.CreateKeyAsync($"Scripted {i}");
            await _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, _db.Owner);
            await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = (await _db.CreateKeyAsync($"Rotated {i}")).Key.Key, GraceMinutes = 0 }, _db.Owner);
        }
        await RunJobsAsync();
        await RunJobsAsync();
        Assert.Equal(NotificationMailer.PerRecipientPerHour, _smtp.Messages.Count);

        _db.Time.Advance(TimeSpan.FromMinutes(61));
        var later = await _db.CreateKeyAsync("An hour later");
        await _db.Keys.RevokeAsync(_db.Account.Id, later.Key.Key, _db.Owner);
        await RunJobsAsync();
        Assert.Equal(NotificationMailer.PerRecipientPerHour + 1, _smtp.Messages.Count);
    }

    [Fact]
    public async Task One_address_gets_at_most_three_invitations_a_day_from_an_account()
    {
        var members = _db.Services.GetRequiredService<BizKeys.Core.Members.MemberService>();
        var request = new BizKeys.Core.Members.InviteRequest { Email = "target@third.example", Password = "a first password", Role = BizKeys.Core.Accounts.AccountRole.Member };
        for (var i = 0; i < BizKeys.Core.Members.MemberService.InvitationMailsPerDay; i++)
        {
            await members.InviteAsync(_db.Account.Id, request, _db.Owner);
            await members.CancelInvitationAsync(_db.Account.Id, (await members.PendingAsync(_db.Account.Id, _db.Owner)).Single().Id, _db.Owner);
        }
        var refused = await Assert.ThrowsAsync<ValidationException>(() => members.InviteAsync(_db.Account.Id, request, _db.Owner));
        Assert.Contains("was invited 3 times in the last day", refused.Errors.Single().ErrorMessage);
        var odd = await Assert.ThrowsAsync<ValidationException>(() => members.InviteAsync(_db.Account.Id,
            new BizKeys.Core.Members.InviteRequest { Email = "a.@example.com", Password = "a first password" }, _db.Owner));
        Assert.NotEmpty(odd.Errors);
    }
}
