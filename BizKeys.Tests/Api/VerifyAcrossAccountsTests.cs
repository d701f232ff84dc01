using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Usage;
using BizKeys.Core.Users;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Api;

/// <summary>
/// /verify answers about the caller's own account; only the platform's verifiers (BizKeys:Verification:PlatformAccounts)
/// see every account. Nobody else can write into another tenant's key history.
/// </summary>
public sealed class VerifyAcrossAccountsTests : IAsyncLifetime
{
    private AppFactory _app = default!;
    private ApiKeyService Keys => _app.Services.GetRequiredService<ApiKeyService>();

    public async Task InitializeAsync()
    {
        _app = new AppFactory(settings: new Dictionary<string, string?> { ["BizKeys:Verification:PlatformAccounts:0"] = "Platform Gateway" });
        var users = _app.Services;
        await users.CreateUserAsync("owner@other.example", "Owner", "Other Co");
        await users.CreateUserAsync("ops@platform.example", "Owner", "Platform Gateway");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<IssuedSecret> KeyAsync(string account, string name, params string[] permissions)
    {
        var id = (await _app.Services.GetRequiredService<AccountService>().FindByNameAsync(account))!.Id;
        return await Keys.CreateAsync(new CreateKeyRequest { AccountId = id, Name = name, Environment = "Production", Permissions = permissions }, Actor.CommandLine);
    }

    private async Task<JsonElement> VerifyAsync(HttpClient client, IssuedSecret caller, string key, string secret)
    {
        var request = ApiApp.Basic(HttpMethod.Post, "/api/v1/verify", caller.Key.Key, caller.Secret);
        request.Content = JsonContent.Create(new { key, secret, ip = "203.0.113.66" });
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Another_tenants_verifier_learns_nothing_and_leaves_no_trace_on_the_key()
    {
        var victim = await KeyAsync(TestData.AccountName, "Victim", "messages:send");
        var outsider = await KeyAsync("Other Co", "Other verifier", "keys:verify");
        using var client = _app.CreateClient();

        var wrong = await VerifyAsync(client, outsider, victim.Key.Key, KeyFormat.NewSecret());
        var right = await VerifyAsync(client, outsider, victim.Key.Key, victim.Secret);

        Assert.Equal("INVALID", wrong.GetProperty("code").GetString());
        Assert.Equal("INVALID", right.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, right.GetProperty("account").ValueKind);
        await _app.Services.GetRequiredService<UsageFlusher>().FlushAsync();
        var usage = _app.Services.GetRequiredService<UsageService>();
        var account = (await _app.Services.GetRequiredService<AccountService>().FindByNameAsync(TestData.AccountName))!.Id;
        Assert.Empty(await usage.RecentFailuresAsync(account, victim.Key.Key, Actor.CommandLine));
        var stored = await Keys.GetAsync(account, victim.Key.Key, Actor.CommandLine);
        Assert.Null(stored!.LastUsedAt);
    }

    [Fact]
    public async Task A_verifier_of_the_same_account_sees_and_counts_its_own_keys()
    {
        var own = await KeyAsync(TestData.AccountName, "Own", "messages:send");
        var verifier = await KeyAsync(TestData.AccountName, "Own verifier", "keys:verify");
        using var client = _app.CreateClient();

        var result = await VerifyAsync(client, verifier, own.Key.Key, own.Secret);

        Assert.Equal("VALID", result.GetProperty("code").GetString());
        Assert.Equal(TestData.AccountName, result.GetProperty("account").GetString());
    }

    [Fact]
    public async Task The_platforms_verifier_sees_every_account_and_counts_against_the_key()
    {
        var customer = await KeyAsync("Other Co", "Customer", "messages:send");
        var gateway = await KeyAsync("Platform Gateway", "Gateway", "keys:verify");
        using var client = _app.CreateClient();

        var result = await VerifyAsync(client, gateway, customer.Key.Key, customer.Secret);
        await VerifyAsync(client, gateway, customer.Key.Key, KeyFormat.NewSecret());

        Assert.Equal("VALID", result.GetProperty("code").GetString());
        Assert.Equal("Other Co", result.GetProperty("account").GetString());
        await _app.Services.GetRequiredService<UsageFlusher>().FlushAsync();
        var account = (await _app.Services.GetRequiredService<AccountService>().FindByNameAsync("Other Co"))!.Id;
        var failure = Assert.Single(await _app.Services.GetRequiredService<UsageService>().RecentFailuresAsync(account, customer.Key.Key, Actor.CommandLine));
        Assert.Equal("203.0.113.66", failure.Ip);
    }

    [Fact]
    public async Task Platform_verifiers_are_named_exactly_a_look_alike_account_is_an_ordinary_tenant()
    {
        await _app.Services.CreateUserAsync("ops@lookalike.example", "Owner", "PLATFORM GATEWAY");
        var customer = await KeyAsync("Other Co", "Customer of a look-alike", "messages:send");
        var lookalike = await KeyAsync("PLATFORM GATEWAY", "Look-alike gateway", "keys:verify");
        using var client = _app.CreateClient();

        var result = await VerifyAsync(client, lookalike, customer.Key.Key, customer.Secret);

        Assert.Equal("INVALID", result.GetProperty("code").GetString());
    }
}
