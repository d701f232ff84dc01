using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Api;

/// <summary><c>POST /api/v1/leaks</c>: no credentials, counts only, limited per address, bounded in size.</summary>
public class LeakApiTests
{
    [Fact]
    public async Task Anyone_reports_a_leaked_secret_without_signing_in_and_learns_counts_only()
    {
        await using var api = new ApiApp();
        await api.InitializeAsync();
        var leaked = await api.KeyAsync("Production bot", "messages:send");
        using var client = api.Client();

        var response = await client.PostAsJsonAsync("/api/v1/leaks", new { text = $"found on a paste site: {leaked.Key.Key}:{leaked.Secret}" });
        var me = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", leaked.Key.Key, leaked.Secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("""{"found":1,"revoked":1}""", body);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Equal(ApiKeyStatus.Revoked, (await api.Keys.GetAsync(api.Account.Id, leaked.Key.Key, Actor.CommandLine))!.Status);
    }

    [Fact]
    public async Task Bad_bodies_get_a_problem_and_an_address_that_floods_gets_429_with_retry_after()
    {
        await using var api = new ApiApp();
        await api.InitializeAsync();
        using var client = api.Client();

        var empty = await client.PostAsJsonAsync("/api/v1/leaks", new { text = "" });
        var notJson = await client.PostAsync("/api/v1/leaks", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        var huge = await client.PostAsync("/api/v1/leaks", new StringContent(
            JsonSerializer.Serialize(new { text = new string('\u0001', 1_100_000) }), System.Text.Encoding.UTF8, "application/json"));
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
            answers.Add((await client.PostAsJsonAsync("/api/v1/leaks", new { text = "nothing secret here" })).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answers[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
        var limited = await client.PostAsJsonAsync("/api/v1/leaks", new { text = "nothing secret here" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
    }
}
