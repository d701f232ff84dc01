using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BizKeys.AspNetCore.Remote;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Api;

/// <summary>
/// The Remote verification protocol as a hostile holder of a keys:verify key would use it: absurd or malformed usage
/// reports, floods of samples, lookups with a wrong secret. Nothing of it may stop BizKeys, fill its database or teach
/// the caller about a key it has no secret of.
/// </summary>
public sealed class VerificationProtocolTests : IClassFixture<ApiApp>
{
    private readonly ApiApp _api;

    public VerificationProtocolTests(ApiApp api) => _api = api;

    private async Task<(IssuedSecret Service, IssuedSecret Key)> KeysAsync(string name)
    {
        var service = await _api.KeyAsync($"{name} service", "keys:verify");
        var key = await _api.KeyAsync($"{name} key", "messages:send");
        return (service, key);
    }

    private Task<HttpResponseMessage> PostAsync(IssuedSecret caller, string path, string json)
    {
        var request = ApiApp.Basic(HttpMethod.Post, path, caller.Key.Key, caller.Secret);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return _api.Client().SendAsync(request);
    }

    private async Task<Guid> IdOfAsync(IssuedSecret key)
    {
        await using var db = await _api.App.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<BizKeys.Core.Data.BizKeysDbContext>>().CreateDbContextAsync();
        return db.ApiKeys.Single(k => k.Key == key.Key.Key).Id;
    }

    private string Hour => UsageHours.Of(_api.Now).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_absurd_count_is_refused_and_BizKeys_counts_on()
    {
        var (service, key) = await KeysAsync("Absurd");
        var id = await IdOfAsync(key);

        var absurd = await PostAsync(service, "/api/v1/verification/usage",
            $$"""{ "buckets": [ { "keyId": "{{id}}", "hour": "{{Hour}}", "success": 9223372036854775807, "failures": {} } ] }""");
        var fair = await PostAsync(service, "/api/v1/verification/usage",
            $$"""{ "buckets": [ { "keyId": "{{id}}", "hour": "{{Hour}}", "success": 7, "failures": { "WrongSecret": 2 } } ] }""");
        await _api.App.Services.GetRequiredService<UsageFlusher>().FlushAsync();

        Assert.Equal(HttpStatusCode.BadRequest, absurd.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fair.StatusCode);
        var points = await _api.App.Services.GetRequiredService<UsageService>().GetAsync(_api.Account.Id, key.Key.Key, _api.Now.AddHours(-1), _api.Now.AddHours(1), Granularity.Hour, _api.Owner);
        Assert.Equal((7, 2), (points.Sum(p => p.Success), points.Sum(p => p.Failed)));
    }

    [Theory]
    [InlineData("""{ "buckets": [ { "keyId": "KEY", "hour": "HOUR", "success": 1, "failures": { "99": 1 } } ] }""")]
    [InlineData("""{ "buckets": [ { "keyId": "KEY", "hour": "HOUR", "success": 1, "failures": { "Revoked, Expired": 1 } } ] }""")]
    [InlineData("""{ "requests": [ { "keyId": "KEY", "at": "HOUR", "reason": "77", "ip": null, "permission": null, "secret": "Current" } ] }""")]
    [InlineData("""{ "requests": [ { "keyId": "KEY", "at": "HOUR", "reason": null, "ip": null, "permission": null, "secret": "9" } ] }""")]
    [InlineData("""{ "previousSecretUses": [ { "keyId": "KEY", "count": 1, "first": "2020-01-01T00:00:00Z", "at": "HOUR" } ] }""")]
    [InlineData("""{ "buckets": [ { "keyId": "KEY", "hour": "HOUR" """)]
    public async Task A_malformed_report_is_a_400_never_a_500_and_stores_nothing(string template)
    {
        var (service, key) = await KeysAsync($"Malformed {Guid.NewGuid():N}");
        var response = await PostAsync(service, "/api/v1/verification/usage", template.Replace("KEY", (await IdOfAsync(key)).ToString()).Replace("HOUR", Hour));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_empty_report_is_accepted_as_nothing()
    {
        var (service, _) = await KeysAsync("Empty");
        var response = await PostAsync(service, "/api/v1/verification/usage", "{}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new RemoteUsageAnswer(0, 0), await response.Content.ReadFromJsonAsync<RemoteUsageAnswer>(new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }

    [Fact]
    public async Task A_report_of_thousands_of_samples_keeps_a_few_per_key_and_an_unknown_permission_is_not_stored()
    {
        var (service, key) = await KeysAsync("Sampled");
        var id = await IdOfAsync(key);
        var at = _api.Now.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var failures = string.Join(",", Enumerable.Range(0, 5_000).Select(_ => $$"""{ "keyId": "{{id}}", "at": "{{at}}", "reason": "WrongSecret", "ip": "203.0.113.9" }"""));
        var requests = string.Join(",", Enumerable.Range(0, 5_000).Select(_ => $$"""{ "keyId": "{{id}}", "at": "{{at}}", "reason": null, "ip": "203.0.113.9", "permission": "<script>alert(1)</script>", "secret": "Current" }"""));

        var response = await PostAsync(service, "/api/v1/verification/usage", $$"""{ "failures": [{{failures}}], "requests": [{{requests}}] }""");
        await _api.App.Services.GetRequiredService<UsageFlusher>().FlushAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = _api.App.Services.GetRequiredService<UsageService>();
        var stored = await usage.RecentFailuresAsync(_api.Account.Id, key.Key.Key, _api.Owner, take: 1_000);
        Assert.InRange(stored.Count, 1, RemoteUsage.MaxSamplesPerKey);
        var recent = await usage.RecentRequestsAsync(_api.Account.Id, key.Key.Key, _api.Owner);
        Assert.InRange(recent.Count, 1, RemoteUsage.MaxSamplesPerKey * 2);
        Assert.All(recent, r => Assert.Null(r.Permission));
    }

    [Fact]
    public async Task A_lookup_with_a_wrong_secret_learns_which_key_to_count_against_and_nothing_about_it()
    {
        var (service, key) = await KeysAsync("Looked up");

        var wrong = await PostAsync(service, "/api/v1/verification/keys", $$"""{ "key": "{{key.Key.Key}}", "secret": "{{KeyFormat.NewSecret()}}" }""");
        var right = await PostAsync(service, "/api/v1/verification/keys", $$"""{ "key": "{{key.Key.Key}}", "secret": "{{key.Secret}}" }""");

        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var learnt = (await wrong.Content.ReadFromJsonAsync<RemoteKeyAnswer>(web))!.Key!;
        Assert.Equal(key.Key.Key, learnt.Key);
        Assert.Equal(("", "", 0, 0, (string?)null), (learnt.Name, learnt.Environment, learnt.Permissions.Length, learnt.IpAllowlist.Length, learnt.SecretHash));
        var known = (await right.Content.ReadFromJsonAsync<RemoteKeyAnswer>(web))!.Key!;
        Assert.StartsWith("Looked up key", known.Name);
        Assert.Equal(["messages:send"], known.Permissions);
        Assert.NotNull(known.SecretHash);
        Assert.DoesNotContain(key.Secret, await right.Content.ReadAsStringAsync());
    }
}
