using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Members;
using BizKeys.Core.Support;
using BizKeys.Core.Usage;
using BizKeys.Core;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Access;

/// <summary>Who may do what with an account's keys, members and audit log, decided in Core whatever the UI shows.</summary>
public class RoleMatrixTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private Dictionary<string, Actor> _actors = default!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _actors = new()
        {
            ["Owner"] = _db.Owner,
            ["Member"] = await _db.AddUserAsync("member@example.com", "Member"),
            ["Support"] = await _db.AddUserAsync("support@bizkeys.example", "Support"),
            ["OtherOwner"] = await _db.AddUserAsync("owner@other.example", "Owner", "Other Business"),
            ["SupportNoGrant"] = await _db.AddUserAsync("support2@bizkeys.example", "Support"),
        };
        await _db.Services.GetRequiredService<SupportService>().OpenAccountAsync(_db.Account.Id, "Ticket #1: checking the role matrix", _actors["Support"]);
        _key = (await _db.CreateKeyAsync("Shared bot")).Key.Key;
        await _db.AddUserAsync("spare@example.com", "Member");
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    public static TheoryData<string, string, string> Matrix()
    {
        // operation, actor, expected outcome: ok | denied (403) | notfound (404)
        var data = new TheoryData<string, string, string>();
        var expectations = new Dictionary<string, string[]>
        {
            // Support holds a live grant for the account (given for a reason); SupportNoGrant gave none.
            //                  Owner   Member     Support    OtherOwner  SupportNoGrant
            ["list keys"] = ["ok", "ok", "ok", "notfound", "denied"],
            ["get key"] = ["ok", "ok", "ok", "notfound", "denied"],
            ["create key"] = ["ok", "denied", "denied", "notfound", "denied"],
            ["update key"] = ["ok", "denied", "denied", "notfound", "denied"],
            ["rotate key"] = ["ok", "denied", "denied", "notfound", "denied"],
            ["revoke key"] = ["ok", "denied", "denied", "notfound", "denied"],
            ["list members"] = ["ok", "ok", "ok", "notfound", "denied"],
            ["add member"] = ["ok", "denied", "denied", "notfound", "denied"],
            ["change member"] = ["ok", "denied", "denied", "notfound", "denied"],
            ["remove member"] = ["ok", "denied", "denied", "notfound", "denied"],
            ["read audit"] = ["ok", "ok", "ok", "notfound", "denied"],
            ["key usage"] = ["ok", "ok", "ok", "notfound", "denied"],
            ["key failures"] = ["ok", "ok", "ok", "notfound", "denied"],
            ["account usage"] = ["ok", "ok", "ok", "notfound", "denied"],
        };
        string[] actors = ["Owner", "Member", "Support", "OtherOwner", "SupportNoGrant"];
        foreach (var (operation, outcomes) in expectations)
        {
            for (var i = 0; i < actors.Length; i++)
                data.Add(operation, actors[i], outcomes[i]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_role_can_do_exactly_what_it_should(string operation, string actorName, string expected)
    {
        var actor = _actors[actorName];
        var accountId = _db.Account.Id;
        var members = _db.Services.GetRequiredService<MemberService>();
        var spare = (await members.ListAsync(accountId, _db.Owner)).Single(m => m.Email == "spare@example.com");
        Func<Task> act = operation switch
        {
            "list keys" => () => _db.Keys.QueryAsync(new KeyQuery(accountId), actor),
            "get key" => () => _db.Keys.GetAsync(accountId, _key, actor),
            "create key" => () => _db.Keys.CreateAsync(_db.NewKey("New bot"), actor),
            "update key" => async () =>
            {
                var edit = UpdateKeyRequest.From((await _db.Keys.GetAsync(accountId, _key, _db.Owner))!, accountId);
                edit.Name = "Renamed bot";
                await _db.Keys.UpdateAsync(edit, actor);
            },
            "rotate key" => () => _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = accountId, Key = _key }, actor),
            "revoke key" => () => _db.Keys.RevokeAsync(accountId, _key, actor),
            "list members" => () => members.ListAsync(accountId, actor),
            "add member" => () => members.InviteAsync(accountId, "new@example.com", TestData.Password, AccountRole.Member, actor),
            "change member" => () => members.ChangeRoleAsync(accountId, spare.UserId, AccountRole.Owner, actor),
            "remove member" => () => members.RemoveAsync(accountId, spare.UserId, actor),
            "read audit" => () => _db.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(accountId), actor),
            "key usage" => () => Usage.GetAsync(accountId, _key, _db.Now.AddDays(-1), _db.Now, Granularity.Hour, actor),
            "key failures" => () => Usage.RecentFailuresAsync(accountId, _key, actor),
            "account usage" => () => Usage.AccountOverviewAsync(accountId, actor),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        var outcome = await OutcomeAsync(act);

        Assert.Equal(expected, outcome);
        if (expected != "ok")
            Assert.Equal("Shared bot", (await _db.Keys.GetAsync(accountId, _key, _db.Owner))!.Name);
    }

    private UsageService Usage => _db.Services.GetRequiredService<UsageService>();

    [Fact]
    public async Task A_person_without_an_account_sees_no_account()
    {
        var nobody = Actor.User(Guid.NewGuid(), "nobody@example.com", isSupport: false, ip: null);

        await Assert.ThrowsAsync<AccountNotFoundException>(() => _db.Keys.QueryAsync(new KeyQuery(_db.Account.Id), nobody));
        await Assert.ThrowsAsync<AccessDeniedException>(() =>
            _db.Services.GetRequiredService<SupportService>().ListAccountsAsync(nobody));
    }

    private static async Task<string> OutcomeAsync(Func<Task> act)
    {
        try
        {
            await act();
            return "ok";
        }
        catch (AccessDeniedException)
        {
            return "denied";
        }
        catch (AccountNotFoundException)
        {
            return "notfound";
        }
    }
}
