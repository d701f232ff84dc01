using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

public class KeyQueryTests : DatabaseTest
{

    [Fact]
    public async Task Pages_hold_the_requested_rows_newest_first_and_the_total()
    {
        for (var i = 1; i <= 60; i++)
        {
            await Db.CreateKeyAsync($"Key {i:00}");
            Db.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var first = await Db.Keys.QueryAsync(new KeyQuery(Db.Account.Id) { PageSize = 25 }, Db.Owner);
        var third = await Db.Keys.QueryAsync(new KeyQuery(Db.Account.Id) { PageSize = 25, Page = 2 }, Db.Owner);

        Assert.Equal(60, first.TotalCount);
        Assert.Equal(25, first.Items.Count);
        Assert.Equal("Key 60", first.Items[0].Name);
        Assert.Equal(10, third.Items.Count);
        Assert.Equal("Key 01", third.Items[^1].Name);
    }

    [Fact]
    public async Task Search_finds_names_ignoring_case_and_keys_by_prefix()
    {
        var crm = await Db.CreateKeyAsync("CRM sync");
        await Db.CreateKeyAsync("Büro Köln");
        await Db.CreateKeyAsync("Production bot");

        Assert.Equal(["CRM sync"], await Names(new KeyQuery(Db.Account.Id) { Search = "crm" }));
        Assert.Equal(["Büro Köln"], await Names(new KeyQuery(Db.Account.Id) { Search = "KÖLN" }));
        Assert.Equal(["CRM sync"], await Names(new KeyQuery(Db.Account.Id) { Search = crm.Key.Key[..10] }));
        Assert.Empty(await Names(new KeyQuery(Db.Account.Id) { Search = "%" }));
    }

    [Fact]
    public async Task Status_and_environment_filters_pick_the_right_rows()
    {
        await Db.CreateKeyAsync("Active one");
        var soon = Db.NewKey("Expiring one");
        soon.ExpiresAt = Db.Now.AddDays(1);
        await Db.Keys.CreateAsync(soon, Db.Owner);
        var revoked = await Db.CreateKeyAsync("Revoked one");
        await Db.Keys.RevokeAsync(Db.Account.Id, revoked.Key.Key, Db.Owner);
        var staging = Db.NewKey("Staging one");
        staging.Environment = "Staging";
        await Db.Keys.CreateAsync(staging, Db.Owner);
        Db.Time.Advance(TimeSpan.FromDays(2));

        Assert.Equal(["Active one", "Staging one"], await Names(new KeyQuery(Db.Account.Id) { Status = ApiKeyStatus.Active }));
        Assert.Equal(["Expiring one"], await Names(new KeyQuery(Db.Account.Id) { Status = ApiKeyStatus.Expired }));
        Assert.Equal(["Revoked one"], await Names(new KeyQuery(Db.Account.Id) { Status = ApiKeyStatus.Revoked }));
        Assert.Equal(["Staging one"], await Names(new KeyQuery(Db.Account.Id) { Environment = "Staging" }));
        Assert.Equal(4, (await Db.Keys.QueryAsync(new KeyQuery(Db.Account.Id), Db.Owner)).TotalCount);
    }

    [Fact]
    public async Task Sorting_by_name_and_by_status_works_both_ways()
    {
        await Db.CreateKeyAsync("beta");
        var revoked = await Db.CreateKeyAsync("Alpha");
        await Db.CreateKeyAsync("gamma");
        await Db.Keys.RevokeAsync(Db.Account.Id, revoked.Key.Key, Db.Owner);

        Assert.Equal(["Alpha", "beta", "gamma"], await InOrder(new KeyQuery(Db.Account.Id) { SortBy = KeySort.Name, Descending = false }));
        Assert.Equal(["gamma", "beta", "Alpha"], await InOrder(new KeyQuery(Db.Account.Id) { SortBy = KeySort.Name, Descending = true }));
        Assert.Equal("Alpha", (await InOrder(new KeyQuery(Db.Account.Id) { SortBy = KeySort.Status, Descending = true }))[0]);
    }

    [Fact]
    public async Task Other_accounts_keys_never_appear()
    {
        await Db.CreateKeyAsync("Mine");
        var other = await Db.CreateAccountAsync("Other Business");
        var request = Db.NewKey("Theirs");
        request.AccountId = other.Id;
        await Db.Keys.CreateAsync(request, Actor.CommandLine);

        Assert.Equal(["Mine"], await Names(new KeyQuery(Db.Account.Id)));
        Assert.Equal(["Theirs"], await Names(new KeyQuery(other.Id), Actor.CommandLine));
        await Assert.ThrowsAsync<BizKeys.Core.Access.AccountNotFoundException>(() => Names(new KeyQuery(other.Id)));
    }

    [Fact]
    public async Task Filtering_sorting_and_paging_are_translated_to_sql()
    {
        var query = new KeyQuery(Db.Account.Id) { Search = "crm", Status = ApiKeyStatus.Active, Environment = "Production", SortBy = KeySort.LastUsedAt };
        var factory = Db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        await using var context = await factory.CreateDbContextAsync();

        var sql = KeyQueries.Sort(KeyQueries.Filter(context.ApiKeys, query, Db.Now), query.SortBy, true, Db.Now)
            .Skip(25).Take(25).ToQueryString();

        // Whatever the engine's dialect: the search, the filters, the order and the page all happen in the database.
        Assert.Matches(@"WHERE[\s\S]*Name[\s\S]*Environment", sql);
        Assert.Matches(@"ORDER BY [^\n]*LastUsedAt[^\n]* DESC", sql);
        Assert.Contains("LIMIT", sql);
    }

    /// <summary>The names on the first page, in the order the query returned them.</summary>
    private async Task<string[]> InOrder(KeyQuery query, Actor? actor = null) =>
        [.. (await Db.Keys.QueryAsync(query, actor ?? Db.Owner)).Items.Select(k => k.Name)];

    /// <summary>The names on the first page, alphabetically, for comparing which rows matched.</summary>
    private async Task<string[]> Names(KeyQuery query, Actor? actor = null) => [.. (await InOrder(query, actor)).Order(StringComparer.Ordinal)];
}
