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
public class EmailTests : EmailTestBase
{
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

        // The folder the transport says it writes to (beside the SQLite database; data/mail on PostgreSQL).
        var folder = local.Services.GetRequiredService<BizKeys.Core.Mail.IMailTransport>().Description;
        Assert.StartsWith(local.Directory, folder, StringComparison.Ordinal);
        var file = Assert.Single(Directory.GetFiles(folder));
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

}
