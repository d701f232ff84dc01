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

/// <summary>Invitations by email: a link to answer, how someone new gets in, and a cap per address.</summary>
public class InvitationEmailTests : EmailTestBase
{
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
