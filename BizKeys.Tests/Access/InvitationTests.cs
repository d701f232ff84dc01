using BizKeys.Core.Accounts;
using BizKeys.Core.Members;
using BizKeys.Core.Users;
using BizKeys.Core;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Access;

/// <summary>Owners invite; nobody joins an account without accepting, and an invitation tells nobody who exists.</summary>
public class InvitationTests : DatabaseTest
{
    private MemberService Members => Db.Services.GetRequiredService<MemberService>();
    private UserDirectory Users => Db.Services.GetRequiredService<UserDirectory>();

    private async Task<Actor> PersonAsync(string email)
    {
        var user = (await Users.FindByEmailAsync(email))!;
        return Actor.User(user.Id, email, false, null);
    }

    [Fact]
    public async Task Inviting_an_existing_user_and_a_new_email_gives_the_same_answer_and_checks_the_password_alike()
    {
        await Db.Services.CreateUserAsync("victim@elsewhere.example", "Owner", "Elsewhere Ltd");

        var existingShort = await Assert.ThrowsAsync<ValidationException>(() =>
            Members.InviteAsync(Db.Account.Id, "victim@elsewhere.example", "x", AccountRole.Member, Db.Owner));
        var newShort = await Assert.ThrowsAsync<ValidationException>(() =>
            Members.InviteAsync(Db.Account.Id, "nobody-here@example.com", "x", AccountRole.Member, Db.Owner));
        Assert.Equal(existingShort.Errors.Select(e => e.ErrorMessage), newShort.Errors.Select(e => e.ErrorMessage));

        await Members.InviteAsync(Db.Account.Id, "victim@elsewhere.example", TestData.Password, AccountRole.Member, Db.Owner);
        await Members.InviteAsync(Db.Account.Id, "nobody-here@example.com", TestData.Password, AccountRole.Member, Db.Owner);

        Assert.Equal([TestData.OwnerEmail], (await Members.ListAsync(Db.Account.Id, Db.Owner)).Select(m => m.Email));
        Assert.Equal(["nobody-here@example.com", "victim@elsewhere.example"], (await Members.PendingAsync(Db.Account.Id, Db.Owner)).Select(i => i.Email));
        var victim = await PersonAsync("victim@elsewhere.example");
        Assert.Equal(["Elsewhere Ltd"], (await Db.Accounts.ChoicesAsync(victim.UserId!.Value)).All.Select(c => c.Name));
    }

    [Fact]
    public async Task Accepting_joins_in_the_offered_role_and_declining_leaves_nothing()
    {
        await Members.InviteAsync(Db.Account.Id, "ana@example.com", TestData.Password, AccountRole.Owner, Db.Owner);
        await Members.InviteAsync(Db.Account.Id, "bo@example.com", TestData.Password, AccountRole.Member, Db.Owner);
        var ana = await PersonAsync("ana@example.com");
        var bo = await PersonAsync("bo@example.com");

        var anasInvitation = (await Members.ForUserAsync(ana)).Single();
        await Assert.ThrowsAsync<ValidationException>(() => Members.AnswerAsync(anasInvitation.Id, accept: true, bo)); // not Bo's to answer
        Assert.Equal(Db.Account.Id, await Members.AnswerAsync(anasInvitation.Id, accept: true, ana));
        Assert.Null(await Members.AnswerAsync((await Members.ForUserAsync(bo)).Single().Id, accept: false, bo));

        var members = await Members.ListAsync(Db.Account.Id, Db.Owner);
        Assert.Equal(AccountRole.Owner, members.Single(m => m.Email == "ana@example.com").Role);
        Assert.DoesNotContain(members, m => m.Email == "bo@example.com");
        Assert.Empty(await Members.PendingAsync(Db.Account.Id, Db.Owner));
        Assert.Empty(await Members.ForUserAsync(ana));
    }

    [Fact]
    public async Task A_sign_in_made_by_one_accounts_invitation_cannot_collect_another_tenants_invitation()
    {
        await Members.InviteAsync(Db.Account.Id, "victim@corp.example", TestData.Password, AccountRole.Member, Db.Owner);
        var rival = await Db.AddUserAsync("rival@other.example", "Owner", "Rival Ltd");
        var rivalAccount = (await Db.Accounts.FindByNameAsync("Rival Ltd"))!;
        await Members.InviteAsync(rivalAccount.Id, "victim@corp.example", "another long password", AccountRole.Owner, rival);

        // Whoever knows the first inviter's password sees only that account's invitation, never Rival's.
        var victim = await PersonAsync("victim@corp.example");
        var seen = await Members.ForUserAsync(victim);
        Assert.Equal(["My Business"], seen.Select(i => i.AccountName));
        var rivals = (await Members.PendingAsync(rivalAccount.Id, rival)).Single();
        await Assert.ThrowsAsync<ValidationException>(() => Members.AnswerAsync(rivals.Id, accept: true, victim));
        Assert.DoesNotContain(await Members.ListAsync(rivalAccount.Id, rival), m => m.Email == "victim@corp.example");
    }

    [Fact]
    public async Task Cancelling_an_invitation_removes_the_sign_in_it_made_and_nothing_else()
    {
        await Members.InviteAsync(Db.Account.Id, "temp@example.com", TestData.Password, AccountRole.Member, Db.Owner);
        var invitation = (await Members.PendingAsync(Db.Account.Id, Db.Owner)).Single();

        await Members.CancelInvitationAsync(Db.Account.Id, invitation.Id, Db.Owner);

        Assert.Null(await Users.FindByEmailAsync("temp@example.com"));
        await Assert.ThrowsAsync<ValidationException>(() => Members.CancelInvitationAsync(Db.Account.Id, invitation.Id, Db.Owner));
        Assert.NotNull(await Users.FindByEmailAsync(TestData.OwnerEmail));
    }
}
