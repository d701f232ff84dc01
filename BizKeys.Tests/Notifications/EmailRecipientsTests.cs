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

/// <summary>Who gets notification mail: only owners choose, bad addresses are refused, a listed address can stop them itself.</summary>
public class EmailRecipientsTests : EmailTestBase
{
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
}
