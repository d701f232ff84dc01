using System.Text.Json;
using System.Text.RegularExpressions;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Api;

/// <summary>
/// Lints /openapi/v1.json so the document stays complete as routes change: only the API, both credential schemes,
/// every status a route answers with its problem body, examples without a real secret.
/// </summary>
public class OpenApiDocumentTests
{
    private static async Task<(JsonElement Document, string Text)> DocumentAsync()
    {
        await using var app = new AppFactory(environment: "Production");
        using var client = app.CreateClient();
        var text = await client.GetStringAsync("/openapi/v1.json");
        return (JsonDocument.Parse(text).RootElement, text);
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        select (path.Name, operation.Name, operation.Value);

    [Fact]
    public async Task The_document_lists_only_the_api_and_declares_both_credential_schemes()
    {
        var (document, _) = await DocumentAsync();

        Assert.All(document.GetProperty("paths").EnumerateObject(), p => Assert.StartsWith("/api/v1/", p.Name, StringComparison.Ordinal));
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("basic", schemes.GetProperty("basic").GetProperty("scheme").GetString());
        Assert.Equal("X-API-Key", schemes.GetProperty("apiKey").GetProperty("name").GetString());
        Assert.Equal("X-API-Secret", schemes.GetProperty("apiSecret").GetProperty("name").GetString());
        Assert.Contains(Operations(document), o => o.Path == "/api/v1/keys/{key}/rotate" && o.Method == "post");
    }

    [Fact]
    public async Task Query_parameters_are_documented_by_the_names_clients_send()
    {
        var (document, _) = await DocumentAsync();

        string[] Names(string path) => [.. Operations(document).Single(o => o.Path == path && o.Method == "get").Operation
            .GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!)];
        Assert.Equal(["page", "pageSize", "search", "status"], Names("/api/v1/keys"));
        Assert.Equal(["from", "to", "granularity"], Names("/api/v1/keys/{key}/usage"));
    }

    [Fact]
    public async Task Every_key_route_declares_its_credentials_and_every_status_it_answers_with_a_problem_body()
    {
        var (document, _) = await DocumentAsync();

        foreach (var (path, method, operation) in Operations(document).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal) && o.Path != "/api/v1/leaks"))
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            Assert.True(operation.TryGetProperty("operationId", out _), where + " has no operationId");
            Assert.True(operation.TryGetProperty("summary", out _), where + " has no summary");
            var security = operation.GetProperty("security").EnumerateArray().Select(r => string.Join("+", r.EnumerateObject().Select(s => s.Name))).ToList();
            Assert.Equal(["basic", "apiKey+apiSecret"], security);
            var responses = operation.GetProperty("responses");
            var expected = new List<string> { "400", "401", "403", "429", "500" };
            if (path.Contains("{key}", StringComparison.Ordinal))
                expected.Add("404");
            if (method is "patch" || path.EndsWith("/rotate", StringComparison.Ordinal) || path.EndsWith("/revoke", StringComparison.Ordinal))
                expected.Add("409");
            foreach (var status in expected)
            {
                Assert.True(responses.TryGetProperty(status, out var response), $"{where} does not declare {status}");
                Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{where} {status} has no problem body");
            }
            Assert.True(responses.EnumerateObject().Any(r => r.Name.StartsWith('2')), where + " declares no success");
            if (operation.TryGetProperty("requestBody", out var body))
                Assert.True(body.GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _), where + " has no request example");
        }
    }

    [Fact]
    public async Task The_leak_report_route_needs_no_credentials_and_declares_its_limits()
    {
        var (document, _) = await DocumentAsync();

        var (_, _, leaks) = Assert.Single(Operations(document), o => o.Path == "/api/v1/leaks");

        Assert.Empty(leaks.GetProperty("security").EnumerateArray());
        foreach (var status in new[] { "400", "413", "415", "429", "500" })
            Assert.True(leaks.GetProperty("responses").GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _), status);
        Assert.True(leaks.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _));
    }

    [Fact]
    public async Task No_secret_shaped_string_appears_in_the_document()
    {
        var (_, text) = await DocumentAsync();

        Assert.DoesNotMatch(Patterns.AnySecret(), text);
        Assert.Contains("bks_shown-once", text); // the examples say where the secret goes, with a placeholder
    }
}
