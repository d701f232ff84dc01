using BizKeys.Core;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Support;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

/// <summary>Support's one search box across every account, on SQLite and on PostgreSQL.</summary>
public class SupportSearchTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private Actor _support = default!;
    private SupportSearch Search => _db.Services.GetRequiredService<SupportSearch>();

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _support = await _db.AddUserAsync("helpdesk@platform.example", "Support");
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<IssuedSecret> KeyInAsync(Guid accountId, string name) => await _db.Keys.CreateAsync(new CreateKeyRequest
    {
        AccountId = accountId, Name = name, Environment = "Production", Permissions = ["messages:send"],
    }, Actor.CommandLine);

    [Fact]
    public async Task A_key_is_found_by_part_of_its_name_in_any_account_whatever_the_case()
    {
        var globex = await _db.CreateAccountAsync("Globex Corporation");
        await KeyInAsync(_db.Account.Id, "Nightly CRM sync");
        await KeyInAsync(globex.Id, "crm SYNC for orders");
        await KeyInAsync(globex.Id, "Billing alerts");

        var found = await Search.SearchAsync(_support, "Crm Sync");

        Assert.Equal(new[] { "Nightly CRM sync", "crm SYNC for orders" }.Order(), found.Keys.Select(k => k.Name).Order());
        Assert.Contains(found.Keys, k => k.AccountName == "Globex Corporation" && k.Status == ApiKeyStatus.Active);
    }

    [Fact]
    public async Task A_renamed_key_is_found_by_its_new_name_and_no_longer_by_its_old_one()
    {
        var issued = await KeyInAsync(_db.Account.Id, "Old reporting bot");
        var view = (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, Actor.CommandLine))!;
        var rename = UpdateKeyRequest.From(view, _db.Account.Id);
        rename.Name = "Quarterly exporter";
        await _db.Keys.UpdateAsync(rename, Actor.CommandLine);

        Assert.Empty((await Search.SearchAsync(_support, "reporting")).Keys);
        Assert.Equal([issued.Key.Key], (await Search.SearchAsync(_support, "exporter")).Keys.Select(k => k.Key));
    }

    [Fact]
    public async Task A_key_is_found_by_the_start_of_its_identifier_and_a_revoked_one_says_so()
    {
        var issued = await KeyInAsync(_db.Account.Id, "Leaked bot");
        await KeyInAsync(_db.Account.Id, "Another bot");
        await _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, Actor.CommandLine);

        var found = await Search.SearchAsync(_support, issued.Key.Key[..10]);

        var hit = Assert.Single(found.Keys, k => k.Key == issued.Key.Key);
        Assert.Equal(ApiKeyStatus.Revoked, hit.Status);
        Assert.Equal(TestData.AccountName, hit.AccountName);
        Assert.All(found.Keys, k => Assert.StartsWith(issued.Key.Key[..10], k.Key, StringComparison.Ordinal));
        Assert.Empty(found.Accounts);
    }

    [Fact]
    public async Task An_account_is_found_by_part_of_its_name_or_by_a_member_email()
    {
        await _db.CreateAccountAsync("Initech Payments");
        await _db.AddUserAsync("ops.lead@initech.example", "Member", "Initech Payments");

        Assert.Equal(["Initech Payments"], (await Search.SearchAsync(_support, "itech pay")).Accounts.Select(a => a.Name));
        var byEmail = Assert.Single((await Search.SearchAsync(_support, "OPS.LEAD@initech")).Accounts);
        Assert.Equal(("Initech Payments", "ops.lead@initech.example"), (byEmail.Name, byEmail.MatchedMember));
    }

    [Fact]
    public async Task Short_or_odd_terms_find_nothing_by_key_name_and_break_nothing()
    {
        await KeyInAsync(_db.Account.Id, "A \"quoted\" name with 100% of _ and \\");

        Assert.Empty((await Search.SearchAsync(_support, "ab")).Keys);
        Assert.Empty((await Search.SearchAsync(_support, "   ")).Keys);
        Assert.Single((await Search.SearchAsync(_support, "\"quoted\"")).Keys);
        Assert.Single((await Search.SearchAsync(_support, "100% of _")).Keys);
        Assert.Empty((await Search.SearchAsync(_support, "10_% of")).Keys); // wildcards are matched as themselves
        Assert.Empty((await Search.SearchAsync(_support, "NEAR(a b) OR *")).Keys);
    }

    [Fact]
    public async Task A_name_that_starts_like_an_identifier_and_terms_with_control_characters_or_emoji_are_handled()
    {
        await KeyInAsync(_db.Account.Id, "bk_legacy importer");
        await _db.CreateAccountAsync("Café Müller");

        Assert.Equal(["bk_legacy importer"], (await Search.SearchAsync(_support, "bk_legacy")).Keys.Select(k => k.Name));
        Assert.Equal(SupportSearchResult.Empty.Keys, (await Search.SearchAsync(_support, "a\0b")).Keys); // FTS5 stops at a NUL
        Assert.Empty((await Search.SearchAsync(_support, "\0\0\0")).Keys);
        Assert.Empty((await Search.SearchAsync(_support, "😀a")).Keys); // two characters: too short for trigrams
        Assert.Equal(["Café Müller"], (await Search.SearchAsync(_support, "Café")).Accounts.Select(a => a.Name));
    }

    [Fact]
    public async Task Only_support_staff_may_search_across_accounts()
    {
        await Assert.ThrowsAsync<AccessDeniedException>(() => Search.SearchAsync(_db.Owner, "bot"));
    }
}
