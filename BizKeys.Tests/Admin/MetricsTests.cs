using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Api;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Admin;

/// <summary>
/// OpenTelemetry listens to meters by name, so an app's /metrics also sees the "BizKeys" meters of other apps in the
/// same process: tests that count deltas run on their own, not beside other tests' apps (a real process holds one).
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary>What a Prometheus scraper reads at /metrics, and who may read it.</summary>
[Collection(nameof(MetricsTests))]
public partial class MetricsTests
{
    [Fact]
    public async Task A_scrape_shows_verifications_by_outcome_the_cache_and_flushes_moving_with_real_requests()
    {
        await using var app = new AppFactory();
        var (account, owner) = await app.OwnerAsync();
        var issued = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = account.Id, Name = "Counted bot", Environment = "Production", Permissions = ["keys:read"],
        }, owner);
        using var client = app.CreateClient();
        var before = Parse(await ScrapeAsync(client));

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, KeyFormat.NewSecret()))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(ApiApp.Basic(HttpMethod.Post, "/api/v1/keys", issued.Key.Key, issued.Secret))).StatusCode);
        // An address guessing: past its 60 failures in the minute it is refused before any look-up.
        var refusedEarly = 0;
        for (var i = 0; i < 62; i++)
        {
            var guess = ApiApp.Basic(HttpMethod.Get, "/api/v1/me", "bk_guess", "guess");
            guess.Headers.Add(TestClientAddress.Header, "198.51.100.77");
            refusedEarly += (await client.SendAsync(guess)).StatusCode == HttpStatusCode.TooManyRequests ? 1 : 0;
        }
        await app.Services.GetRequiredService<BizKeys.Core.Usage.UsageFlusher>().FlushAsync();
        var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        var after = Parse(text);

        // Prometheus' text format: a TYPE and HELP line per family, then "name{labels} value" samples.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE bizkeys_verifications_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE bizkeys_verification_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE bizkeys_key_cache_entries gauge", text, StringComparison.Ordinal);
        Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(SampleOrComment(), line));

        Assert.Equal(5, Delta("bizkeys_verifications_total", "outcome=\"passed\""));
        Assert.Equal(2, Delta("bizkeys_verifications_total", "reason=\"wrong_secret\""));
        Assert.Equal(1, Delta("bizkeys_verifications_total", "reason=\"missing_permission\""));
        Assert.Equal(60, Delta("bizkeys_verifications_total", "reason=\"malformed\""));
        Assert.Equal(refusedEarly, Delta("bizkeys_failed_auth_blocks_total", ""));
        Assert.Equal(2, refusedEarly);
        Assert.Equal(Delta("bizkeys_verifications_total", ""), Delta("bizkeys_verification_duration_seconds_count", ""));
        Assert.Equal(8, Delta("bizkeys_key_cache_hits_total", "") + Delta("bizkeys_key_cache_misses_total", ""));
        Assert.True(Delta("bizkeys_key_cache_hits_total", "") >= 7, "after its first look-up the key is answered from memory");
        Assert.True(after.Sum("bizkeys_key_cache_entries", "") >= 1);
        Assert.True(Delta("bizkeys_usage_flush_rows_total", "") >= 1, "the flush wrote the key's hour");
        Assert.True(Delta("bizkeys_usage_flush_duration_seconds_count", "") >= 1);
        Assert.True(after.Sum("http_server_request_duration_seconds_count", "http_route=\"/api/v1/me\"") >= 7, "ASP.NET Core's own meters are there too");
        Assert.Contains("bizkeys_outbox_pending{", text, StringComparison.Ordinal);
        Assert.Contains("channel=\"webhooks\"", text, StringComparison.Ordinal);
        Assert.Contains("bizkeys_key_changes_lag_seconds", text, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Secret, text, StringComparison.Ordinal);
        // Every BizKeys series the dashboard and the alerts of docs/ ask for is one this scrape has.
        var documented = File.ReadAllText(Path.Combine(Root, "docs", "grafana", "bizkeys.json")) + File.ReadAllText(Path.Combine(Root, "docs", "monitoring.md"));
        var names = MetricName().Matches(documented).Select(m => m.Value).Distinct().ToList();
        Assert.True(names.Count >= 12, $"the docs name {names.Count} series");
        Assert.All(names, name => Assert.Contains(name, text, StringComparison.Ordinal));

        double Delta(string name, string label) => after.Sum(name, label) - before.Sum(name, label);
    }

    [Fact]
    public async Task Only_loopback_and_the_allowed_networks_read_metrics_and_a_proxied_request_never_does()
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { ["BizKeys:Metrics:AllowedNetworks:0"] = "10.20.0.0/16" });
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(From("127.0.0.1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(From("10.20.3.4"))).StatusCode);
        var outsider = await client.SendAsync(From("203.0.113.9"));
        Assert.Equal(HttpStatusCode.NotFound, outsider.StatusCode);
        Assert.DoesNotContain("bizkeys_", await outsider.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // nginx on the same machine passes the public's requests on from loopback: those are the public's.
        var proxied = From("127.0.0.1");
        proxied.Headers.Add("X-Forwarded-For", "198.51.100.4");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(proxied)).StatusCode);

        static HttpRequestMessage From(string ip)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            request.Headers.Add(TestClientAddress.Header, ip);
            return request;
        }
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_a_forwarded_request_from_an_allowed_network_still_cannot_read_metrics()
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["BizKeys:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["BizKeys:Metrics:AllowedNetworks"] = "10.0.0.0/8, 192.0.2.7", // one value with commas, as an environment variable holds it
        });
        using var client = app.CreateClient();

        foreach (var forwarded in new[] { "10.1.2.3", "127.0.0.1" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/METRICS");
            request.Headers.Add(TestClientAddress.Header, "127.0.0.1");
            request.Headers.Add("X-Forwarded-For", forwarded);
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(request)).StatusCode);
        }
        var direct = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        direct.Headers.Add(TestClientAddress.Header, "192.0.2.7");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(direct)).StatusCode);
    }

    [Fact]
    public async Task A_pair_checked_through_verify_is_counted_with_its_own_verdict()
    {
        await using var app = new AppFactory();
        var (account, owner) = await app.OwnerAsync();
        var keys = app.Services.GetRequiredService<ApiKeyService>();
        var service = await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = "Checker", Environment = "Production", Permissions = ["keys:verify"] }, owner);
        var checkedKey = await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = "Checked", Environment = "Production" }, owner);
        using var client = app.CreateClient();
        var before = Parse(await ScrapeAsync(client));

        foreach (var secret in new[] { checkedKey.Secret, checkedKey.Secret, KeyFormat.NewSecret() })
        {
            var request = ApiApp.Basic(HttpMethod.Post, "/api/v1/verify", service.Key.Key, service.Secret);
            request.Content = System.Net.Http.Json.JsonContent.Create(new { key = checkedKey.Key.Key, secret });
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        }
        var after = Parse(await ScrapeAsync(client));

        // The caller's key three times, the pair asked about twice right and once wrong.
        Assert.Equal(5, after.Sum("bizkeys_verifications_total", "outcome=\"passed\"") - before.Sum("bizkeys_verifications_total", "outcome=\"passed\""));
        Assert.Equal(1, after.Sum("bizkeys_verifications_total", "reason=\"wrong_secret\"") - before.Sum("bizkeys_verifications_total", "reason=\"wrong_secret\""));
    }

    [Fact]
    public async Task A_network_setting_that_is_not_a_network_stops_the_start_with_its_name()
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { ["BizKeys:Metrics:AllowedNetworks:0"] = "office" });
        var e = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("BizKeys:Metrics:AllowedNetworks entry 'office'", e.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static Samples Parse(string text) => new([.. text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(line =>
    {
        var space = line.LastIndexOf(' ');
        return (Series: line[..space], Value: double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
    })]);

    private sealed record Samples(List<(string Series, double Value)> Lines)
    {
        /// <summary>The sum over every series of the family <paramref name="name"/> whose labels contain <paramref name="label"/>.</summary>
        public double Sum(string name, string label) => Lines
            .Where(l => (l.Series == name || l.Series.StartsWith(name + "{", StringComparison.Ordinal)) && l.Series.Contains(label, StringComparison.Ordinal))
            .Sum(l => l.Value);
    }

    private static string Root => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));

    [GeneratedRegex(@"bizkeys_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^(# (TYPE|HELP) [a-zA-Z_:][a-zA-Z0-9_:]* .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+(Inf)?( [0-9]+)?|# EOF)$")]
    private static partial Regex SampleOrComment();
}
