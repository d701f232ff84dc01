using BizKeys.Core;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Support;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Access;

/// <summary>Support reads an account only under a live, time-boxed grant given for a reason, enforced by Core and visible to the owners.</summary>
public class SupportGrantTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private Actor _support = default!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _support = await _db.AddUserAsync("helper@bizkeys.example", "Support");
        _key = (await _db.CreateKeyAsync("Webhook relay")).Key.Key;
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private SupportService Support => _db.Services.GetRequiredService<SupportService>();
    private AuditLog Audit => _db.Services.GetRequiredService<AuditLog>();

    [Fact]
    public async Task A_grant_opens_the_account_for_an_hour_and_then_Core_refuses_again()
    {
        var before = await Assert.ThrowsAsync<SupportGrantRequiredException>(() => _db.Keys.GetAsync(_db.Account.Id, _key, _support));
        Assert.Null(await Support.LiveGrantAsync(_db.Account.Id, _support));

        var grant = await Support.OpenAccountAsync(_db.Account.Id, "Ticket #4821: calls get 401 since this morning", _support);

        Assert.Equal(_db.Now.AddMinutes(60), grant.ExpiresAt);
        Assert.Equal("Webhook relay", (await _db.Keys.GetAsync(_db.Account.Id, _key, _support))!.Name);
        Assert.Single((await Audit.QueryAsync(new AuditQuery(_db.Account.Id), _support)).Items, e => e.Action == AuditActions.SupportAccess);

        _db.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(await _db.Keys.GetAsync(_db.Account.Id, _key, _support));
        _db.Time.Advance(TimeSpan.FromMinutes(1));
        await Assert.ThrowsAsync<SupportGrantRequiredException>(() => _db.Keys.QueryAsync(new KeyQuery(_db.Account.Id), _support));
        await Assert.ThrowsAsync<SupportGrantRequiredException>(() => Audit.QueryAsync(new AuditQuery(_db.Account.Id), _support));
        Assert.Null(await Support.LiveGrantAsync(_db.Account.Id, _support));
        Assert.Contains("Open this account with a reason first", before.Message);
    }

    [Fact]
    public async Task A_grant_covers_one_account_one_person_and_never_a_change()
    {
        var other = await _db.CreateAccountAsync("Globex Retail");
        var colleague = await _db.AddUserAsync("colleague@bizkeys.example", "Support");
        await Support.OpenAccountAsync(_db.Account.Id, "Ticket #4821: calls get 401 since this morning", _support);

        await Assert.ThrowsAsync<SupportGrantRequiredException>(() => _db.Keys.QueryAsync(new KeyQuery(other.Id), _support));
        await Assert.ThrowsAsync<SupportGrantRequiredException>(() => _db.Keys.QueryAsync(new KeyQuery(_db.Account.Id), colleague));
        var revoke = await Assert.ThrowsAsync<AccessDeniedException>(() => _db.Keys.RevokeAsync(_db.Account.Id, _key, _support));
        Assert.Equal("Support staff have read-only access to accounts.", revoke.Message);
        Assert.Equal(ApiKeyStatus.Active, (await _db.Keys.GetAsync(_db.Account.Id, _key, _db.Owner))!.Status);
    }

    [Fact]
    public async Task Extending_asks_for_a_reason_again_and_counts_from_now()
    {
        await Support.OpenAccountAsync(_db.Account.Id, "Ticket #4821: calls get 401 since this morning", _support);
        _db.Time.Advance(TimeSpan.FromMinutes(50));

        await Assert.ThrowsAsync<FluentValidation.ValidationException>(() => Support.OpenAccountAsync(_db.Account.Id, "more", _support));
        var extended = await Support.OpenAccountAsync(_db.Account.Id, "Ticket #4821: customer sent new logs", _support);

        Assert.Equal(_db.Now.AddMinutes(60), extended.ExpiresAt);
        Assert.Equal(extended.ExpiresAt, (await Support.LiveGrantAsync(_db.Account.Id, _support))!.ExpiresAt);
        var summaries = (await Audit.QueryAsync(new AuditQuery(_db.Account.Id) { Action = AuditActions.SupportAccess }, _db.Owner)).Items.Select(e => e.Summary);
        Assert.Equal(
        [
            "Reason: Ticket #4821: customer sent new logs · extended until 2026-11-27 13:50 UTC",
            "Reason: Ticket #4821: calls get 401 since this morning · read access until 2026-11-27 13:00 UTC",
        ], summaries);
    }

    [Fact]
    public async Task Owners_and_members_see_who_looked_why_and_until_when_but_other_accounts_do_not()
    {
        var member = await _db.AddUserAsync("member@example.com", "Member");
        var stranger = await _db.AddUserAsync("owner@other.example", "Owner", "Other Business");
        await Support.OpenAccountAsync(_db.Account.Id, "Ticket #4821: calls get 401 since this morning", _support);

        var seen = Assert.Single(await Support.GrantsAsync(_db.Account.Id, _db.Owner));
        Assert.Equal(("helper@bizkeys.example", "Ticket #4821: calls get 401 since this morning", true), (seen.Email, seen.Reason, seen.IsLive));
        Assert.Single(await Support.GrantsAsync(_db.Account.Id, member));
        await Assert.ThrowsAsync<AccountNotFoundException>(() => Support.GrantsAsync(_db.Account.Id, stranger));
        _db.Time.Advance(TimeSpan.FromHours(2));
        Assert.False(Assert.Single(await Support.GrantsAsync(_db.Account.Id, _db.Owner)).IsLive);
    }

    [Fact]
    public async Task Openings_platform_views_and_exports_are_in_the_support_log_for_support_only()
    {
        await Support.OpenAccountAsync(_db.Account.Id, "Ticket #4821: calls get 401 since this morning", _support);
        _db.Time.Advance(TimeSpan.FromMinutes(1));
        await Support.RecordAsync(_support, SupportActions.UsageExported, "Key usage CSV, last 24 hours, 3 keys");

        var log = await Support.LogAsync(_support);

        Assert.Equal([SupportActions.UsageExported, SupportActions.AccountOpened], log.Items.Select(e => e.Action));
        Assert.Equal($"{TestData.AccountName} until 2026-11-27 13:00 UTC. Reason: Ticket #4821: calls get 401 since this morning", log.Items[1].Detail);
        Assert.Equal((_db.Account.Id, "helper@bizkeys.example"), (log.Items[1].AccountId!.Value, log.Items[1].Actor));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Support.LogAsync(_db.Owner));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Support.RecordAsync(_db.Owner, SupportActions.UsageViewed, "forged entry"));
    }

    [Fact]
    public async Task The_accounts_list_comes_a_page_at_a_time_by_name()
    {
        for (var i = 0; i < SupportService.AccountsPageSize + 4; i++)
            await _db.CreateAccountAsync($"Account {i:000}");

        var first = await Support.ListAccountsAsync(_support);
        var second = await Support.ListAccountsAsync(_support, page: 1);
        var beyond = await Support.ListAccountsAsync(_support, page: 99);

        Assert.Equal(SupportService.AccountsPageSize + 5, first.TotalCount); // and the test's own account
        Assert.Equal(SupportService.AccountsPageSize, first.Items.Count);
        Assert.Equal("Account 000", first.Items[0].Name);
        Assert.Equal(["Account 025", "Account 026", "Account 027", "Account 028", TestData.AccountName], second.Items.Select(a => a.Name));
        Assert.Equal((1, second.Items[0].Name), (beyond.PageIndex, beyond.Items[0].Name));
    }
}
