using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Members;
using BizKeys.Core.Support;
using BizKeys.Core.Users;
using BizKeys.Core;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Access;

public class AuditTrailTests : DatabaseTest
{

    private AuditLog Audit => Db.Services.GetRequiredService<AuditLog>();
    private MemberService Members => Db.Services.GetRequiredService<MemberService>();

    [Fact]
    public async Task Every_key_change_is_recorded_with_actor_time_ip_and_a_before_after_summary_but_never_the_secret()
    {
        var created = await Db.CreateKeyAsync("CRM sync");
        var edit = UpdateKeyRequest.From(created.Key, Db.Account.Id);
        edit.Name = "CRM nightly";
        edit.Permissions = ["contacts:read"];
        await Db.Keys.UpdateAsync(edit, Db.Owner);
        var rotated = await Db.Keys.RotateAsync(new RotateKeyRequest { AccountId = Db.Account.Id, Key = created.Key.Key, GraceMinutes = 60 }, Db.Owner);
        await Db.Keys.RevokeAsync(Db.Account.Id, created.Key.Key, Db.Owner);

        var entries = (await Audit.QueryAsync(new AuditQuery(Db.Account.Id) { Target = created.Key.Key }, Db.Owner)).Items;

        Assert.Equal([AuditActions.KeyRevoked, AuditActions.KeyRotated, AuditActions.KeyUpdated, AuditActions.KeyCreated], entries.Select(e => e.Action));
        Assert.All(entries, e =>
        {
            Assert.Equal(TestData.OwnerEmail, e.Actor);
            Assert.Equal("203.0.113.10", e.Ip);
            Assert.Equal(Db.Now, e.At);
            Assert.DoesNotContain(created.Secret, e.Summary);
            Assert.DoesNotContain(rotated.Secret, e.Summary);
        });
        Assert.Contains("Permissions: messages:send", entries[3].Summary);
        Assert.Equal("Name: CRM sync → CRM nightly; Permissions: messages:send → contacts:read", entries[2].Summary);
        Assert.Contains("60 more minutes", entries[1].Summary);
        Assert.Contains("Revoked \"CRM nightly\"", entries[0].Summary);
    }

    [Fact]
    public async Task Member_changes_are_recorded()
    {
        await JoinAsync("ana@example.com");
        var ana = (await Members.ListAsync(Db.Account.Id, Db.Owner)).Single(m => m.Email == "ana@example.com");
        await Members.ChangeRoleAsync(Db.Account.Id, ana.UserId, AccountRole.Owner, Db.Owner);
        await Members.RemoveAsync(Db.Account.Id, ana.UserId, Db.Owner);

        var entries = (await Audit.QueryAsync(new AuditQuery(Db.Account.Id) { Target = "ana@example.com" }, Db.Owner)).Items;

        Assert.Equal(
            [(AuditActions.MemberRemoved, "Was Owner"), (AuditActions.MemberChanged, "Role: Member → Owner"),
             (AuditActions.MemberAdded, $"Role: Member, invited by {TestData.OwnerEmail}"), (AuditActions.MemberInvited, "Role: Member")],
            entries.Select(e => (e.Action, e.Summary)));
    }

    /// <summary>Invites someone new and has them accept, as the person would at their first sign-in.</summary>
    private async Task JoinAsync(string email)
    {
        await Members.InviteAsync(Db.Account.Id, email, TestData.Password, AccountRole.Member, Db.Owner);
        var user = (await Db.Services.GetRequiredService<UserDirectory>().FindByEmailAsync(email))!;
        var person = Actor.User(user.Id, email, false, null);
        await Members.AnswerAsync((await Members.ForUserAsync(person)).Single().Id, accept: true, person);
    }

    [Fact]
    public async Task An_account_always_keeps_an_owner()
    {
        var owner = (await Members.ListAsync(Db.Account.Id, Db.Owner)).Single();

        var demote = await Assert.ThrowsAsync<ValidationException>(() => Members.ChangeRoleAsync(Db.Account.Id, owner.UserId, AccountRole.Member, Db.Owner));
        var remove = await Assert.ThrowsAsync<ValidationException>(() => Members.RemoveAsync(Db.Account.Id, owner.UserId, Db.Owner));

        Assert.Contains("at least one owner", demote.Errors.Single().ErrorMessage);
        Assert.Contains("at least one owner", remove.Errors.Single().ErrorMessage);
        Assert.Equal(AccountRole.Owner, (await Members.ListAsync(Db.Account.Id, Db.Owner)).Single().Role);
    }

    [Fact]
    public async Task Adding_someone_twice_or_with_a_short_password_is_refused_and_changes_nothing()
    {
        await JoinAsync("ana@example.com");

        var twice = await Assert.ThrowsAsync<ValidationException>(() =>
            Members.InviteAsync(Db.Account.Id, "ANA@example.com", TestData.Password, AccountRole.Owner, Db.Owner));
        var shortPassword = await Assert.ThrowsAsync<ValidationException>(() =>
            Members.InviteAsync(Db.Account.Id, "bo@example.com", "short", AccountRole.Member, Db.Owner));
        var badEmail = await Assert.ThrowsAsync<ValidationException>(() =>
            Members.InviteAsync(Db.Account.Id, "not an email", TestData.Password, AccountRole.Member, Db.Owner));

        Assert.Equal("ana@example.com is already a member of this account.", twice.Errors.Single().ErrorMessage);
        Assert.Equal("Password", shortPassword.Errors.First().PropertyName);
        Assert.Equal("Email", badEmail.Errors.Single().PropertyName);
        Assert.Equal(["ana@example.com", TestData.OwnerEmail], (await Members.ListAsync(Db.Account.Id, Db.Owner)).Select(m => m.Email));
    }

    [Fact]
    public async Task Support_access_needs_a_reason_and_is_recorded_in_the_account()
    {
        var support = await Db.AddUserAsync("support@bizkeys.example", "Support");
        var service = Db.Services.GetRequiredService<SupportService>();

        var noReason = await Assert.ThrowsAsync<ValidationException>(() => service.OpenAccountAsync(Db.Account.Id, "  because ", support));
        await service.OpenAccountAsync(Db.Account.Id, "Ticket #4821: webhook keys failing", support);

        Assert.Contains("Describe why you need to look", noReason.Errors.Single().ErrorMessage);
        var entry = Assert.Single((await Audit.QueryAsync(new AuditQuery(Db.Account.Id) { Action = AuditActions.SupportAccess }, Db.Owner)).Items);
        Assert.Equal("support@bizkeys.example", entry.Actor);
        Assert.Equal("Reason: Ticket #4821: webhook keys failing · read access until 2026-11-27 13:00 UTC", entry.Summary);
    }

    [Fact]
    public async Task The_csv_export_escapes_quotes_commas_and_spreadsheet_formulas()
    {
        await Db.CreateKeyAsync("=HYPERLINK(\"http://evil\",\"click\")");
        var csv = new StringWriter();

        await Audit.ExportCsvAsync(new AuditQuery(Db.Account.Id), Db.Owner, csv);

        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time_utc,actor,ip,action,target,summary", lines[0].TrimEnd('\r'));
        var created = lines.Single(l => l.Contains(AuditActions.KeyCreated));
        Assert.Contains("\"Name: =HYPERLINK(\"\"http://evil\"\",\"\"click\"\"); Environment: Production", created);
        Assert.StartsWith("2026-11-27T12:00:00Z,owner@example.com,203.0.113.10,key.created,bk_", created);
    }
}
